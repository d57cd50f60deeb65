"""What the batch runner asks of the service, as a small interface.

The runner does not call HTTP itself. It asks a :class:`Service` to create a
task, read one, download a result, list the tasks created in a window of
time (every page) and say how many tasks may run at once. A generated
package binds its client to this interface (:class:`ClientService`); tests
may bind anything that keeps the same promises.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import attrs

from ..client import BaseClient
from ..errors import APITimeoutError, BaseError, UnexpectedResponseError
from ..pagination import (
    DEFAULT_MAX_PAGES,
    DEFAULT_PAGES_TIMEOUT,
    page_token,
    pages_deadline,
)
from ..tables import Operation, Tasks

__all__ = [
    "LIST_TIMEOUT",
    "MAX_PAGES",
    "BatchUnsupported",
    "Capacity",
    "ClientService",
    "Created",
    "ListTooLong",
    "ListUnreadable",
    "Service",
    "TaskFinder",
    "TaskView",
    "listed",
]


@attrs.frozen
class Created:
    """What a create's answer says of the new task."""

    task_id: str
    credits: int | None = None
    created_at: str | None = None


@attrs.frozen
class TaskView:
    """A task as the runner needs it, read from the task or the task list."""

    task_id: str
    state: str | None = None
    payload: str | None = None
    """The pass-through field (the runner's ``marker_field``) as the service
    shows it, the marker still in front; ``None`` when the answer leaves it
    out."""
    credits: int | None = None
    err_code: str | None = None
    url: str | None = None
    """The first result's download URL, once the task succeeded: its field
    :attr:`~specgen_runtime.tables.TaskShapes.download`."""
    created_at: str | None = None


class TaskFinder(Protocol):
    """Lists the account's tasks by creation time."""

    def tasks_created(self, start: datetime, end: datetime) -> Iterable[TaskView]:
        """Every task created from ``start`` to ``end``, reading every page.

        An error (of any page) is raised, never swallowed: a partial list
        proves nothing.
        """
        ...


class Capacity(Protocol):
    """Says how many tasks the account may run at once."""

    def concurrency_limit(self) -> int | None:
        """The account's limit, or ``None`` when the service does not say."""
        ...


class Service(TaskFinder, Capacity, Protocol):
    """Everything the runner asks of the service."""

    tasks: Tasks
    """Where a task keeps its id and state, and which states are final."""
    poll_batch: int
    """How many tasks :meth:`tasks_by_id` reads at once; 0 if it cannot."""

    def tasks_by_id(self, task_ids: Sequence[str]) -> list[TaskView]:
        """Read several tasks in one request (when ``poll_batch`` > 0)."""
        ...

    def create(self, body: Mapping[str, Any]) -> Created:
        """Send the creating request with ``body`` (already checked)."""
        ...

    def get(self, task_id: str) -> TaskView:
        """Read one task."""
        ...

    def download(self, url: str, path: Path) -> Path:
        """Save ``url`` at ``path`` whole or not at all, never overwriting."""
        ...


def _text(value: object) -> str | None:
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str) else None


