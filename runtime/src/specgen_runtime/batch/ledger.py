"""The batch ledger: every job's state, in SQLite, in the output folder.

One row per job (``jobs``) and one per change of state or error (``events``),
in ``<out>/batch-ledger.sqlite3``. The runner writes a job's ``creating``
state, and commits it, before its create is sent: whatever happens next (an
answer, a lost connection, the process killed), the ledger says that a task
may exist for that job, and a later run looks for it before sending again.

Durability: WAL journal with ``synchronous=FULL``. In WAL mode ``NORMAL``
survives a crash of the process but may lose the last commits when the
machine loses power; a lost ``creating`` would let a create be sent twice,
which costs money, while ``FULL`` costs one sync per commit. The runner
commits once per round of decisions (marking a whole round of jobs
``creating`` together), not once per job, so the cost stays small.

One runner at a time: the folder is locked (``batch-ledger.lock``, an OS
lock the system drops when the process dies, however it dies).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import stat
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Final, Literal, get_args

import attrs

from ..errors import BaseError
from .manifest import Job, file_name_problem, job_digest

__all__ = [
    "DONE_STATES",
    "LEDGER_NAME",
    "LOCK_NAME",
    "STATES",
    "Ledger",
    "LedgerError",
    "Row",
    "State",
    "refuse_link",
]

State = Literal[
    "pending", "creating", "created", "finished", "downloaded", "failed", "ambiguous"
]
"""A job's state.

``pending``: not sent yet (or proven not created, to be sent again);
``creating``: a create was or is about to be sent, its outcome unknown;
``created``: the task exists (``task_id``); ``finished``: it succeeded, its
video not saved yet; ``downloaded``: saved as ``file``; ``failed``: the task
failed, or the service refused the request; ``ambiguous``: a create whose
outcome cannot be told (the task list does not show payloads), never sent
again unless asked.
"""

STATES: Final[tuple[State, ...]] = get_args(State)
DONE_STATES: Final[frozenset[State]] = frozenset({"downloaded", "failed", "ambiguous"})
"""States the runner does nothing more with."""

LEDGER_NAME = "batch-ledger.sqlite3"
LOCK_NAME = "batch-ledger.lock"
_SIDE_FILES = ("-wal", "-shm", "-journal")
"""The files SQLite keeps next to the ledger."""


def refuse_link(path: Path) -> None:
    """Refuse ``path`` when it is a symbolic link (or anything but a regular
    file): the runner writes only files of its output folder, never where a
    link points.

    :raises LedgerError: naming ``path``.
    """
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise LedgerError(f"cannot check {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(found.st_mode):
        raise LedgerError(
            f"{path} is a symbolic link: the batch runner writes only files of "
            "its output folder, never through a link; remove it"
        )
    if not stat.S_ISREG(found.st_mode):
        raise LedgerError(f"{path} is not a regular file: remove it")


def _make_folder(folder: Path) -> None:
    """Make the output folder (and its parents) if it does not exist yet.

    :raises LedgerError: ``folder``, or a path above it, is something else
        than a folder, naming which.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocking = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()),
            folder,
        )
        raise LedgerError(
            f"the output folder {folder} cannot be made: {blocking} is a file, not "
            "a folder; give --out (out=) a folder, or a path where one can be made"
        ) from None


_MAX_INLINE = 500
"""The most ids a query names inline; more go through a temporary table."""

_SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    line INTEGER NOT NULL,
    file TEXT NOT NULL,
    body TEXT NOT NULL,
    digest TEXT NOT NULL,
    marker TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    task_id TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    credits INTEGER,
    err_code TEXT,
    error TEXT,
    sent_at REAL,
    search_after REAL,
    created_at TEXT,
    added_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, id);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    job INTEGER NOT NULL REFERENCES jobs (id),
    at REAL NOT NULL,
    state TEXT NOT NULL,
    message TEXT
);
CREATE INDEX IF NOT EXISTS events_by_job ON events (job, id);
"""

_COLUMNS = (
    "id, key, line, file, body, digest, marker, state, task_id, attempts, "
    "credits, err_code, error, sent_at, search_after, created_at, updated_at"
)
_UPDATABLE = frozenset(
    {
        "task_id",
        "attempts",
        "credits",
        "err_code",
        "error",
        "sent_at",
        "search_after",
        "created_at",
    }
)


class LedgerError(BaseError):
    """The ledger cannot be opened or does not fit the manifest."""


@attrs.frozen
class Row:
    """A job as the ledger holds it."""

    id: int
    key: str
    line: int
    file: str
    body: str
    """The request body as JSON text (without the marker)."""
    digest: str
    marker: str
    state: State
    task_id: str | None
    attempts: int
    """How many creates were sent (or about to be) for this job."""
    credits: int | None
    err_code: str | None
    error: str | None
    """The last error met, for the report."""
    sent_at: float | None
    """Wall time (Unix seconds) the last create was marked ``creating``."""
    search_after: float | None
    """Wall time from which the task list may prove that create did not land
    (set when it ended without a sure answer)."""
    created_at: str | None
    """The task's creation time as the service gave it."""
    updated_at: float

    def request(self) -> dict[str, Any]:
        """The request body, decoded."""
        body = json.loads(self.body)
        if not isinstance(body, dict):
            raise LedgerError(f"job {self.key}: its stored body is not an object")
        return body


