"""Query parameters and page-token pagination of list operations.

A generated client method gathers its keyword arguments with
:func:`query_values` (checked against the operation's
:class:`~specgen_runtime.tables.QueryParam` rows) and, for an operation with
:class:`~specgen_runtime.tables.Pagination`, returns the first :class:`Page`
from :func:`first_page`. As with the OpenAI and Stripe clients, a page holds
its own answer, and iterating over it yields every item of every page,
fetching the next ones as needed::

    for task in client.list_tasks(states=["success"]):   # every page
        ...
    page = client.list_tasks(page_size=50)
    page.items, page.next_token, page.has_next_page()
    for page in page.iter_pages(): ...

Bounded whatever the server sends: at most ``max_pages`` pages
(:data:`DEFAULT_MAX_PAGES`) and ``timeout`` seconds in all
(:data:`DEFAULT_PAGES_TIMEOUT`) per iteration, each a
:class:`PageLimitExceeded` naming the limit and how to raise it; a server
that sends a page token it sent before (which would loop for ever) raises
:class:`PaginationLoop`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Generic, TypeVar

from .errors import PageLimitExceeded, PaginationLoop
from .tables import Operation, Pagination, QueryParam
from .violations import ValidationError, Violation

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_PAGES_TIMEOUT",
    "Page",
    "PageLimitExceeded",
    "PaginationLoop",
    "first_page",
    "query_values",
]

R = TypeVar("R")
I = TypeVar("I")  # noqa: E741  (the item type, as in the generated annotations)

DEFAULT_MAX_PAGES = 1000
"""The most pages one iteration fetches unless told otherwise."""
DEFAULT_PAGES_TIMEOUT = 600.0
"""Seconds one iteration over every page may take unless told otherwise."""

QueryValue = str | int | bool | list[str | int]
"""A query value as sent: a list stands for one ``name=value`` pair per item."""


def _wrong(param: QueryParam, value: object, expected: str) -> Violation:
    return Violation(
        "error",
        param.py_name,
        f"{param.py_name}.type",
        f"{param.py_name} must be {expected}, got {type(value).__name__}",
    )


def _one(param: QueryParam, value: object) -> tuple[str | int | None, Violation | None]:
    """One value of ``param`` as sent, or why it cannot be."""
    kind = param.kind
    if kind == "integer":
        if type(value) is not int:
            return None, _wrong(param, value, "an integer")
        low_high = param.range
        if low_high is not None and not low_high[0] <= value <= low_high[1]:
            return None, Violation(
                "error",
                param.py_name,
                f"{param.py_name}.range",
                f"{param.py_name} {value} is outside {low_high[0]}-{low_high[1]}",
            )
        return value, None
    if kind == "datetime" and isinstance(value, datetime):
        if value.tzinfo is None:
            return None, Violation(
                "error",
                param.py_name,
                f"{param.py_name}.timezone",
                f"{param.py_name} needs a timezone-aware datetime (such as tzinfo=UTC)",
            )
        text = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return text, None
    if not isinstance(value, str):
        expected = "an RFC 3339 date-time string" if kind == "datetime" else "a string"
        return None, _wrong(param, value, expected)
    return str(value), None  # an enum member as its plain value


def query_values(
    operation: Operation, given: Mapping[str, object]
) -> dict[str, QueryValue]:
    """The query of a call: ``given`` (keyword arguments by Python name,
    ``None`` for those left out) by wire name, checked.

    A ``repeated`` parameter takes a list (a single value counts as a list
    of one); a boolean travels as ``true``/``false``, a ``datetime`` as RFC
    3339 text (a timezone-aware :class:`~datetime.datetime` is converted).

    :raises ValidationError: a value of the wrong type, or an integer outside
        its range; nothing is sent.
    """
    query: dict[str, QueryValue] = {}
    problems: list[Violation] = []
    for param in operation.query:
        value = given.get(param.py_name)
        if value is None:
            if param.required:
                problems.append(
                    Violation(
                        "error",
                        param.py_name,
                        f"{param.py_name}.required",
                        f"{param.py_name} is required",
                    )
                )
            continue
        if param.kind == "boolean":
            if type(value) is not bool:
                problems.append(_wrong(param, value, "true or false"))
            else:
                query[param.name] = value
            continue
        if param.repeated:
            values: Sequence[object] = (
                value if isinstance(value, list | tuple) else [value]
            )
            sent: list[str | int] = []
            for item in values:
                one, problem = _one(param, item)
                if problem is not None:
                    problems.append(problem)
                elif one is not None:
                    sent.append(one)
            if sent:
                query[param.name] = sent
            continue
        one, problem = _one(param, value)
        if problem is not None:
            problems.append(problem)
        elif one is not None:
            query[param.name] = one
    if problems:
        raise ValidationError(problems)
    return query


def _token(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class Page(Generic[R, I]):
    """One page of a list operation: its answer, its items, the next token.

    Iterating over a page yields the items of this page and of every page
    after it (:meth:`auto_paging_iter` with its default bounds).
    """

    def __init__(
        self,
        response: R,
        *,
        pagination: Pagination,
        fetch: Callable[[str], R],
        seen: frozenset[str] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.response = response
        """The answer, as its response class read it."""
        self._pagination = pagination
        self._fetch = fetch
        self._seen = seen
        self._clock = clock

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} of {type(self.response).__name__}: "
            f"{len(self.items)} items, next token {self.next_token!r}>"
        )

    @property
    def items(self) -> list[I]:
        """The items of this page (an answer without them has none)."""
        found = getattr(self.response, self._pagination.items, None)
        return list(found) if isinstance(found, list) else []

    @property
    def next_token(self) -> str | None:
        """The token of the next page; ``None`` on the last page."""
        return _token(getattr(self.response, self._pagination.next_token, None))

    def has_next_page(self) -> bool:
        """Whether the answer names a next page."""
        return self.next_token is not None

    def get_next_page(self) -> Page[R, I]:
        """Fetch the next page.

        :raises LookupError: this is the last page.
        :raises PaginationLoop: the server sent this token before.
        """
        token = self.next_token
        if token is None:
            raise LookupError("this is the last page: it names no next page")
        return self._follow(token, self._seen, pages=len(self._seen) + 1)

    def _follow(self, token: str, seen: frozenset[str], *, pages: int) -> Page[R, I]:
        if token in seen:
            raise PaginationLoop(
                f"the server sent page token {token[:80]!r} again after {pages} "
                f"pages: following it would read the same pages for ever",
                token=token,
            )
        return Page(
            self._fetch(token),
            pagination=self._pagination,
            fetch=self._fetch,
            seen=seen | {token},
            clock=self._clock,
        )

    def iter_pages(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> Iterator[Page[R, I]]:
        """This page and every page after it, fetched one at a time.

        :param max_pages: the most pages to read, this one included.
        :param timeout: seconds from the first ``next()`` after which no
            further page is asked for (each request has the client's own
            deadline too); ``None`` for no limit.
        :raises PageLimitExceeded: more pages than ``max_pages``, or past
            ``timeout``.
        :raises PaginationLoop: the server repeated a page token.
        """
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be positive")
        start = self._clock()
        page: Page[R, I] = self
        seen = set(self._seen)
        for count in range(1, max_pages + 1):
            yield page
            token = page.next_token
            if token is None:
                return
            if count == max_pages:
                break
            if timeout is not None and self._clock() - start > timeout:
                raise PageLimitExceeded(
                    f"listing stopped after {count} pages and {timeout:g} s "
                    f"(timeout={timeout:g}): more pages remain; pass a larger "
                    f"timeout= to iter_pages() or auto_paging_iter()",
                    limit="timeout",
                    pages=count,
                )
            page = page._follow(token, frozenset(seen), pages=count)
            seen.add(token)
        raise PageLimitExceeded(
            f"listing stopped after max_pages={max_pages} pages: more pages "
            f"remain; pass a larger max_pages= to iter_pages() or "
            f"auto_paging_iter(), or narrow the filters",
            limit="max_pages",
            pages=max_pages,
        )

    def auto_paging_iter(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> Iterator[I]:
        """Every item of this page and of every page after it
        (bounded as :meth:`iter_pages`)."""
        for page in self.iter_pages(max_pages=max_pages, timeout=timeout):
            yield from page.items

    def __iter__(self) -> Iterator[I]:
        return self.auto_paging_iter()


def first_page(
    operation: Operation,
    query: Mapping[str, QueryValue],
    call: Callable[[Mapping[str, QueryValue]], R],
    *,
    clock: Callable[[], float] = time.monotonic,
) -> Page[R, I]:
    """Ask for the first page with ``query`` (``call`` sends it) and return it;
    later pages are asked for with the same query and the next token.

    A token given in ``query`` (to resume a listing) counts as seen: a
    server that sends it back is looping.
    """
    pagination = operation.pagination
    if pagination is None:
        raise LookupError(f"operation {operation.id} is not paged")
    base = dict(query)

    def fetch(token: str) -> R:
        return call({**base, pagination.token: token})

    given = _token(base.get(pagination.token))
    return Page(
        call(base),
        pagination=pagination,
        fetch=fetch,
        seen=frozenset({given} if given else ()),
        clock=clock,
    )
