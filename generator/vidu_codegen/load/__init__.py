"""Steps 1 to 3: from YAML text to a checked, typed spec.

``yaml`` reads each file into positioned tables, ``structure`` turns them into
the typed objects of ``model``, and ``checks`` reports what the parts say
about each other. Every problem is a :class:`~vidu_codegen.load.findings.Finding`.
"""
