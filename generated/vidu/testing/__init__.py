# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""A fake of the service for your tests, driven by the same spec as the client.

::

    from vidu import Client
    from vidu.testing import FakeServer

    with FakeServer() as server:
        client = Client(server.api_key, base_url=server.url,
                        sleep=server.advance, clock=server.clock.now)
        ...                                     # tasks move on the test's clock

It is a real HTTP server on ``127.0.0.1`` (any free port by default): it
checks the API key, validates request bodies as the service does, runs tasks
through their states on a clock the test controls, serves result files,
sends signed callbacks to loopback URLs, and fails on demand (error statuses,
slow answers, dropped connections). With pytest, use the ``fake_server``
fixture of :mod:`.pytest_plugin`; from a shell, ``python -m vidu.testing``.
"""

from collections.abc import Mapping
from typing import ClassVar, Final

from specgen_runtime import testing as _runtime
from specgen_runtime.tables import ApiTables
from specgen_runtime.testing import (
    DOWNLOAD,
    CallbackRecord,
    Clock,
    Drop,
    FakeClock,
    Fault,
    Outcome,
    RealClock,
    RecordedRequest,
    default_durations,
)

from .._api import API


class FakeServer(_runtime.FakeServer):
    """A fake Vidu service (see :class:`specgen_runtime.testing.FakeServer`)."""

    _api: ClassVar[ApiTables] = API


DEFAULT_DURATIONS: Final[Mapping[str, float]] = default_durations(API.require_tasks())
"""Seconds a task spends in each pending state unless told otherwise."""

__all__ = [
    "DEFAULT_DURATIONS",
    "DOWNLOAD",
    "CallbackRecord",
    "Clock",
    "Drop",
    "FakeClock",
    "FakeServer",
    "Fault",
    "Outcome",
    "RealClock",
    "RecordedRequest",
]
