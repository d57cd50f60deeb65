"""The fake server's tasks: their life cycle, bodies and result files.

States, their order and the field names come from :data:`tables.TASKS`: the
non-terminal states are walked in the spec's order, each for the time
``durations`` gives it, and the task then ends in its outcome (a success or
a failure state). The tasks here know nothing of HTTP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .. import tables
from ..validate import FormTable
from ..tables import TASKS

PENDING: tuple[str, ...] = tuple(s for s in TASKS.states if s not in TASKS.terminal)
"""The states a task passes through before it ends, in order."""

SUCCESS: str = next(s for s in TASKS.states if s in TASKS.success)
"""The state of a task that succeeded."""

FAILURE: str = next(s for s in TASKS.states if s in TASKS.failure)
"""The state of a task that failed (or was cancelled)."""

CANCELLABLE: frozenset[str] = frozenset(PENDING[:-1])
"""States a task may be cancelled in: every pending state but the running one."""

CANCELLED_CODE = "UserCancelled"
"""The error code of a cancelled task."""

DEFAULT_FAILURE_CODE = "InternalServiceFailure"
"""The error code of a failed task when the test names none."""

_DEFAULT_SECONDS = {"created": 0.0, "queueing": 1.0, "processing": 2.0}

DEFAULT_DURATIONS: Mapping[str, float] = {
    state: _DEFAULT_SECONDS.get(state, 1.0) for state in PENDING
}
"""Seconds a task spends in each pending state unless told otherwise."""

FILE_NAMES = ("video.mp4", "cover.jpg", "video-watermarked.mp4")
"""The files each successful task serves, under ``/files/<task id>/``."""


def check_durations(durations: Mapping[str, float] | None) -> dict[str, float]:
    """``durations`` completed with the defaults; unknown states are refused."""
    given = dict(durations or {})
    unknown = sorted(set(given) - set(PENDING))
    if unknown:
        raise ValueError(
            f"durations for unknown states {unknown}: the pending states are {list(PENDING)}"
        )
    if any(seconds < 0 for seconds in given.values()):
        raise ValueError("durations cannot be negative")
    return {**DEFAULT_DURATIONS, **given}


@attrs.frozen
class Outcome:
    """How a task ends: a terminal state and, for a failure, its error code."""

    state: str
    err_code: str = ""

    @classmethod
    def of(cls, state: str, err_code: str | None = None) -> Outcome:
        """Check ``state`` is terminal and fill in a failure's error code."""
        if state not in TASKS.terminal:
            raise ValueError(
                f"outcome {state!r} is not an end state: use one of {sorted(TASKS.terminal)}"
            )
        if state in TASKS.failure:
            return cls(state, err_code or DEFAULT_FAILURE_CODE)
        return cls(state, err_code or "")


def with_defaults(operation_id: str, request: Mapping[str, Any]) -> dict[str, Any]:
    """``request`` with the values the service uses for the fields left out.

    The form is the first of the operation's forms (:mod:`tables`) that knows
    every field given; the defaults are that form's, per model where the spec
    says so. Fields without a default (such as a random seed) stay out.
    """
    forms = [
        table
        for table in vars(tables).values()
        if isinstance(table, FormTable) and table.operation == operation_id
    ]
    form = next((f for f in forms if set(request) <= set(f.fields)), None)
    filled = dict(request)
    if form is None:
        return filled
    model = request.get("model")
    for name, field in form.fields.items():
        value = field.default_for(model if isinstance(model, str) else None)
        if name not in filled and value is not None:
            filled[name] = value
    return filled


def file_bytes(task_id: str, name: str, size: int) -> bytes:
    """Deterministic content of one result file (the same for every request)."""
    if name.endswith(".mp4"):
        magic = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    else:
        magic = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
        size = min(size, 16 * 1024)
    filler = hashlib.shake_256(f"{task_id}/{name}".encode()).digest(
        max(size - len(magic), 0)
    )
    return (magic + filler)[:size]


