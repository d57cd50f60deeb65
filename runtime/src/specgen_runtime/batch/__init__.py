"""Batch generation: a manifest of requests in, videos out, every task
created exactly once, across crashes.

::

    from specgen_runtime import batch

    with Client() as client:
        summary = batch.run(client, "jobs.jsonl", "out/")

A generated package binds this to its client (``<package>.batch.run``) and
to its command line (``python -m <package> batch MANIFEST --out DIR``). The
parts: :mod:`.manifest` (the line format and its checks), :mod:`.ledger`
(the SQLite ledger), :mod:`.marker` (the job's marker in the tables'
``pass_through_field``), :mod:`.service` (what the runner asks of the
client), :mod:`.runner`, :mod:`.report` (progress and the report files).
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when first used: the command line loads this package
    from ..client import BaseClient
    from ..tables import Operation
    from .ledger import LEDGER_NAME, STATES, LedgerError, State
    from .manifest import ManifestError, ManifestNotFound
    from .marker import unwrap, unwrap_task
    from .report import REPORT_CSV, REPORT_JSON
    from .runner import BatchStopped, Options, Summary
    from .service import BatchUnsupported, ListUnreadable

_LAZY = {
    "LEDGER_NAME": "ledger",
    "STATES": "ledger",
    "LedgerError": "ledger",
    "State": "ledger",
    "ManifestError": "manifest",
    "ManifestNotFound": "manifest",
    "unwrap": "marker",
    "unwrap_task": "marker",
    "REPORT_CSV": "report",
    "REPORT_JSON": "report",
    "BatchStopped": "runner",
    "Options": "runner",
    "Summary": "runner",
    "BatchUnsupported": "service",
    "ListUnreadable": "service",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "LEDGER_NAME",
    "REPORT_CSV",
    "REPORT_JSON",
    "STATES",
    "BatchStopped",
    "BatchUnsupported",
    "LedgerError",
    "ListUnreadable",
    "ManifestError",
    "ManifestNotFound",
    "Options",
    "State",
    "Summary",
    "create_operation",
    "run",
    "unwrap",
    "unwrap_task",
]


def create_operation(
    client: BaseClient[Any], operation: str | None = None
) -> Operation:
    """The creating operation a batch sends: ``operation``, or the spec's only one.

    :raises BatchUnsupported: (a :class:`LookupError`) no such operation,
        or several and none named.
    """
    from .service import BatchUnsupported

    api = client._api
    creating = [o for o in api.operations.values() if o.task == "create"]
    if operation is not None:
        found = api.operations.get(operation)
        if found is None or found.task != "create":
            names = ", ".join(o.id for o in creating) or "none"
            raise BatchUnsupported(
                f"{operation!r} is not a creating operation (those are: {names})"
            )
        return found
    if len(creating) != 1:
        names = ", ".join(o.id for o in creating) or "none"
        raise BatchUnsupported(
            f"name the creating operation to batch (one of: {names})"
        )
    return creating[0]


def run(
    client: BaseClient[Any],
    manifest: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    operation: str | None = None,
    options: Options | None = None,
    stream: IO[str] | None = None,
    resume: str | None = None,
    **settings: Any,
) -> Summary:
    """Run the jobs of ``manifest`` (JSON Lines) with ``client``, into ``out``.

    ``settings`` are the fields of :class:`Options` (``skip_invalid``,
    ``concurrency``, ``resend_ambiguous``, ``settle``, ...), or pass
    ``options``. Progress goes to ``stream`` (default stderr). Running it
    again with the same manifest and folder continues an unfinished run;
    ``resume`` is the command that does so, said when the run stops
    unfinished (the command line passes its own).

    It returns when the run ends on its own (every job downloaded, failed,
    ambiguous or left for a later run: :attr:`Summary.exit_status` says
    which) or is interrupted (Ctrl-C). A run that something stopped as a
    whole raises :class:`BatchStopped` instead, after saving the ledger and
    the report.

    :raises ManifestError: lines have problems, or the manifest cannot be
        read (:class:`ManifestNotFound`, also a :class:`FileNotFoundError`,
        when it does not exist); nothing was sent.
    :raises LedgerError: the folder's ledger cannot be used (another run
        holds it, or it is not a ledger), or one of the runner's files there
        is a symbolic link.
    :raises BatchUnsupported: the spec lacks what a batch needs (such as a
        task list with a creation-time window); nothing was sent.
    :raises BatchStopped: the key was refused, the account has no credits
        (an error of ``stop_reasons``), the task list cannot be read, or the
        run's ``deadline`` passed: ``.summary`` is how it ended, ``.error``
        (and ``__cause__``) the :class:`~specgen_runtime.errors.ClientError`
        that stopped it (an ``AuthenticationError`` for a wrong key).
    """
    from .runner import Options, Runner
    from .service import ClientService

    chosen = create_operation(client, operation)
    if options is None:
        timeout = getattr(client, "timeout", None)
        if isinstance(timeout, int | float):
            settings.setdefault("attempt_time", float(timeout))
        options = Options(**settings)
    elif settings:
        raise TypeError("pass options or its fields, not both")
    service = ClientService(
        client,
        chosen,
        max_pages=options.max_pages,
        list_timeout=options.list_timeout,
        marker_field=options.marker_field,
    )
    return Runner(
        service,
        client._api,
        chosen,
        Path(manifest),
        Path(out),
        options,
        stream=stream,
        resume=resume,
    ).run()
