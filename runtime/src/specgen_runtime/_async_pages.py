"""Page-token pagination for the asyncio client: :class:`AsyncPage`.

The asyncio twin of :class:`~specgen_runtime.pagination.Page`, with the same
bounds and errors: a page holds its answer, and ``async for`` over it yields
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
from typing import Generic, TypeVar

from .client import QueryValue
from .errors import APITimeoutError, UnexpectedResponseError
from .pagination import (
    DEFAULT_MAX_PAGES,
    DEFAULT_PAGES_TIMEOUT,
    check_bounds,
    looping,
    out_of_time,
    page_token,
    pages_deadline,
    resumed_from,
    token_digest,
    token_preview,
    too_many,
)
from .tables import Operation, Pagination

R = TypeVar("R")
I = TypeVar("I")  # noqa: E741  (the item type, as in the generated annotations)


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
        seen: frozenset[bytes] = frozenset(),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.response = response
        """The answer, as its response class read it."""
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
            nor a string of at most ``MAX_TOKEN_CHARS`` characters.
        """
        name = self._pagination.next_token
        return page_token(getattr(self.response, name, None), name)

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
        self, token: str, seen: frozenset[bytes], *, pages: int
    ) -> AsyncPage[R, I]:
        digest = token_digest(token)
        if digest in seen:
            raise looping(token, pages)
        return AsyncPage(
            await self._fetch(token),
            pagination=self._pagination,
            fetch=self._fetch,
            seen=seen | {digest},
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
        :param timeout: seconds from the first page by which the iteration
            ends: no page is asked for after it, and each page's request
            gets at most the time left (and the client's own deadline);
            ``None`` for no limit.
        :raises PageLimitExceeded: more pages than ``max_pages``, or past
            ``timeout``.
        :raises PaginationLoop: the server repeated a page token.
        :raises UnexpectedResponseError: a next-page token that is not one.
        """
        check_bounds(max_pages, timeout)
        clock = self._clock
        at = None if timeout is None else clock() + timeout
        page: AsyncPage[R, I] = self
        for count in range(1, max_pages + 1):
            yield page
            token = page.next_token
            if token is None:
                return
            if count == max_pages:
                break
            if timeout is not None and at is not None and clock() >= at:
                raise out_of_time(count, timeout)
            try:
                with pages_deadline(at, clock):
                    page = await page._follow(token, page._seen, pages=count)
            except APITimeoutError as exc:
                if timeout is None or at is None or clock() < at:
                    raise
                raise out_of_time(count, timeout) from exc
        raise too_many(max_pages)

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
