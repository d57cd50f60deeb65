# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Batch generation: a manifest of requests in, videos out, each task created once.

::

    from vidu import batch

    summary = batch.run("jobs.jsonl", "out/")   # the key from the environment
    print(summary.counts, summary.report_csv)

The manifest is JSON Lines: a request body per line, or
``{"key": ..., "file": ..., "request": {...}}``. Every line is checked before
anything is sent. The ledger in the output folder remembers every job, so
running the same call (or ``python -m vidu batch MANIFEST --out DIR``)
again continues after an interruption or a crash, and no task is created
twice. The runner is :mod:`specgen_runtime.batch`, bound here to
:class:`Client`.
"""

import os
from typing import IO, Any

from specgen_runtime import batch as _batch
from specgen_runtime.batch import (
    BatchStopped,
    LedgerError,
    ManifestError,
    ManifestNotFound,
    Options,
    Summary,
    unwrap,
    unwrap_task,
)

from .client import Client

__all__ = [
    "BatchStopped",
    "LedgerError",
    "ManifestError",
    "ManifestNotFound",
    "Options",
    "Summary",
    "run",
    "unwrap",
    "unwrap_task",
]


def run(
    manifest: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    client: Client | None = None,
    stream: IO[str] | None = None,
    options: Options | None = None,
    skip_invalid: bool | None = None,
    concurrency: int | None = None,
    resend_ambiguous: bool | None = None,
    settle: float | None = None,
    window_margin: float | None = None,
    attempt_time: float | None = None,
    poll_interval: float | None = None,
    max_poll_interval: float | None = None,
    capacity_interval: float | None = None,
    default_concurrency: int | None = None,
    backoff: float | None = None,
    max_backoff: float | None = None,
    download_attempts: int | None = None,
    workers: int | None = None,
    deadline: float | None = None,
    tick: float | None = None,
    min_round: float | None = None,
    marker_field: str | None = None,
    max_line_bytes: int | None = None,
    max_jobs: int | None = None,
    max_manifest_bytes: int | None = None,
    max_pages: int | None = None,
    list_timeout: float | None = None,
    stop_reasons: frozenset[str] | None = None,
) -> Summary:
    """Run every job of ``manifest`` into the folder ``out``; how it ended.

    ``client`` defaults to a :class:`Client` made from the environment.
    The other keyword arguments are the fields of :class:`Options` (see it
    for each), ``None`` leaving a field at its default (``attempt_time`` at
    the client's timeout); or pass ``options`` and none of them.

    :raises ManifestError: lines have problems (listed on ``stream``
        first); nothing was sent.
    :raises LedgerError: another run holds the folder, or its ledger
        cannot be read.
    :raises BatchStopped: the key was refused, the account has no credits,
        the task list cannot be read or the ``deadline`` passed; raised once
        the ledger and report are saved, with the run's ``summary`` and the
        ``error`` that stopped it.
    :raises TypeError: ``options`` and some of its fields were both given.
    """
    given: dict[str, object] = {
        "skip_invalid": skip_invalid,
        "concurrency": concurrency,
        "resend_ambiguous": resend_ambiguous,
        "settle": settle,
        "window_margin": window_margin,
        "attempt_time": attempt_time,
        "poll_interval": poll_interval,
        "max_poll_interval": max_poll_interval,
        "capacity_interval": capacity_interval,
        "default_concurrency": default_concurrency,
        "backoff": backoff,
        "max_backoff": max_backoff,
        "download_attempts": download_attempts,
        "workers": workers,
        "deadline": deadline,
        "tick": tick,
        "min_round": min_round,
        "marker_field": marker_field,
        "max_line_bytes": max_line_bytes,
        "max_jobs": max_jobs,
        "max_manifest_bytes": max_manifest_bytes,
        "max_pages": max_pages,
        "list_timeout": list_timeout,
        "stop_reasons": stop_reasons,
    }
    # what was left out keeps its Options default; the runner checks the rest
    settings: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if client is not None:
        return _batch.run(
            client, manifest, out, options=options, stream=stream, **settings
        )
    with Client() as own:
        return _batch.run(
            own, manifest, out, options=options, stream=stream, **settings
        )
