# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""A pytest fixture of the fake service.

Enable it in a ``conftest.py``::

    pytest_plugins = ["vidu.testing.pytest_plugin"]

and take ``fake_server`` in a test: a running :class:`FakeServer` on a clock
the test controls, stopped when the test ends. Give the client its clock, so
that waiting moves the tasks::

    def test_it(fake_server):
        client = vidu.Client(
            fake_server.api_key,
            base_url=fake_server.url,
            sleep=fake_server.advance,
            clock=fake_server.clock.now,
        )
"""

from specgen_runtime.testing.pytest_plugin import make_fixture

from . import FakeServer

fake_server = make_fixture(FakeServer)