def _credits(request: Mapping[str, Any]) -> int:
    duration = request.get("duration")
    if isinstance(duration, int) and not isinstance(duration, bool) and duration > 0:
        return 4 * duration
    return 20


@attrs.define
class FakeTask:
    """One task: what was asked, where it is in its life, how it will end."""

    id: str
    request: dict[str, Any]
    started: float
    """Clock reading at creation."""
    created_at: datetime
    outcome: Outcome
    durations: Mapping[str, float]
    state: str = PENDING[0]
    err_code: str = ""
    credits: int = 0
    callback_url: str | None = None

    @classmethod
    def create(
        cls,
        task_id: str,
        request: Mapping[str, Any],
        *,
        now: float,
        wall: datetime,
        outcome: Outcome,
        durations: Mapping[str, float],
    ) -> FakeTask:
        """A new task, in the first pending state."""
        callback_url = request.get("callback_url")
        return cls(
            id=task_id,
            request=dict(request),
            started=now,
            created_at=wall,
            outcome=outcome,
            durations=dict(durations),
            credits=_credits(request),
            callback_url=callback_url if isinstance(callback_url, str) else None,
        )

    @property
    def ended(self) -> bool:
        """Whether the task is in an end state."""
        return self.state in TASKS.terminal

    def due_state(self, now: float) -> str:
        """The state the timeline puts the task in at clock reading ``now``."""
        elapsed = now - self.started
        passed = 0.0
        for state in PENDING:
            passed += self.durations[state]
            if elapsed < passed:
                return state
        return self.outcome.state

    def advance(self, now: float, files_url: str) -> list[dict[str, Any]]:
        """Move to the state due at ``now``; return the body at each state entered.

        A long step passes through every state in between, so each change is
        seen (and called back) in order.
        """
        if self.ended:
            return []
        due = self.due_state(now)
        bodies: list[dict[str, Any]] = []
        target = PENDING.index(due) if due in PENDING else len(PENDING)
        for state in PENDING[PENDING.index(self.state) + 1 : target + 1]:
            self.state = state
            bodies.append(self.body(files_url))
        if due not in PENDING:
            self._end(self.outcome)
            bodies.append(self.body(files_url))
        return bodies

    def cancel(self) -> str | None:
        """Cancel the task; ``None`` if done, else why it cannot be cancelled."""
        if self.state not in CANCELLABLE:
            return f"task state is {self.state}, can not cancel"
        self._end(Outcome(FAILURE, CANCELLED_CODE))
        return None

    def _end(self, outcome: Outcome) -> None:
        self.state = outcome.state
        self.err_code = outcome.err_code
        if outcome.state in TASKS.failure:
            self.credits = 0

    def create_response(self) -> dict[str, Any]:
        """The body answering the creating request: the request echoed, and more."""
        echoed = {k: v for k, v in self.request.items() if k != "callback_url"}
        return {
            TASKS.id_field: self.id,
            TASKS.state_field: self.state,
            **echoed,
            "credits": self.credits,
            "created_at": self.created_at.isoformat(timespec="microseconds").replace(
                "+00:00", "Z"
            ),
        }

    def body(self, files_url: str) -> dict[str, Any]:
        """The task as the get operation and the callbacks show it."""
        creations = []
        if self.state in TASKS.success:
            base = f"{files_url}/{self.id}"
            creations.append(
                {
                    "id": f"{self.id}01",
                    "url": f"{base}/{FILE_NAMES[0]}",
                    "cover_url": f"{base}/{FILE_NAMES[1]}",
                    "watermarked_url": f"{base}/{FILE_NAMES[2]}",
                }
            )
        return {
            "id": self.id,
            TASKS.state_field: self.state,
            TASKS.error_code_field: self.err_code,
            "credits": self.credits,
            "payload": self.request.get("payload", ""),
            "bgm": self.request.get("bgm", False),
            "off_peak": self.request.get("off_peak", False),
            "creations": creations,
        }
