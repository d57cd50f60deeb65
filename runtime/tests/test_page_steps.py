"""``get_next_page()`` taken by hand, outside any iteration, is bounded as
iteration is: a deadline for each step, a page count over the whole listing,
loops and unreadable tokens refused; blocking and asyncio alike, against
servers on 127.0.0.1 that never end, repeat a token or never answer.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs, urlsplit

import attrs
import cattrs
import pytest
from hostile_servers import HostileServer, Request, answer
from specgen_runtime.async_client import AsyncBaseClient, AsyncPage
from specgen_runtime.client import BaseClient
from specgen_runtime.errors import APITimeoutError, UnexpectedResponseError
from specgen_runtime.pagination import (
    DEFAULT_MAX_PAGES,
    MAX_TOKEN_CHARS,
    BasePage,
    Page,
    PageLimitExceeded,
    PaginationLoop,
    first_page,
)
from specgen_runtime.tables import ApiTables, Auth, Operation, Pagination, QueryParam

KEY = "shelf-key-9f8e7d6c5b4a"

LIST = Operation(
    "list_books",
    "GET",
    "/books",
    "List books",
    task="list",
    idempotent=True,
    query=(QueryParam("after", "after"),),
    pagination=Pagination(token="after", items="books", next_token="cursor"),
)

SHELF = ApiTables(
    name="Shelf",
    package="shelf",
    version="0.1.0",
    base_url="https://shelf.example",
    hosts={},
    auth=Auth("X-Shelf-Key", ""),
    models=(),
    operations={LIST.id: LIST},
    forms=(),
    validate=lambda operation, body: [],
    converter=cattrs.Converter(),
)


@attrs.frozen(kw_only=True)
class Books:
    books: list[str] = attrs.field(factory=list)
    cursor: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Books:
        return cls(books=list(data.get("books") or []), cursor=data.get("cursor"))


class ShelfClient(BaseClient[Books]):
    _api: ClassVar[ApiTables] = SHELF

    def list_books(self, **given: Any) -> Page[Books, str]:
        return first_page(
            LIST,
            given,
            lambda query: self._call(LIST, {}, None, Books.from_json, query=query),
        )

    def _get_task(self, task_id: str, /) -> Books:
        raise NotImplementedError


class AsyncShelfClient(AsyncBaseClient[Books, Books]):
    _api: ClassVar[ApiTables] = SHELF
    _client_class: ClassVar[type[BaseClient[Any]]] = ShelfClient

    async def list_books(self) -> AsyncPage[Books, str]:
        return await self._first_page(
            LIST,
            {},
            lambda query: self._call(LIST, {}, None, Books.from_json, query=query),
        )


def _serving(pages: Callable[[str], dict[str, Any]]) -> HostileServer:
    """A server answering a request for the page after ``after`` with
    ``pages(after)`` as JSON (``after`` is empty for the first page)."""

    def handler(
        connection: socket.socket, request: Request, _: threading.Event
    ) -> None:
        query = parse_qs(urlsplit(request.path).query)
        after = query.get("after", [""])[0]
        connection.sendall(answer(json.dumps(pages(after)).encode()))

    return HostileServer(handler)


def _endless(after: str) -> dict[str, Any]:
    number = int(after or "0")
    return {"books": [f"b{number}"], "cursor": str(number + 1)}


def _stuck(after: str) -> dict[str, Any]:
    return {"books": ["same"], "cursor": "again"}


def _slow_after_first(
    connection: socket.socket, request: Request, stop: threading.Event
) -> None:
    if "after=" in request.path:
        stop.wait(20.0)  # the next page never comes while the test runs
        return
    connection.sendall(answer(json.dumps({"books": ["b0"], "cursor": "1"}).encode()))


def _client(url: str, timeout: float = 5.0) -> ShelfClient:
    return ShelfClient(KEY, base_url=url, timeout=timeout, max_retries=0)


_STEPS_AT_MOST = 5000
"""More steps than any limit a test sets: reaching it means none stopped."""


def _step_until_refused(
    page: Page[Books, str], **bounds: Any
) -> tuple[list[Page[Books, str]], PageLimitExceeded]:
    """Every page reached by ``get_next_page(**bounds)`` from ``page``, and
    the limit error that ended the walk."""
    pages = [page]
    for _ in range(_STEPS_AT_MOST):
        try:
            page = page.get_next_page(**bounds)
        except PageLimitExceeded as error:
            return pages, error
        pages.append(page)
    raise AssertionError(f"{_STEPS_AT_MOST} pages and never stopped")


async def _async_step_until_refused(
    page: AsyncPage[Books, str], **bounds: Any
) -> tuple[list[AsyncPage[Books, str]], PageLimitExceeded]:
    """:func:`_step_until_refused` for asyncio pages."""
    pages = [page]
    for _ in range(_STEPS_AT_MOST):
        try:
            page = await page.get_next_page(**bounds)
        except PageLimitExceeded as error:
            return pages, error
        pages.append(page)
    raise AssertionError(f"{_STEPS_AT_MOST} pages and never stopped")


def test_stepping_by_hand_stops_at_max_pages_of_the_listing() -> None:
    with _serving(_endless) as server, _client(server.url) as client:
        pages, error = _step_until_refused(client.list_books(), max_pages=4)
        assert [page.items for page in pages] == [["b0"], ["b1"], ["b2"], ["b3"]]
        assert [page.number for page in pages] == [1, 2, 3, 4]
        assert (error.limit, error.pages) == ("max_pages", 4)
        assert "max_pages=4" in str(error)
        assert "get_next_page()" in str(error)
        assert len(server.requests) == 4


def test_a_loop_over_pages_by_hand_ends_at_the_default_limit() -> None:
    with _serving(_endless) as server, _client(server.url) as client:
        pages, error = _step_until_refused(client.list_books())
        assert pages[-1].number == DEFAULT_MAX_PAGES
        assert pages[-1].has_next_page()
        assert error.pages == DEFAULT_MAX_PAGES
        assert len(server.requests) == DEFAULT_MAX_PAGES


def test_stepping_by_hand_refuses_a_repeated_token() -> None:
    with _serving(_stuck) as server, _client(server.url) as client:
        second = client.list_books().get_next_page()
        with pytest.raises(PaginationLoop, match="'again' again after 2 pages"):
            second.get_next_page()
        assert len(server.requests) == 2


def test_a_step_is_cut_short_by_its_own_timeout() -> None:
    with (
        HostileServer(_slow_after_first) as server,
        _client(server.url, timeout=30.0) as client,
    ):
        first = client.list_books()
        with pytest.raises(PageLimitExceeded) as caught:
            first.get_next_page(timeout=0.3)
    assert (caught.value.limit, caught.value.pages) == ("timeout", 1)
    assert "timeout=0.3" in str(caught.value)
    assert "get_next_page()" in str(caught.value)
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert len(server.requests) == 2


def test_a_step_without_its_own_timeout_keeps_the_clients() -> None:
    with (
        HostileServer(_slow_after_first) as server,
        _client(server.url, timeout=0.3) as client,
    ):
        first = client.list_books()
        with pytest.raises(APITimeoutError):
            first.get_next_page(timeout=None)
    assert len(server.requests) == 2


def test_a_step_over_a_token_past_the_length_limit_is_refused() -> None:
    def long_token(after: str) -> dict[str, Any]:
        return {"books": ["b"], "cursor": "t" * (MAX_TOKEN_CHARS + 1)}

    with _serving(long_token) as server, _client(server.url) as client:
        with pytest.raises(UnexpectedResponseError, match=r"'cursor'.*MAX_TOKEN_CHARS"):
            client.list_books().get_next_page()
        assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("bounds", "message"),
    [({"max_pages": 0}, "max_pages"), ({"timeout": 0.0}, "timeout")],
)
def test_the_bounds_of_a_step_are_checked(bounds: dict[str, Any], message: str) -> None:
    with _serving(_endless) as server, _client(server.url) as client:
        with pytest.raises(ValueError, match=message):
            client.list_books().get_next_page(**bounds)
        assert len(server.requests) == 1


def test_a_resumed_listing_counts_pages_from_where_it_resumed() -> None:
    with _serving(_endless) as server, _client(server.url) as client:
        page = client.list_books(after="10")
        assert (page.number, page.items) == (1, ["b10"])
        page = page.get_next_page(max_pages=2)
        assert (page.number, page.items) == (2, ["b11"])
        with pytest.raises(PageLimitExceeded):
            page.get_next_page(max_pages=2)
        assert len(server.requests) == 2


def test_both_kinds_of_page_share_one_base() -> None:
    assert issubclass(Page, BasePage)
    assert issubclass(AsyncPage, BasePage)
    shared = ("items", "next_token", "has_next_page", "__repr__", "__init__")
    for name in shared:
        assert name not in vars(Page), name
        assert name not in vars(AsyncPage), name


T = TypeVar("T")


def _run(main: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(main(), 30)

    return asyncio.run(bounded())


def test_async_steps_stop_at_max_pages_and_on_a_loop() -> None:
    async def main(url: str) -> tuple[PageLimitExceeded, int]:
        async with AsyncShelfClient(KEY, base_url=url, timeout=5.0) as client:
            pages, error = await _async_step_until_refused(
                await client.list_books(), max_pages=3
            )
            return error, pages[-1].number

    with _serving(_endless) as server:
        error, number = _run(lambda: main(server.url))
        assert (error.limit, error.pages, number) == ("max_pages", 3, 3)
        assert len(server.requests) == 3

    async def looping(url: str) -> None:
        async with AsyncShelfClient(KEY, base_url=url, timeout=5.0) as client:
            second = await (await client.list_books()).get_next_page()
            with pytest.raises(PaginationLoop):
                await second.get_next_page()

    with _serving(_stuck) as server:
        _run(lambda: looping(server.url))
        assert len(server.requests) == 2


def test_an_async_step_is_cut_short_by_its_own_timeout() -> None:
    async def main(url: str) -> PageLimitExceeded:
        async with AsyncShelfClient(KEY, base_url=url, timeout=30.0) as client:
            first = await client.list_books()
            with pytest.raises(PageLimitExceeded) as caught:
                await first.get_next_page(timeout=0.3)
            return caught.value

    with HostileServer(_slow_after_first) as server:
        error = _run(lambda: main(server.url))
        assert (error.limit, error.pages) == ("timeout", 1)
        assert isinstance(error.__cause__, APITimeoutError)
        assert len(server.requests) == 2
