"""The fake server's task bodies, written in the shapes the spec declares.

Each body (the create answer, the task as read, a task of the list, one
result) is the response class's fields of :class:`~specgen_runtime.tables.
TaskShapes`, each filled by the first rule that applies:

1. the task's id (in ``tasks.id_field``, or a field named ``id``), state,
   error code and results (``tasks.results_field``: one result once the
   task succeeded, none before);
2. a field of the creating request: the value the request gave (with the
   service's defaults), or nothing if it gave none;
3. a field whose examples are all RFC 3339 date-times: when the task was
   created (the one time a fake task keeps);
4. any other field: its value in an example of a task in the same state,
   else in the same kind of state (succeeded, failed, not ended yet); a
   field no such example gives is left out. A task of the list takes the
   task body's examples first, so that both say the same of one task.

A result's file fields (:attr:`~specgen_runtime.tables.TaskShapes.files`)
hold the URL the fake server serves that file at; its other fields take
their examples' values. Tables without shapes (hand-built for a test) get a
body of the id, state, error code and the request echoed.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ..tables import BodyShape, Tasks, TaskShapes

__all__ = ["Bodies", "ResultFiles", "Seen"]

_MISSING = object()

_MAGIC = {
    "video/mp4": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    "image/png": b"\x89PNG\r\n\x1a\n",
}
"""The first bytes of a file of each media type, so that the files served
look like what they are named."""


@attrs.frozen
class Seen:
    """What a task shows for its state and request, as a body reads it."""

    task_id: str
    state: str
    err_code: str
    request: Mapping[str, Any]
    created_at: str
    results: list[dict[str, Any]]


@attrs.frozen
class ResultFiles:
    """The files a successful task serves: name -> media type."""

    types: Mapping[str, str]

    @classmethod
    def of(cls, shapes: TaskShapes) -> ResultFiles:
        """The files of ``shapes``' result (their media types from their names)."""
        return cls(
            {
                name: mimetypes.guess_type(name)[0] or "application/octet-stream"
                for name in shapes.files.values()
            }
        )

    def content(self, name: str, seed: str, size: int) -> bytes:
        """Deterministic content of file ``name`` (the same for every request)."""
        kind = self.types.get(name, "")
        magic = _MAGIC.get(kind, b"")
        if not kind.startswith("video/"):
            size = min(size, 16 * 1024)
        filler = hashlib.shake_256(f"{seed}/{name}".encode()).digest(
            max(size - len(magic), 0)
        )
        return (magic + filler)[:size]


@attrs.frozen(eq=False)
class _Writer:
    """Writes the bodies of one shape."""

    shape: BodyShape
    times: frozenset[str]
    """Fields every example gives as a date-time: the task's creation time."""
    state_field: str
    """Where an example says its task's state."""

    def sample(self, name: str, state: str, kind: Callable[[object], str]) -> object:
        """``name``'s value in an example whose task is in ``state``, else in
        a state of the same ``kind``, else in an example that names no
        state; :data:`_MISSING` if none gives it."""
        given = [e for e in self.shape.examples if name in e]
        for wanted in (
            lambda found: found == state,
            lambda found: found is not _MISSING and kind(found) == kind(state),
            lambda found: found is _MISSING,
        ):
            for example in given:
                if wanted(example.get(self.state_field, _MISSING)):
                    return example[name]
        return _MISSING


@attrs.frozen(eq=False)
class Bodies:
    """Every body of one API's tasks, worked out once from its tables."""

    tasks: Tasks
    request_fields: frozenset[str]
    """Fields of the creating requests: echoed from the request, never sampled."""
    created: _Writer | None
    body: _Writer | None
    listed: _Writer | None
    result: _Writer | None
    files: Mapping[str, str]
    """The result's file fields, each with its file name."""
    served: ResultFiles

    @classmethod
    def of(cls, tasks: Tasks, request_fields: frozenset[str]) -> Bodies:
        """The bodies of ``tasks`` (``request_fields``: the creating requests')."""
        shapes = tasks.shapes or TaskShapes()

        def writer(shape: BodyShape | None) -> _Writer | None:
            if shape is None:
                return None
            return _Writer(shape, frozenset(shape.time_fields()), tasks.state_field)

        return cls(
            tasks=tasks,
            request_fields=request_fields,
            created=writer(shapes.created),
            body=writer(shapes.body),
            listed=writer(shapes.listed),
            result=writer(shapes.result),
            files=dict(shapes.files),
            served=ResultFiles.of(shapes),
        )

    def kind(self, state: object) -> str:
        """``"success"``, ``"failure"`` or (a state that has not ended, or
        one the tables do not name) ``"pending"``."""
        if state in self.tasks.success:
            return "success"
        if state in self.tasks.failure:
            return "failure"
        return "pending"

    def results(self, task_id: str, files_url: str) -> list[dict[str, Any]]:
        """The results of a task that succeeded: one, its files at ``files_url``."""
        writer = self.result
        item: dict[str, Any] = {}
        for name in () if writer is None else writer.shape.fields:
            if name in self.files:
                item[name] = f"{files_url}/{task_id}/{self.files[name]}"
                continue
            assert writer is not None
            value = writer.sample(name, "", self.kind)
            if value is not _MISSING:
                item[name] = value
        return [item]

    def created_answer(self, seen: Seen) -> dict[str, Any]:
        """The answer to the creating request."""
        if self.created is None:
            tasks = self.tasks
            return {
                tasks.id_field: seen.task_id,
                tasks.state_field: seen.state,
                **_echoed(seen.request),
            }
        return self._write(self.created, seen)

    def task_body(self, seen: Seen) -> dict[str, Any]:
        """The task as the task-reading operation and a callback show it."""
        if self.body is None:
            tasks = self.tasks
            body: dict[str, Any] = {
                "id": seen.task_id,
                tasks.state_field: seen.state,
                tasks.error_code_field: seen.err_code,
                **_echoed(seen.request),
            }
            if tasks.results_field:
                body[tasks.results_field] = seen.results
            return body
        return self._write(self.body, seen)

    def listed_body(self, seen: Seen, *, leave_out: frozenset[str]) -> dict[str, Any]:
        """The task as the list shows it, without the fields ``leave_out``."""
        writer = self.listed
        if writer is None:
            body = self.task_body(seen)
        else:
            body = self._write(writer, seen, (self.body, writer))
        return {k: v for k, v in body.items() if k not in leave_out}

    def _write(
        self,
        writer: _Writer,
        seen: Seen,
        samples: tuple[_Writer | None, ...] = (),
    ) -> dict[str, Any]:
        """A body of ``writer``'s shape for ``seen``; the values of the
        examples of ``samples`` (default: ``writer``'s own), the first that
        gives one."""
        tasks = self.tasks
        known: dict[str, object] = {
            "id": seen.task_id,
            tasks.id_field: seen.task_id,
            tasks.state_field: seen.state,
            tasks.error_code_field: seen.err_code,
        }
        if tasks.results_field:
            known[tasks.results_field] = seen.results
        body: dict[str, Any] = {}
        for name in writer.shape.fields:
            if name in known:
                body[name] = known[name]
            elif name in seen.request:
                body[name] = seen.request[name]
            elif name in self.request_fields:
                continue
            elif name in writer.times:
                body[name] = seen.created_at
            else:
                for source in samples or (writer,):
                    value = _MISSING
                    if source is not None:
                        value = source.sample(name, seen.state, self.kind)
                    if value is not _MISSING:
                        body[name] = value
                        break
        return body


def _echoed(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request as a body without a shape echoes it (no callback URL)."""
    return {k: v for k, v in request.items() if k != "callback_url"}