class Ledger:
    """The jobs of one output folder; use as a context manager.

    Every method commits before it returns, unless called inside
    :meth:`transaction`, which commits once at its end. Not thread-safe:
    the runner writes from one thread.
    """

    def __init__(self, folder: Path, *, wall: Any = time.time) -> None:
        self.folder = folder
        self.path = folder / LEDGER_NAME
        self._wall = wall
        self._lock_file: IO[bytes] | None = None
        self._depth = 0
        self._counts: dict[State, int] | None = None
        """How many jobs are in each state, kept up to date by every write."""
        self._credits = 0
        try:
            _make_folder(folder)
            self._lock()
            for name in ("", *_SIDE_FILES):
                refuse_link(self.path.with_name(self.path.name + name))
            # nofollow: SQLite itself refuses a link put there since the check
            where = urllib.parse.quote(str(self.path.absolute()))
            self._db = sqlite3.connect(
                f"file:{where}?nofollow=1", uri=True, isolation_level=None, timeout=30.0
            )
        except LedgerError:
            self._unlock()
            raise
        except (OSError, sqlite3.Error) as exc:
            self._unlock()
            raise LedgerError(f"cannot open the ledger {self.path}: {exc}") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            self._check_version()
        except sqlite3.Error as exc:
            self.close()
            raise LedgerError(f"{self.path} is not a usable ledger: {exc}") from None

    def _lock(self) -> None:
        try:
            import fcntl
        except ImportError:  # no advisory locks here: one runner is assumed
            return
        path = self.folder / LOCK_NAME
        refuse_link(path)
        try:
            fd = os.open(
                path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o644
            )
        except OSError as exc:  # a link put there since the check: ELOOP
            raise LedgerError(f"cannot open {path}: {exc.strerror or exc}") from None
        handle = os.fdopen(fd, "ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise LedgerError(
                f"another batch run is using {self.folder}: wait for it to end"
            ) from None
        self._lock_file = handle

    def _unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None

    def _check_version(self) -> None:
        found = self._db.execute(
            "SELECT value FROM meta WHERE name = 'schema'"
        ).fetchone()
        if found is None:
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES ('schema', ?)",
                (_SCHEMA_VERSION,),
            )
        elif found[0] != _SCHEMA_VERSION:
            raise LedgerError(
                f"{self.path} has ledger format {found[0]}, this runner reads "
                f"format {_SCHEMA_VERSION}"
            )

    def close(self) -> None:
        """Close the database and release the folder."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._unlock()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- writing ---------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group the writes inside into one commit (nested: the outermost)."""
        if self._depth == 0:
            self._db.execute("BEGIN IMMEDIATE")
        self._depth += 1
        try:
            yield
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._db.execute("ROLLBACK")
                self._counts = None  # read them again
            raise
        self._depth -= 1
        if self._depth == 0:
            self._db.execute("COMMIT")

    def meta(self, name: str) -> str | None:
        """A value the run keeps beside the jobs (``None`` if unset)."""
        found = self._db.execute(
            "SELECT value FROM meta WHERE name = ?", (name,)
        ).fetchone()
        return None if found is None else str(found[0])

    def set_meta(self, name: str, value: str) -> None:
        """Keep ``value`` under ``name``."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO meta (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )

    def add(self, job: Job, marker: str) -> int:
        """Add ``job`` as ``pending`` with its ``marker``; its row's id."""
        now = self._wall()
        body = json.dumps(job.body, ensure_ascii=False, separators=(",", ":"))
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO jobs (key, line, file, body, digest, marker, state, "
                "added_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (job.key, job.line, job.file, body, job.digest, marker, now, now),
            )
            added = int(cursor.lastrowid or 0)
            self._event(added, "pending", f"line {job.line}", now)
            self._count(None, "pending")
        return added

    def update(
        self, job: int, state: State, message: str | None = None, **fields: object
    ) -> None:
        """Move ``job`` to ``state``, setting ``fields``; ``message`` is logged."""
        unknown = set(fields) - _UPDATABLE
        if unknown:
            raise ValueError(f"not ledger columns: {sorted(unknown)}")
        now = self._wall()
        names = ["state = ?", "updated_at = ?", *(f"{name} = ?" for name in fields)]
        with self.transaction():
            old_state, old_credits = self._db.execute(
                "SELECT state, credits FROM jobs WHERE id = ?", (job,)
            ).fetchone()
            credits = fields.get("credits", old_credits)
            self._count(old_state, state, old_credits, credits)
            self._db.execute(
                f"UPDATE jobs SET {', '.join(names)} WHERE id = ?",  # names checked
                (state, now, *fields.values(), job),
            )
            self._event(job, state, message, now)

    def mark_creating(self, jobs: Iterable[int]) -> float:
        """Mark ``jobs`` ``creating``, one more attempt each; the time marked."""
        now = self._wall()
        with self.transaction():
            for job in jobs:
                old_state, old_credits = self._db.execute(
                    "SELECT state, credits FROM jobs WHERE id = ?", (job,)
                ).fetchone()
                self._count(old_state, "creating", old_credits, old_credits)
                self._db.execute(
                    "UPDATE jobs SET state = 'creating', attempts = attempts + 1, "
                    "sent_at = ?, search_after = NULL, updated_at = ? WHERE id = ?",
                    (now, now, job),
                )
                self._event(job, "creating", None, now)
        return float(now)

    def _count(
        self,
        old: State | None,
        new: State,
        old_credits: object = None,
        new_credits: object = None,
    ) -> None:
        """Keep :meth:`counts` and :meth:`credits` up to date with one change."""
        if self._counts is None:
            return
        if old is not None:
            self._counts[old] -= 1
        self._counts[new] += 1
        self._credits -= _charged(old, old_credits)
        self._credits += _charged(new, new_credits)

    def _event(self, job: int, state: str, message: str | None, now: float) -> None:
        self._db.execute(
            "INSERT INTO events (job, at, state, message) VALUES (?, ?, ?, ?)",
            (job, now, state, message),
        )

    # --- reading -----------------------------------------------------------------

    def by_key(self, key: str) -> Row | None:
        """The job with ``key``, if the ledger has it."""
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE key = ?",  # constant
            (key,),
        ).fetchone()
        return None if found is None else _row(found)

    def by_marker(self, marker: str) -> Row | None:
        """The job whose marker is ``marker``, if the ledger has it."""
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE marker = ?",  # constant
            (marker,),
        ).fetchone()
        return None if found is None else _row(found)

    def sent_range(self) -> tuple[float, float] | None:
        """The first and last time a create was marked (``None``: never)."""
        low, high = self._db.execute(
            "SELECT MIN(sent_at), MAX(sent_at) FROM jobs"
        ).fetchone()
        return None if low is None else (float(low), float(high))

    def get(self, job: int) -> Row:
        """The job with id ``job``."""
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM jobs WHERE id = ?",  # constant
            (job,),
        ).fetchone()
        if found is None:
            raise LedgerError(f"no job {job} in {self.path}")
        return _row(found)

    def in_state(
        self, *states: State, limit: int | None = None, exclude: Iterable[int] = ()
    ) -> list[Row]:
        """Jobs in any of ``states``, oldest first (at most ``limit``)."""
        skip = tuple(exclude)
        marks = ", ".join("?" for _ in states)
        query = f"SELECT {_COLUMNS} FROM jobs WHERE state IN ({marks})"  # marks only
        if len(skip) > _MAX_INLINE:  # past SQLite's bound on parameters
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS skipped (id INTEGER)")
            self._db.execute("DELETE FROM skipped")
            self._db.executemany(
                "INSERT INTO skipped (id) VALUES (?)", ((job,) for job in skip)
            )
            query += " AND id NOT IN (SELECT id FROM skipped)"
            skip = ()
        elif skip:
            query += f" AND id NOT IN ({', '.join('?' for _ in skip)})"
        query += " ORDER BY id"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [_row(r) for r in self._db.execute(query, (*states, *skip))]

    def rows(self) -> Iterator[Row]:
        """Every job, in manifest order (rows are read as they are used)."""
        for found in self._db.execute(
            f"SELECT {_COLUMNS} FROM jobs ORDER BY id"  # constant
        ):
            yield _row(found)

    def counts(self) -> dict[State, int]:
        """How many jobs are in each state (every state listed).

        Read from the database once, then kept up to date by every write.
        """
        if self._counts is None:
            found = dict(
                self._db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            )
            self._counts = {state: int(found.get(state, 0)) for state in STATES}
            self._credits = int(
                self._db.execute(
                    "SELECT COALESCE(SUM(credits), 0) FROM jobs WHERE state != 'failed'"
                ).fetchone()[0]
            )
        return dict(self._counts)

    def credits(self) -> int:
        """Credits the service charged for the jobs' tasks, as far as known
        (a failed task's are refunded)."""
        self.counts()
        return self._credits

    def events(self, job: int) -> list[tuple[float, str, str | None]]:
        """``(time, state, message)`` of every change of ``job``, in order."""
        return [
            (float(at), str(state), message)
            for at, state, message in self._db.execute(
                "SELECT at, state, message FROM events WHERE job = ? ORDER BY id",
                (job,),
            )
        ]


