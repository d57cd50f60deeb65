"""Generator of validated API client packages from a YAML spec.

The pipeline, one module a step::

    YAML text --loader--> positioned tables --structure--> typed spec (spec_model)
      --checks--> findings --context--> template context --render--> files
      --writer--> atomic write (or a drift report)
"""
