"""Clocks for the fake server: a manual one for tests, the real one for demos."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the fake server asks of a clock."""

    def now(self) -> float:
        """Seconds on this clock's own scale; only differences matter."""
        ...

    def wall(self) -> datetime:
        """The current date and time, timezone-aware (for ``created_at``)."""
        ...


class FakeClock:
    """A clock that moves only when told: ``advance(seconds)``.

    Task states depend on it alone, so a test decides exactly when a task
    starts, runs and ends. Thread-safe.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2025, 1, 1, tzinfo=UTC)
        self._elapsed = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds advanced so far."""
        with self._lock:
            return self._elapsed

    def wall(self) -> datetime:
        """The start date plus the seconds advanced."""
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (never back)."""
        if seconds < 0:
            raise ValueError("a clock cannot go back")
        with self._lock:
            self._elapsed += seconds


class RealClock:
    """Wall time: tasks progress on their own, as with the real service."""

    def now(self) -> float:
        """A monotonic reading in seconds."""
        return time.monotonic()

    def wall(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


STALL_POLLS = 5
"""Polls of one unfinished task at one reading of the manual clock that
:class:`StallWatch` lets through; the next is refused."""


class StallWatch:
    """Notices a task polled again and again while the manual clock stands still.

    With the manual :class:`FakeClock` a task moves only when the test calls
    ``advance``; a client that waits with ``time.sleep`` would poll until its
    own timeout (900 s by default). After ``limit`` polls of an unfinished
    task at one clock reading, :meth:`poll` returns the message to answer
    with instead: it says how to give the client ``sleep=server.advance``.
    Polls are counted, never timed. Not thread-safe: the server calls it
    under its lock.
    """

    def __init__(self, limit: int | None = STALL_POLLS) -> None:
        if limit is not None and limit < 1:
            raise ValueError(f"stall_polls={limit}: use a positive count, or None")
        self.limit = limit
        self._polls: dict[str, tuple[float, int]] = {}

    def poll(self, task_id: str, now: float, *, ended: bool) -> str | None:
        """Count a poll of ``task_id`` at clock reading ``now``.

        :returns: ``None`` to answer as usual, or why the task cannot move.
        """
        if self.limit is None or ended:
            self._polls.pop(task_id, None)
            return None
        last, count = self._polls.get(task_id, (now, 0))
        count = count + 1 if last == now else 1
        self._polls[task_id] = (now, count)
        if count <= self.limit:
            return None
        return (
            f"task {task_id} was polled {count} times while the fake server's "
            f"manual clock stood at {now:g} s, so it cannot move: give the client "
            "sleep=server.advance (Client(..., sleep=server.advance, "
            "clock=server.clock.now)), or call server.advance(seconds) between "
            "polls, or use FakeServer(clock='real')"
        )
