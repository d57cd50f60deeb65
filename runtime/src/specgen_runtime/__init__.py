"""The shared runtime of the client packages generated from API specs.

A generated package renders its spec into tables, typed models and per-form
validators, and hands the tables to this runtime as one
:class:`~specgen_runtime.tables.ApiTables` object; everything else (the HTTP
client, the command line, callbacks, the fake server for tests) lives here,
once. Nothing here names a particular API. Import the modules you need:
importing this package alone loads nothing else.
"""

__version__ = "0.2.0"
"""This runtime's version; generated packages name the range they work with."""
