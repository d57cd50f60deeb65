"""Faults a test scripts into the fake server: errors, slowness, lost connections."""

from __future__ import annotations

import threading
from typing import Literal, TypeAlias

import attrs

Drop: TypeAlias = Literal["before_read", "after_read", "mid_body"]
"""How a connection is lost.

``"before_read"``
    closed before the request body is read: nothing was done.
``"after_read"``
    the request is read and carried out (a task is created, cancelled...),
    then the connection is closed without an answer.
``"mid_body"``
    carried out, and the answer is cut off halfway through its body.
"""

DROPS: tuple[Drop, ...] = ("before_read", "after_read", "mid_body")

DOWNLOAD = "download"
"""The operation name under which result-file downloads are counted and faulted."""


@attrs.define
class Fault:
    """One scripted fault, applied to the next ``times`` matching requests.

    ``operation`` is an operation id (or :data:`DOWNLOAD`); ``None`` matches
    every request. A fault may combine a ``delay`` (seconds before anything
    happens) with an error ``status`` or a ``drop``.
    """

    operation: str | None
    status: int | None = None
    reason: str | None = None
    retry_after: str | None = None
    delay: float = 0.0
    drop: Drop | None = None
    times: int = 1

    def __attrs_post_init__(self) -> None:
        if self.times < 1:
            raise ValueError("times must be at least 1")
        if self.status is None and self.drop is None and self.delay <= 0:
            raise ValueError("a fault needs a status, a drop or a delay")
        if self.status is not None and not 400 <= self.status <= 599:
            raise ValueError(f"status {self.status} is not an error status")
        if self.status is not None and self.drop is not None:
            raise ValueError("a fault either answers with a status or drops")
        if self.drop is not None and self.drop not in DROPS:
            raise ValueError(f"drop {self.drop!r} is not one of {DROPS}")
        if self.delay < 0:
            raise ValueError("delay cannot be negative")

    def matches(self, operation: str) -> bool:
        """Whether this fault applies to a request for ``operation``."""
        return self.operation is None or self.operation == operation


class FaultQueue:
    """Scripted faults, first in first out; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        """Queue ``fault`` behind the others."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, operation: str) -> Fault | None:
        """The first queued fault for ``operation``, used up once; or ``None``."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.matches(operation):
                    fault.times -= 1
                    if fault.times == 0:
                        del self._faults[index]
                    return fault
        return None

    def pending(self) -> list[Fault]:
        """The faults not used up yet."""
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        """Forget every queued fault."""
        with self._lock:
            self._faults.clear()
