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
    LedgerError,
    ManifestError,
    Options,
    Summary,
    unwrap,
    unwrap_task,
)

from .client import Client

__all__ = [
    "LedgerError",
    "ManifestError",
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
    **settings: Any,
) -> Summary:
    """Run every job of ``manifest`` into the folder ``out``; how it ended.

    ``client`` defaults to a :class:`Client` made from the environment.
    ``settings`` are the fields of :class:`Options`: ``skip_invalid``,
    ``concurrency``, ``resend_ambiguous``, ``settle``, ``poll_interval``...

    :raises ManifestError: lines have problems (listed on ``stream``
        first); nothing was sent.
    :raises LedgerError: another run holds the folder, or its ledger
        cannot be read.
    """
    if client is not None:
        return _batch.run(client, manifest, out, stream=stream, **settings)
    with Client() as own:
        return _batch.run(own, manifest, out, stream=stream, **settings)
