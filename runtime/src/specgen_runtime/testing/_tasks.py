"""The fake server's tasks: their life cycle, bodies and result files.

States, their order and the field names come from the API's
:class:`~specgen_runtime.tables.Tasks`: the non-terminal states are walked in
the spec's order, each for the time ``durations`` gives it, and the task then
ends in its outcome (a success or a failure state). Its bodies are written in
the shapes of the spec's response classes (:mod:`._bodies`). The tasks here
know nothing of HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from ..tables import ApiTables, FormTable, Tasks
from ._bodies import Bodies, Seen

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
    bodies: Bodies
    """How the task's bodies are written."""

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
        creating = {op.id for op in api.operations.values() if op.task == "create"}
        requested = frozenset(
            name
            for operation in creating
            for form in forms.get(operation, ())
            for name in form.fields
        )
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
            bodies=Bodies.of(tasks, requested),
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

    @property
    def created_text(self) -> str:
        """``created_at`` as the service writes it (RFC 3339, microseconds, Z)."""
        return self.created_at.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def seen(self, files_url: str) -> Seen:
        """What the task shows now, as its bodies read it."""
        bodies = self.life.bodies
        succeeded = self.state in self.life.tasks.success
        return Seen(
            task_id=self.id,
            state=self.state,
            err_code=self.err_code,
            request=self.request,
            created_at=self.created_text,
            results=bodies.results(self.id, files_url) if succeeded else [],
        )

    def create_response(self) -> dict[str, Any]:
        """The body answering the creating request."""
        return self.life.bodies.created_answer(self.seen(""))

    def listed(
        self, files_url: str, *, leave_out: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """The task as the list operation shows it, without ``leave_out``."""
        return self.life.bodies.listed_body(self.seen(files_url), leave_out=leave_out)

    def value(self, name: str) -> object:
        """What the task says for field ``name``: its id, its state, else the
        request's value (with the service's defaults); ``None`` if none."""
        if name in ("id", self.life.tasks.id_field):
            return self.id
        if name == self.life.tasks.state_field:
            return self.state
        return self.request.get(name)

    def body(self, files_url: str) -> dict[str, Any]:
        """The task as the get operation and the callbacks show it."""
        return self.life.bodies.task_body(self.seen(files_url))
