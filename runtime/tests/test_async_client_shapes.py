"""The asyncio client with hand-built tables of shapes the bundled spec does not have.

A ``Jobs`` API: the key in ``X-Jobs-Key``, a job's id in ``ref`` and its state
in ``phase`` (``queued``, ``done``, ``broken``), its error code in ``why``,
errors as ``{"problem": {"kind", "text"}}``. A small server on 127.0.0.1
answers from a script; an answer may be held back until the test releases
it, so "in flight" is a state the test controls, not a race against time.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, ClassVar, TypeVar

import attrs
import pytest
from shapes import JOB_TASKS, Received, Reply, Responder, api_tables, http_server
from specgen_runtime.async_client import (
    AsyncBaseClient,
    AsyncPage,
    OrphanedCreate,
    orphaned_create,
)
from specgen_runtime.client import BaseClient
from specgen_runtime.errors import BadRequestError, TaskFailed
from specgen_runtime.pagination import PageLimitExceeded, PaginationLoop
from specgen_runtime.retry import RetryPolicy
from specgen_runtime.tables import (
    ApiTables,
    Auth,
    ErrorFields,
    Errors,
    Operation,
    Pagination,
)
from specgen_runtime.violations import Violation

SUBMIT = Operation(
    "submit", "POST", "/jobs", "Submit a job", task="create", has_body=True
)
READ = Operation(
    "read", "GET", "/jobs/{job}", "Read a job", ("job",), task="get", idempotent=True
)
LIST = Operation(
    "list_jobs",
    "GET",
    "/jobs",
    "List jobs",
    task="list",
    idempotent=True,
    pagination=Pagination(token="cursor", items="rows", next_token="more"),
)


def _validate(operation_id: str, body: Any) -> list[Violation]:
    if not isinstance(body.get("name"), str):
        return [Violation("error", "name", "name.type", "name must be a string")]
    return []


JOBS = api_tables(
    "Jobs",
    SUBMIT,
    READ,
    LIST,
    auth=Auth("X-Jobs-Key", ""),
    tasks=attrs.evolve(
        JOB_TASKS, id_field="ref", state_field="phase", results_field="creations"
    ),
    errors=Errors(
        ErrorFields(
            code="", reason="problem.kind", message="problem.text", trace_id=""
        ),
        {},
    ),
    validate=_validate,
)


@attrs.frozen(kw_only=True)
class Job:
    ref: str | None = None
    phase: str | None = None
    why: str | None = None
    creations: list[str] = attrs.field(factory=list)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        return cls(
            ref=data.get("ref"),
            phase=data.get("phase"),
            why=data.get("why"),
            creations=list(data.get("creations") or []),
        )


@attrs.frozen(kw_only=True)
class JobRequest:
    name: str
    payload: str | None = None

    def violations(self) -> list[Violation]:
        return _validate("submit", self.to_json())

    def to_json(self) -> dict[str, Any]:
        body = {"name": self.name}
        if self.payload is not None:
            body["payload"] = self.payload
        return body


class JobsClient(BaseClient[Job]):
    _api: ClassVar[ApiTables] = JOBS

    def _get_task(self, task_id: str, /) -> Job:
        return self._call(READ, {"job": task_id}, None, Job.from_json)


class AsyncJobsClient(AsyncBaseClient[Job, Job]):
    """What a package generated from the Jobs spec would hold."""

    _api: ClassVar[ApiTables] = JOBS
    _client_class: ClassVar[type[BaseClient[Any]]] = JobsClient

    async def submit(self, **fields: Any) -> Job:
        body = self._body(SUBMIT, None, fields, None, JobRequest)
        return await self._create(SUBMIT, {}, body, Job.from_json)

    async def read(self, job: str, /) -> Job:
        return await self._call(READ, {"job": job}, None, Job.from_json)

    async def list_jobs(self) -> AsyncPage[Rows, str]:
        return await self._first_page(
            LIST,
            {},
            lambda query: self._call(LIST, {}, None, Rows.from_json, query=query),
        )


@attrs.frozen(kw_only=True)
class Rows:
    rows: list[str] = attrs.field(factory=list)
    more: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rows:
        return cls(rows=list(data.get("rows") or []), more=data.get("more"))


@attrs.define
class Answer:
    status: int = 200
    body: dict[str, Any] = attrs.field(factory=dict)
    headers: dict[str, str] = attrs.field(factory=dict)
    hold: threading.Event | None = None
    """Answer only once this is set (bounded: 10 s)."""


@attrs.define
class Script(Responder):
    """What the server answers, in order (the last one again), and what came."""

    answers: list[Answer] = attrs.field(factory=list)

    def reply(self, request: Received) -> Reply:
        with self.lock:
            answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if answer.hold is not None:
            answer.hold.wait(10)
        headers = {"Content-Type": "application/json", **answer.headers}
        return Reply(answer.status, json.dumps(answer.body).encode(), headers)

    def held(self, body: dict[str, Any]) -> threading.Event:
        """Answer ``body`` from now on, each answer held back until the
        returned event is set."""
        release = threading.Event()
        self.answers = [Answer(body=body, hold=release)]
        return release


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    with http_server(script) as url:
        yield url, script


T = TypeVar("T")


def run(main: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(main(), 30)

    return asyncio.run(bounded())


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never happened: {what}")


def client(url: str, **options: Any) -> AsyncJobsClient:
    options.setdefault("retry", RetryPolicy(max_retries=2, backoff=0.01))
    return AsyncJobsClient("k-123456789", base_url=url, timeout=5.0, **options)


def test_a_task_is_read_through_the_apis_own_fields(
    server: tuple[str, Script],
) -> None:
    url, script = server
    script.answers = [
        Answer(body={"ref": "j1", "phase": "queued"}),
        Answer(body={"ref": "j1", "phase": "queued"}),
        Answer(body={"ref": "j1", "phase": "done", "creations": ["a", "b"]}),
    ]
    phases: list[str | None] = []

    async def main() -> list[Any]:
        async with client(url, sleep=lambda _: None) as jobs:
            job = await jobs.submit(name="x")
            assert job.ref is not None
            return await jobs.wait(
                job.ref, poll_interval=1.0, on_progress=lambda j: phases.append(j.phase)
            )

    assert run(main) == ["a", "b"]
    assert phases == ["queued", "done"]
    assert [(r.method, r.path) for r in script.received] == [
        ("POST", "/jobs"),
        ("GET", "/jobs/j1"),
        ("GET", "/jobs/j1"),
    ]


def test_failure_and_errors_use_the_apis_layout(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [
        Answer(body={"ref": "j2", "phase": "broken", "why": "TooBig"}),
        Answer(400, {"problem": {"kind": "NoName", "text": "a job needs a name"}}),
    ]

    async def main() -> None:
        async with client(url) as jobs:
            with pytest.raises(TaskFailed) as failed:
                await jobs.wait("j2")
            assert failed.value.err_code == "TooBig"
            with pytest.raises(BadRequestError) as refused:
                await jobs.read("j2")
            assert (refused.value.reason, refused.value.message) == (
                "NoName",
                "a job needs a name",
            )

    run(main)


def test_an_orphaned_create_finds_its_id_in_the_apis_id_field(
    server: tuple[str, Script],
) -> None:
    url, script = server
    release = script.held({"ref": "j3", "phase": "queued"})
    told: list[OrphanedCreate[Job]] = []

    async def main() -> OrphanedCreate[Any]:
        delivered = asyncio.Event()

        def on_orphan(orphan: OrphanedCreate[Job]) -> None:
            told.append(orphan)
            delivered.set()

        async with client(url, on_orphaned_create=on_orphan) as jobs:
            submitting = asyncio.create_task(jobs.submit(name="x", payload="p-1"))
            await until(lambda: script.count("POST") == 1, "the POST")
            submitting.cancel()
            with pytest.raises(asyncio.CancelledError) as caught:
                await submitting
            orphan = orphaned_create(caught.value)
            assert orphan is not None
            assert orphan.state == "pending"
            assert jobs.orphaned_creates == [orphan]
            release.set()
            await asyncio.wait_for(delivered.wait(), 10)
            return orphan

    orphan = run(main)
    assert orphan.state == "created"
    assert orphan.task_id == "j3"
    assert orphan.payload == "p-1"
    assert told == [orphan]
    assert script.count("POST") == 1


def test_a_cancel_during_a_retry_wait_sends_nothing_more(
    server: tuple[str, Script],
) -> None:
    """A 503 is retried for a create (nothing was done); cancelled during the
    wait before that retry, the create is abandoned and known not created."""
    url, script = server
    script.answers = [Answer(503, {}, {"Retry-After": "3"})]

    async def main() -> OrphanedCreate[Any]:
        async with client(url) as jobs:
            submitting = asyncio.create_task(jobs.submit(name="x"))
            await until(lambda: script.answered == 1, "the 503")
            submitting.cancel()
            with pytest.raises(asyncio.CancelledError) as caught:
                await submitting
            orphan = orphaned_create(caught.value)
            assert orphan is not None
            return await orphan.outcome()

    orphan = run(main)
    assert orphan.state == "not_created"
    assert orphan.error is None
    assert script.count("POST") == 1, "the retry was not sent"


def test_a_cancelled_wait_sends_no_poll_after_the_one_in_flight(
    server: tuple[str, Script],
) -> None:
    url, script = server
    release = script.held({"ref": "j4", "phase": "queued"})

    async def main() -> int:
        async with client(url, sleep=asyncio.sleep) as jobs:
            waiting = asyncio.create_task(jobs.wait("j4", poll_interval=0.01))
            await until(lambda: script.count("GET") == 1, "the poll")
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            release.set()
        return script.count("GET")

    assert run(main) == 1


def test_each_call_runs_on_a_worker_thread_of_its_own_client(
    server: tuple[str, Script],
) -> None:
    url, script = server
    release = script.held({"ref": "j5", "phase": "done"})

    async def main() -> int:
        async with client(url, max_concurrency=3) as jobs:
            reads = [asyncio.create_task(jobs.read(f"j{n}")) for n in range(5)]
            await until(lambda: script.count("GET") == 3, "three reads at once")
            await asyncio.sleep(0.05)
            at_most = script.count("GET")
            release.set()
            await asyncio.gather(*reads)
            return at_most

    assert run(main) == 3, "the others waited for a thread"
    assert script.count("GET") == 5


def test_a_listing_follows_the_apis_token_fields(server: tuple[str, Script]) -> None:
    url, script = server
    pages = [
        Answer(body={"rows": ["a", "b"], "more": "c1"}),
        Answer(body={"rows": ["c"], "more": "c2"}),
        Answer(body={"rows": ["d"], "more": ""}),
    ]
    script.answers = list(pages)

    async def main() -> list[str]:
        async with client(url) as jobs:
            rows = [row async for row in await jobs.list_jobs()]
            script.answers = list(pages)
            last = await (
                await (await jobs.list_jobs()).get_next_page()
            ).get_next_page()
            assert not last.has_next_page()
            with pytest.raises(LookupError, match="last page"):
                await last.get_next_page()
            return rows

    assert run(main) == ["a", "b", "c", "d"]
    assert [r.path for r in script.received] == [
        "/jobs",
        "/jobs?cursor=c1",
        "/jobs?cursor=c2",
    ] * 2


def test_a_listing_is_bounded(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [Answer(body={"rows": ["a"], "more": "again"})]

    async def main() -> None:
        async with client(url) as jobs:
            page = await jobs.list_jobs()
            with pytest.raises(PageLimitExceeded) as limited:
                [p async for p in page.iter_pages(max_pages=1)]
            assert limited.value.limit == "max_pages"
            assert "max_pages=" in str(limited.value)
            with pytest.raises(PaginationLoop):
                [row async for row in page]

    run(main)
    assert script.count("GET") <= 5


def test_aclose_after_a_cancel_waits_no_longer_than_the_calls_deadline(
    server: tuple[str, Script],
) -> None:
    """The server never answers; the cancelled read ends at its deadline,
    and aclose() with it, while the server still holds the answer."""
    url, script = server
    release = script.held({"ref": "j6"})

    async def main() -> None:
        jobs = AsyncJobsClient("k-123456789", base_url=url, timeout=0.5)
        reading = asyncio.create_task(jobs.read("j6"))
        await until(lambda: script.count("GET") == 1, "the read")
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        await jobs.aclose()

    try:
        run(main)
        assert script.answered == 0, "aclose() did not wait for the server"
    finally:
        release.set()


def test_an_orphan_outlives_its_event_loop(server: tuple[str, Script]) -> None:
    """The loop has closed when the create ends: the callback runs in the
    worker thread, and the record is complete."""
    url, script = server
    release = script.held({"ref": "j7"})
    told: list[tuple[OrphanedCreate[Job], str]] = []
    delivered = threading.Event()

    def on_orphan(orphan: OrphanedCreate[Job]) -> None:
        told.append((orphan, threading.current_thread().name))
        delivered.set()

    jobs = client(url, on_orphaned_create=on_orphan)

    async def main() -> None:
        submitting = asyncio.create_task(jobs.submit(name="x"))
        await until(lambda: script.count("POST") == 1, "the POST")
        submitting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await submitting

    run(main)  # the loop closes with the request still in flight
    release.set()
    assert delivered.wait(10), "the outcome was delivered"
    (orphan, thread), *others = told
    assert others == []
    assert orphan.state == "created"
    assert orphan.task_id == "j7"
    assert thread.startswith("jobs-client")
    assert jobs.orphaned_creates == [orphan]
    asyncio.run(jobs.aclose())
