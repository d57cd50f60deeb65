"""Fixtures shared by the package's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.vidu import loopback


@pytest.fixture
def canned() -> Iterator[loopback.Canned]:
    """A server on 127.0.0.1 answering every request with one answer
    (``canned.answer(body, status, headers)``), keeping what it was sent."""
    with loopback.canned() as server:
        yield server
