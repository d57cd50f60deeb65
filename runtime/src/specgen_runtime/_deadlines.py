"""Deadlines: the time limits of a call, and the watchdog that enforces them.

Socket timeouts bound each read, not the whole: a server sending a byte a
second would never trip them. A :class:`Watchdog` closes the sockets of an
attempt once its time is up, so a blocked read returns at once, and the
attempt's :class:`Watch` tells the caller why the connection broke.

One watchdog thread serves every attempt of a client (and of its copies):
attempts register their deadline in a heap, and the thread sleeps until the
earliest one. It starts with the first watched attempt and ends after
:data:`IDLE_SECONDS` without one, so an idle client holds no thread.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Protocol

import attrs
import urllib3

DEFAULT_SECONDS = 60.0
"""A ``urllib3.Timeout`` part left unset stands for this many seconds."""

IDLE_SECONDS = 2.0
"""How long the watchdog thread lingers with nothing to watch before it ends."""

_COMPACT_AT = 1024
"""Heap size past which finished attempts are swept out of it."""


class _Socket(Protocol):
    def shutdown(self, how: int, /) -> None: ...


@attrs.frozen
class Limits:
    """The time limits of one call, from the client's ``timeout``."""

    connect: float
    """Seconds to connect."""
    read: float
    """Seconds to wait for each read."""
    call: float | None
    """Seconds for the whole call, every attempt and wait included."""
    attempt: float | None
    """Seconds for one attempt (``urllib3.Timeout`` without ``total``)."""

    @classmethod
    def of(cls, timeout: float | urllib3.Timeout) -> Limits:
        """The limits ``timeout`` stands for.

        :raises ValueError: a number of seconds that is not positive.
        """
        if isinstance(timeout, urllib3.Timeout):
            connect = _seconds(timeout.connect_timeout)
            read = _seconds(timeout.read_timeout)
            total = timeout.total
            if isinstance(total, int | float):
                return cls(connect, read, float(total), None)
            return cls(connect, read, None, connect + read)
        seconds = float(timeout)
        if not seconds > 0:
            raise ValueError(
                f"timeout must be a positive number of seconds: {timeout!r}"
            )
        return cls(seconds, seconds, seconds, None)


def _seconds(value: object) -> float:
    return float(value) if isinstance(value, int | float) else DEFAULT_SECONDS


def timeout_text(timeout: float | urllib3.Timeout) -> str:
    """``timeout`` as a message shows it."""
    if isinstance(timeout, urllib3.Timeout):
        return str(timeout)
    return f"timeout={timeout:g} s"


@attrs.frozen
class Deadline:
    """When a call must be over, on the client's clock (``None``: no limit)."""

    at: float | None
    clock: Callable[[], float]

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - self.clock()

    def passed(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0


class Watch:
    """One attempt's deadline: the sockets to close when it passes.

    ``fired`` says whether the deadline passed while the attempt ran.
    """

    __slots__ = ("_dog", "_sockets", "cancelled", "fired")

    def __init__(self, dog: Watchdog) -> None:
        self._dog = dog
        self.fired = False
        self.cancelled = False
        self._sockets: list[_Socket] = []

    def watch(self, sock: _Socket | None) -> None:
        """Close ``sock`` at the deadline (at once if it has passed)."""
        if sock is None:
            return
        with self._dog.lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def fire(self) -> None:
        """The deadline passed: close every socket watched so far."""
        with self._dog.lock:
            if self.cancelled:
                return
            self.fired = True
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        """The attempt ended: its sockets are no longer watched."""
        self._dog.finish(self)


def _shut(sock: _Socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(2)  # socket.SHUT_RDWR


class Watchdog:
    """One thread closing the sockets of attempts whose time is up.

    The thread sleeps until the earliest deadline of the attempts still
    running (at most :data:`IDLE_SECONDS` at a time), and ends once none
    has been running for that long.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._wake = threading.Condition(self.lock)
        self._heap: list[tuple[float, int, Watch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._live = 0
        self._compact_at = _COMPACT_AT

    def start(self, seconds: float) -> Watch:
        """A watch whose sockets are closed ``seconds`` from now."""
        watch = Watch(self)
        at = time.monotonic() + max(seconds, 0.0)
        with self.lock:
            heap = self._heap
            if len(heap) >= self._compact_at:
                heap[:] = [entry for entry in heap if not entry[2].cancelled]
                heapq.heapify(heap)
                self._compact_at = max(_COMPACT_AT, 2 * len(heap))
            heapq.heappush(heap, (at, next(self._order), watch))
            self._live += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="deadline-watchdog", daemon=True
                )
                self._thread.start()
            elif heap[0][2] is watch:
                self._wake.notify()
        return watch

    def finish(self, watch: Watch) -> None:
        """``watch``'s attempt ended: its deadline no longer matters."""
        with self.lock:
            if watch.cancelled:
                return
            watch.cancelled = True
            watch._sockets = []
            self._live -= 1

    def _run(self) -> None:
        """Fire watches as they fall due; end once idle for a while.

        Each turn either fires what is due, sleeps until the next deadline,
        or (with nothing watched for :data:`IDLE_SECONDS`) ends the thread.
        """
        while True:
            due: list[Watch] = []
            with self.lock:
                heap = self._heap
                if self._live == 0:
                    heap.clear()
                while heap and heap[0][2].cancelled:
                    heapq.heappop(heap)
                if not heap:
                    self._wake.wait(IDLE_SECONDS)
                    if not heap:
                        self._thread = None
                        return
                    continue
                now = time.monotonic()
                while heap and heap[0][0] <= now:
                    due.append(heapq.heappop(heap)[2])
                if not due:
                    # no longer than IDLE_SECONDS: all may finish well before
                    self._wake.wait(min(heap[0][0] - now, IDLE_SECONDS))
                    continue
            for watch in due:
                watch.fire()
