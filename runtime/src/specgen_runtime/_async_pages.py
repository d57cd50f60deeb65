"""Page-token pagination for the asyncio client: :class:`AsyncPage`.

The asyncio twin of :class:`~specgen_runtime.pagination.Page`, with the same
bounds and errors: a page holds its answer, and ``async for`` over it yields
every item of every page, each next page fetched (awaited) when needed::

    async for task in await client.list_tasks(states=["success"]):
        ...
    page = await client.list_tasks(page_size=50)
    async for page in page.iter_pages(): ...
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Generic, TypeVar

from .client import QueryValue
from .pagination import (
    DEFAULT_MAX_PAGES,
    DEFAULT_PAGES_TIMEOUT,
    PageLimitExceeded,
    PaginationLoop,
)
from .tables import Operation, Pagination

R = TypeVar("R")
I = TypeVar("I")  # noqa: E741  (the item type, as in the generated annotations)


def _token(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class AsyncPage(Generic[R, I]):
    """One page of a list operation: its answer, its items, the next token.

    ``async for`` over a page yields the items of this page and of every
    page after it (:meth:`auto_paging_iter` with its default bounds).
    """

    def __init__(
        self,
        response: R,
        *,
        pagination: Pagination,
        fetch: Callable[[str], Awaitable[R]],
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

    async def get_next_page(self) -> AsyncPage[R, I]:
        """Fetch the next page.

        :raises LookupError: this is the last page.
        :raises PaginationLoop: the server sent this token before.
        """
        token = self.next_token
        if token is None:
            raise LookupError("this is the last page: it names no next page")
        return await self._follow(token, self._seen, pages=len(self._seen) + 1)

    async def _follow(
        self, token: str, seen: frozenset[str], *, pages: int
    ) -> AsyncPage[R, I]:
        if token in seen:
            raise PaginationLoop(
                f"the server sent page token {token[:80]!r} again after {pages} "
                f"pages: following it would read the same pages for ever",
                token=token,
            )
        return AsyncPage(
            await self._fetch(token),
            pagination=self._pagination,
            fetch=self._fetch,
            seen=seen | {token},
            clock=self._clock,
        )

    async def iter_pages(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> AsyncIterator[AsyncPage[R, I]]:
        """This page and every page after it, fetched one at a time.

        :param max_pages: the most pages to read, this one included.
        :param timeout: seconds from the first page after which no further
            page is asked for (each request has the client's own deadline
            too); ``None`` for no limit.
        :raises PageLimitExceeded: more pages than ``max_pages``, or past
            ``timeout``.
        :raises PaginationLoop: the server repeated a page token.
        """
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        if timeout is not None and timeout <= 0:
            raise ValueError("timeout must be positive")
        start = self._clock()
        page: AsyncPage[R, I] = self
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
            page = await page._follow(token, frozenset(seen), pages=count)
            seen.add(token)
        raise PageLimitExceeded(
            f"listing stopped after max_pages={max_pages} pages: more pages "
            f"remain; pass a larger max_pages= to iter_pages() or "
            f"auto_paging_iter(), or narrow the filters",
            limit="max_pages",
            pages=max_pages,
        )

    async def auto_paging_iter(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> AsyncIterator[I]:
        """Every item of this page and of every page after it
        (bounded as :meth:`iter_pages`)."""
        async for page in self.iter_pages(max_pages=max_pages, timeout=timeout):
            for item in page.items:
                yield item

    def __aiter__(self) -> AsyncIterator[I]:
        return self.auto_paging_iter()


async def first_async_page(
    operation: Operation,
    query: Mapping[str, QueryValue],
    call: Callable[[Mapping[str, QueryValue]], Awaitable[R]],
    *,
    clock: Callable[[], float] = time.monotonic,
) -> AsyncPage[R, I]:
    """Ask for the first page with ``query`` (``call`` sends it) and return it;
    later pages are asked for with the same query and the next token.

    A token given in ``query`` (to resume a listing) counts as seen: a
    server that sends it back is looping.
    """
    pagination = operation.pagination
    if pagination is None:
        raise LookupError(f"operation {operation.id} is not paged")
    base = dict(query)

    def fetch(token: str) -> Awaitable[R]:
        return call({**base, pagination.token: token})

    given = _token(base.get(pagination.token))
    return AsyncPage(
        await call(base),
        pagination=pagination,
        fetch=fetch,
        seen=frozenset({given} if given else ()),
        clock=clock,
    )
