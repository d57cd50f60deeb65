# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""A pytest fixture of the fake service.

Enable it in a ``conftest.py``::

    pytest_plugins = ["vidu.testing.pytest_plugin"]

and take ``fake_server`` in a test: a running :class:`FakeServer` on a clock
the test controls, stopped when the test ends.
"""

from specgen_runtime.testing.pytest_plugin import make_fixture

from . import FakeServer

fake_server = make_fixture(FakeServer)
