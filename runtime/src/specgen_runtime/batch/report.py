"""What a batch run shows while it works, and the report it leaves behind.

On a terminal, one line kept up to date: the jobs in each state, the credits
spent and an estimate of the time left. Otherwise (a log file, a pipe) one
plain line per change of a job, and the same summary every so often.

The report lists every job with its key, task id, state, file and credits:
``batch-report.json`` and ``batch-report.csv`` in the output folder, each
written whole or not at all, from the ledger a page at a time.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO

from .ledger import DONE_STATES, STATES, Ledger, State, job_fields, refuse_link

__all__ = [
    "REPORT_CSV",
    "REPORT_JSON",
    "Progress",
    "printable",
    "spreadsheet_cell",
    "write_reports",
]

REPORT_JSON = "batch-report.json"
REPORT_CSV = "batch-report.csv"

_COLUMNS = (
    "key",
    "line",
    "task_id",
    "state",
    "file",
    "credits",
    "attempts",
    "err_code",
    "error",
)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""What a cell starts with that a spreadsheet reads as a formula."""


def printable(text: str) -> str:
    """``text`` with every character a terminal could act on (control and
    format characters, line and paragraph separators: ``ESC``, ``BEL``,
    ``CR``, ...) written as its escape (``\\x1b``), so text from the service or
    the ledger shows as text and never moves the cursor or sets the title."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


def spreadsheet_cell(value: object) -> object:
    """A CSV cell of the report: text with its control characters escaped
    (:func:`printable`) and, when it starts like a formula (``= + - @``, a
    tab or a carriage return), a ``'`` in front, so a spreadsheet shows it
    and never runs it; ``None`` is an empty cell, a number stays one."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    text = printable(value)
    return "'" + text if value.startswith(_FORMULA_START) else text


class Progress:
    """Shows how a run goes on ``stream``: a live line on a terminal, log lines
    otherwise.

    ``clock`` is monotonic seconds; the estimate of the time left is the
    jobs not done over the rate of jobs done since the run started.
    """

    def __init__(
        self,
        stream: IO[str],
        *,
        clock: Callable[[], float] = time.monotonic,
        live: bool | None = None,
        every: float = 10.0,
    ) -> None:
        self.stream = stream
        self.clock = clock
        self.live = _is_tty(stream) if live is None else live
        self.every = every
        self._start = clock()
        self._done_at_start: int | None = None
        self._last_shown = float("-inf")
        self._line_open = False

    def log(self, message: str) -> None:
        """One line about one job (only when not live: the line says enough)."""
        if self.live:
            return
        self.stream.write(printable(message) + "\n")
        self.stream.flush()

    def note(self, message: str) -> None:
        """A line shown in either mode (a warning, the end of the run)."""
        self._end_line()
        self.stream.write(printable(message) + "\n")
        self.stream.flush()

    def update(
        self, counts: Mapping[State, int], credits: int, *, force: bool = False
    ) -> None:
        """Show the counts, at most 4 times a second live, else every ``every`` s."""
        now = self.clock()
        done = sum(counts[state] for state in DONE_STATES)
        if self._done_at_start is None:
            self._done_at_start = done
        gap = 0.25 if self.live else self.every
        if not force and now - self._last_shown < gap:
            return
        self._last_shown = now
        line = self.summary(counts, credits, done, now)
        if self.live:
            self.stream.write("\r" + line + "\x1b[K")
            self._line_open = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def summary(
        self, counts: Mapping[State, int], credits: int, done: int, now: float
    ) -> str:
        """``12/40 done | pending 20, created 5, ... | 480 credits | ETA 3m10s``."""
        total = sum(counts.values())
        parts = ", ".join(
            f"{state} {counts[state]}" for state in STATES if counts[state]
        )
        eta = self._eta(total - done, done, now)
        return f"{done}/{total} done | {parts or 'no jobs'} | {credits} credits | ETA {eta}"

    def _eta(self, left: int, done: int, now: float) -> str:
        if left <= 0:
            return "0s"
        finished = done - (self._done_at_start or 0)
        elapsed = now - self._start
        if finished <= 0 or elapsed <= 0:
            return "unknown"
        return _duration(left * elapsed / finished)

    def close(self) -> None:
        """End the live line."""
        self._end_line()

    def _end_line(self) -> None:
        if self._line_open:
            self.stream.write("\n")
            self.stream.flush()
            self._line_open = False


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def write_reports(ledger: Ledger, folder: Path) -> tuple[Path, Path]:
    """Write the JSON and CSV reports of every job; their paths.

    The JSON report holds each value as the ledger does (a character a
    terminal could act on written as a JSON escape, so showing the file is
    safe too); the CSV report's cells are made safe to open in a spreadsheet
    (:func:`spreadsheet_cell`).
    """
    json_path = folder / REPORT_JSON
    csv_path = folder / REPORT_CSV
    with _atomic(json_path) as out:
        out.write("[")
        for index, row in enumerate(ledger.rows()):
            out.write(",\n " if index else "\n ")
            out.write(_json_text(dict(job_fields(row))))
        out.write("\n]\n")
    with _atomic(csv_path) as out:
        writer = csv.DictWriter(out, fieldnames=_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in ledger.rows():
            writer.writerow(
                {k: spreadsheet_cell(v) for k, v in job_fields(row).items()}
            )
    return json_path, csv_path


def _json_text(value: object) -> str:
    """``value`` as JSON text with every character :func:`printable` would
    escape written as a JSON ``\\u`` escape (the value read back is the same)."""
    text = json.dumps(value, ensure_ascii=False)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in text)


@contextlib.contextmanager
def _atomic(target: Path) -> Iterator[IO[str]]:
    """A text file that replaces ``target`` only once written in full.

    :raises LedgerError: ``target`` is a symbolic link.
    """
    refuse_link(target)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
