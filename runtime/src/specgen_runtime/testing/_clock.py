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
