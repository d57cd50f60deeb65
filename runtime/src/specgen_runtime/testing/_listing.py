"""The fake server's task list: query parameters, filters and page tokens.

Everything comes from the list operation's tables
(:class:`~specgen_runtime.tables.QueryParam`,
:class:`~specgen_runtime.tables.Pagination`); what a parameter filters on is
read from its name:

- a ``datetime`` parameter ending in ``.from``/``_from`` (``.to``/``_to``)
  keeps tasks created at or after (at or before) it, both inclusive: the
  creation time is the one time a fake task keeps;
- any other parameter keeps tasks whose field of the singular name
  (``states`` -> ``state``, ``statuses`` -> ``status``, ``task_ids`` -> the
  task id) or, failing that, of the name's first word (``model_versions`` ->
  ``model``) is one of the values given; a task without such a field is
  left out.

A list asked not to echo the request (``echo_payload=False``) leaves out of
each task the fields of its request that no filter reads (a pass-through
``payload``, for one).

Tasks are listed newest first. A page token names the last task of the page
before it, so tasks created while a list is read never shift its pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import attrs

from ..tables import Operation, Pagination, QueryParam
from ._tasks import FakeTask

_TOKEN_PREFIX = "page-"
_MAX_QUERY_PAIRS = 1000


class BadQuery(ValueError):
    """A query the service would refuse: ``reason`` is its error code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _parse_time(param: QueryParam, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise BadQuery(
            "FieldInvalid",
            f"invalid field: {param.name} (an RFC 3339 date-time with a timezone)",
        )
    return moment


@attrs.frozen
class _Filter:
    param: QueryParam
    fields: tuple[str, ...]
    """The task fields it compares, the first one a task has (none for a
    date-time bound: it compares the creation time)."""
    bound: str | None = None
    """``"from"`` or ``"to"`` for a date-time bound."""


def _filter_of(param: QueryParam, id_field: str) -> _Filter | None:
    name = param.name
    if param.kind == "datetime":
        for bound in ("from", "to"):
            for sep in (".", "_"):
                if name.endswith(sep + bound):
                    return _Filter(param, (), bound)
        return None
    if param.kind == "boolean":
        return None  # a switch of the answer's detail, not a filter
    names = [name]
    if param.repeated and name.endswith("s"):
        names = [name[:-1], name[:-2]] if name.endswith("es") else [name[:-1]]
    if id_field in names:
        return _Filter(param, ("id",))
    names.append(names[0].split("_")[0])
    return _Filter(param, tuple(dict.fromkeys(names)))


@attrs.frozen(eq=False)
class Listing:
    """How the fake server answers one list operation."""

    operation: Operation
    pagination: Pagination
    filters: tuple[_Filter, ...]
    page_size: QueryParam | None

    @classmethod
    def of(cls, operation: Operation, id_field: str) -> Listing:
        """The listing of ``operation`` (it must have ``pagination``)."""
        pagination = operation.pagination
        if pagination is None:
            raise LookupError(f"operation {operation.id} has no pagination")
        skip = {pagination.token, pagination.page_size}
        filters = tuple(
            found
            for param in operation.query
            if param.name not in skip
            and (found := _filter_of(param, id_field)) is not None
        )
        size = next(
            (q for q in operation.query if q.name == pagination.page_size), None
        )
        return cls(operation, pagination, filters, size)

    def page(
        self,
        tasks: Sequence[FakeTask],
        query: str,
        *,
        default_size: int,
        files_url: str,
        echo_payload: bool,
        request_fields: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        """The answer to one list request (``query``: the raw query string).

        ``tasks`` are in creation order. Without ``echo_payload``, each task
        leaves out the ``request_fields`` that no filter reads.

        :raises BadQuery: a value the service would refuse.
        """
        given = _values(query)
        size = self._size(given, default_size)
        after = self._after(given)
        checks = [
            (f, _check(f, given[f.param.name]))
            for f in self.filters
            if f.param.name in given
        ]
        read = {name for found in self.filters for name in found.fields}
        leave_out = frozenset() if echo_payload else request_fields - read
        items: list[dict[str, Any]] = []
        last: FakeTask | None = None
        more = False
        for task in _newest_first(tasks, after):
            if not all(_keeps(task, f, values) for f, values in checks):
                continue
            if len(items) == size:
                more = True
                break
            items.append(task.listed(files_url, leave_out=leave_out))
            last = task
        token = f"{_TOKEN_PREFIX}{last.serial}" if more and last is not None else ""
        return {self.pagination.items: items, self.pagination.next_token: token}

    def _size(self, given: dict[str, list[str]], default: int) -> int:
        param = self.page_size
        if param is None or param.name not in given:
            return default
        text = given[param.name][-1]
        try:
            size = int(text)
        except ValueError:
            raise BadQuery(
                "FieldInvalid", f"invalid field: {param.name} (a whole number)"
            ) from None
        low, high = param.range or (1, 1000)
        if not low <= size <= high:
            raise BadQuery(
                "PageSizeOutOfRange",
                f"page size {size} is out of range {low}-{high}",
            )
        return size

    def _after(self, given: dict[str, list[str]]) -> int | None:
        """The serial the page starts below, from the page token if any."""
        texts = given.get(self.pagination.token)
        if not texts or not texts[-1]:
            return None
        text = texts[-1]
        number = text.removeprefix(_TOKEN_PREFIX)
        if not text.startswith(_TOKEN_PREFIX) or not number.isdigit():
            raise BadQuery("BadRequest", f"invalid page token {text[:80]!r}")
        return int(number)


def _values(query: str) -> dict[str, list[str]]:
    try:
        pairs = parse_qsl(
            query, keep_blank_values=True, max_num_fields=_MAX_QUERY_PAIRS
        )
    except ValueError:
        raise BadQuery(
            "BadRequest", f"more than {_MAX_QUERY_PAIRS} query parameters"
        ) from None
    given: dict[str, list[str]] = {}
    for name, value in pairs:
        given.setdefault(name, []).append(value)
    return given


def _check(found: _Filter, values: list[str]) -> list[str] | datetime:
    """A filter's values as compared: a date-time bound parsed once."""
    if found.bound is not None:
        return _parse_time(found.param, values[-1])
    return values


def _newest_first(tasks: Sequence[FakeTask], after: int | None) -> Iterable[FakeTask]:
    """Tasks from the newest, starting below serial ``after`` if given.

    Serials grow with the position, so the start is found by bisection.
    """
    end = len(tasks)
    if after is not None:
        low, high = 0, len(tasks)
        while low < high:
            middle = (low + high) // 2
            if tasks[middle].serial < after:
                low = middle + 1
            else:
                high = middle
        end = low
    return (tasks[i] for i in range(end - 1, -1, -1))


def _keeps(task: FakeTask, found: _Filter, values: list[str] | datetime) -> bool:
    if isinstance(values, datetime):
        moment = task.created_at
        return moment >= values if found.bound == "from" else moment <= values
    for name in found.fields:
        value = task.value(name)
        if value is not None:
            return str(value) in values
    return False
