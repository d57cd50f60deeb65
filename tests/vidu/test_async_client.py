"""The asyncio client against the package's own fake server (real HTTP on 127.0.0.1).

Each test runs its own event loop with ``asyncio.run``. Tasks move on the
fake server's manual clock; waits between polls are recorded or move that
clock. Cancellation is checked with the server's request counters: a request
that arrives is counted before any scripted delay, so "in flight" is "counted
and not answered yet". Every loop that waits for something is bounded.
"""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import textwrap
import typing
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import urllib3
from specgen_runtime.async_client import orphaned_create
from specgen_runtime.errors import ClientClosed
from specgen_runtime.retry import RetryPolicy
from vidu import (
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    Client,
    NotFoundError,
    OrphanedCreate,
    RequestMayHaveSucceeded,
    ServerError,
    TaskFailed,
    ValidationError,
    ValidationWarning,
    ViduError,
    WaitTimeout,
    tables,
)
from vidu.models import CreateTaskResponse, Reference2VideoRequest, TaskCreations
from vidu.testing import FakeServer

KEY = "sk-test-0123456789abcdef"
IMAGE = "https://example.com/a.png"
CREATE: dict[str, Any] = {
    "model": "viduq2",
    "images": [IMAGE],
    "prompt": "A bear by the lake.",
}

T = TypeVar("T")


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(api_key=KEY) as fake:
        yield fake


def make_client(server: FakeServer, **options: Any) -> AsyncClient:
    """A client of the fake server: jitter fixed, short retry waits."""
    options.setdefault("base_url", server.url)
    options.setdefault("timeout", 5.0)
    options.setdefault(
        "retry",
        RetryPolicy(
            max_retries=options.pop("max_retries", 2),
            backoff=0.05,
            jitter=lambda: 0.5,
        ),
    )
    return AsyncClient(server.api_key, **options)


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main()`` on a fresh event loop, bounded in time."""

    async def bounded() -> T:
        return await asyncio.wait_for(main(), 30)

    return asyncio.run(bounded())


async def until(condition: Callable[[], bool], what: str) -> None:
    """Yield to the loop until ``condition()`` holds (at most about 10 s)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


# --- the same methods as Client ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(tables.OPERATION_INFO))
def test_each_operation_is_a_coroutine_shaped_like_the_clients(name: str) -> None:
    blocking, coroutine = getattr(Client, name), getattr(AsyncClient, name)
    assert inspect.iscoroutinefunction(coroutine)
    assert inspect.signature(coroutine).parameters == (
        inspect.signature(blocking).parameters
    )
    assert len(typing.get_overloads(coroutine)) == len(typing.get_overloads(blocking))
    summary = (blocking.__doc__ or "").split("\n")[0]
    assert summary
    assert (coroutine.__doc__ or "").startswith(summary)
    raw = getattr(AsyncClient(KEY).with_raw_response, name)
    assert inspect.iscoroutinefunction(raw)


def test_it_takes_every_argument_of_the_client() -> None:
    blocking = inspect.signature(Client).parameters
    coroutine = inspect.signature(AsyncClient).parameters
    assert set(blocking) <= set(coroutine)
    for name, parameter in blocking.items():
        assert coroutine[name].kind == parameter.kind, name
        if name != "sleep":  # awaited between polls instead
            assert coroutine[name].default == parameter.default, name


def test_every_operation_answers_as_through_the_client(server: FakeServer) -> None:
    """Each operation through AsyncClient reaches the same endpoint and reads
    the same model as through Client (both against one fake server)."""
    sync = Client(KEY, base_url=server.url, timeout=5.0)
    made = sync.reference2video(**CREATE, payload="sync")
    assert made.task_id is not None
    task_id = made.task_id

    async def main() -> dict[str, object]:
        async with make_client(server) as client:
            created = await client.reference2video(**CREATE, payload="async")
            got = await client.get_creations(task_id)
            listed = await client.list_tasks(page_size=10)
            credits = await client.get_credits(show_detail=True)
            cancelled = await client.cancel(str(created.task_id))
            return {
                "reference2video": type(created),
                "get_creations": got,
                "list_tasks": [t.id for t in listed.items],
                "get_credits": type(credits),
                "cancel": type(cancelled),
            }

    through_async = run(main)
    with sync:
        expected = {
            "reference2video": type(made),
            "get_creations": sync.get_creations(task_id),
            "list_tasks": [t.id for t in sync.list_tasks(page_size=10).items],
            "get_credits": type(sync.get_credits(show_detail=True)),
            "cancel": type(sync.cancel(task_id)),
        }
    assert set(through_async) == set(tables.OPERATION_INFO)
    assert through_async == expected
    assert server.received == dict.fromkeys(tables.OPERATION_INFO, 2)
    credit_paths = [
        r.path for r in server.requests if r.path.startswith("/ent/v2/credits")
    ]
    assert credit_paths[0] == credit_paths[1]
    assert "?" in credit_paths[0], "the query travels as with Client"


