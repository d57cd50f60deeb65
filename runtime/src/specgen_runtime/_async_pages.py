"""Page-token pagination for the asyncio client: :class:`AsyncPage`.

The asyncio twin of :class:`~specgen_runtime.pagination.Page`, with the same
bounds and errors (both are a
:class:`~specgen_runtime.pagination.BasePage`; only fetching differs): a page holds its answer, and ``async for`` over it yields
every item of every page, each next page fetched (awaited) when needed
(tokens read, loops noticed and the iteration's deadline kept as there)::

    async for task in await client.list_tasks(states=["success"]):
        ...
    page = await client.list_tasks(page_size=50)
    async for page in page.iter_pages(): ...
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import TypeVar

from .client import QueryValue
from .pagination import (
    DEFAULT_MAX_PAGES,
    DEFAULT_PAGES_TIMEOUT,
    STEPPING,
    BasePage,
    PageWalk,
    fetching_within,
    resumed_from,
)
from .tables import Operation

R = TypeVar("R")
I = TypeVar("I")  # noqa: E741  (the item type, as in the generated annotations)


class AsyncPage(BasePage[R, I, Callable[[str], Awaitable[R]]]):
    """One page of a list operation: its answer, its items, the next token.

    ``async for`` over a page yields the items of this page and of every
    page after it (:meth:`auto_paging_iter` with its default bounds).
    """

    async def get_next_page(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> AsyncPage[R, I]:
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
        :raises UnexpectedResponseError: a next-page token that is not one.
        """
        token, at = self._step(max_pages, timeout)
        with fetching_within(
            at, self._clock, timeout=timeout, pages=self.number, where=STEPPING
        ):
            return self._after(await self._fetch(token), token)

    async def iter_pages(
        self,
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
        timeout: float | None = DEFAULT_PAGES_TIMEOUT,
    ) -> AsyncIterator[AsyncPage[R, I]]:
        """This page and every page after it, fetched one at a time.

        :param max_pages: the most pages to read, this one included.
        :param timeout: seconds from the first page by which the iteration
            ends: no page is asked for after it, and each page's request
            gets at most the time left (and the client's own deadline);
            ``None`` for no limit.
        :raises PageLimitExceeded: more pages than ``max_pages``, or past
            ``timeout``.
        :raises PaginationLoop: the server repeated a page token.
        :raises UnexpectedResponseError: a next-page token that is not one.
        """
        walk = PageWalk(max_pages, timeout, self._clock)
        page: AsyncPage[R, I] = self
        for _ in range(max_pages):
            yield page
            token = walk.follow(page)
            if token is None:
                return
            with walk.fetching():
                page = page._after(await page._fetch(token), token)

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

    return AsyncPage(
        await call(base),
        pagination=pagination,
        fetch=fetch,
        seen=resumed_from(base.get(pagination.token)),
        clock=clock,
    )
