"""pytest fixtures for the fake server.

Enable them in your ``conftest.py``::

    pytest_plugins = ["<package>.testing.pytest_plugin"]

    def test_something(fake_server):
        client = Client(api_key=fake_server.api_key, base_url=fake_server.url)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import FakeServer


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    """A started :class:`FakeServer` on the manual clock, stopped after the test."""
    with FakeServer() as server:
        yield server
