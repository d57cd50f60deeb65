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
import shlex
import sys
from pathlib import Path
from typing import Any

from ..pagination import DEFAULT_MAX_PAGES, DEFAULT_PAGES_TIMEOUT
from .manifest import DEFAULT_MAX_MANIFEST_BYTES

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
        "--max-jobs",
        type=int,
        default=100_000,
        help="the most lines, blank ones included (default 100000)",
    )
    parser.add_argument(
        "--max-manifest-bytes",
        type=int,
        default=DEFAULT_MAX_MANIFEST_BYTES,
        metavar="BYTES",
        help=f"the largest manifest (default {DEFAULT_MAX_MANIFEST_BYTES})",
    )
    parser.add_argument(
        "--max-pages",
        type=int,
        default=DEFAULT_MAX_PAGES,
        metavar="N",
        help="the most pages one read of the task list takes "
        f"(default {DEFAULT_MAX_PAGES})",
    )
    parser.add_argument(
        "--list-timeout",
        type=float,
        default=DEFAULT_PAGES_TIMEOUT,
        metavar="SECONDS",
        help="the longest one read of the task list takes "
        f"(default {DEFAULT_PAGES_TIMEOUT:g})",
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
        max_manifest_bytes=args.max_manifest_bytes,
        max_pages=args.max_pages,
        list_timeout=args.list_timeout,
    )
    with client_from_args(client_class, args) as client:
        env = client._api.auth.env
        try:
            summary = run(
                client,
                args.manifest,
                args.out,
                operation=args.operation,
                options=options,
                resume=resume_command(args, env),
            )
        except (ManifestError, BatchUnsupported) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        except LedgerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except BatchStopped as exc:
            summary = exc.summary
    return summary.exit_status


_FLAGS = (
    ("operation", "--operation", None),
    ("concurrency", "--concurrency", None),
    ("settle", "--settle", 30.0),
    ("poll_interval", "--poll-interval", 5.0),
    ("max_line_bytes", "--max-line-bytes", None),
    ("max_jobs", "--max-jobs", 100_000),
    ("max_manifest_bytes", "--max-manifest-bytes", DEFAULT_MAX_MANIFEST_BYTES),
    ("max_pages", "--max-pages", DEFAULT_MAX_PAGES),
    ("list_timeout", "--list-timeout", DEFAULT_PAGES_TIMEOUT),
    ("base_url", "--base-url", None),
    ("validation", "--validation", "strict"),
    ("timeout", "--timeout", 60.0),
    ("max_retries", "--max-retries", 2),
)
"""The options a continuing run is given again, each with its default
(left out when the run had it)."""
_SWITCHES = (
    ("skip_invalid", "--skip-invalid"),
    ("resend_ambiguous", "--resend-ambiguous"),
)


def resume_command(args: argparse.Namespace, env: str | None) -> str:
    """The command that continues the run ``args`` describe: the same
    manifest, folder and options; never the API key (a key given with
    ``--api-key`` is named as something to give again, not shown)."""
    program = sys.argv[0] if sys.argv and sys.argv[0] else ""
    if not program or program.endswith("__main__.py"):
        name = Path(program).parent.name if program else "<package>"
        command = ["python", "-m", name]
    else:
        command = [program]
    command += [COMMAND, args.manifest, "--out", args.out]
    for name, flag, default in _FLAGS:
        value = getattr(args, name, None)
        if value is not None and value != default:
            command += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    for name, flag in _SWITCHES:
        if getattr(args, name, False):
            command.append(flag)
    text = shlex.join(command)
    if getattr(args, "api_key", None):
        ways = f"set {env} or pass --api-key" if env else "pass --api-key"
        text += f"  (with the API key: {ways})"
    return text
