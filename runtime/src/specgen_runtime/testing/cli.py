"""Run a fake server in the foreground, as ``python -m <package>.testing`` does.

A generated package's ``testing/__main__.py`` is::

    from specgen_runtime.testing.cli import main

    from . import FakeServer

    if __name__ == "__main__":
        raise SystemExit(main(FakeServer))

Tasks progress in real time. Stop it with Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from types import FrameType

from ..tables import ApiTables
from ._server import FakeServer
from ._tasks import default_durations

__all__ = ["main"]


def _parser(api: ApiTables, durations: Mapping[str, float]) -> argparse.ArgumentParser:
    tasks = api.require_tasks()
    parser = argparse.ArgumentParser(
        prog=f"python -m {api.package}.testing",
        description="A fake of the service on 127.0.0.1, for trying the client out.",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default 8000; 0: any free one)"
    )
    parser.add_argument("--api-key", default="test-key", help="the key it accepts")
    parser.add_argument(
        "--outcome",
        default=tasks.success_state,
        help=f"how tasks end (an end state: {', '.join(sorted(tasks.terminal))})",
    )
    parser.add_argument("--err-code", default=None, help="error code of failed tasks")
    for state, seconds in durations.items():
        parser.add_argument(
            f"--{state}-seconds",
            type=float,
            default=seconds,
            dest=f"duration_{state}",
            metavar="SECONDS",
            help=f"seconds a task stays {state} (default {seconds:g})",
        )
    parser.add_argument(
        "--concurrency-limit",
        type=int,
        default=5,
        metavar="N",
        help="tasks running at once; the others queue (default 5)",
    )
    parser.add_argument(
        "--page-size",
        type=int,
        default=20,
        metavar="N",
        help="tasks per page of the task list unless asked (default 20)",
    )
    parser.add_argument(
        "--no-payload-in-list",
        action="store_true",
        help="leave out of the task list each task's request values that no "
        "filter of the list reads (its payload, for one)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def main(server_class: type[FakeServer], argv: Sequence[str] | None = None) -> int:
    """Serve ``server_class`` until interrupted; return the exit status.

    ``server_class`` is a generated package's ``FakeServer`` (a subclass of
    :class:`FakeServer` carrying its API's tables as ``_api``); ``argv``
    defaults to the command line.
    """
    api = server_class._api
    defaults = default_durations(api.require_tasks())
    args = _parser(api, defaults).parse_args(argv)
    durations = {state: getattr(args, f"duration_{state}") for state in defaults}
    try:
        server = server_class(
            api_key=args.api_key,
            port=args.port,
            clock="real",
            durations=durations,
            outcome=args.outcome,
            err_code=args.err_code,
            verbose=not args.quiet,
            concurrency_limit=args.concurrency_limit,
            page_size=args.page_size,
            echo_payload=not args.no_payload_in_list,
        )
        server.start()
    except (OSError, ValueError) as exc:
        print(f"cannot start the fake server: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    print(f"Fake {api.package} API listening on {server.url}", flush=True)
    print(f"API key: {server.api_key}", flush=True)
    if api.auth.env:
        print(f"  export {api.auth.env}={server.api_key}", flush=True)
    print(f"  Client(base_url={server.url!r})", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
