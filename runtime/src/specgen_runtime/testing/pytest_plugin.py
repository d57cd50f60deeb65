"""pytest fixtures for fake servers.

A generated package's ``testing/pytest_plugin.py`` makes its fixture here::

    from specgen_runtime.testing.pytest_plugin import make_fixture

    from . import FakeServer

    fake_server = make_fixture(FakeServer)

and its users enable it in their ``conftest.py``::

    pytest_plugins = ["<package>.testing.pytest_plugin"]

    def test_something(fake_server):
        client = Client(api_key=fake_server.api_key, base_url=fake_server.url)

This is the only module of :mod:`specgen_runtime.testing` that imports pytest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from ._server import FakeServer

__all__ = ["make_fixture"]

ServerT = TypeVar("ServerT", bound=FakeServer)


def make_fixture(
    server_class: type[ServerT], *, name: str = "fake_server"
) -> Callable[[], Iterator[ServerT]]:
    """A pytest fixture, named ``name``, of a started ``server_class``.

    Each test that takes it gets its own server on the manual clock, stopped
    after the test. Assign the result to a module attribute of a plugin or
    ``conftest.py`` for pytest to find it.
    """

    def fixture() -> Iterator[ServerT]:
        with server_class() as server:
            yield server

    fixture.__name__ = fixture.__qualname__ = name
    fixture.__doc__ = (
        f"A started :class:`{server_class.__module__}.{server_class.__qualname__}` "
        "on the manual clock, stopped after the test."
    )
    return pytest.fixture(name=name)(fixture)