# --- the life of a task ------------------------------------------------------------


def test_create_wait_download(server: FakeServer, tmp_path: Path) -> None:
    async def main() -> tuple[CreateTaskResponse, list[Any], Path, list[int]]:
        async with make_client(
            server, sleep=server.advance, clock=server.clock.now
        ) as client:
            task = await client.reference2video(**CREATE, payload="order-1")
            assert task.task_id is not None
            creations = await client.wait(task.task_id, poll_interval=1.0)
            seen: list[int] = []
            path = await client.download(
                creations[0],
                tmp_path / "out.mp4",
                on_progress=lambda done, _total: seen.append(done),
            )
            return task, creations, path, seen

    task, creations, path, seen = run(main)
    assert task.payload == "order-1"
    assert len(creations) == 1
    expected = urllib3.request("GET", creations[0].url).data
    assert path.read_bytes() == expected
    assert seen[-1] == len(expected), "progress reported on the loop"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]
    assert server.received["reference2video"] == 1


def test_wait_awaits_the_sleep_between_polls(server: FakeServer) -> None:
    """A coroutine ``sleep`` moves the fake clock; polls back off as in Client."""
    sleeps: list[float] = []
    states: list[str] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        server.advance(seconds)

    async def progress(task: TaskCreations) -> None:
        states.append(str(task.state))

    async def main() -> list[Any]:
        async with make_client(server, sleep=sleep) as client:
            task = await client.reference2video(Reference2VideoRequest(**CREATE))
            assert task.task_id is not None
            return await client.wait(
                task.task_id,
                poll_interval=1.0,
                max_interval=2.0,
                on_progress=progress,
            )

    creations = run(main)
    assert creations[0].url
    assert sleeps[:3] == [1.0, 1.5, 2.0]
    assert states[-1] == "success"
    assert states == sorted(set(states), key=states.index), "each state once"


def test_wait_times_out_on_the_clients_clock(server: FakeServer) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    async def main() -> None:
        async with make_client(server, sleep=sleep, clock=lambda: now[0]) as client:
            task = await client.reference2video(**CREATE)
            assert task.task_id is not None
            await client.wait(task.task_id, timeout=10.0, poll_interval=1.0)

    with pytest.raises(WaitTimeout) as caught:
        run(main)
    assert now[0] == pytest.approx(10.0)
    assert isinstance(caught.value.task, TaskCreations)


# --- errors, as the blocking client raises them --------------------------------------


def test_an_invalid_request_sends_nothing(server: FakeServer) -> None:
    async def main() -> None:
        async with make_client(server) as client:
            await client.reference2video(
                model="viduq2", images=[IMAGE], prompt="x", duration=80
            )

    with pytest.raises(ValidationError) as caught:
        run(main)
    assert "duration" in [v.field for v in caught.value.violations]
    assert server.received["reference2video"] == 0


def test_service_errors_map_to_the_same_classes(server: FakeServer) -> None:
    async def main() -> list[ViduError]:
        found: list[ViduError] = []
        async with make_client(server, max_retries=0) as client:
            try:
                await client.get_creations("no-such-task")
            except NotFoundError as error:
                found.append(error)
            task = await client.reference2video(**CREATE)
            assert task.task_id is not None
            server.advance(100)
            try:
                await client.cancel(task.task_id)  # it has ended: refused
            except BadRequestError as error:
                found.append(error)
            server.inject("reference2video", drop="after_read")
            try:
                await client.reference2video(**CREATE, payload="order-2")
            except RequestMayHaveSucceeded as error:
                found.append(error)
        return found

    missing, refused, lost = run(main)
    assert isinstance(missing, NotFoundError)
    assert missing.status == 404
    assert isinstance(refused, BadRequestError)
    assert refused.reason
    assert isinstance(lost, RequestMayHaveSucceeded)
    assert lost.payload == "order-2"
    assert server.received["reference2video"] == 2, "the lost create is not resent"


def test_a_failed_task_raises_task_failed(server: FakeServer) -> None:
    server.next_outcome("failed", err_code="CreationPolicyViolation")

    async def main() -> None:
        async with make_client(server, sleep=server.advance) as client:
            task = await client.reference2video(**CREATE)
            assert task.task_id is not None
            await client.wait(task.task_id, poll_interval=5.0)

    with pytest.raises(TaskFailed) as caught:
        run(main)
    assert caught.value.err_code == "CreationPolicyViolation"


