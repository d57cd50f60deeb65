"""Query parameters and page-token pagination, with hand-built tables, against
real servers on 127.0.0.1 that page honestly, repeat a token, cycle through
tokens or never end.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import attrs
import cattrs
import pytest
from hostile_servers import HostileServer, Request, answer
from specgen_runtime.client import BaseClient
from specgen_runtime.errors import APITimeoutError, ClientError, UnexpectedResponseError
from specgen_runtime.pagination import (
    MAX_TOKEN_CHARS,
    TOKEN_SHOWN,
    Page,
    PageLimitExceeded,
    PaginationLoop,
    first_page,
    page_token,
    query_values,
)
from specgen_runtime.tables import (
    ApiTables,
    Auth,
    Operation,
    Pagination,
    QueryParam,
)
from specgen_runtime.violations import ValidationError

KEY = "notes-key-0a1b2c3d4e5f"

LIST = Operation(
    "list_notes",
    "GET",
    "/notes",
    "List notes",
    task="list",
    idempotent=True,
    query=(
        QueryParam("written.from", "written_from", kind="datetime"),
        QueryParam("tags", "tags", repeated=True, choices=("red", "blue")),
        QueryParam("pinned", "pinned", kind="boolean"),
        QueryParam("page.size", "page_size", kind="integer", range=(1, 50)),
        QueryParam("page.cursor", "cursor"),
    ),
    pagination=Pagination(
        token="page.cursor", items="notes", next_token="next", page_size="page.size"
    ),
)
SEARCH = Operation(
    "search",
    "GET",
    "/search",
    "Search",
    idempotent=True,
    query=(QueryParam("q", "q", required=True),),
)

NOTES = ApiTables(
    name="Notes",
    package="notes",
    version="0.1.0",
    base_url="https://notes.example",
    hosts={},
    auth=Auth("X-Notes-Key", ""),
    models=(),
    operations={LIST.id: LIST, SEARCH.id: SEARCH},
    forms=(),
    validate=lambda operation, body: [],
    converter=cattrs.Converter(),
)


@attrs.frozen(kw_only=True)
class NotePage:
    notes: list[str] | None = None
    next: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> NotePage:
        notes = data.get("notes")
        if notes is not None and not isinstance(notes, list):
            raise TypeError("notes must be a list")
        return cls(notes=notes, next=data.get("next"))


class NotesClient(BaseClient[NotePage]):
    """What a package generated from the Notes spec would hold."""

    _api: ClassVar[ApiTables] = NOTES

    def list_notes(self, **given: Any) -> Page[NotePage, str]:
        query = query_values(LIST, given)
        return first_page(
            LIST,
            query,
            lambda query: self._call(LIST, {}, None, NotePage.from_json, query=query),
        )

    def search(self, **given: Any) -> NotePage:
        query = query_values(SEARCH, given)
        return self._call(SEARCH, {}, None, NotePage.from_json, query=query)

    def _get_task(self, task_id: str, /) -> NotePage:
        raise NotImplementedError


def _json_server(
    pages: Callable[[dict[str, list[str]]], dict[str, Any]],
) -> HostileServer:
    """A server answering each request with ``pages(query)`` as JSON."""

    def handler(
        connection: socket.socket, request: Request, stop: threading.Event
    ) -> None:
        query = parse_qs(urlsplit(request.path).query, keep_blank_values=True)
        connection.sendall(answer(json.dumps(pages(query)).encode()))

    return HostileServer(handler)


def _client(server: HostileServer, **options: Any) -> NotesClient:
    return NotesClient(KEY, base_url=server.url, timeout=5.0, max_retries=0, **options)


def _honest(count: int, size: int) -> Callable[[dict[str, list[str]]], dict[str, Any]]:
    """Pages of ``size`` notes out of ``count``; the token is the next offset."""

    def pages(query: dict[str, list[str]]) -> dict[str, Any]:
        start = int(query.get("page.cursor", ["0"])[0])
        end = min(start + size, count)
        return {
            "notes": [f"n{i}" for i in range(start, end)],
            "next": str(end) if end < count else "",
        }

    return pages


def test_iterating_a_page_reads_every_page_once() -> None:
    with _json_server(_honest(7, 3)) as server, _client(server) as client:
        page = client.list_notes(page_size=3)
        assert page.items == ["n0", "n1", "n2"]
        assert page.next_token == "3"
        assert page.has_next_page()
        assert list(page) == [f"n{i}" for i in range(7)]
        tokens = [
            parse_qs(urlsplit(r.path).query).get("page.cursor") for r in server.requests
        ]
    assert tokens == [None, ["3"], ["6"]]


def test_pages_one_at_a_time() -> None:
    with _json_server(_honest(4, 2)) as server, _client(server) as client:
        first = client.list_notes()
        second = first.get_next_page()
        assert second.items == ["n2", "n3"]
        assert not second.has_next_page()
        with pytest.raises(LookupError, match="last page"):
            second.get_next_page()
        assert [p.items for p in first.iter_pages()] == [["n0", "n1"], ["n2", "n3"]]


def test_a_server_repeating_its_token_is_stopped() -> None:
    def same(query: dict[str, list[str]]) -> dict[str, Any]:
        return {"notes": ["again"], "next": "stuck"}

    with _json_server(same) as server, _client(server) as client:
        page = client.list_notes()
        with pytest.raises(PaginationLoop) as caught:
            list(page)
        assert caught.value.token == "stuck"
        assert "again after 2 pages" in str(caught.value)
        assert isinstance(caught.value, UnexpectedResponseError)
        assert len(server.requests) == 2


def test_a_server_cycling_through_tokens_is_stopped() -> None:
    cycle = {"": "a", "a": "b", "b": "c", "c": "a"}

    def cycling(query: dict[str, list[str]]) -> dict[str, Any]:
        token = query.get("page.cursor", [""])[0]
        return {"notes": [token or "first"], "next": cycle[token]}

    with _json_server(cycling) as server, _client(server) as client:
        with pytest.raises(PaginationLoop, match="'a' again after 4 pages"):
            list(client.list_notes())
        assert len(server.requests) == 4


def test_a_resumed_listing_refuses_its_own_token_back() -> None:
    def back(query: dict[str, list[str]]) -> dict[str, Any]:
        return {"notes": [], "next": "t1"}

    with _json_server(back) as server, _client(server) as client:
        page = client.list_notes(cursor="t1")
        with pytest.raises(PaginationLoop):
            page.get_next_page()
        assert len(server.requests) == 1


def test_an_endless_list_stops_at_max_pages() -> None:
    def endless(query: dict[str, list[str]]) -> dict[str, Any]:
        token = int(query.get("page.cursor", ["0"])[0])
        return {"notes": [f"n{token}"], "next": str(token + 1)}

    with _json_server(endless) as server, _client(server) as client:
        seen: list[str] = []
        with pytest.raises(PageLimitExceeded) as caught:
            seen.extend(client.list_notes().auto_paging_iter(max_pages=5))
        assert seen == [f"n{i}" for i in range(5)]
        assert (caught.value.limit, caught.value.pages) == ("max_pages", 5)
        assert "max_pages=5" in str(caught.value)
        assert isinstance(caught.value, ClientError)
        assert len(server.requests) == 5


def test_listing_stops_at_its_timeout() -> None:
    now = [0.0]

    def later(query: dict[str, list[str]]) -> dict[str, Any]:
        now[0] += 4.0  # each page "takes" four seconds
        token = int(query.get("page.cursor", ["0"])[0])
        return {"notes": [f"n{token}"], "next": str(token + 1)}

    with _json_server(later) as server, _client(server) as client:
        page: Page[NotePage, str] = first_page(
            LIST,
            {},
            lambda query: client._call(LIST, {}, None, NotePage.from_json, query=query),
            clock=lambda: now[0],
        )
        with pytest.raises(PageLimitExceeded, match=r"timeout=10\b") as caught:
            list(page.auto_paging_iter(timeout=10))
        assert caught.value.limit == "timeout"
        assert len(server.requests) == 4


def test_a_page_without_items_or_token_is_the_last_and_empty() -> None:
    with _json_server(lambda query: {}) as server, _client(server) as client:
        page = client.list_notes()
        assert (page.items, page.next_token, list(page)) == ([], None, [])


def test_query_values_go_out_as_the_spec_names_them() -> None:
    with _json_server(lambda query: {"notes": []}) as server, _client(server) as client:
        client.list_notes(
            written_from=datetime(
                2025, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2))
            ),
            tags=["red", "blue"],
            pinned=False,
            page_size=50,
        )
        client.list_notes(written_from="2025-01-01T00:00:00Z", tags="red")
        sent = [urlsplit(r.path).query for r in server.requests]
    assert sent == [
        "written.from=2025-01-02T01%3A04%3A05Z&tags=red&tags=blue&pinned=false&page.size=50",
        "written.from=2025-01-01T00%3A00%3A00Z&tags=red",
    ]


@pytest.mark.parametrize(
    ("given", "rule", "text"),
    [
        ({"page_size": 51}, "page_size.range", "page_size 51 is outside 1-50"),
        (
            {"page_size": True},
            "page_size.type",
            "page_size must be an integer, got bool",
        ),
        ({"pinned": "yes"}, "pinned.type", "pinned must be true or false, got str"),
        ({"tags": ["red", 3]}, "tags.type", "tags must be a string, got int"),
        (
            {"written_from": datetime(2025, 1, 1)},
            "written_from.timezone",
            "written_from needs a timezone-aware datetime (such as tzinfo=UTC)",
        ),
    ],
)
def test_bad_query_values_are_refused_before_sending(
    given: Mapping[str, object], rule: str, text: str
) -> None:
    with _json_server(lambda query: {}) as server, _client(server) as client:
        with pytest.raises(ValidationError) as caught:
            client.list_notes(**given)
        assert [(v.field, v.rule, v.message) for v in caught.value.errors] == [
            (rule.split(".")[0], rule, text)
        ]
        assert server.requests == []


def test_a_required_query_parameter_left_out_is_refused() -> None:
    with _json_server(lambda query: {}) as server, _client(server) as client:
        with pytest.raises(ValidationError, match="q is required"):
            client.search()
        client.search(q="tea")
        assert [urlsplit(r.path).query for r in server.requests] == ["q=tea"]


def test_iteration_bounds_are_checked() -> None:
    with _json_server(lambda query: {}) as server, _client(server) as client:
        page = client.list_notes()
        with pytest.raises(ValueError, match="max_pages"):
            list(page.iter_pages(max_pages=0))
        with pytest.raises(ValueError, match="timeout"):
            list(page.iter_pages(timeout=0))


def test_first_page_needs_a_paged_operation() -> None:
    with pytest.raises(LookupError, match="search is not paged"):
        first_page(SEARCH, {}, lambda query: NotePage())


def test_written_from_in_utc_is_kept() -> None:
    values = query_values(LIST, {"written_from": datetime(2025, 1, 1, tzinfo=UTC)})
    assert values == {"written.from": "2025-01-01T00:00:00Z"}


# --- what a next-page token may be ---------------------------------------------------


@pytest.mark.parametrize("token", [7, 0, True, {"after": "n3"}, ["n3"], 2.5])
def test_a_token_that_is_not_text_is_an_unexpected_answer(token: object) -> None:
    with _json_server(lambda query: {"notes": ["n0"], "next": token}) as server:
        with _client(server) as client:
            page = client.list_notes()
            with pytest.raises(UnexpectedResponseError, match="'next' is") as caught:
                list(page)
            assert type(token).__name__ in str(caught.value)
            with pytest.raises(UnexpectedResponseError, match="'next'"):
                page.has_next_page()
            assert "next token unreadable" in repr(page)
        assert len(server.requests) == 1


@pytest.mark.parametrize("answer", [{"next": ""}, {"next": None}, {}])
def test_an_empty_null_or_absent_token_is_the_last_page(
    answer: dict[str, Any],
) -> None:
    with _json_server(lambda query: {"notes": ["n0"], **answer}) as server:
        with _client(server) as client:
            page = client.list_notes()
            assert (page.next_token, list(page)) == (None, ["n0"])
        assert len(server.requests) == 1


def test_page_token_is_the_one_reading_of_a_token() -> None:
    assert page_token("abc", "next") == "abc"
    assert page_token("", "next") is None
    assert page_token(None, "next") is None
    with pytest.raises(UnexpectedResponseError, match="'cursor' is int"):
        page_token(3, "cursor")


def test_a_token_over_the_length_limit_is_refused_and_not_shown() -> None:
    token = "t" * (MAX_TOKEN_CHARS + 1)
    with _json_server(lambda query: {"notes": [], "next": token}) as server:
        with _client(server) as client:
            page = client.list_notes()
            with pytest.raises(UnexpectedResponseError) as caught:
                list(page.iter_pages())
        assert len(server.requests) == 1
    message = str(caught.value)
    assert f"MAX_TOKEN_CHARS={MAX_TOKEN_CHARS}" in message
    assert "'next'" in message
    assert token[: TOKEN_SHOWN + 1] not in message
    assert len(message) < 400
    assert page_token("t" * MAX_TOKEN_CHARS, "next") == "t" * MAX_TOKEN_CHARS


def test_long_tokens_are_kept_as_hashes_and_shown_cut() -> None:
    long = "x" * (MAX_TOKEN_CHARS - 10)

    def pages(query: dict[str, list[str]]) -> dict[str, Any]:
        token = query.get("page.cursor", [""])[0]
        number = int(token[:4]) if token else 0
        if number == 3:
            return {"notes": [], "next": f"{1:04d}{long}"}  # back to page 1
        return {"notes": [], "next": f"{number + 1:04d}{long}"}

    with _json_server(pages) as server, _client(server) as client:
        walked: list[Page[NotePage, str]] = []
        with pytest.raises(PaginationLoop) as caught:
            walked.extend(client.list_notes().iter_pages())
        assert len(server.requests) == 4
    assert caught.value.token == f"{1:04d}{long}"
    assert len(str(caught.value)) < 300
    assert "characters)" in str(caught.value)
    kept = walked[-1]._seen
    assert len(kept) == 3
    assert all(isinstance(seen, bytes) and len(seen) <= 64 for seen in kept)


def test_the_listing_timeout_cuts_a_page_request_short() -> None:
    def slow_second_page(
        connection: socket.socket, request: Request, stop: threading.Event
    ) -> None:
        if "page.cursor" in request.path:
            stop.wait(20.0)  # the second page never comes while the test runs
            return
        connection.sendall(answer(json.dumps({"notes": ["n0"], "next": "p2"}).encode()))

    slow = HostileServer(slow_second_page)
    with (
        slow as server,
        NotesClient(KEY, base_url=server.url, timeout=30.0, max_retries=0) as client,
    ):
        seen: list[str] = []
        with pytest.raises(PageLimitExceeded) as caught:
            seen.extend(client.list_notes().auto_paging_iter(timeout=0.3))
    assert seen == ["n0"]
    assert (caught.value.limit, caught.value.pages) == ("timeout", 1)
    assert "timeout=0.3" in str(caught.value)
    assert isinstance(caught.value.__cause__, APITimeoutError)
    assert len(server.requests) == 2