def _charged(state: State | None, credits: object) -> int:
    if state is None or state == "failed" or not isinstance(credits, int):
        return 0
    return credits


_MARKER = re.compile(r"[0-9a-f]{32}")


def _row(found: tuple[Any, ...]) -> Row:
    """A row as read, checked: nothing in the ledger is trusted.

    The file must be a plain file name of the output folder (the manifest's
    own check), the marker one the runner makes, the state one it knows, and
    the stored digest the one of the stored file and body, so a row changed
    by hand (or planted) is neither written outside the folder nor sent as
    something the manifest did not ask for.

    :raises LedgerError: naming the row and what is wrong with it.
    """
    row = Row(*found)
    wrong = _wrong_in(row)
    if wrong is not None:
        raise LedgerError(
            f"the ledger's row {row.id} (job {str(row.key)[:100]!r}) cannot be "
            f"used: {wrong}; the ledger was changed by something else than the "
            "batch runner: use a new output folder"
        )
    return row


def _wrong_in(row: Row) -> str | None:
    """What is wrong with ``row``, or ``None``."""
    if not isinstance(row.key, str) or not isinstance(row.body, str):
        return "its key or body is not text"
    if row.state not in STATES:
        return f"its state {str(row.state)[:40]!r} is not one of {', '.join(STATES)}"
    if not isinstance(row.marker, str) or not _MARKER.fullmatch(row.marker):
        return "its marker is not one the runner makes"
    wrong = file_name_problem(row.file)
    if wrong is not None:
        return f"file: {wrong}"
    assert isinstance(row.file, str)
    try:
        body = json.loads(row.body)
    except (ValueError, RecursionError):
        return "its body is not JSON"
    if not isinstance(body, dict):
        return "its body is not a JSON object"
    if row.digest != job_digest(row.file, body):
        return "its file or body is not what the job was added with (digest)"
    return None


def job_fields(row: Row) -> Mapping[str, object]:
    """The columns of ``row`` the report shows."""
    return {
        "key": row.key,
        "line": row.line,
        "task_id": row.task_id,
        "state": row.state,
        "file": row.file,
        "credits": row.credits,
        "attempts": row.attempts,
        "err_code": row.err_code,
        "error": row.error,
    }
