"""``list_tasks`` pages, blocking and asyncio, against a small server on
127.0.0.1 that sends next-page tokens of the wrong type, or leaves a page
hanging: a token that is not one is an error naming its field, and an
iteration's ``timeout`` is a deadline its page requests keep.
"""

from __future__ import annotations

import asyncio
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from vidu import (
    APITimeoutError,
    AsyncClient,
    Client,
    PageLimitExceeded,
    UnexpectedResponseError,
    ViduError,
)

KEY = "sk-test-0123456789abcdef"

Pages = Callable[[str | None], dict[str, Any] | None]
"""The answer for a page token (``None``: the first page); ``None``: hang."""


@pytest.fixture
def serve() -> Iterator[Callable[[Pages], tuple[str, list[str | None]]]]:
    """Start a task-list server answering with the given ``Pages``; its URL,
    and the page tokens it was asked for."""
    servers: list[ThreadingHTTPServer] = []
    release = threading.Event()

    def start(pages: Pages) -> tuple[str, list[str | None]]:
        asked: list[str | None] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                token = query.get("pager.page_token", [None])[0]
                asked.append(token)
                answer = pages(token)
                if answer is None:
                    release.wait(20.0)  # hangs while the test runs
                    return
                body = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}", asked

    yield start
    release.set()
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def _wrong_types_are_expected() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the response warning of a wrong type
        yield


@pytest.mark.parametrize("token", [42, {"after": 3}, ["t2"], False])
def test_a_token_that_is_not_text_is_an_error_naming_the_field(
    serve: Callable[[Pages], tuple[str, list[str | None]]], token: object
) -> None:
    url, asked = serve(lambda _: {"tasks": [], "next_page_token": token})
    with Client(KEY, base_url=url, max_retries=0, timeout=5) as client:
        page = client.list_tasks()
        with pytest.raises(UnexpectedResponseError, match="'next_page_token'"):
            list(page.iter_pages())

    async def main() -> None:
        async with AsyncClient(KEY, base_url=url, max_retries=0, timeout=5) as aio:
            page = await aio.list_tasks()
            with pytest.raises(UnexpectedResponseError, match="'next_page_token'"):
                async for _ in page.iter_pages():
                    pass

    asyncio.run(asyncio.wait_for(main(), 30))
    assert asked == [None, None]


def test_an_empty_token_ends_the_listing(
    serve: Callable[[Pages], tuple[str, list[str | None]]],
) -> None:
    def pages(token: str | None) -> dict[str, Any]:
        return {"tasks": [], "next_page_token": "t2" if token is None else ""}

    url, asked = serve(pages)

    async def main() -> int:
        async with AsyncClient(KEY, base_url=url, max_retries=0, timeout=5) as aio:
            page = await aio.list_tasks()
            return len([p async for p in page.iter_pages()])

    assert asyncio.run(asyncio.wait_for(main(), 30)) == 2
    assert asked == [None, "t2"]


def test_the_listing_timeout_cuts_a_hanging_page_short(
    serve: Callable[[Pages], tuple[str, list[str | None]]],
) -> None:
    def pages(token: str | None) -> dict[str, Any] | None:
        return {"tasks": [], "next_page_token": "t2"} if token is None else None

    url, asked = serve(pages)
    client = Client(KEY, base_url=url, max_retries=0, timeout=30)
    with client, pytest.raises(PageLimitExceeded) as caught:
        list(client.list_tasks().iter_pages(timeout=0.3))
    assert caught.value.limit == "timeout"
    assert isinstance(caught.value.__cause__, APITimeoutError)

    async def main() -> PageLimitExceeded:
        async with AsyncClient(KEY, base_url=url, max_retries=0, timeout=30) as aio:
            page = await aio.list_tasks()
            with pytest.raises(PageLimitExceeded) as caught:
                async for _ in page.iter_pages(timeout=0.3):
                    pass
            return caught.value

    error = asyncio.run(asyncio.wait_for(main(), 30))
    assert (error.limit, error.pages) == ("timeout", 1)
    assert isinstance(error, ViduError)
    assert asked == [None, "t2", None, "t2"]
