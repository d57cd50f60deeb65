"""Generator of validated API client packages from a YAML spec.

The pipeline, one module a step::

    YAML text --load.yaml--> positioned tables --load.structure--> typed spec
      (load.model) --load.checks--> findings --resolve--> effective rules
      --python.context--> template context --python.render (manifest, ruff)-->
      files --python.writer--> atomic write (or a drift report)

``pipeline`` runs the steps, ``project`` finds the spec, templates and output
from the current directory, and ``cli`` is the command line. The review tools
(``tools.fmt``, ``tools.diff``, ``tools.openapi``) read the same loaded and
resolved spec; ``text`` spells values the same way for all of them.
"""