def _credits(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _get(task: object, name: str) -> object:
    if isinstance(task, Mapping):
        return task.get(name)
    return getattr(task, name, None)


def view(
    task: object,
    tasks: Tasks,
    task_id: str | None = None,
    *,
    marker_field: str | None = None,
) -> TaskView:
    """A :class:`TaskView` of a task object or JSON object, as read back.

    The id is ``task_id`` when given, else the task's ``tasks.body_id_field``
    or ``tasks.id_field``; the payload is the field ``marker_field``
    (default ``tasks.pass_through_field``), the credits ``tasks.credits_field``.
    """
    ids = (tasks.body_id_field, tasks.id_field)
    found = task_id or next(
        (text for name in ids if name and (text := _text(_get(task, name)))), None
    )
    field = marker_field or tasks.pass_through_field
    results = _get(task, tasks.results_field) if tasks.results_field else None
    download = tasks.shapes.download if tasks.shapes is not None else None
    url = None
    if download is not None and isinstance(results, list | tuple) and results:
        url = _text(_get(results[0], download))
    return TaskView(
        task_id=found or "",
        state=_text(_get(task, tasks.state_field)),
        payload=_text(_get(task, field)) if field else None,
        credits=_task_credits(task, tasks),
        err_code=_text(_get(task, tasks.error_code_field)) or None,
        url=url,
        created_at=_created_at(task, tasks),
    )


def _task_credits(task: object, tasks: Tasks) -> int | None:
    """What ``task`` costs: its field ``tasks.credits_field`` (``None``
    without one)."""
    if tasks.credits_field is None:
        return None
    return _credits(_get(task, tasks.credits_field))


def _created_at(task: object, tasks: Tasks) -> str | None:
    """When ``task`` was created: the first date-time field of the tables'
    task bodies it gives (``None`` without them)."""
    names = tasks.shapes.time_fields() if tasks.shapes is not None else ()
    return next((t for name in names if (t := _text(_get(task, name)))), None)


MAX_PAGES = DEFAULT_MAX_PAGES
"""How many pages one read of the task list may take unless told otherwise
(as many as ``Page.iter_pages`` reads)."""
LIST_TIMEOUT = DEFAULT_PAGES_TIMEOUT
"""How many seconds one read of the task list, every page, may take unless
told otherwise (as long as ``Page.iter_pages`` takes)."""


class ListTooLong(BaseError):
    """One read of the task list went on past its limit of pages
    (:data:`MAX_PAGES`) or of time (:data:`LIST_TIMEOUT`), or repeated a
    page token: the message names the limit and how to raise it."""


class BatchUnsupported(BaseError, LookupError):
    """The spec lacks what a batch needs (a task list read by creation time,
    a task read, ...): raised before anything is sent."""


class ListUnreadable(BaseError):
    """A page of the task list cannot be read whole (its items are not a
    list, an item is not an object, or its next-page token is present but
    not a non-empty string): the list proves nothing, so no create is taken
    as absent from it, and no task as missing."""


def _is_object(item: object) -> bool:
    """Whether a listed item is a task object (a JSON object, or a response
    class reading one), not a bare value."""
    return isinstance(item, Mapping) or attrs.has(type(item))


def listed(answer: object, items: str, where: str) -> Sequence[object]:
    """The tasks an answer of the task list holds in its field ``items``.

    :raises ListUnreadable: the field is not a list, or one of its items is
        not an object; ``where`` names the answer in the message (such as
        ``"page 2 of the task list"``).
    """
    found = _get(answer, items)
    if not isinstance(found, list | tuple):
        raise ListUnreadable(
            f"{where} has no list {items!r} (it has {type(found).__name__}): "
            "the list cannot tell which tasks exist"
        )
    for index, item in enumerate(found):
        if not _is_object(item):
            raise ListUnreadable(
                f"{where} holds {type(item).__name__} at {items}[{index}], not a "
                "task object: the list cannot tell which tasks exist"
            )
    return found


@attrs.define
class ClientService:
    """A :class:`Service` over a generated client, found from its tables.

    The creating operation is ``operation`` (the client method of that id,
    called with the body's fields and ``validation="off"``: the runner
    checked it already); the task is read with the operation of
    ``task: get``; the list is the operation of ``task: list``, read page
    after page through its pagination with the window in its two
    ``datetime`` query parameters (``...from`` and ``...to``); the
    concurrency limit is the answer of the operation that reports
    ``concurrency``, when the spec has one.
    """

    client: BaseClient[Any]
    operation: Operation
    page_size: int | None = 100
    max_pages: int = MAX_PAGES
    list_timeout: float = LIST_TIMEOUT
    """The longest one read of the task list (every page) may take."""
    marker_field: str | None = None
    """The pass-through field the runner's marker travels in (default the
    tables' ``tasks.pass_through_field``)."""
    tasks: Tasks = attrs.field(init=False)
    poll_batch: int = attrs.field(init=False, default=0)
    _get: Operation = attrs.field(init=False)
    _ids: str | None = attrs.field(init=False, default=None)
    _list: Operation = attrs.field(init=False)
    _window: tuple[str, str] = attrs.field(init=False)
    _capacity: Operation | None = attrs.field(init=False)
    _clock: Callable[[], float] = attrs.field(
        default=time.monotonic, kw_only=True, alias="clock"
    )

    def __attrs_post_init__(self) -> None:
        """Find the operations the runner needs.

        :raises BatchUnsupported: the spec lacks one (nothing sent yet).
        """
        try:
            self._find_operations()
        except LookupError as exc:
            if isinstance(exc, BatchUnsupported):
                raise
            raise BatchUnsupported(
                f"a batch cannot run over the {self.client._api.name} spec: {exc}"
            ) from None

    def _find_operations(self) -> None:
        api = self.client._api
        self.tasks = api.require_tasks()
        if self.marker_field is None:
            self.marker_field = self.tasks.pass_through_field
        if self.marker_field is None:
            raise LookupError(
                f"the {api.name} spec's tasks section names no pass_through_field "
                "(a text field the task keeps and shows again) to carry a batch "
                "job's marker"
            )
        operations = list(api.operations.values())
        self._get = _one(api.name, operations, "task: get", lambda o: o.task == "get")
        self._list = _one(
            api.name,
            operations,
            "task: list with pagination",
            lambda o: o.task == "list" and o.pagination is not None,
        )
        dated = [q for q in self._list.query if q.kind == "datetime"]
        start = [q.py_name for q in dated if q.name.endswith("from")]
        end = [q.py_name for q in dated if q.name.endswith("to")]
        if len(start) != 1 or len(end) != 1:
            raise LookupError(
                f"the {api.name} spec's list operation {self._list.id} needs one "
                "datetime query parameter ending in 'from' and one in 'to'"
            )
        self._window = (start[0], end[0])
        pagination = self._list.pagination
        assert pagination is not None
        _py_name(self._list, pagination.token)  # the token is sent back
        if pagination.page_size is not None and self.page_size is not None:
            size = [q for q in self._list.query if q.name == pagination.page_size]
            bounds = size[0].range if size else None
            if bounds is not None:  # the most the list takes, if less
                self.page_size = max(min(self.page_size, bounds[1]), bounds[0])
        ids = [q for q in self._list.query if q.name == "task_ids" and q.repeated]
        if ids and self.page_size:
            self._ids = ids[0].py_name
            self.poll_batch = self.page_size
        reporting = [o for o in operations if o.concurrency is not None]
        self._capacity = reporting[0] if reporting else None

    def _method(self, operation: Operation) -> Callable[..., object]:
        method: Callable[..., object] = getattr(
            self.client, operation.id.replace("-", "_")
        )
        return method

    def create(self, body: Mapping[str, Any]) -> Created:
        """Send the create (checked already, so not checked again)."""
        answer = self._method(self.operation)(validation="off", **body)
        task_id = _text(_get(answer, self.tasks.id_field))
        if not task_id:
            raise ValueError("the create's answer carries no task id")
        return Created(
            task_id,
            _task_credits(answer, self.tasks),
            _created_at(answer, self.tasks),
        )

    def get(self, task_id: str) -> TaskView:
        """Read task ``task_id``."""
        answer = self._method(self._get)(task_id)
        return view(answer, self.tasks, task_id, marker_field=self.marker_field)

    def tasks_created(self, start: datetime, end: datetime) -> Iterator[TaskView]:
        """Every task of the list in the window, page after page.

        :raises ListTooLong: more than ``max_pages`` pages, more than
            ``list_timeout`` seconds (each page's request ends by then), or
            a page token given twice (a list that would never end).
        """
        pagination = self._list.pagination
        assert pagination is not None
        token_name = _py_name(self._list, pagination.token)
        size_name = (
            _py_name(self._list, pagination.page_size)
            if pagination.page_size is not None and self.page_size is not None
            else None
        )
        method = self._method(self._list)
        query: dict[str, object] = {
            self._window[0]: _rfc3339(start),
            self._window[1]: _rfc3339(end),
        }
        if size_name is not None:
            query[size_name] = self.page_size
        seen: set[str] = set()
        at = self._clock() + self.list_timeout
        for number in range(1, self.max_pages + 1):
            if self._clock() >= at:
                raise self._out_of_time(number - 1)
            try:
                with pages_deadline(at, self._clock):
                    page = method(**query)
            except APITimeoutError as exc:
                if self._clock() < at:
                    raise
                raise self._out_of_time(number - 1) from exc
            answer = getattr(page, "response", page)  # a Page, or the answer itself
            where = f"page {number} of the task list"
            items = listed(answer, pagination.items, where)
            try:
                token = page_token(
                    _get(answer, pagination.next_token), pagination.next_token
                )
            except UnexpectedResponseError as exc:
                raise ListUnreadable(f"{where} cannot be read on: {exc}") from exc
            for task in items:
                yield view(task, self.tasks, marker_field=self.marker_field)
            if token is None:
                return
            if token in seen:
                raise ListTooLong(f"the task list gave the page token {token!r} twice")
            seen.add(token)
            query[token_name] = token
        raise ListTooLong(
            f"the task list goes on past max_pages={self.max_pages} pages: pass a "
            "larger max_pages= to the batch run (--max-pages) to read more, or a "
            "smaller window_margin"
        )

    def _out_of_time(self, pages: int) -> ListTooLong:
        return ListTooLong(
            f"reading the task list took longer than list_timeout="
            f"{self.list_timeout:g} s ({pages} pages read, more remain): pass a "
            "larger list_timeout= to the batch run (--list-timeout) to read longer"
        )

    def tasks_by_id(self, task_ids: Sequence[str]) -> list[TaskView]:
        """The tasks ``task_ids`` in one request of the list, filtered by id
        (at most :attr:`poll_batch`; a task the list leaves out is absent).

        :raises ListUnreadable: the answer's items are not a list of task
            objects: it tells nothing of the tasks, so none is taken as
            absent.
        """
        if self._ids is None or len(task_ids) > self.poll_batch:
            raise ValueError(f"reads at most {self.poll_batch} tasks at once")
        pagination = self._list.pagination
        assert pagination is not None
        query: dict[str, object] = {self._ids: list(task_ids)}
        if pagination.page_size is not None:
            query[_py_name(self._list, pagination.page_size)] = self.poll_batch
        page = self._method(self._list)(**query)
        answer = getattr(page, "response", page)
        found = listed(answer, pagination.items, "the task list filtered by id")
        return [
            view(task, self.tasks, marker_field=self.marker_field) for task in found
        ]

    def concurrency_limit(self) -> int | None:
        """The account's ``concurrency_limit`` (``None``: the spec has no
        such operation or the answer leaves it out)."""
        operation = self._capacity
        if operation is None or operation.concurrency is None:
            return None
        answer = self._method(operation)()
        limit = _credits(_get(answer, operation.concurrency.limit))
        return limit if limit is not None and limit > 0 else None

    def download(self, url: str, path: Path) -> Path:
        """The client's download: whole or nothing, nothing overwritten."""
        return self.client.download(url, path)


def _rfc3339(moment: datetime) -> str:
    """``moment`` as RFC 3339 text in UTC, such as ``2025-01-01T15:41:31.5Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _one(
    name: str,
    operations: list[Operation],
    what: str,
    test: Callable[[Operation], bool],
) -> Operation:
    found = [o for o in operations if test(o)]
    if not found:
        raise LookupError(
            f"a batch needs an operation with {what}: the {name} spec has none"
        )
    return found[0]


def _py_name(operation: Operation, wire: str) -> str:
    for param in operation.query:
        if param.name == wire:
            return param.py_name
    raise LookupError(f"{operation.id} has no query parameter {wire!r}")
