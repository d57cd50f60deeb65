"""When the fake server's tasks change state: a heap of next transitions and a
queue for the account's concurrency.

A task walks the pending states in the spec's order, each for the time its
``durations`` give it. The last pending state is the running one: at most
``concurrency_limit`` tasks are in it at once, and a task whose time in the
state before it is up waits there (first come, first served) until a running
task ends. With a single pending state, a task waits in it unseen.

Each task has at most one transition due, kept in a heap by its time, so
bringing the server up to its clock costs only the transitions due since the
last time, whatever the number of tasks: a request to a server holding 10,000
tasks costs what it costs with one.
"""

from __future__ import annotations

import collections
import heapq
from collections.abc import Callable, Iterator

from ._tasks import FakeTask, TaskLife

Changed = Callable[[FakeTask, dict[str, object]], None]
"""Told each state a task enters, with the body it then has."""


class Schedule:
    """Every task's next transition, and the queue for a running slot.

    Not thread-safe: the fake server calls it under its lock.
    """

    def __init__(self, life: TaskLife, concurrency_limit: int) -> None:
        if concurrency_limit < 1:
            raise ValueError("concurrency_limit must be at least 1")
        self.life = life
        self.limit = concurrency_limit
        self._order = {state: i for i, state in enumerate(life.pending)}
        self._heap: list[tuple[float, int, FakeTask]] = []
        self._serial = 0
        self._waiting: collections.deque[FakeTask] = collections.deque()
        self.running = 0
        """Tasks in the running state now."""
        self.queued = 0
        """Tasks waiting for a running slot now."""

    def add(self, task: FakeTask, now: float) -> None:
        """Start ``task``'s timeline at ``now`` (it is in the first pending state)."""
        self._push(now + task.durations[task.state], task)

    def due(self) -> float | None:
        """The clock reading of the next transition, if any is scheduled."""
        return self._heap[0][0] if self._heap else None

    def run_until(self, now: float, files_url: str, changed: Changed) -> None:
        """Carry out every transition due at or before ``now``, in time order."""
        heap = self._heap
        while heap and heap[0][0] <= now:
            at, _, task = heapq.heappop(heap)
            if task.ended:
                continue  # cancelled while its transition was pending
            self._step(task, at, files_url, changed)

    def cancelled(self, task: FakeTask) -> None:
        """``task`` was cancelled: it no longer waits for a slot."""
        if task.waiting:
            task.waiting = False
            self.queued -= 1

    def waiting(self) -> Iterator[FakeTask]:
        """The tasks waiting for a running slot, first in line first."""
        return (task for task in self._waiting if task.waiting)

    # -- inside -------------------------------------------------------------------

    def _push(self, at: float, task: FakeTask) -> None:
        self._serial += 1
        heapq.heappush(self._heap, (at, self._serial, task))

    def _step(
        self, task: FakeTask, at: float, files_url: str, changed: Changed
    ) -> None:
        pending = self.life.pending
        if task.running:
            task.running = False
            self.running -= 1
            changed(task, task.finish(files_url))
            self._start_waiting(at, files_url, changed)
            return
        index = self._order[task.state]
        if index < len(pending) - 2:
            following = pending[index + 1]
            changed(task, task.enter(following, files_url))
            self._push(at + task.durations[following], task)
            return
        # the state before the running one (or the only one): wait for a slot
        task.waiting = True
        self.queued += 1
        self._waiting.append(task)
        self._start_waiting(at, files_url, changed)

    def _start_waiting(self, at: float, files_url: str, changed: Changed) -> None:
        run = self.life.pending[-1]
        waiting = self._waiting
        while waiting and self.running < self.limit:
            task = waiting.popleft()
            if not task.waiting:
                continue  # cancelled while it waited
            task.waiting = False
            self.queued -= 1
            task.running = True
            self.running += 1
            if task.state != run:
                changed(task, task.enter(run, files_url))
            self._push(at + task.durations[run], task)
