"""Run the fake server in the foreground: ``python -m <package>.testing``.

Tasks progress in real time. Stop it with Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from ..tables import AUTH
from ._server import FakeServer
from ._tasks import DEFAULT_DURATIONS, SUCCESS

_PACKAGE = (__package__ or "").rpartition(".")[0]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description="A fake of the service on 127.0.0.1, for trying the client out.",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (default 8000; 0: any free one)"
    )
    parser.add_argument("--api-key", default="test-key", help="the key it accepts")
    parser.add_argument(
        "--outcome", default=SUCCESS, help="how tasks end (an end state)"
    )
    parser.add_argument("--err-code", default=None, help="error code of failed tasks")
    for state, seconds in DEFAULT_DURATIONS.items():
        parser.add_argument(
            f"--{state}-seconds",
            type=float,
            default=seconds,
            dest=f"duration_{state}",
            metavar="SECONDS",
            help=f"seconds a task stays {state} (default {seconds:g})",
        )
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted; return the exit status."""
    args = _parser().parse_args(argv)
    durations = {
        state: getattr(args, f"duration_{state}") for state in DEFAULT_DURATIONS
    }
    try:
        server = FakeServer(
            api_key=args.api_key,
            port=args.port,
            clock="real",
            durations=durations,
            outcome=args.outcome,
            err_code=args.err_code,
            verbose=not args.quiet,
        )
        server.start()
    except (OSError, ValueError) as exc:
        print(f"cannot start the fake server: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    print(f"Fake {_PACKAGE} API listening on {server.url}", flush=True)
    print(f"API key: {server.api_key}", flush=True)
    if AUTH.env:
        print(f"  export {AUTH.env}={server.api_key}", flush=True)
    print(f"  Client(base_url={server.url!r})", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
