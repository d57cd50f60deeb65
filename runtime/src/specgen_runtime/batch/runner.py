"""The batch runner: a manifest in, videos out, each task created once.

::

    summary = Runner(service, api, operation, manifest, out).run()

1. Every line of the manifest is checked; nothing is sent unless all pass
   (or ``skip_invalid``). Valid jobs enter the ledger as ``pending``; jobs
   the ledger already has keep their state, so running the same command
   again continues where the last run stopped.
2. A round of jobs is marked ``creating`` and committed, then their creates
   are sent, each with the job's marker in front of its payload. At most
   the account's concurrency limit (the credits endpoint's
   ``concurrency_limit``, or ``concurrency``) of the run's tasks are in
   flight; a quota error (429) or a 503 puts the job back and makes every
   create wait (exponential backoff, or the ``Retry-After``).
3. A create whose outcome is unknown (the connection dropped after the
   request went out, a 5xx that is not a 503, an answer that cannot be read,
   or a job found ``creating`` at start because the last run died) is looked
   for in the task list by its marker, reading every page of a window of
   ``created_at`` around the attempt, no earlier than ``settle`` seconds
   after it. Found: the job has its task. Not found, in a window whose every
   task shows its payload (or that holds no task): it is sent again. When
   the list does not show payloads (checked against a task the run created,
   which it must list with the job's marker) the job cannot be told and ends
   ``ambiguous``, never sent again unless ``resend_ambiguous``.
4. Tasks are polled in rounds, each no more often than its interval (which
   grows), many in one request of the task list filtered by id when the
   spec's list has a ``task_ids`` filter, and downloaded as they succeed,
   whole or not at all, never over an existing file.

What ended in a round is written to the ledger in one commit, with the jobs
marked ``creating`` for the next creates, which are sent after it.
5. Ctrl-C stops sending; the requests in flight end and are recorded, the
   report is written and the run says how to continue.
6. An error that would fail every job (the key refused, no credits, a task
   list that cannot be read) or the run's deadline stops the run the same
   way; then :meth:`Runner.run` raises :class:`BatchStopped`, which holds
   the :class:`Summary` and the error, once the ledger and report are saved.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import signal
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any

import attrs

from ..errors import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ClientError,
    DestinationExists,
    NotFoundError,
    PermissionDeniedError,
    RequestMayHaveSucceeded,
    ServerError,
)
from ..pagination import DEFAULT_MAX_PAGES, DEFAULT_PAGES_TIMEOUT
from ..tables import ApiTables, Operation
from ..violations import ValidationError
from . import marker as markers
from .ledger import DONE_STATES, Ledger, Row, State
from .manifest import (
    DEFAULT_MAX_JOBS,
    DEFAULT_MAX_MANIFEST_BYTES,
    RESERVED_PREFIX,
    ManifestError,
    ManifestNotFound,
    Rules,
    check_manifest,
)
from .report import Progress, printable, write_reports
from .service import (
    BatchUnsupported,
    Created,
    ListTooLong,
    ListUnreadable,
    Service,
    TaskView,
)

__all__ = ["BatchStopped", "Options", "Runner", "Summary"]

_UNPROCESSED = frozenset({429, 503})
"""Statuses that say the create was turned away before anything happened."""
_MAX_ROUNDS = 100_000_000
"""A bound on the rounds of one run, far beyond its deadline."""


@attrs.frozen(kw_only=True)
class Options:
    """How a batch run behaves; every time is in seconds."""

    skip_invalid: bool = False
    """Send the valid lines of a manifest that has invalid ones."""
    concurrency: int | None = None
    """At most this many tasks in flight (default: the account's limit)."""
    resend_ambiguous: bool = False
    """Send again the jobs whose create cannot be told to have landed."""
    settle: float = 30.0
    """How long after an attempt its absence from the list proves anything
    (a create still on its way may land late)."""
    window_margin: float = 300.0
    """How far the ``created_at`` window reaches before and after an attempt
    (clocks of the runner and the service disagree)."""
    attempt_time: float = 60.0
    """How long a create may be in flight (the client's call timeout)."""
    poll_interval: float = 5.0
    max_poll_interval: float = 30.0
    capacity_interval: float = 60.0
    """How often the account's concurrency limit is read again."""
    default_concurrency: int = 5
    """The limit when neither ``concurrency`` nor the service says."""
    backoff: float = 1.0
    max_backoff: float = 60.0
    download_attempts: int = 5
    """Downloads tried per job and run before it is left for the next run."""
    workers: int = 4
    """Requests sent at the same time (creates, polls, lists, downloads)."""
    deadline: float = 7 * 24 * 3600.0
    """The longest a run goes on (off-peak tasks may take 48 hours)."""
    tick: float = 0.5
    """The longest the runner sleeps between two looks at its work."""
    min_round: float = 0.02
    """The shortest round: what ends within it is committed together."""
    marker_field: str | None = None
    """The pass-through field a job's marker travels in (default: the
    tables' ``tasks.pass_through_field``)."""
    max_line_bytes: int | None = None
    max_jobs: int = DEFAULT_MAX_JOBS
    """The most lines of the manifest, blank ones included."""
    max_manifest_bytes: int = DEFAULT_MAX_MANIFEST_BYTES
    """The most bytes of the manifest."""
    max_pages: int = DEFAULT_MAX_PAGES
    """The most pages one read of the task list may take."""
    list_timeout: float = DEFAULT_PAGES_TIMEOUT
    """The longest one read of the task list (every page) may take."""
    stop_reasons: frozenset[str] = frozenset({"CreditInsufficient"})
    """Error reasons that stop the whole run (they would fail every job):
    :meth:`Runner.run` raises :class:`BatchStopped`."""

    def __attrs_post_init__(self) -> None:
        if self.concurrency is not None and self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.workers < 1 or self.download_attempts < 1:
            raise ValueError("workers and download_attempts must be at least 1")
        times = (self.settle, self.window_margin, self.attempt_time, self.tick)
        if min(times) < 0 or min(self.poll_interval, self.tick, self.list_timeout) <= 0:
            raise ValueError("times must be positive")
        if self.max_pages < 1:
            raise ValueError("max_pages must be at least 1")


@attrs.frozen
class Summary:
    """How a run ended."""

    counts: dict[State, int]
    credits: int
    interrupted: bool
    stopped_by: str | None
    """The error that stopped the run, if one did (a rejected key, no
    credits); such a run raises :class:`BatchStopped`, which holds this
    summary."""
    report_json: Path
    report_csv: Path
    extra_tasks: int | None = None
    """Tasks found in the list carrying the marker of a job that has another
    task (``None``: the list was not checked, as when the run did not end
    or the list does not show payloads)."""

    @property
    def complete(self) -> bool:
        """Whether every job was downloaded."""
        return sum(self.counts.values()) == self.counts["downloaded"]

    @property
    def exit_status(self) -> int:
        """0 all downloaded, 130 interrupted, 1 otherwise."""
        if self.interrupted:
            return 130
        return 0 if self.complete and self.stopped_by is None else 1


class BatchStopped(ClientError):
    """Something stopped the whole run before its jobs were done: the key
    was refused, the account has no credits (an error of
    :attr:`Options.stop_reasons`), the task list cannot be read, or the
    run's :attr:`Options.deadline` passed.

    Raised once the ledger and the report are saved. ``summary`` is how the
    run ended (:attr:`Summary.stopped_by` says why), ``error`` the error that
    stopped it (also the ``__cause__``; ``None`` for the deadline). Running
    the same manifest into the same folder again, once the cause is fixed,
    continues the run.
    """

    def __init__(self, summary: Summary, error: ClientError | None) -> None:
        left = sum(n for state, n in summary.counts.items() if state not in DONE_STATES)
        super().__init__(
            f"the batch stopped: {summary.stopped_by}; {left} jobs not done. "
            f"The ledger and report are in {summary.report_json.parent}: run the "
            "same manifest into it again to continue"
        )
        self.summary = summary
        self.error = error


@attrs.define(eq=False)
class _Active:
    """A job the runner is working on (not pending, not done)."""

    id: int
    key: str
    file: str
    marker: str
    state: State
    task_id: str | None = None
    sent_at: float | None = None
    """Wall time its last create was marked."""
    search_after: float | None = None
    """Wall time from which its absence from the list proves anything;
    ``None`` while its create is in flight."""
    next_at: float = 0.0
    """Monotonic time of its next poll or download."""
    interval: float = 0.0
    url: str | None = None
    downloads: int = 0
    busy: bool = False
    alone: bool = False
    """Read it with its own request next time (the list left it out)."""

    @classmethod
    def of(cls, row: Row, *, interval: float = 0.0) -> _Active:
        """The job of ledger row ``row``, polled every ``interval`` seconds."""
        return cls(
            row.id,
            row.key,
            row.file,
            row.marker,
            row.state,
            task_id=row.task_id,
            sent_at=row.sent_at,
            interval=interval,
        )


@attrs.frozen
class _Search:
    """What one read of the list found."""

    marked: dict[str, list[TaskView]]
    """Tasks by the marker in their payload."""
    seen: int
    without_payload: int


class Runner:
    """One run of a batch: see the module's description."""

    def __init__(
        self,
        service: Service,
        api: ApiTables,
        operation: Operation,
        manifest: Path,
        out: Path,
        options: Options | None = None,
        *,
        stream: IO[str] | None = None,
        live: bool | None = None,
        resume: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.service = service
        self.api = api
        self.operation = operation
        self.manifest = manifest
        self.out = out
        self.options = options or Options()
        tasks = api.tasks
        marker_field = self.options.marker_field or (
            tasks.pass_through_field if tasks is not None else None
        )
        if marker_field is None:
            raise BatchUnsupported(
                f"the {api.name} spec's tasks section names no pass_through_field "
                "to carry a batch job's marker (nor does marker_field)"
            )
        self._marker_field = marker_field
        self.stream = stream if stream is not None else sys.stderr
        self.progress = Progress(self.stream, clock=clock, live=live)
        self.resume = resume
        """The command that continues the run, said when it stops unfinished
        (``None``: say to run the same command again)."""
        self._clock = clock
        self._wall = wall
        self._tasks = service.tasks
        self._active: dict[int, _Active] = {}
        self._running: dict[
            concurrent.futures.Future[Any], tuple[str, list[_Active]]
        ] = {}
        self._limit = self.options.concurrency or self.options.default_concurrency
        self._capacity_at = float("-inf")
        self._backoff_until = 0.0
        self._backoff_step = 0
        self._echo: bool | None = None
        self._echo_checked_job: int | None = None
        self._stopping = threading.Event()
        self._stopped_by: str | None = None
        self._stop_error: ClientError | None = None
        self._pending_left = True
        self._round_at = 0.0
        self._echo_after = 0.0
        self._list_complete = True
        """False once the list is seen to leave out a task it should hold."""
        self._unasked: list[int] = []
        """Jobs of the ledger that the manifest does not ask for as they are:
        never sent."""

    # --- the run ---------------------------------------------------------------

    def run(self) -> Summary:
        """Check the manifest, then work until every job is done or the run
        stops; write the report.

        :raises ManifestError: lines have problems (listed on the stream
            first) and ``skip_invalid`` is not set; nothing was sent.
        :raises LedgerError: the output folder's ledger cannot be used.
        :raises BatchStopped: an error that would fail every job, or the
            deadline, stopped the run (the ledger and report are saved).
        """
        stream = self._open_manifest()  # before the output folder is made
        with stream, Ledger(self.out, wall=self._wall) as ledger:
            self._ledger = ledger
            self._admit(stream)
            self._recover()
            interrupted = False
            with self._sigint():
                try:
                    self._work()
                except KeyboardInterrupt:
                    interrupted = True
            interrupted = interrupted or self._stopping.is_set()
            extra = None if interrupted or self._stopped_by else self._audit()
            counts = ledger.counts()
            credits = ledger.credits()
            self.progress.update(counts, credits, force=True)
            self.progress.close()
            json_path, csv_path = write_reports(ledger, self.out)
            summary = Summary(
                counts,
                credits,
                interrupted,
                self._stopped_by,
                json_path,
                csv_path,
                extra,
            )
        self._say_how_it_ended(summary)
        if summary.stopped_by is not None:
            raise BatchStopped(summary, self._stop_error) from self._stop_error
        return summary

    def _stop(self, why: str, error: BaseException | None) -> None:
        """Stop the run (no more creates) for ``why``; the first stop is kept."""
        if self._stopped_by is None:
            self._stopped_by = printable(why)
            self._stop_error = error if isinstance(error, ClientError) else None

    def _audit(self) -> int | None:
        """Check the ledger against the list: every task carrying a marker of
        this batch must be its job's task. The number of others, each noted
        on its job (``None``: the list cannot tell, or could not be read).
        """
        ledger = self._ledger
        sent = ledger.sent_range()
        if sent is None:
            return None
        known = self._known_task() if self._echo is None else None
        if known is not None and known.sent_at is not None:
            # a run that had nothing left to create: check the list now
            try:
                self._on_echo(
                    [], self._find_task(known, *self._window([known.sent_at])), None
                )
            except Exception as exc:  # the run's work is done: only the check is lost
                self.progress.log(f"cannot read the task list: {exc}")
                return None
        if self._echo is not True:
            return None
        start, end = self._window(list(sent))
        others: dict[int, list[str]] = {}  # by job: the tasks that are not its own
        try:
            for task in self.service.tasks_created(start, end):
                mark, _ = markers.parse(task.payload)
                row = None if mark is None else ledger.by_marker(mark)
                if row is not None and task.task_id != row.task_id:
                    others.setdefault(row.id, []).append(task.task_id)
        except Exception as exc:  # the run's work is done: only the check is lost
            self.progress.note(f"cannot check the ledger against the task list: {exc}")
            return None
        with ledger.transaction():
            for job, tasks in others.items():
                row = ledger.get(job)
                message = f"more tasks carry its marker: {', '.join(sorted(tasks))}"
                ledger.update(row.id, row.state, message, error=message)
                self.progress.note(f"{row.key}: {message}")
        extra = sum(len(tasks) for tasks in others.values())
        if extra == 0:
            self.progress.log("checked: each task of the batch is its job's only one")
        return extra

    def _say_how_it_ended(self, summary: Summary) -> None:
        counts = summary.counts
        done = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
        self.progress.note(f"jobs: {done or 'none'}; {summary.credits} credits")
        self.progress.note(f"report: {summary.report_json} and {summary.report_csv}")
        if summary.stopped_by:
            self.progress.note(f"stopped: {summary.stopped_by}")
        unfinished = sum(n for s, n in counts.items() if s not in DONE_STATES)
        if summary.interrupted or unfinished:
            if self.resume is not None:
                self.progress.note(
                    f"to continue: {self.resume}; nothing done is done twice"
                )
            else:
                self.progress.note(
                    "to continue, run the same command again (same manifest, same "
                    f"output folder {self.out}); nothing done is done twice"
                )

    @contextlib.contextmanager
    def _sigint(self) -> Iterator[None]:
        """First Ctrl-C: stop sending and wind down; the second: stop at once."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            if self._stopping.is_set():
                raise KeyboardInterrupt
            self._stopping.set()
            self.progress.note(
                "interrupted: no more creates are sent; waiting for the requests "
                "in flight (Ctrl-C again to quit now: the ledger stays consistent)"
            )

        previous = signal.signal(signal.SIGINT, on_sigint)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    # --- the manifest ------------------------------------------------------------

    def _open_manifest(self) -> IO[bytes]:
        """The manifest, open for reading.

        :raises ManifestNotFound: it does not exist (a ``FileNotFoundError``).
        :raises ManifestError: it cannot be read.
        """
        try:
            return self.manifest.open("rb")
        except FileNotFoundError:
            raise ManifestNotFound(
                f"cannot read the manifest {self.manifest}: no such file",
                str(self.manifest),
            ) from None
        except OSError as exc:
            raise ManifestError(
                f"cannot read the manifest {self.manifest}: {exc.strerror or exc}"
            ) from None

    def _admit(self, stream: IO[bytes]) -> None:
        """Check every line; put the new valid jobs in the ledger.

        All or nothing: with problems (and no ``skip_invalid``) the ledger
        is left as it was.
        """
        options = self.options
        rules = Rules.of(
            self.api,
            self.operation,
            marker_field=self._marker_field,
            max_line_bytes=options.max_line_bytes,
            max_jobs=options.max_jobs,
            max_bytes=options.max_manifest_bytes,
        )
        ledger = self._ledger
        invalid = lines = added = 0
        matched: set[int] = set()
        with ledger.transaction():
            for checked in check_manifest(
                stream,
                rules,
                out_dir=self.out,
                known=lambda key: ledger.by_key(key) is not None,
            ):
                lines += 1
                for problem in checked.problems:
                    self.progress.note(f"{self.manifest}: {problem}")
                job = checked.job
                if job is None:
                    invalid += 1
                    continue
                row = ledger.by_key(job.key)
                if row is None:
                    matched.add(ledger.add(job, markers.new_marker()))
                    added += 1
                elif row.digest == job.digest:
                    matched.add(row.id)
                else:
                    invalid += 1
                    self.progress.note(
                        f"{self.manifest}: line {job.line}: key: job {job.key!r} "
                        f"asks for something else than the job of that key in "
                        f"{ledger.path} (line {row.line} then): give it a new key, "
                        "or use a new output folder [manifest.changed]"
                    )
            if invalid and not options.skip_invalid:
                raise ManifestError(
                    f"{self.manifest}: {invalid} of {lines} lines have errors; "
                    "nothing was sent (pass skip_invalid / --skip-invalid to send "
                    "the valid ones)"
                )
        if invalid:
            self.progress.note(f"skipped {invalid} invalid lines of {lines}")
        # every row is read (and so checked) before anything is sent; a job
        # the manifest does not ask for (as it is) now is never created
        self._unasked = [row.id for row in ledger.rows() if row.id not in matched]
        if self._unasked:
            self.progress.note(
                f"{len(self._unasked)} jobs of {ledger.path} are not in the manifest "
                "as they are there: none of them is sent"
            )
        ledger.set_meta("operation", self.operation.id)
        self.progress.log(f"{added} new jobs, {lines - invalid - added} known")

    def _recover(self) -> None:
        """Pick up the jobs a previous run left in flight, and remove the
        temporary files of a run that was killed while writing them."""
        options = self.options
        ledger = self._ledger
        for stale in self._leftovers():
            with contextlib.suppress(OSError):
                stale.unlink()
                self.progress.log(f"removed {stale}, left by a run that was stopped")
        if options.resend_ambiguous:
            for row in ledger.in_state("ambiguous"):
                ledger.update(
                    row.id, "pending", "to be sent again, as resend_ambiguous asks"
                )
        now = self._clock()
        for row in ledger.in_state("creating", "created", "finished"):
            active = self._activate(row)
            if row.state == "creating":
                # unresolved, or the last run died with this create in flight
                sent = row.sent_at if row.sent_at is not None else self._wall()
                active.search_after = row.search_after or (
                    sent + options.attempt_time + options.settle
                )
                self.progress.log(f"{row.key}: its create may have landed; to look for")
            active.next_at = now

    def _leftovers(self) -> list[Path]:
        """Temporary files of downloads and reports a killed run left.

        Downloads go to ``.<file>.<random>.part`` beside their file and
        reports to ``.batch-report.<...>.<random>``; only this batch writes
        such names in its folder.
        """
        found = [
            path
            for path in self.out.glob(".*")
            if path.is_file()
            and (
                path.name.endswith(".part")
                or path.name.startswith(f".{RESERVED_PREFIX}report")
            )
        ]
        return sorted(found)

    def _activate(self, row: Row) -> _Active:
        active = _Active.of(row, interval=self.options.poll_interval)
        self._active[row.id] = active
        return active

    # --- the loop ------------------------------------------------------------------

    def _work(self) -> None:
        options = self.options
        end = self._clock() + options.deadline
        if options.concurrency is None:
            # read once before the first round, so it never sends past the limit
            self._capacity_at = self._clock()
            try:
                self._limit = self.service.concurrency_limit() or self._limit
            except Exception as exc:  # the default stands until the next read
                self.progress.log(f"cannot read the concurrency limit: {exc}")
        with concurrent.futures.ThreadPoolExecutor(
            options.workers, thread_name_prefix="batch"
        ) as pool:
            self._pool = pool
            try:
                for _ in range(_MAX_ROUNDS):
                    self._round_at = self._clock()
                    # one commit per round: what ended, and the jobs marked
                    # creating, whose creates are sent only once it is made
                    creates: list[tuple[_Active, dict[str, Any]]] = []
                    with self._ledger.transaction():
                        self._collect()
                        stopping = (
                            self._stopping.is_set() or self._stopped_by is not None
                        )
                        if stopping and not self._running:
                            return
                        if not stopping:
                            self._refresh_capacity()
                            self._check_echo()
                            self._search()
                            creates = self._create()
                            self._poll()
                            self._download()
                    for active, body in creates:
                        self._submit("create", [active], self.service.create, body)
                    self.progress.update(self._ledger.counts(), self._ledger.credits())
                    if not self._running and self._finished():
                        return
                    if self._clock() >= end:
                        self._stop(
                            f"the run's deadline ({options.deadline:g} s) passed "
                            "(pass a larger deadline= to run longer)",
                            None,
                        )
                    self._wait()
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    def _finished(self) -> bool:
        """Whether nothing is left to do in this run."""
        if self._pending_left and self._ledger.in_state(
            "pending", limit=1, exclude=self._unasked
        ):
            return False
        return not any(self._actionable(a) for a in self._active.values())

    def _actionable(self, active: _Active) -> bool:
        if active.state == "finished":
            return active.downloads < self.options.download_attempts
        return True

    def _wait(self) -> None:
        """Sleep until a request ends or something is due (at most ``tick``)."""
        now = self._clock()
        due = [self._backoff_until] if self._backoff_until > now else []
        for active in self._active.values():
            if active.busy or not self._actionable(active):
                continue
            if active.state == "creating" and active.search_after is not None:
                due.append(now + max(active.search_after - self._wall(), 0.0))
            elif active.state in ("created", "finished"):
                due.append(active.next_at)
        timeout = min([self.options.tick, *(max(d - now, 0.0) for d in due)])
        if self._running:
            concurrent.futures.wait(
                self._running, timeout, concurrent.futures.FIRST_COMPLETED
            )
        elif timeout > 0:
            self._stopping.wait(timeout)
        # let more requests end, so that one commit records them together
        rest = self._round_at + self.options.min_round - self._clock()
        if rest > 0:
            self._stopping.wait(rest)

    def _submit(
        self, kind: str, jobs: list[_Active], call: Callable[..., Any], *args: Any
    ) -> None:
        for job in jobs:
            job.busy = True
        self._running[self._pool.submit(call, *args)] = (kind, jobs)

    def _collect(self) -> None:
        """Record what the requests that ended found, in one commit."""
        done = [future for future in self._running if future.done()]
        if not done:
            return
        with self._ledger.transaction():
            for future in done:
                kind, jobs = self._running.pop(future)
                for job in jobs:
                    job.busy = False
                error = future.exception()
                result = None if error is not None else future.result()
                handler = getattr(self, f"_on_{kind}")
                handler(jobs, result, error)

    # --- capacity and the echo check ----------------------------------------------

    def _refresh_capacity(self) -> None:
        options = self.options
        if options.concurrency is not None:
            return
        now = self._clock()
        if now - self._capacity_at < options.capacity_interval:
            return
        if any(kind == "capacity" for kind, _ in self._running.values()):
            return
        self._capacity_at = now
        self._submit("capacity", [], self.service.concurrency_limit)

    def _on_capacity(
        self, jobs: list[_Active], limit: int | None, error: BaseException | None
    ) -> None:
        if error is not None:
            self.progress.log(f"cannot read the concurrency limit: {error}")
            return
        if limit is not None and limit != self._limit:
            self.progress.log(f"concurrency limit: {limit}")
            self._limit = limit

    def _check_echo(self) -> None:
        """Find out, once, whether the task list shows payloads.

        Looked up with a task of this batch whose create was answered: the
        list must show it with the job's marker.
        """
        if (
            self._echo is not None
            or self._clock() < self._echo_after
            or any(kind == "echo" for kind, _ in self._running.values())
        ):
            return
        known = next(
            (
                a
                for a in self._active.values()
                if a.task_id
                and a.sent_at is not None
                and a.id != self._echo_checked_job
            ),
            None,
        )
        if known is None:
            known = self._known_task()
        if known is None or known.sent_at is None or known.id == self._echo_checked_job:
            return
        self._echo_checked_job = known.id
        start, end = self._window([known.sent_at])
        self._submit("echo", [], self._find_task, known, start, end)

    def _known_task(self) -> _Active | None:
        """A job of the ledger with a task, answered or found (not kept active)."""
        rows = self._ledger.in_state("finished", "downloaded", "created", limit=1)
        if not rows:
            return None
        return _Active.of(rows[0])

    def _find_task(
        self, known: _Active, start: datetime, end: datetime
    ) -> tuple[_Active, TaskView | None]:
        for task in self.service.tasks_created(start, end):
            if task.task_id == known.task_id:
                return known, task
        return known, None

    def _on_echo(
        self,
        jobs: list[_Active],
        result: tuple[_Active, TaskView | None] | None,
        error: BaseException | None,
    ) -> None:
        if error is not None or result is None:
            if _refused(error):
                self._stop(_list_stop(error), error)
                return
            self.progress.log(f"cannot read the task list yet: {error}")
            self._echo_checked_job = None
            self._echo_after = self._clock() + max(self.options.backoff, 1.0)
            return
        known, task = result
        if task is None:
            self._echo = False
            self._list_complete = False
            why = f"it does not list task {known.task_id}, created at {known.sent_at}"
        else:
            found, _ = markers.parse(task.payload)
            self._echo = found == known.marker
            why = (
                "it shows each task's payload"
                if self._echo
                else f"task {known.task_id} is listed without its payload"
            )
        self._ledger.set_meta("list_echoes_payload", json.dumps(self._echo))
        if self._echo:
            self.progress.log(f"task list checked: {why}")
        else:
            self.progress.note(
                f"the task list cannot find a job's task: {why}. A create whose "
                "outcome is unknown will end ambiguous and not be sent again "
                "(unless resend_ambiguous / --resend-ambiguous)"
            )

    # --- creating ------------------------------------------------------------------

    def _in_flight(self) -> int:
        return sum(
            1 for a in self._active.values() if a.state in ("creating", "created")
        )

    def _create(self) -> list[tuple[_Active, dict[str, Any]]]:
        """Mark the next round of jobs ``creating``; they and their bodies.

        The caller sends them once the mark is committed.
        """
        if self._clock() < self._backoff_until or not self._pending_left:
            return []
        slots = self._limit - self._in_flight()
        if slots <= 0:
            return []
        rows = self._ledger.in_state("pending", limit=slots, exclude=self._unasked)
        if not rows:
            self._pending_left = False
            return []
        sent_at = self._ledger.mark_creating(row.id for row in rows)
        creates = []
        for row in rows:
            active = self._activate(row)
            active.state = "creating"
            active.sent_at = sent_at
            body = row.request()
            field = self._marker_field
            previous = body.get(field)
            body[field] = markers.wrap(
                row.marker, previous if isinstance(previous, str) else None
            )
            creates.append((active, body))
        return creates

    def _on_create(
        self, jobs: list[_Active], created: Created | None, error: BaseException | None
    ) -> None:
        (job,) = jobs
        ledger = self._ledger
        if created is not None:
            self._backoff_step = 0
            job.state = "created"
            job.task_id = created.task_id
            job.next_at = self._clock() + self.options.poll_interval
            ledger.update(
                job.id,
                "created",
                None,
                task_id=created.task_id,
                credits=created.credits,
                created_at=created.created_at,
                error=None,
            )
            self.progress.log(f"{job.key}: created task {created.task_id}")
            return
        message = f"{type(error).__name__}: {error}"
        if isinstance(error, APIError) and error.status in _UNPROCESSED:
            self._back_off(error)
            self._put_back(job, message)
        elif isinstance(error, APIConnectionError) and not isinstance(
            error, RequestMayHaveSucceeded
        ):
            self._back_off(None)  # the connection failed: nothing was sent
            self._put_back(job, message)
        elif isinstance(error, AuthenticationError | PermissionDeniedError) or (
            isinstance(error, APIError) and error.reason in self.options.stop_reasons
        ):
            self._stop(message, error)
            self._put_back(job, message)
        elif isinstance(error, APIError) and not isinstance(error, ServerError):
            del self._active[job.id]
            ledger.update(
                job.id, "failed", message, err_code=error.reason, error=message
            )
            self.progress.log(f"{job.key}: refused: {message}")
        else:
            # it may have reached the service: look for it before sending again
            job.search_after = self._wall() + self.options.settle
            ledger.update(
                job.id,
                "creating",
                message,
                error=message,
                search_after=job.search_after,
            )
            self.progress.log(
                f"{job.key}: the create may have landed ({message}); to look for"
            )

    def _put_back(self, job: _Active, message: str) -> None:
        del self._active[job.id]
        self._pending_left = True
        self._ledger.update(job.id, "pending", message, error=message)
        self.progress.log(f"{job.key}: not created ({message}); to be sent again")

    def _back_off(self, error: APIError | None) -> None:
        options = self.options
        delay = min(options.max_backoff, options.backoff * 2.0**self._backoff_step)
        self._backoff_step = min(self._backoff_step + 1, 32)
        if error is not None:
            asked = _retry_after(error)
            if asked is not None:
                delay = min(max(asked, 0.0), options.max_backoff)
        self._backoff_until = max(self._backoff_until, self._clock() + delay)

    # --- looking for uncertain creates ----------------------------------------------

    def _window(self, sent: list[float]) -> tuple[datetime, datetime]:
        options = self.options
        start = min(sent) - options.window_margin
        end = max(sent) + options.attempt_time + options.settle + options.window_margin
        return (
            datetime.fromtimestamp(start, UTC),
            datetime.fromtimestamp(end, UTC),
        )

    def _search(self) -> None:
        if any(kind == "search" for kind, _ in self._running.values()):
            return
        now = self._wall()
        due = [
            a
            for a in self._active.values()
            if a.state == "creating"
            and not a.busy
            and a.search_after is not None
            and a.search_after <= now
        ]
        if not due:
            return
        if self._echo is None and self._echo_may_come():
            return  # a task of this run will soon tell whether the list helps
        start, end = self._window(
            [a.sent_at if a.sent_at is not None else now for a in due]
        )
        self._submit("search", due, self._read_list, start, end)

    def _echo_may_come(self) -> bool:
        """Whether a task whose create was answered exists or may soon."""
        can_create = self._pending_left and self._in_flight() < self._limit
        if can_create or any(kind == "echo" for kind, _ in self._running.values()):
            return True
        return any(
            a.state in ("created", "finished")
            or (a.state == "creating" and a.search_after is None)
            for a in self._active.values()
        )

    def _read_list(self, start: datetime, end: datetime) -> _Search:
        marked: dict[str, list[TaskView]] = {}
        seen = without = 0
        for task in self.service.tasks_created(start, end):
            seen += 1
            if task.payload is None:
                without += 1
                continue
            found, _ = markers.parse(task.payload)
            if found is not None:
                marked.setdefault(found, []).append(task)
        return _Search(marked, seen, without)

    def _on_search(
        self, jobs: list[_Active], result: _Search | None, error: BaseException | None
    ) -> None:
        if error is not None or result is None:
            retry = self._wall() + max(self.options.backoff, 1.0)
            for job in jobs:
                job.search_after = retry
            if _refused(error):
                self._stop(_list_stop(error), error)
                return
            self.progress.log(
                f"cannot read the task list: {type(error).__name__}: {error}"
            )
            return
        # absence is proven only by a list that shows every task it holds
        # (checked on a known task) with its payload, or holds none at all
        absent = self._list_complete and (
            result.seen == 0
            or (result.without_payload == 0 and self._echo is not False)
        )
        for job in jobs:
            hits = result.marked.get(job.marker)
            if hits:
                self._found(job, hits)
            elif absent:
                self._put_back(job, "no task carries its marker: it was not created")
            elif self.options.resend_ambiguous:
                self._put_back(
                    job, "the list does not show payloads; sent again as asked"
                )
            else:
                del self._active[job.id]
                message = (
                    "its create may have landed, and the task list does not show "
                    "payloads to tell"
                )
                self._ledger.update(job.id, "ambiguous", message, error=message)
                self.progress.log(f"{job.key}: ambiguous: {message}")

    def _found(self, job: _Active, hits: list[TaskView]) -> None:
        hits = sorted(hits, key=lambda t: (t.created_at or "", t.task_id))
        task = hits[0]
        note = None
        if len(hits) > 1:
            note = f"{len(hits)} tasks carry its marker: {', '.join(t.task_id for t in hits)}"
        job.state = "created"
        job.task_id = task.task_id
        job.search_after = None
        job.next_at = self._clock()
        self._ledger.update(
            job.id,
            "created",
            f"found in the task list{'; ' + note if note else ''}",
            task_id=task.task_id,
            credits=task.credits,
            created_at=task.created_at,
            error=note,
        )
        self.progress.log(f"{job.key}: found its task {task.task_id} in the list")

    # --- polling and downloading ----------------------------------------------------

    def _poll(self) -> None:
        """Read the tasks due: through the list, many at a time, when the
        service can (a job the list left out is read alone next time)."""
        now = self._clock()
        budget = self.options.workers * 2 - len(self._running)
        due = [
            a
            for a in self._active.values()
            if a.state == "created" and not a.busy and a.next_at <= now
        ]
        by_list = self.service.poll_batch
        together = [a for a in due if not a.alone] if by_list else []
        for start in range(0, len(together), max(by_list, 1)):
            if budget <= 0:
                return
            chunk = together[start : start + by_list]
            ids = [a.task_id for a in chunk if a.task_id is not None]
            self._submit("poll_many", chunk, self.service.tasks_by_id, ids)
            budget -= 1
        for active in due:
            if budget <= 0:
                return
            if not active.busy:
                assert active.task_id is not None
                active.alone = False
                self._submit("poll", [active], self.service.get, active.task_id)
                budget -= 1

    def _on_poll_many(
        self,
        jobs: list[_Active],
        tasks: list[TaskView] | None,
        error: BaseException | None,
    ) -> None:
        if error is not None or tasks is None:
            for job in jobs:
                job.alone = True  # read it on its own next time
                job.next_at = self._clock() + job.interval
            self.progress.log(f"cannot read tasks through the list: {error}")
            return
        found = {task.task_id: task for task in tasks}
        for job in jobs:
            task = found.get(job.task_id or "")
            if task is None:
                job.alone = True
                job.next_at = self._clock()
                continue
            self._on_poll([job], task, None)

    def _on_poll(
        self, jobs: list[_Active], task: TaskView | None, error: BaseException | None
    ) -> None:
        (job,) = jobs
        options = self.options
        if error is not None or task is None:
            message = f"{type(error).__name__}: {error}"
            if isinstance(error, NotFoundError):
                del self._active[job.id]
                self._ledger.update(
                    job.id,
                    "failed",
                    message,
                    error=f"the service has no task {job.task_id}",
                )
                return
            job.next_at = self._clock() + job.interval
            self.progress.log(f"{job.key}: cannot read task {job.task_id}: {message}")
            return
        tasks = self._tasks
        if task.state in tasks.success:
            job.state = "finished"
            job.url = task.url
            job.next_at = self._clock()
            self._ledger.update(job.id, "finished", None, credits=task.credits)
            self.progress.log(f"{job.key}: task {job.task_id} succeeded")
        elif task.state in tasks.failure:
            del self._active[job.id]
            message = f"the task failed ({task.err_code or 'no error code'})"
            self._ledger.update(
                job.id,
                "failed",
                message,
                credits=task.credits,
                err_code=task.err_code,
                error=message,
            )
            self.progress.log(f"{job.key}: {message}")
        else:
            job.next_at = self._clock() + job.interval
            job.interval = min(job.interval * 1.5, options.max_poll_interval)

    def _download(self) -> None:
        now = self._clock()
        budget = self.options.workers * 2 - len(self._running)
        for active in list(self._active.values()):
            if budget <= 0:
                return
            if (
                active.state == "finished"
                and not active.busy
                and active.next_at <= now
                and active.downloads < self.options.download_attempts
            ):
                active.downloads += 1
                # noted before the file can appear: a file found there later
                # is this batch's only if the last attempt noted ended unseen
                self._ledger.update(
                    active.id, "finished", _saving(self.out / active.file)
                )
                self._submit("download", [active], self._fetch, active)
                budget -= 1

    def _fetch(self, job: _Active) -> Path:
        url = job.url
        if url is None:
            assert job.task_id is not None
            url = self.service.get(job.task_id).url
            if url is None:
                raise LookupError(
                    f"task {job.task_id} succeeded with nothing to download"
                )
            job.url = url
        return self.service.download(url, self.out / job.file)

    def _saved_before(self, job: int, target: Path) -> bool:
        """Whether ``target`` is a regular file (not a link) that an earlier
        attempt was saving for ``job`` when its run was stopped: the ledger's
        note before this attempt's says it saves ``target``, with no outcome."""
        try:
            found = os.lstat(target)
        except OSError:
            return False
        if not stat.S_ISREG(found.st_mode):
            return False
        note = _saving(target)
        events = [message for _, _, message in self._ledger.events(job)]
        # this attempt's note, and just before it one whose outcome was lost
        return events[-2:] == [note, note]

    def _on_download(
        self, jobs: list[_Active], path: Path | None, error: BaseException | None
    ) -> None:
        (job,) = jobs
        if isinstance(error, DestinationExists):
            target = self.out / job.file
            if not self._saved_before(job.id, target):
                del self._active[job.id]
                message = (
                    f"{target} exists and is not a file this batch saved "
                    "(nothing is overwritten): move it away and run again"
                )
                self._ledger.update(job.id, "failed", message, error=message)
                self.progress.log(f"{job.key}: {message}")
                return
            # a file is placed whole: an earlier run saved it, and was
            # stopped before it could say so
            error, path = None, target
        if error is not None or path is None:
            message = f"{type(error).__name__}: {error}"
            job.url = None  # a signed URL may have expired: read it again
            delay = min(
                self.options.max_backoff, self.options.backoff * 2.0**job.downloads
            )
            job.next_at = self._clock() + delay
            self._ledger.update(job.id, "finished", message, error=message)
            if job.downloads >= self.options.download_attempts:
                self.progress.note(
                    f"{job.key}: download failed {job.downloads} times ({message}); "
                    "the next run tries again"
                )
            return
        del self._active[job.id]
        self._ledger.update(job.id, "downloaded", str(path), error=None)
        self.progress.log(f"{job.key}: saved {path}")


def _saving(path: Path) -> str:
    """The ledger's note, written before a download, that it saves ``path``."""
    return f"saving {path}"


def _list_stop(error: BaseException | None) -> str:
    """Why the run stops on ``error`` from reading the task list."""
    if isinstance(error, ListUnreadable):
        return f"the task list cannot be read: {error}"
    if isinstance(error, ListTooLong):
        return f"the task list is too long to read: {error}"
    return f"the task list refuses the runner's query: {error}"


def _refused(error: BaseException | None) -> bool:
    """Whether ``error`` says a request is wrong (or a list too long to read),
    so sending it again is no use."""
    if isinstance(error, ValidationError | ListTooLong | ListUnreadable):
        return True
    return (
        isinstance(error, APIError)
        and 400 <= error.status < 500
        and error.status not in _UNPROCESSED
    )


def _retry_after(error: APIError) -> float | None:
    from ..retry import parse_retry_after

    return parse_retry_after(error.headers.get("retry-after"))
