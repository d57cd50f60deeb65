"""``python -m <package> batch MANIFEST --out DIR``: the runner from a shell.

The package's command line adds this subcommand beside its operations
(:func:`add_command`) and hands it the parsed arguments (:func:`run_command`).
Exit status: 0 every job downloaded, 1 some failed, are ambiguous or are left
for a later run, or the run was stopped (a refused key, no credits: see
:class:`~specgen_runtime.batch.BatchStopped`), 2 invalid manifest (nothing
sent), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["COMMAND", "add_command", "run_command"]

COMMAND = "batch"


def add_command(commands: Any) -> None:
    """Add the ``batch`` subcommand to an argparse subparsers object."""
    parser: argparse.ArgumentParser = commands.add_parser(
        COMMAND,
        help="run a manifest of requests (JSON Lines), each task created once",
        description="Create a task for every line of MANIFEST (JSON Lines: a request "
        'body, or {"key": ..., "file": ..., "request": {...}}), wait for them and '
        "save their videos in DIR. Every line is checked first. The ledger in DIR "
        "remembers every job: run the same command again to continue after an "
        "interruption or a crash; no task is created twice.",
    )
    parser.set_defaults(batch=True)
    parser.add_argument("manifest", metavar="MANIFEST", help="the JSON Lines file")
    parser.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="where the videos, ledger and report go",
    )
    parser.add_argument(
        "--operation", help="the creating operation (default: the only one)"
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="send the valid lines even if others are invalid (default: send nothing)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="at most N tasks in flight (default: the account's concurrency limit)",
    )
    parser.add_argument(
        "--resend-ambiguous",
        action="store_true",
        help="send again the jobs whose create cannot be told to have landed "
        "(may create a second task)",
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long after an unanswered create the task list is trusted to "
        "show it (default 30)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="seconds between reads of a running task's state at first, growing "
        "to 30 (default 5)",
    )
    parser.add_argument(
        "--max-line-bytes",
        type=int,
        metavar="BYTES",
        help="the longest manifest line (default: the request body limit)",
    )
    parser.add_argument(
        "--max-jobs", type=int, default=100_000, help="the most lines (default 100000)"
    )


def run_command(client_class: type[Any], args: argparse.Namespace) -> int:
    """Run ``batch`` with parsed ``args``; the exit status.

    Manifest and ledger problems are printed here (exit status 2 and 1); a
    stopped run has said why on stderr already (exit status 1); other errors
    go to the caller's handlers.
    """
    from ..cli import client_from_args
    from . import (
        BatchStopped,
        BatchUnsupported,
        LedgerError,
        ManifestError,
        Options,
        run,
    )

    options = Options(
        skip_invalid=args.skip_invalid,
        concurrency=args.concurrency,
        resend_ambiguous=args.resend_ambiguous,
        settle=args.settle,
        poll_interval=args.poll_interval,
        max_poll_interval=max(args.poll_interval, 30.0),
        attempt_time=args.timeout,
        max_line_bytes=args.max_line_bytes,
        max_jobs=args.max_jobs,
    )
    with client_from_args(client_class, args) as client:
        try:
            summary = run(
                client,
                args.manifest,
                args.out,
                operation=args.operation,
                options=options,
            )
        except (ManifestError, BatchUnsupported) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except LedgerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except BatchStopped as exc:
            summary = exc.summary
    if summary.interrupted:
        print(
            f"to continue: {' '.join(_resume(args))}",
            file=sys.stderr,
        )
    return summary.exit_status


def _resume(args: argparse.Namespace) -> list[str]:
    import shlex

    command = [sys.argv[0] if sys.argv and sys.argv[0] else "python -m <package>"]
    if command[0].endswith("__main__.py"):
        command = ["python", "-m", _package_of(command[0])]
    command += [COMMAND, shlex.quote(args.manifest), "--out", shlex.quote(args.out)]
    if args.skip_invalid:
        command.append("--skip-invalid")
    return command


def _package_of(main: str) -> str:
    from pathlib import Path

    return Path(main).parent.name
