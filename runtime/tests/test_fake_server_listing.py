"""The fake server's task list and concurrency counts, with hand-built tables.

The ``Render`` API of :mod:`test_fake_server_shapes` gains a paged list
(``GET /v1/jobs``, its own filter and page parameter names) and a capacity
operation reporting ``slots``, ``busy`` and ``waiting``. Everything goes over
real HTTP on 127.0.0.1; the clock is the manual one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import urllib3
from specgen_runtime.tables import (
    ApiTables,
    Concurrency,
    Operation,
    Pagination,
    QueryParam,
)
from specgen_runtime.testing import FakeServer
from test_fake_server_shapes import (
    PING,
    START,
    STATUS,
    STOP,
    Reply,
    call,
    make_api,
    start,
)

LIST = Operation(
    "list_jobs",
    "GET",
    "/v1/jobs",
    "List jobs",
    task="list",
    idempotent=True,
    query=(
        QueryParam("made.from", "made_from", kind="datetime"),
        QueryParam("made.to", "made_to", kind="datetime"),
        QueryParam("statuses", "statuses", repeated=True),
        QueryParam("job_ids", "job_ids", repeated=True),
        QueryParam("models", "models", repeated=True),
        QueryParam("per_page", "per_page", kind="integer", range=(1, 3)),
        QueryParam("after", "after"),
    ),
    pagination=Pagination(
        token="after", items="jobs", next_token="more", page_size="per_page"
    ),
)
CAPACITY = Operation(
    "capacity",
    "GET",
    "/v1/capacity",
    "Capacity",
    idempotent=True,
    concurrency=Concurrency(limit="slots", running="busy", queued="waiting"),
)

API = make_api(
    operations={op.id: op for op in (START, STATUS, STOP, PING, LIST, CAPACITY)}
)


class ListingServer(FakeServer):
    """A fake Render service with a task list and capacity counts."""

    _api: ClassVar[ApiTables] = API


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(5))
    yield pool
    pool.clear()


def listing(http: urllib3.PoolManager, server: FakeServer, query: str = "") -> Reply:
    url = server.url + LIST.path + (f"?{query}" if query else "")
    return Reply(http.request("GET", url, headers={"X-Api-Key": server.api_key}))


def ids(reply: Reply) -> list[str]:
    assert reply.status == 200, reply.json
    return [job["id"] for job in reply.json["jobs"]]


def counts(http: urllib3.PoolManager, server: FakeServer) -> tuple[int, int, int]:
    body = call(http, server, CAPACITY).json
    return body["slots"], body["busy"], body["waiting"]


def test_the_list_pages_newest_first_with_stable_tokens(
    http: urllib3.PoolManager,
) -> None:
    with ListingServer(page_size=2) as server:
        made = [start(http, server) for _ in range(5)]
        first = listing(http, server)
        assert ids(first) == [made[4], made[3]]
        token = first.json["more"]
        assert token
        start(http, server)  # a task created while the list is read
        second = listing(http, server, f"after={token}")
        assert ids(second) == [made[2], made[1]]
        third = listing(http, server, f"after={second.json['more']}&per_page=3")
        assert ids(third) == [made[0]]
        assert third.json["more"] == ""


def test_each_listed_task_echoes_its_request_and_creation_time(
    http: urllib3.PoolManager,
) -> None:
    with ListingServer() as server:
        job = start(http, server, model="m2")
        (listed,) = listing(http, server).json["jobs"]
        assert listed["id"] == job
        assert listed["status"] == "rendering"  # waiting lasts 0 s by default
        assert listed["model"] == "m2"
        assert listed["prompt"] == "a teapot"
        assert listed["made_at"] == "2025-01-01T00:00:00.000000Z"
        assert set(listed) == {"id", "status", "model", "prompt", "made_at"}


def test_filters_read_the_tables_names(http: urllib3.PoolManager) -> None:
    with ListingServer() as server:
        early = start(http, server, model="m1")
        server.advance(10)  # early ends; the clock moves on
        late = start(http, server, model="m2")
        assert ids(listing(http, server, "statuses=done")) == [early]
        assert ids(listing(http, server, "statuses=rendering&statuses=done")) == [
            late,
            early,
        ]
        assert ids(listing(http, server, f"job_ids={early}")) == [early]
        assert ids(listing(http, server, "models=m2")) == [late]
        since = "made.from=2025-01-01T00%3A00%3A05Z"
        assert ids(listing(http, server, since)) == [late]
        until = "made.to=2025-01-01T00%3A00%3A00Z"
        assert ids(listing(http, server, until)) == [early]
        assert ids(
            listing(http, server, f"{since}&made.to=2025-01-01T00%3A00%3A10Z")
        ) == [late]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("per_page=4", "page size 4 is out of range 1-3"),
        ("per_page=many", "invalid field: per_page (a whole number)"),
        ("after=somewhere", "invalid page token 'somewhere'"),
        (
            "made.from=yesterday",
            "invalid field: made.from (an RFC 3339 date-time with a timezone)",
        ),
        (
            "made.from=2025-01-01T00%3A00%3A00",
            "invalid field: made.from (an RFC 3339 date-time with a timezone)",
        ),
    ],
)
def test_a_query_the_service_would_refuse_is_an_error(
    http: urllib3.PoolManager, query: str, detail: str
) -> None:
    with ListingServer() as server:
        start(http, server)
        reply = listing(http, server, query)
        assert reply.status == 400
        assert reply.json["error"]["detail"] == detail


def test_the_list_can_leave_the_requests_own_values_out(
    http: urllib3.PoolManager,
) -> None:
    with ListingServer(echo_payload=False) as server:
        job = start(http, server)
        (listed,) = listing(http, server).json["jobs"]
        assert "prompt" not in listed
        assert listed["model"] == "m1"  # a filter of the list reads it
        assert "prompt" in call(http, server, STATUS, job=job).json


def test_tasks_beyond_the_limit_queue_and_the_counts_follow(
    http: urllib3.PoolManager,
) -> None:
    durations = {"waiting": 1.0, "rendering": 2.0}
    with ListingServer(concurrency_limit=2, durations=durations) as server:
        jobs = [start(http, server) for _ in range(4)]
        assert counts(http, server) == (2, 0, 0)
        server.advance(1)  # all four want to run: two do
        assert counts(http, server) == (2, 2, 2)
        states = [call(http, server, STATUS, job=j).json["status"] for j in jobs]
        assert states == ["rendering", "rendering", "waiting", "waiting"]
        assert (server.running_count, server.queued_count) == (2, 2)
        server.advance(2)  # the first two end; the others take their slots
        assert counts(http, server) == (2, 2, 0)
        states = [call(http, server, STATUS, job=j).json["status"] for j in jobs]
        assert states == ["done", "done", "rendering", "rendering"]
        server.advance(2)
        assert counts(http, server) == (2, 0, 0)
        assert [call(http, server, STATUS, job=j).json["status"] for j in jobs] == [
            "done"
        ] * 4


def test_a_cancelled_queued_task_leaves_the_queue(http: urllib3.PoolManager) -> None:
    durations = {"waiting": 0.0, "rendering": 2.0}
    with ListingServer(concurrency_limit=1, durations=durations) as server:
        first, second, third = (start(http, server) for _ in range(3))
        assert counts(http, server) == (1, 1, 2)
        assert call(http, server, STOP, job=second).status == 200
        assert counts(http, server) == (1, 1, 1)
        server.advance(2)  # the first ends; the third, not the cancelled one, runs
        assert call(http, server, STATUS, job=third).json["status"] == "rendering"
        assert call(http, server, STATUS, job=second).json["status"] == "broken"
        assert counts(http, server) == (1, 1, 0)
        assert call(http, server, STATUS, job=first).json["status"] == "done"


def test_one_long_step_walks_every_transition_in_order(
    http: urllib3.PoolManager,
) -> None:
    durations = {"waiting": 1.0, "rendering": 1.0}
    with ListingServer(concurrency_limit=1, durations=durations) as server:
        jobs = [start(http, server) for _ in range(3)]
        server.advance(100)  # each runs after the one before it
        assert counts(http, server) == (1, 0, 0)
        assert [call(http, server, STATUS, job=j).json["status"] for j in jobs] == [
            "done"
        ] * 3


def test_limits_are_checked(http: urllib3.PoolManager) -> None:
    with pytest.raises(ValueError, match="concurrency_limit"):
        ListingServer(concurrency_limit=0)
    with pytest.raises(ValueError, match="page_size"):
        ListingServer(page_size=0)


def test_a_service_without_a_list_is_unchanged(http: urllib3.PoolManager) -> None:
    class Plain(FakeServer):
        _api: ClassVar[ApiTables] = make_api()

    with Plain() as server:
        job: Any = start(http, server)
        assert call(http, server, STATUS, job=job).status == 200


def test_the_command_line_refuses_a_limit_below_one() -> None:
    from specgen_runtime.testing.cli import main

    assert main(ListingServer, ["--port", "0", "--concurrency-limit", "0"]) == 1
    assert main(ListingServer, ["--port", "0", "--page-size", "0"]) == 1
