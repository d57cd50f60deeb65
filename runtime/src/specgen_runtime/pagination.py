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
:class:`PaginationLoop`. The ``timeout`` is a deadline: each page's request
gets at most the time left (:func:`pages_time_left` tells the client), and a
request cut short by it raises :class:`PageLimitExceeded` too.

:meth:`Page.get_next_page`, one step taken by hand, has the same bounds: its
request ends within its own ``timeout`` (:data:`DEFAULT_PAGES_TIMEOUT`
seconds unless told otherwise, and the client's ``timeout`` bounds it too),
it refuses to go past page ``max_pages`` of the listing (counted from its
first page, :attr:`BasePage.number`), and a token sent before is a
:class:`PaginationLoop`; so ``while page.has_next_page(): page =
page.get_next_page()`` ends whatever the server sends.

A next-page token is read by :func:`page_token`: an empty string, ``null``
or no token at all means the last page; anything else that is not a
non-empty string (a number, an object), or a token longer than
:data:`MAX_TOKEN_CHARS`, raises :class:`UnexpectedResponseError` naming the
field. Only a hash of each token followed is kept to notice a loop, and
messages show at most :data:`TOKEN_SHOWN` characters of one.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Generic, Self, TypeVar

from .errors import (
    APITimeoutError,
    PageLimitExceeded,
    PaginationLoop,
    UnexpectedResponseError,
)
from .tables import Operation, Pagination, QueryParam
from .violations import Mode, ValidationError, Violation, check_mode, enforce

__all__ = [
    "DEFAULT_MAX_PAGES",
    "DEFAULT_PAGES_TIMEOUT",
    "MAX_TOKEN_CHARS",
    "TOKEN_SHOWN",
    "BasePage",
    "Page",
    "PageLimitExceeded",
    "PageWalk",
    "PaginationLoop",
    "first_page",
    "page_token",
    "pages_time_left",
    "query_values",
    "token_digest",
    "token_preview",
]

R = TypeVar("R")
I = TypeVar("I")  # noqa: E741  (the item type, as in the generated annotations)

DEFAULT_MAX_PAGES = 1000
"""The most pages one iteration fetches unless told otherwise."""
DEFAULT_PAGES_TIMEOUT = 600.0
"""Seconds one iteration over every page may take unless told otherwise."""

MAX_TOKEN_CHARS = 4096
"""The longest next-page token accepted (a longer one is an
:class:`UnexpectedResponseError`): page tokens are short cursors."""
TOKEN_SHOWN = 40
"""How many characters of a page token a message shows at most."""

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
    """One value of ``param`` as sent, or why it cannot be sent at all."""
    kind = param.kind
    if kind == "integer":
        if type(value) is not int:
            return None, _wrong(param, value, "an integer")
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


def _breaks(param: QueryParam, value: str | int, where: str) -> Violation | None:
    """How a value of the right type breaks the spec's rule for ``param``
    (its range, its choices, its date-time format), if it does.

    The violation's field is the parameter; its message starts with
    ``where``, the value's place: the parameter, or an item of its list
    (``states[1]``).
    """
    if isinstance(value, int):
        low_high = param.range
        if low_high is not None and not low_high[0] <= value <= low_high[1]:
            return Violation(
                "error",
                param.py_name,
                f"{param.py_name}.range",
                f"{where} {value} is outside {low_high[0]}-{low_high[1]}",
            )
        return None
    if param.choices is not None and value not in param.choices:
        return Violation(
            "error",
            param.py_name,
            f"{param.py_name}.choices",
            f"{where} {value!r} is not one of {', '.join(param.choices)}"
            f"{_closest(value, param.choices)}",
        )
    if param.kind == "datetime" and not _is_date_time(value):
        return Violation(
            "error",
            param.py_name,
            f"{param.py_name}.format",
            f"{where} {value!r} is not an RFC 3339 date-time with a timezone"
            " (such as 2025-01-31T00:00:00Z); pass one, or a timezone-aware"
            " datetime",
        )
    return None


def _closest(value: str, choices: tuple[str, ...]) -> str:
    """``" (did you mean x?)"`` for the choice nearest ``value``, if one is
    near enough to be a likely typo (a letter off, another case, a missing
    suffix such as ``720`` for ``720p``)."""
    near = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    if not near:
        folded = value.casefold()
        near = [c for c in choices if c.casefold().startswith(folded) and folded][:1]
    return f" (did you mean {near[0]}?)" if near else ""


def _is_date_time(text: str) -> bool:
    """Whether ``text`` is RFC 3339 date-time text with a timezone."""
    if len(text) < 20 or text[10] not in "Tt ":
        return False
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return False
    return moment.tzinfo is not None


def query_values(
    operation: Operation,
    given: Mapping[str, object],
    mode: Mode = "strict",
    *,
    package: str | None = None,
) -> dict[str, QueryValue]:
    """The query of a call: ``given`` (keyword arguments by Python name,
    ``None`` for those left out) by wire name, checked.

    A ``repeated`` parameter takes a list (a single value counts as a list
    of one); a boolean travels as ``true``/``false``, a ``datetime`` as RFC
    3339 text (a timezone-aware :class:`~datetime.datetime` is converted).

    A value the spec's tables rule out (one outside a parameter's choices,
    with the nearest choice suggested; date-time text that is not RFC 3339;
    an integer outside its range) is handled as ``mode`` says, as a body's
    fields are: ``"strict"`` raises, ``"warn"`` warns (a
    :class:`ValidationWarning` each, on the caller's line outside
    ``package``) and sends it, ``"off"`` sends it.

    :raises ValidationError: a required parameter missing or a value of a
        type the parameter cannot carry (in any mode), or a value the rules
        rule out (in ``"strict"`` mode); nothing is sent.
    """
    query: dict[str, QueryValue] = {}
    problems: list[Violation] = []
    broken: list[Violation] = []
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
            many = isinstance(value, list | tuple)
            sent: list[str | int] = []
            for index, item in enumerate(values):
                one, problem = _one(param, item)
                if problem is not None:
                    problems.append(problem)
                elif one is not None:
                    where = f"{param.py_name}[{index}]" if many else param.py_name
                    if (rule := _breaks(param, one, where)) is not None:
                        broken.append(rule)
                    sent.append(one)
            if sent:
                query[param.name] = sent
            continue
        one, problem = _one(param, value)
        if problem is not None:
            problems.append(problem)
        elif one is not None:
            if (rule := _breaks(param, one, param.py_name)) is not None:
                broken.append(rule)
            query[param.name] = one
    if problems:
        raise ValidationError(problems + broken)
    enforce(broken, check_mode(mode), package=package)
    return query


def token_preview(token: str) -> str:
    """``token`` as a message shows it: quoted, at most :data:`TOKEN_SHOWN`
    characters, with its length when cut."""
    if len(token) <= TOKEN_SHOWN:
        return repr(token)
    return f"{token[:TOKEN_SHOWN]!r}... ({len(token)} characters)"


def token_digest(token: str) -> bytes:
    """What is kept of a token followed, to notice a server repeating it."""
    return hashlib.blake2b(
        token.encode("utf-8", "surrogatepass"), digest_size=16
    ).digest()


def page_token(value: object, field: str) -> str | None:
    """The next-page token an answer's ``field`` holds; ``None`` on the last page.

    An empty string, ``None`` (``null`` or no field) means the last page.

    :raises UnexpectedResponseError: any other value that is not a non-empty
        string (a number, a boolean, an object, a list), or a string longer
        than :data:`MAX_TOKEN_CHARS`; the message names ``field`` and never
        shows more than :data:`TOKEN_SHOWN` characters of the value.
    """
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise UnexpectedResponseError(
            f"the answer's {field!r} is {type(value).__name__}, not a page "
            "token (a string; empty or absent on the last page)",
            status=200,
            raw=b"",
        )
    if len(value) > MAX_TOKEN_CHARS:
        raise UnexpectedResponseError(
            f"the answer's {field!r} is a page token of {len(value)} characters, "
            f"over the limit of MAX_TOKEN_CHARS={MAX_TOKEN_CHARS} "
            f"(specgen_runtime.pagination.MAX_TOKEN_CHARS): "
            f"{token_preview(value)}",
            status=200,
            raw=b"",
        )
    return value


_PAGES_DEADLINE: ContextVar[tuple[float, Callable[[], float]] | None] = ContextVar(
    "specgen_runtime_pages_deadline", default=None
)
"""The deadline of the page iteration whose request runs in this context."""


def pages_time_left() -> float | None:
    """Seconds left to the deadline of the page iteration fetching a page in
    this context (``None``: none); a client caps each call's deadline by it."""
    current = _PAGES_DEADLINE.get()
    if current is None:
        return None
    at, clock = current
    return at - clock()


@contextlib.contextmanager
def pages_deadline(at: float | None, clock: Callable[[], float]) -> Iterator[None]:
    """Calls made inside end by ``at`` (on ``clock``); ``None``: no change."""
    if at is None:
        yield
        return
    reset = _PAGES_DEADLINE.set((at, clock))
    try:
        yield
    finally:
        _PAGES_DEADLINE.reset(reset)


ITERATING = "iter_pages() or auto_paging_iter()"
"""Where an iteration's bounds are given, as a limit error names it."""
STEPPING = "get_next_page()"
"""Where the bounds of one step to the next page are given."""


def out_of_time(
    pages: int, timeout: float, where: str = ITERATING
) -> PageLimitExceeded:
    """The error for a listing past its ``timeout`` after ``pages`` pages
    (``where``: the call whose ``timeout=`` raises it)."""
    return PageLimitExceeded(
        f"listing stopped after {pages} pages and {timeout:g} s "
        f"(timeout={timeout:g}): more pages remain; pass a larger "
        f"timeout= to {where}",
        limit="timeout",
        pages=pages,
    )


def too_many(max_pages: int, where: str = ITERATING) -> PageLimitExceeded:
    """The error for a listing that read ``max_pages`` pages and more remain
    (``where``: the call whose ``max_pages=`` raises it)."""
    return PageLimitExceeded(
        f"listing stopped after max_pages={max_pages} pages: more pages "
        f"remain; pass a larger max_pages= to {where}, or narrow the filters",
        limit="max_pages",
        pages=max_pages,
    )


def check_bounds(max_pages: int, timeout: float | None) -> None:
    """:raises ValueError: ``max_pages`` below 1 or a ``timeout`` not positive."""
    if max_pages < 1:
        raise ValueError("max_pages must be at least 1")
    if timeout is not None and timeout <= 0:
        raise ValueError("timeout must be positive")


def looping(token: str, pages: int) -> PaginationLoop:
    """The error for a server that sent ``token`` again after ``pages`` pages."""
    return PaginationLoop(
        f"the server sent page token {token_preview(token)} again after {pages} "
        f"pages: following it would read the same pages for ever",
        token=token,
    )


@contextlib.contextmanager
def fetching_within(
    at: float | None,
    clock: Callable[[], float],
    *,
    timeout: float | None,
    pages: int,
    where: str,
) -> Iterator[None]:
    """Fetch a page inside: its request ends by ``at`` (on ``clock``), and a
    request cut short by that deadline raises :class:`PageLimitExceeded`
    (after ``pages`` pages, naming ``timeout=`` of ``where``); a timeout of
    the client's own is left as it is."""
    try:
        with pages_deadline(at, clock):
            yield
    except APITimeoutError as exc:
        if timeout is None or at is None or clock() < at:
            raise
        raise out_of_time(pages, timeout, where) from exc


F = TypeVar("F")


class PageWalk:
    """The bounds of one iteration over pages, checked page after page: a
    blocking and an asyncio iteration differ only in how they fetch.

    The ``timeout`` runs from when the walk is made (an iteration's first
    ``next()``).

    :raises ValueError: ``max_pages`` below 1 or a ``timeout`` not positive.
    """

    def __init__(
        self, max_pages: int, timeout: float | None, clock: Callable[[], float]
    ) -> None:
        check_bounds(max_pages, timeout)
        self.max_pages = max_pages
        self.timeout = timeout
        self.clock = clock
        self.at = None if timeout is None else clock() + timeout
        self.pages = 0
        """Pages yielded so far."""

    def follow(self, page: BasePage[Any, Any, Any]) -> str | None:
        """The token to follow after yielding ``page``; ``None`` on the last.

        :raises PageLimitExceeded: ``page`` was page ``max_pages``, or the
            ``timeout`` passed, and more pages remain.
        :raises PaginationLoop: a page before led to the same token.
        :raises UnexpectedResponseError: a next-page token that is not one.
        """
        self.pages += 1
        token = page.next_token
        if token is None:
            return None
        if self.pages == self.max_pages:
            raise too_many(self.max_pages)
        if self.timeout is not None and self.at is not None and self.clock() >= self.at:
            raise out_of_time(self.pages, self.timeout)
        return page._unseen(token, self.pages)

    def fetching(self) -> contextlib.AbstractContextManager[None]:
        """Fetch the next page inside: it ends by the walk's deadline."""
        return fetching_within(
            self.at, self.clock, timeout=self.timeout, pages=self.pages, where=ITERATING
        )


class BasePage(Generic[R, I, F]):
    """What a blocking :class:`Page` and an asyncio
    :class:`~specgen_runtime.async_client.AsyncPage` share: the answer, its
    items and next-page token, and the checks made before following it.

    ``F`` is how the next page is asked for (a function of the token
    returning the answer, or an awaitable of it).
    """

    def __init__(
        self,
        response: R,
        *,
        pagination: Pagination,
        fetch: F,
        seen: frozenset[bytes] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
        number: int = 1,
    ) -> None:
        self.response = response
        """The answer, as its response class read it."""
        self.number = number
        """Which page of the listing this is: 1 for the first one asked for."""
        self._pagination = pagination
        self._fetch = fetch
        self._seen = seen
        """The :func:`token_digest` of every token followed to get here."""
        self._clock = clock

    def __repr__(self) -> str:
        try:
            token = self.next_token
        except UnexpectedResponseError:
            shown = "unreadable"
        else:
            shown = "none" if token is None else token_preview(token)
        return (
            f"<{type(self).__name__} of {type(self.response).__name__}: "
            f"{len(self.items)} items, next token {shown}>"
        )

    @property
    def items(self) -> list[I]:
        """The items of this page (an answer without them has none)."""
        found = getattr(self.response, self._pagination.items, None)
        return list(found) if isinstance(found, list) else []

    @property
    def next_token(self) -> str | None:
        """The token of the next page; ``None`` on the last page.

        :raises UnexpectedResponseError: the answer's token is neither empty
            nor a string of at most :data:`MAX_TOKEN_CHARS` characters.
        """
        name = self._pagination.next_token
        return page_token(getattr(self.response, name, None), name)

    def has_next_page(self) -> bool:
        """Whether the answer names a next page."""
        return self.next_token is not None

    def _after(self, response: R, token: str) -> Self:
        """The page after this one: ``response``, read by following ``token``."""
        return type(self)(
            response,
            pagination=self._pagination,
            fetch=self._fetch,
            seen=self._seen | {token_digest(token)},
            clock=self._clock,
            number=self.number + 1,
        )

    def _unseen(self, token: str, pages: int) -> str:
        """``token``, which no page before this one led to.

        :raises PaginationLoop: one did; ``pages`` pages have been read.
        """
        if token_digest(token) in self._seen:
            raise looping(token, pages)
        return token

    def _step(self, max_pages: int, timeout: float | None) -> tuple[str, float | None]:
        """The token :meth:`get_next_page` follows, and the deadline it ends by.

        :raises LookupError: this is the last page.
        :raises PageLimitExceeded: this is page ``max_pages`` of the listing.
        :raises PaginationLoop: a page before this one led to the same token.
        """
        check_bounds(max_pages, timeout)
        token = self.next_token
        if token is None:
            raise LookupError("this is the last page: it names no next page")
        if self.number >= max_pages:
            raise too_many(max_pages, STEPPING)
        self._unseen(token, self.number)
        at = None if timeout is None else self._clock() + timeout
        return token, at


class Page(BasePage[R, I, Callable[[str], R]]):
    """One page of a list operation: its answer, its items, the next token.

    Iterating over a page yields the items of this page and of every page
    after it (:meth:`auto_paging_iter` with its default bounds).
    """

    def get_next_page(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> Page[R, I]:
        """Fetch the next page, bounded as one step of :meth:`iter_pages`.

        :param max_pages: the most pages of the listing, counted from its
            first page (:attr:`number`): a loop of ``get_next_page()`` calls
            ends there even when the server never stops.
        :param timeout: seconds by which this page's request ends; the
            client's own ``timeout`` bounds it too, and the earlier wins.
            ``None``: the client's alone.
        :raises LookupError: this is the last page.
        :raises PageLimitExceeded: this is page ``max_pages``, or the request
            was cut short by ``timeout``.
        :raises PaginationLoop: the server sent this token before.
        :raises UnexpectedResponseError: a next-page token that is not one
            (see :func:`page_token`).
        """
        token, at = self._step(max_pages, timeout)
        with fetching_within(
            at, self._clock, timeout=timeout, pages=self.number, where=STEPPING
        ):
            return self._after(self._fetch(token), token)

    def iter_pages(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> Iterator[Page[R, I]]:
        """This page and every page after it, fetched one at a time.

        :param max_pages: the most pages to read, this one included.
        :param timeout: seconds from the first ``next()`` by which the
            iteration ends: no page is asked for after it, and each page's
            request gets at most the time left (and the client's own
            deadline); ``None`` for no limit.
        :raises PageLimitExceeded: more pages than ``max_pages``, or past
            ``timeout``.
        :raises PaginationLoop: the server repeated a page token.
        :raises UnexpectedResponseError: a next-page token that is not one
            (see :func:`page_token`).
        """
        walk = PageWalk(max_pages, timeout, self._clock)
        page: Page[R, I] = self
        for _ in range(max_pages):
            yield page
            token = walk.follow(page)
            if token is None:
                return
            with walk.fetching():
                page = page._after(page._fetch(token), token)

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


def resumed_from(given: object) -> frozenset[bytes]:
    """The tokens counted as seen when a listing starts from ``given``."""
    if isinstance(given, str) and given:
        return frozenset({token_digest(given)})
    return frozenset()


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

    given = base.get(pagination.token)
    return Page(
        call(base),
        pagination=pagination,
        fetch=fetch,
        seen=resumed_from(given),
        clock=clock,
    )
