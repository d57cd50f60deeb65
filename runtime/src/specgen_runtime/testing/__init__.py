"""A fake of the service for your tests, driven by the same tables as the client.

A generated package binds :class:`FakeServer` to its tables::

    class FakeServer(specgen_runtime.testing.FakeServer):
        _api = API

and its users write::

    from <package>.testing import FakeServer

    with FakeServer() as server:
        client = Client(api_key=server.api_key, base_url=server.url,
                        sleep=server.advance, clock=server.clock.now)
        task = client.<create operation>(...)
        server.advance(10)                      # tasks move on the test's clock
        server.inject("<operation id>", status=429, retry_after="1")
        ...

It is a real HTTP server on ``127.0.0.1`` (any free port by default): it
checks the API key, validates request bodies as the service does, runs tasks
through their states on a clock the test controls, serves result files,
sends signed callbacks to loopback URLs, and fails on demand (error statuses,
slow answers, dropped connections). With pytest, use a fixture made by
:func:`.pytest_plugin.make_fixture`; from a shell, :func:`.cli.main`
(``python -m <package>.testing``).
"""

from ._callbacks import CallbackRecord
from ._clock import Clock, FakeClock, RealClock
from ._faults import DOWNLOAD, Drop, Fault
from ._server import FakeServer, RecordedRequest
from ._tasks import Outcome, default_durations

__all__ = [
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
    "default_durations",
]
