"""``vidu.Client.list_tasks`` and ``get_credits`` against the fake server, over
real HTTP on 127.0.0.1: every page with filters, the payload echoed (or not),
and the concurrency counts moving as tasks run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import vidu
from specgen_runtime.pagination import Page
from vidu.testing import FakeServer

KEY = "sk-list-tasks-test"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(api_key=KEY, page_size=3) as fake:
        yield fake


@pytest.fixture
def client(server: FakeServer) -> Iterator[vidu.Client]:
    with vidu.Client(KEY, base_url=server.url, max_retries=0, timeout=10) as c:
        yield c


def create(client: vidu.Client, count: int, prefix: str = "p") -> list[str]:
    ids = []
    for n in range(count):
        task = client.reference2video(
            model="viduq2",
            images=["https://example.com/bear.png"],
            prompt="A bear waves.",
            duration=5,
            payload=f"{prefix}{n}",
        )
        assert task.task_id is not None
        ids.append(task.task_id)
    return ids


def test_iterating_the_first_page_reads_every_task_newest_first(
    client: vidu.Client, server: FakeServer
) -> None:
    ids = create(client, 8)
    page = client.list_tasks()
    assert isinstance(page, Page)
    assert [t.id for t in page.items] == ids[::-1][:3]
    assert page.next_token
    assert [(t.id, t.payload) for t in page] == [
        (task_id, f"p{n}") for n, task_id in reversed(list(enumerate(ids)))
    ]
    sent = [r.path for r in server.requests if r.path.startswith("/ent/v2/tasks")]
    assert sent == [
        "/ent/v2/tasks",
        "/ent/v2/tasks?pager.page_token=page-6",
        "/ent/v2/tasks?pager.page_token=page-3",
    ]


def test_filters_go_out_under_the_spec_names(
    client: vidu.Client, server: FakeServer
) -> None:
    first = create(client, 2, "a")
    server.advance(10)  # both succeed; the clock moves on
    later = create(client, 2, "b")
    done = client.list_tasks(states=[vidu.TaskState.SUCCESS], page_size=100)
    assert [t.id for t in done] == first[::-1]
    since = datetime(2025, 1, 1, 0, 0, 5, tzinfo=UTC)
    recent = client.list_tasks(created_at_from=since.isoformat().replace("+00:00", "Z"))
    assert [t.id for t in recent] == later[::-1]
    window = client.list_tasks(
        created_at_from="2025-01-01T00:00:00Z", created_at_to="2025-01-01T00:00:01Z"
    )
    assert [t.id for t in window] == first[::-1]
    chosen = client.list_tasks(task_ids=[first[0], later[1]])
    assert [t.id for t in chosen] == [later[1], first[0]]
    assert list(client.list_tasks(model_versions=["viduq1"])) == []
    assert (
        len(list(client.list_tasks(resolutions=["720p"], model_versions=["viduq2"])))
        == 4
    )
    sent = [r.path for r in server.requests if "task_ids" in r.path]
    assert sent[0].startswith(f"/ent/v2/tasks?task_ids={first[0]}&task_ids={later[1]}")


def test_each_listed_task_is_read_as_the_spec_says(client: vidu.Client) -> None:
    (task_id,) = create(client, 1)
    (listed,) = client.list_tasks()
    assert listed.id == task_id
    assert listed.model == "viduq2"
    assert listed.created_at == "2025-01-01T00:00:00.000000Z"
    assert listed.state in set(vidu.TaskState)


def test_a_server_that_does_not_echo_payload_is_read_all_the_same() -> None:
    with (
        FakeServer(api_key=KEY, echo_payload=False) as server,
        vidu.Client(KEY, base_url=server.url, max_retries=0) as client,
    ):
        (task_id,) = create(client, 1)
        (listed,) = client.list_tasks()
        assert (listed.id, listed.payload) == (task_id, None)
        assert client.get_creations(task_id).payload == "p0"


def test_a_bad_page_size_is_refused_before_sending(
    client: vidu.Client, server: FakeServer
) -> None:
    with pytest.raises(vidu.ValidationError, match="page_size 101 is outside 1-100"):
        client.list_tasks(page_size=101)
    assert server.received["list_tasks"] == 0


def test_a_bad_page_token_is_the_services_error(client: vidu.Client) -> None:
    with pytest.raises(vidu.BadRequestError, match="invalid page token"):
        client.list_tasks(page_token="not-a-token")


def test_credits_report_the_concurrency_as_tasks_run(server: FakeServer) -> None:
    with vidu.Client(KEY, base_url=server.url, max_retries=0) as client:

        def counts() -> tuple[int | None, int | None, int | None]:
            credits = client.get_credits(show_detail=True)
            return (
                credits.concurrency_limit,
                credits.current_concurrency,
                credits.queue_count,
            )

        assert counts() == (5, 0, 0)
        create(client, 7)
        assert counts() == (5, 0, 0)  # created, not yet queued for a slot
        server.advance(1)
        assert counts() == (5, 5, 2)
        queued = client.list_tasks(states=["queueing"])
        assert len(list(queued)) == 2
        server.advance(2)  # the first five end, the last two run
        assert counts() == (5, 2, 0)
        server.advance(2)
        assert counts() == (5, 0, 0)
    assert "show_detail=true" in server.requests[-1].path
