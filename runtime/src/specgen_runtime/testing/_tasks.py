"""The fake server's tasks: their life cycle, bodies and result files.

States, their order and the field names come from the API's
:class:`~specgen_runtime.tables.Tasks`: the non-terminal states are walked in
the spec's order, each for the time ``durations`` gives it, and the task then
ends in its outcome (a success or a failure state). The tasks here know
nothing of HTTP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ..tables import ApiTables, FormTable, Tasks

FILE_NAMES = ("video.mp4", "cover.jpg", "video-watermarked.mp4")
"""The files each successful task serves, under ``/files/<task id>/``."""

_CANCELLED_FALLBACK = "Cancelled"
_FAILURE_FALLBACK = "InternalError"


def default_durations(tasks: Tasks) -> Mapping[str, float]:
    """Seconds a task spends in each pending state unless told otherwise.

    The first of several pending states (the task just created) lasts 0 s,
    the last one (the task running) 2 s, and any in between (waiting in a
    queue) 1 s each.
    """
    pending = tasks.pending
    durations: dict[str, float] = {}
    for index, state in enumerate(pending):
        if index == len(pending) - 1:
            durations[state] = 2.0
        elif index == 0:
            durations[state] = 0.0
        else:
            durations[state] = 1.0
    return durations


@attrs.frozen
class Outcome:
    """How a task ends: a terminal state and, for a failure, its error code."""

    state: str
    err_code: str = ""


@attrs.frozen(eq=False)
class TaskLife:
    """The task life cycle of one API, worked out once from its tables."""

    tasks: Tasks
    pending: tuple[str, ...]
    """The states a task passes through before it ends, in order."""
    cancellable: frozenset[str]
    """States a task may be cancelled in: every pending state but the running one."""
    success: str
    """The state of a task that succeeded."""
    failure: str
    """The state of a task that failed (or was cancelled)."""
    default_durations: Mapping[str, float]
    cancelled_code: str
    """The error code of a cancelled task."""
    failure_code: str
    """The error code of a failed task when the test names none."""
    forms: Mapping[str, tuple[FormTable, ...]]
    """The request forms of each operation, by operation id."""

    @classmethod
    def of(cls, api: ApiTables) -> TaskLife:
        """The life cycle of ``api``'s tasks (its ``tasks`` section is required)."""
        tasks = api.require_tasks()
        pending = tasks.pending
        if not pending:
            raise ValueError(f"the {api.name} spec's tasks have no pending state")
        codes = api.errors.codes if api.errors is not None else {}
        cancelled = next(
            (reason for reason in codes if "cancel" in reason.lower()),
            _CANCELLED_FALLBACK,
        )
        failure = next(
            (reason for reason, code in codes.items() if code.status == 500),
            _FAILURE_FALLBACK,
        )
        forms: dict[str, tuple[FormTable, ...]] = {}
        for form in api.forms:
            forms[form.operation] = (*forms.get(form.operation, ()), form)
        return cls(
            tasks=tasks,
            pending=pending,
            cancellable=frozenset(pending[:-1]),
            success=tasks.success_state,
            failure=tasks.failure_state,
            default_durations=default_durations(tasks),
            cancelled_code=cancelled,
            failure_code=failure,
            forms=forms,
        )

    def check_durations(
        self, durations: Mapping[str, float] | None
    ) -> dict[str, float]:
        """``durations`` completed with the defaults; unknown states are refused."""
        given = dict(durations or {})
        unknown = sorted(set(given) - set(self.pending))
        if unknown:
            raise ValueError(
                f"durations for unknown states {unknown}: "
                f"the pending states are {list(self.pending)}"
            )
        if any(seconds < 0 for seconds in given.values()):
            raise ValueError("durations cannot be negative")
        return {**self.default_durations, **given}

    def outcome(self, state: str, err_code: str | None = None) -> Outcome:
        """Check ``state`` is terminal and fill in a failure's error code."""
        if state not in self.tasks.terminal:
            raise ValueError(
                f"outcome {state!r} is not an end state: "
                f"use one of {sorted(self.tasks.terminal)}"
            )
        if state in self.tasks.failure:
            return Outcome(state, err_code or self.failure_code)
        return Outcome(state, err_code or "")

    def with_defaults(
        self, operation_id: str, request: Mapping[str, Any]
    ) -> dict[str, Any]:
        """``request`` with the values the service uses for the fields left out.

        The form is the first of the operation's forms that knows every field
        given; the defaults are that form's, per model where the spec says so.
        Fields without a default (such as a random seed) stay out.
        """
        forms = self.forms.get(operation_id, ())
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
    life: TaskLife = attrs.field(repr=False, eq=False)
    state: str = ""
    err_code: str = ""
    credits: int = 0
    callback_url: str | None = None
    serial: int = 0
    """Creation order: a later task has a larger serial."""
    waiting: bool = attrs.field(default=False, eq=False)
    """Whether it waits for a running slot (see :mod:`._schedule`)."""
    running: bool = attrs.field(default=False, eq=False)
    """Whether it holds a running slot."""

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
        life: TaskLife,
        callbacks: bool = True,
        serial: int = 0,
    ) -> FakeTask:
        """A new task, in the first pending state.

        With ``callbacks``, the request's ``callback_url`` is where its state
        changes are called back.
        """
        callback_url = request.get("callback_url") if callbacks else None
        return cls(
            id=task_id,
            request=dict(request),
            started=now,
            created_at=wall,
            outcome=outcome,
            durations=dict(durations),
            life=life,
            state=life.pending[0],
            credits=_credits(request),
            callback_url=callback_url if isinstance(callback_url, str) else None,
            serial=serial,
        )

    @property
    def ended(self) -> bool:
        """Whether the task is in an end state."""
        return self.state in self.life.tasks.terminal

    def enter(self, state: str, files_url: str) -> dict[str, Any]:
        """Move to pending ``state``; the body the task then has."""
        self.state = state
        return self.body(files_url)

    def finish(self, files_url: str) -> dict[str, Any]:
        """End in the task's outcome; the body the task then has."""
        self._end(self.outcome)
        return self.body(files_url)

    def cancel(self) -> str | None:
        """Cancel the task; ``None`` if done, else why it cannot be cancelled."""
        if self.state not in self.life.cancellable:
            return f"task state is {self.state}, can not cancel"
        self._end(Outcome(self.life.failure, self.life.cancelled_code))
        return None

    def _end(self, outcome: Outcome) -> None:
        self.state = outcome.state
        self.err_code = outcome.err_code
        if outcome.state in self.life.tasks.failure:
            self.credits = 0

    @property
    def created_text(self) -> str:
        """``created_at`` as the service writes it (RFC 3339, microseconds, Z)."""
        return self.created_at.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def create_response(self) -> dict[str, Any]:
        """The body answering the creating request: the request echoed, and more."""
        tasks = self.life.tasks
        echoed = {k: v for k, v in self.request.items() if k != "callback_url"}
        return {
            tasks.id_field: self.id,
            tasks.state_field: self.state,
            **echoed,
            "credits": self.credits,
            "created_at": self.created_text,
        }

    def listed(self, files_url: str, *, echo_payload: bool = True) -> dict[str, Any]:
        """The task as the list operation shows it: its body, its creation
        time and model; without ``payload`` unless ``echo_payload``."""
        body = self.body(files_url)
        body["created_at"] = self.created_text
        model = self.request.get("model")
        if isinstance(model, str):
            body["model"] = model
        if not echo_payload:
            del body["payload"]
        return body

    def value(self, name: str) -> object:
        """What the task says for field ``name``: its list body's value, else
        the request's (with the service's defaults); ``None`` if neither."""
        if name in ("id", self.life.tasks.id_field):
            return self.id
        if name == self.life.tasks.state_field:
            return self.state
        if name == "created_at":
            return self.created_at
        return self.request.get(name)

    def body(self, files_url: str) -> dict[str, Any]:
        """The task as the get operation and the callbacks show it."""
        tasks = self.life.tasks
        creations = []
        if self.state in tasks.success:
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
            tasks.state_field: self.state,
            tasks.error_code_field: self.err_code,
            "credits": self.credits,
            "payload": self.request.get("payload", ""),
            "bgm": self.request.get("bgm", False),
            "off_peak": self.request.get("off_peak", False),
            **({tasks.results_field: creations} if tasks.results_field else {}),
        }