def test_no_api_key_fails_before_anything_is_sent(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VIDU_API_KEY", raising=False)

    async def main() -> None:
        async with AsyncClient(base_url=server.url) as client:
            await client.reference2video(**CREATE)

    with pytest.raises(AuthenticationError) as caught:
        run(main)
    assert "VIDU_API_KEY" in str(caught.value)
    assert server.requests == []


def test_the_key_is_not_in_the_repr(server: FakeServer) -> None:
    client = make_client(server)
    assert KEY not in repr(client)
    assert repr(client).startswith("AsyncClient(")
    run(client.aclose)


# --- cancellation --------------------------------------------------------------------


def test_a_cancelled_wait_sends_no_further_poll(server: FakeServer) -> None:
    """Cancelled while a poll is in flight (answered 503 late), no retry follows."""

    async def sleep(seconds: float) -> None:
        server.advance(0.001)  # the task moves, far from ending
        await asyncio.sleep(seconds)

    async def main() -> tuple[int, int]:
        async with make_client(server, sleep=sleep) as client:
            task = await client.reference2video(**CREATE)
            assert task.task_id is not None
            waiting = asyncio.create_task(
                client.wait(task.task_id, poll_interval=0.01, max_interval=0.01)
            )
            await until(lambda: server.received["get_creations"] >= 3, "3 polls")
            server.inject("get_creations", status=503, delay=0.3)
            polls = server.received["get_creations"]
            await until(
                lambda: server.received["get_creations"] > polls, "the slow poll"
            )
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            at_cancel = server.received["get_creations"]
        # aclose waited for the poll still in flight: everything has ended
        return at_cancel, server.received["get_creations"]

    at_cancel, at_end = run(main)
    assert at_end == at_cancel, "no poll and no retry after the cancel"


def test_a_create_cancelled_in_flight_delivers_its_task(server: FakeServer) -> None:
    server.inject("reference2video", delay=0.3)
    told: list[OrphanedCreate[CreateTaskResponse]] = []

    async def main() -> tuple[OrphanedCreate[Any], list[Any]]:
        delivered = asyncio.Event()

        def on_orphan(orphan: OrphanedCreate[CreateTaskResponse]) -> None:
            told.append(orphan)
            delivered.set()

        async with make_client(server, on_orphaned_create=on_orphan) as client:
            creating = asyncio.create_task(
                client.reference2video(**CREATE, payload="order-3")
            )
            await until(lambda: server.received["reference2video"] == 1, "the POST")
            creating.cancel()
            try:
                await creating
            except asyncio.CancelledError as cancelled:
                orphan = orphaned_create(cancelled)
                notes = getattr(cancelled, "__notes__", [])
            assert orphan is not None
            assert orphan.payload == "order-3"
            assert "orphaned_create" in " ".join(notes)
            await orphan.outcome()
            await asyncio.wait_for(delivered.wait(), 10)
            return orphan, client.orphaned_creates

    orphan, kept = run(main)
    assert orphan.state == "created"
    assert orphan.task_id == server.task_ids[0]
    assert orphan.response is not None
    assert orphan.error is None
    assert told == [orphan]
    assert kept == [orphan]
    assert server.received["reference2video"] == 1, "never sent twice"
    assert "task_id=" in repr(orphan)
    assert KEY not in repr(orphan)


def test_a_failing_orphan_callback_is_logged_not_raised(
    server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.inject("reference2video", delay=0.3)

    def on_orphan(orphan: OrphanedCreate[CreateTaskResponse]) -> None:
        raise RuntimeError("the handler broke")

    async def main() -> None:
        async with make_client(server, on_orphaned_create=on_orphan) as client:
            creating = asyncio.create_task(client.reference2video(**CREATE))
            await until(lambda: server.received["reference2video"] == 1, "the POST")
            creating.cancel()
            with pytest.raises(asyncio.CancelledError):
                await creating
            await until(lambda: "on_orphaned_create failed" in caplog.text, "the log")

    with caplog.at_level("ERROR", logger="vidu"):
        run(main)
    assert "the handler broke" in caplog.text
    assert KEY not in caplog.text


def test_a_cancelled_create_whose_answer_is_lost_may_have_succeeded(
    server: FakeServer,
) -> None:
    server.inject("reference2video", delay=0.3, drop="after_read")

    async def main() -> OrphanedCreate[Any]:
        async with make_client(server) as client:
            creating = asyncio.create_task(
                client.reference2video(**CREATE, payload="order-4")
            )
            await until(lambda: server.received["reference2video"] == 1, "the POST")
            creating.cancel()
            with pytest.raises(asyncio.CancelledError) as caught:
                await creating
            orphan = orphaned_create(caught.value)
            assert orphan is not None
            return await orphan.outcome()

    orphan = run(main)
    assert orphan.state == "may_have_succeeded"
    assert isinstance(orphan.error, RequestMayHaveSucceeded)
    assert orphan.payload == "order-4"
    assert orphan.task_id is None
    assert len(server.task_ids) == 1, "the server did create it"
    assert server.received["reference2video"] == 1, "never sent twice"


def test_a_create_cancelled_before_its_thread_started_sends_nothing(
    server: FakeServer,
) -> None:
    """With one thread busy on a slow poll, a queued create cancelled never goes."""
    server.inject("get_creations", delay=0.3)

    async def main() -> list[Any]:
        async with make_client(server, max_concurrency=1) as client:
            polling = asyncio.create_task(client.get_creations("any"))
            await until(lambda: server.received["get_creations"] == 1, "the poll")
            creating = asyncio.create_task(client.reference2video(**CREATE))
            await asyncio.sleep(0)
            creating.cancel()
            with pytest.raises(asyncio.CancelledError) as caught:
                await creating
            assert orphaned_create(caught.value) is None
            with pytest.raises(NotFoundError):
                await polling
            return client.orphaned_creates

    assert run(main) == []
    assert server.received["reference2video"] == 0


def test_a_cancelled_download_leaves_no_file(
    server: FakeServer, tmp_path: Path
) -> None:
    async def main() -> None:
        async with make_client(server, sleep=server.advance) as client:
            task = await client.reference2video(**CREATE)
            assert task.task_id is not None
            creations = await client.wait(task.task_id, poll_interval=5.0)
            server.inject("download", delay=0.3)
            downloading = asyncio.create_task(
                client.download(creations[0], tmp_path / "out.mp4", chunk_size=1024)
            )
            await until(lambda: server.received["download"] == 1, "the download")
            downloading.cancel()
            with pytest.raises(asyncio.CancelledError):
                await downloading

    run(main)
    assert list(tmp_path.iterdir()) == [], "neither the file nor a partial one"
    assert server.received["download"] == 1


# --- concurrency ---------------------------------------------------------------------


def test_creates_run_concurrently(server: FakeServer) -> None:
    async def main() -> list[CreateTaskResponse]:
        async with make_client(server) as client:
            return await asyncio.gather(
                *(
                    client.reference2video(**CREATE, payload=f"order-{n}")
                    for n in range(6)
                )
            )

    tasks = run(main)
    assert [t.payload for t in tasks] == [f"order-{n}" for n in range(6)]
    assert len({t.task_id for t in tasks}) == 6
    assert server.received["reference2video"] == 6


def test_a_closed_client_refuses_calls_and_sends_nothing(server: FakeServer) -> None:
    async def main() -> None:
        client = make_client(server)
        copy = client.with_options(max_retries=0)
        await client.aclose()
        for closed in (client, copy):
            with pytest.raises(ClientClosed, match="nothing was sent"):
                await closed.reference2video(**CREATE)
            with pytest.raises(ClientClosed):
                await closed.get_creations("1")
        await client.aclose()

    run(main)
    assert server.received["reference2video"] == 0
    assert server.task_ids == []


def test_max_concurrency_must_be_positive(server: FakeServer) -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        make_client(server, max_concurrency=0)


# --- options and raw answers ---------------------------------------------------------


def test_with_options_and_per_call_options(server: FakeServer) -> None:
    async def main() -> tuple[bool, object, str | None]:
        async with make_client(server) as client:
            quick = client.with_options(timeout=2.0, max_retries=0)
            assert quick.timeout == 2.0
            assert client.timeout == 5.0
            server.inject("get_creations", status=503)
            with pytest.raises(ServerError):
                await quick.get_creations("any")  # no retry on the copy
            with (
                pytest.warns(ValidationWarning, match="later_field"),
                pytest.raises(BadRequestError) as refused,
            ):
                await client.reference2video(
                    **CREATE, extra_body={"later_field": 1}, max_retries=0
                )
            sent = server.requests[-1].body
            await quick.aclose()  # closes nothing: the client still works
            task = await client.reference2video(**CREATE)
            return (
                quick._shared is client._shared,
                sent.get("later_field") if isinstance(sent, dict) else None,
                refused.value.reason if task.task_id else None,
            )

    shared, sent, reason = run(main)
    assert shared, "a copy shares the worker threads and orphaned creates"
    assert sent == 1, "extra_body reached the server"
    assert reason == "FieldUnwanted"
    assert server.received["get_creations"] == 1


def test_raw_answers_come_as_they_came(server: FakeServer) -> None:
    async def main() -> tuple[int, bytes, str | None, TaskCreations]:
        async with make_client(server) as client:
            created = await client.with_raw_response.reference2video(**CREATE)
            task = created.parse()
            assert task.task_id is not None
            got = await client.with_raw_response.get_creations(task.task_id)
            return (
                created.status,
                created.body,
                got.headers.get("content-type"),
                got.parse(),
            )

    status, body, kind, task = run(main)
    assert status == 200
    assert b"task_id" in body
    assert kind is not None
    assert kind.startswith("application/json")
    assert task.id == server.task_ids[0]


def test_a_raw_create_cancelled_in_flight_keeps_its_task(server: FakeServer) -> None:
    server.inject("reference2video", delay=0.3)

    async def main() -> OrphanedCreate[Any]:
        async with make_client(server) as client:
            creating = asyncio.create_task(
                client.with_raw_response.reference2video(**CREATE, payload="order-5")
            )
            await until(lambda: server.received["reference2video"] == 1, "the POST")
            creating.cancel()
            with pytest.raises(asyncio.CancelledError) as caught:
                await creating
            orphan = AsyncClient.orphaned_create(caught.value)
            assert orphan is not None
            return await orphan.outcome()

    orphan = run(main)
    assert orphan.state == "created"
    assert orphan.task_id == server.task_ids[0]


def test_a_listing_is_read_page_by_page(server: FakeServer) -> None:
    async def main() -> tuple[list[str | None], int]:
        async with make_client(server) as client:
            for n in range(5):
                await client.reference2video(**CREATE, payload=f"order-{n}")
            page = await client.list_tasks(page_size=2)
            ids = [task.id async for task in page]
            pages = [p async for p in page.iter_pages()]
            return ids, len(pages)

    ids, pages = run(main)
    assert sorted(str(i) for i in ids) == sorted(server.task_ids)
    assert pages == 3


# --- typing --------------------------------------------------------------------------

USER_SCRIPT = """
    import vidu
    from vidu.testing import FakeServer


    def orphaned(orphan: vidu.OrphanedCreate[vidu.CreateTaskResponse]) -> None:
        print(orphan.state, orphan.task_id, orphan.payload)


    async def main(server: FakeServer) -> str:
        async with vidu.AsyncClient(
            server.api_key,
            base_url=server.url,
            sleep=server.advance,
            clock=server.clock.now,
            on_orphaned_create=orphaned,
        ) as client:
            task: vidu.CreateTaskResponse = await client.reference2video(
                model="viduq2", images=["https://a/b.png"], prompt="x", duration=5
            )
            quick = client.with_options(timeout=5.0, max_retries=0)
            raw = await quick.with_raw_response.get_creations(task.task_id or "")
            status: int = raw.status
            state: vidu.TaskCreations = raw.parse()
            creations: list[vidu.Creation] = await client.wait(task.task_id)
            async for listed in await client.list_tasks(page_size=10):
                print(listed.id)
            return f"{status} {state.state} {creations[0].url}"


    async def mistakes(client: vidu.AsyncClient) -> None:
        await client.reference2video(model="viduq2", images=[], prompt="x", durration=5)
        await client.reference2video(model="viduq2", images=[], prompt="x", duration="5")
        client.get_credits()
"""


def test_typed_async_calls_pass_mypy_strict(tmp_path: Path) -> None:
    """Typed calls, options and raw access pass; a misspelt keyword, a wrong
    type and a coroutine never awaited are each reported at their line; the
    script's typed part runs against the fake server."""
    script = tmp_path / "user_async.py"
    script.write_text(textwrap.dedent(USER_SCRIPT))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    lines = script.read_text().splitlines()
    wrong = {
        lines.index(line) + 1
        for line in lines
        if "durration=" in line
        or 'duration="5"' in line
        or "client.get_credits()" in line
    }
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    reported = {int(line.split(":")[1]) for line in errors}
    assert reported == wrong, result.stdout + result.stderr
    assert any("unused-coroutine" in line for line in errors), result.stdout
    namespace: dict[str, Any] = {}
    exec(compile(script.read_text(), str(script), "exec"), namespace)
    with FakeServer(api_key=KEY) as server:
        shown = asyncio.run(namespace["main"](server))
    assert shown.startswith("200 ")
    assert " http://127.0.0.1:" in shown
