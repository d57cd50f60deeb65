"""The batch runner with hand-built tables of shapes the bundled spec does not have.

A ``Render`` API: tasks with ``job_id`` and ``status`` and states of other
names, a list operation whose window is ``made.from``/``made.to`` and whose
pages are ``jobs`` with a ``cursor``, no ``task_ids`` filter (so each job is
polled on its own), a concurrency report under other names, and a quota
error of its own. The runner reads all of it from the tables; the fake
server serves it over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import cattrs
import pytest
from specgen_runtime import batch
from specgen_runtime.batch import marker
from specgen_runtime.batch.service import ClientService, ListTooLong
from specgen_runtime.client import BaseClient
from specgen_runtime.pagination import query_values
from specgen_runtime.tables import (
    ApiTables,
    Auth,
    BodyShape,
    Concurrency,
    ErrorCode,
    ErrorFields,
    Errors,
    FieldTable,
    FormTable,
    Operation,
    Pagination,
    QueryParam,
    Tasks,
    TaskShapes,
)
from specgen_runtime.testing import FakeServer
from specgen_runtime.violations import Violation

START = Operation(
    "start_job", "POST", "/v1/jobs", "Start", task="create", has_body=True
)
STATUS = Operation("job_status", "GET", "/v1/jobs/{job}", "Status", ("job",), "get")
JOBS = Operation(
    "list_jobs",
    "GET",
    "/v1/jobs",
    "List",
    task="list",
    idempotent=True,
    query=(
        QueryParam("made.from", "made_from", "datetime"),
        QueryParam("made.to", "made_to", "datetime"),
        QueryParam("cursor", "cursor"),
        QueryParam("size", "size", "integer", range=(1, 50)),
    ),
    pagination=Pagination(
        token="cursor", items="jobs", next_token="more", page_size="size"
    ),
)
ACCOUNT = Operation(
    "account",
    "GET",
    "/v1/account",
    "Account",
    idempotent=True,
    concurrency=Concurrency(limit="slots", running="busy", queued="waiting"),
)

FORM = FormTable(
    operation="start_job",
    name="job",
    request_class="JobRequest",
    models=(),
    fields={
        "prompt": FieldTable("string", required=True),
        "payload": FieldTable("string", length=(0, 100)),
    },
)
TASKS = Tasks(
    id_field="job_id",
    state_field="status",
    states=("waiting", "rendering", "done", "broken"),
    success=frozenset({"done"}),
    failure=frozenset({"broken"}),
    error_code_field="failure",
    results_field="renders",
    body_id_field="id",
    pass_through_field="payload",
    shapes=TaskShapes(
        created=BodyShape("JobStarted", ("job_id", "status", "payload")),
        body=BodyShape("Job", ("id", "status", "failure", "payload", "renders")),
        listed=BodyShape(
            "ListedJob",
            ("id", "status", "payload", "made_at"),
            ({"made_at": "2025-01-01T00:00:00Z"},),
        ),
        result=BodyShape(
            "Render", ("href",), ({"href": "https://render.invalid/a.webm"},)
        ),
        files={"href": "href.webm"},
        download="href",
    ),
)
ERRORS = Errors(
    ErrorFields(
        code="error.status", reason="error.code", message="error.detail", trace_id="id"
    ),
    {
        "BadInput": ErrorCode(400, "bad input"),
        "NoSuchThing": ErrorCode(404, "no such thing"),
        "SlowDown": ErrorCode(429, "slow down"),
        "Crashed": ErrorCode(500, "the renderer crashed"),
    },
)


def _validate(operation: str, body: Mapping[str, Any]) -> list[Violation]:
    found = []
    if not isinstance(body.get("prompt"), str):
        found.append(
            Violation("error", "prompt", "prompt.required", "prompt is required")
        )
    payload = body.get("payload", "")
    if not isinstance(payload, str) or len(payload) > 100:
        found.append(Violation("error", "payload", "payload.length", "at most 100"))
    return found


API = ApiTables(
    name="Render",
    package="render",
    version="1.0.0",
    base_url="https://render.invalid",
    hosts={},
    auth=Auth("X-Api-Key", ""),
    models=(),
    operations={op.id: op for op in (START, STATUS, JOBS, ACCOUNT)},
    forms=(FORM,),
    validate=_validate,
    converter=cattrs.Converter(),
    tasks=TASKS,
    errors=ERRORS,
)


class RenderServer(FakeServer):
    _api: ClassVar[ApiTables] = API


class RenderClient(BaseClient[dict[str, Any]]):
    """What a package generated from the Render spec would hold."""

    _api: ClassVar[ApiTables] = API

    def start_job(
        self, *, validation: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        return self._call(START, {}, fields, dict)

    def job_status(self, job: str, /) -> dict[str, Any]:
        return self._call(STATUS, {"job": job}, None, dict)

    def list_jobs(self, **given: object) -> dict[str, Any]:
        return self._call(JOBS, {}, None, dict, query=query_values(JOBS, given))

    def account(self) -> dict[str, Any]:
        return self._call(ACCOUNT, {}, None, dict)

    def _get_task(self, task_id: str, /) -> dict[str, Any]:
        return self.job_status(task_id)


class FastClock:
    def now(self) -> float:
        return time.monotonic() * 40.0

    def wall(self) -> datetime:
        return datetime.now(UTC)


FAST: dict[str, Any] = {
    "settle": 0.3,
    "window_margin": 5.0,
    "poll_interval": 0.05,
    "max_poll_interval": 0.2,
    "tick": 0.05,
    "backoff": 0.05,
    "max_backoff": 0.2,
    "deadline": 30.0,
}


def _manifest(path: Path, count: int, payload: str = "mine") -> Path:
    path.write_text(
        "".join(
            json.dumps(
                {"key": f"k{n}", "request": {"prompt": f"p{n}", "payload": payload}}
            )
            + "\n"
            for n in range(count)
        )
    )
    return path


def test_a_batch_runs_on_tables_of_other_names(tmp_path: Path) -> None:
    with RenderServer(
        clock=FastClock(), concurrency_limit=2, page_size=2, file_size=512
    ) as server:
        server.inject("start_job", drop="after_read", times=2)
        server.inject("start_job", status=429, reason="SlowDown", retry_after="0")
        manifest = _manifest(tmp_path / "jobs.jsonl", 5)
        log = io.StringIO()
        with RenderClient(server.api_key, base_url=server.url, max_retries=0) as client:
            summary = batch.run(client, manifest, tmp_path / "out", stream=log, **FAST)
        assert summary.counts["downloaded"] == 5, log.getvalue()
        assert (
            "concurrency limit: 2" not in log.getvalue()
        )  # read before the first round
        payloads = [server.task(t)["payload"] for t in server.task_ids]
        assert sorted(marker.parse(p)[0] or "" for p in payloads) == sorted(
            {marker.parse(p)[0] or "" for p in payloads}
        )
        assert len(payloads) == 5
        assert {marker.unwrap(p) for p in payloads} == {"mine"}
        lists = [r.path for r in server.requests if r.path.startswith("/v1/jobs?")]
        assert lists
        assert all("made.from=" in path and "made.to=" in path for path in lists)
        assert server.received["account"] >= 1
        assert server.received["job_status"] >= 5  # no task_ids filter: one by one


def test_a_payload_without_room_for_the_marker_is_refused_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    with RenderServer(clock=FastClock()) as server:
        manifest = _manifest(tmp_path / "jobs.jsonl", 2, payload="x" * 70)
        log = io.StringIO()
        with (
            RenderClient(server.api_key, base_url=server.url) as client,
            pytest.raises(batch.ManifestError, match="2 of 2 lines have errors"),
        ):
            batch.run(client, manifest, tmp_path / "out", stream=log, **FAST)
        assert "over the limit of 100: shorten it by 8" in log.getvalue()
        assert server.received["start_job"] == 0


def test_a_list_that_refuses_the_query_stops_the_run_and_the_next_run_ends_it(
    tmp_path: Path,
) -> None:
    with RenderServer(clock=FastClock(), file_size=512) as server:
        server.inject("start_job", drop="after_read")
        server.inject("list_jobs", status=400, reason="BadInput", times=5)
        manifest = _manifest(tmp_path / "jobs.jsonl", 3)
        log = io.StringIO()
        with RenderClient(server.api_key, base_url=server.url, max_retries=0) as client:
            with pytest.raises(batch.BatchStopped) as caught:
                batch.run(client, manifest, tmp_path / "out", stream=log, **FAST)
            stopped = caught.value.summary
            assert stopped.stopped_by is not None
            assert stopped.stopped_by.startswith(
                "the task list refuses the runner's query"
            )
            assert stopped.counts["creating"] == 1
            assert stopped.exit_status == 1
            server.clear_faults()
            done = batch.run(client, manifest, tmp_path / "out", stream=log, **FAST)
        assert done.counts["downloaded"] == 3, log.getvalue()
        assert len(server.task_ids) == 3


def test_reading_the_list_is_bounded_and_says_how_to_read_more() -> None:
    with (
        RenderServer(clock=FastClock()) as server,
        RenderClient(server.api_key, base_url=server.url) as client,
    ):
        for n in range(3):
            client.start_job(prompt=f"p{n}")
        service = ClientService(client, START, page_size=1, max_pages=2)
        start = datetime.now(UTC) - timedelta(minutes=5)
        end = start + timedelta(minutes=10)
        with pytest.raises(
            ListTooLong, match="past max_pages=2 pages: pass a larger max_pages="
        ):
            list(service.tasks_created(start, end))
        whole = ClientService(client, START, page_size=1, max_pages=3)
        assert len(list(whole.tasks_created(start, end))) == 3
        assert [q for q in server.requests if "cursor=" in q.path]


def test_a_list_without_a_creation_window_is_refused_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    import attrs
    from specgen_runtime.errors import ClientError

    windowless = attrs.evolve(
        JOBS, query=tuple(q for q in JOBS.query if q.kind != "datetime")
    )
    tables = attrs.evolve(API, operations={**API.operations, JOBS.id: windowless})

    class WindowlessClient(RenderClient):
        _api: ClassVar[ApiTables] = tables

    with RenderServer(clock=FastClock()) as server:
        manifest = _manifest(tmp_path / "jobs.jsonl", 1)
        with (
            WindowlessClient(server.api_key, base_url=server.url) as client,
            pytest.raises(batch.BatchUnsupported) as caught,
        ):
            batch.run(client, manifest, tmp_path / "out", **FAST)
        assert isinstance(caught.value, ClientError)
        assert str(caught.value) == (
            "a batch cannot run over the Render spec: the Render spec's list "
            "operation list_jobs needs one datetime query parameter ending in "
            "'from' and one in 'to'"
        )
        assert not server.requests


def test_the_marker_travels_in_the_field_options_name(tmp_path: Path) -> None:
    import attrs

    note_form = attrs.evolve(
        FORM,
        fields={
            "prompt": FieldTable("string", required=True),
            "note": FieldTable("string", length=(0, 100)),
        },
    )
    assert TASKS.shapes is not None
    shapes = attrs.evolve(
        TASKS.shapes,
        body=BodyShape("Job", ("id", "status", "failure", "note", "renders")),
        listed=BodyShape("ListedJob", ("id", "status", "note")),
    )
    tables = attrs.evolve(
        API,
        forms=(note_form,),
        tasks=attrs.evolve(TASKS, shapes=shapes),
        validate=lambda operation, body: [],
    )

    class NoteServer(FakeServer):
        _api: ClassVar[ApiTables] = tables

    class NoteClient(RenderClient):
        _api: ClassVar[ApiTables] = tables

    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text(
        "".join(
            json.dumps({"key": f"k{n}", "request": {"prompt": f"p{n}", "note": "n"}})
            + "\n"
            for n in range(3)
        )
    )
    with NoteServer(clock=FastClock(), file_size=512) as server:
        server.inject("start_job", drop="after_read")  # found again by its note
        log = io.StringIO()
        with NoteClient(server.api_key, base_url=server.url, max_retries=0) as client:
            summary = batch.run(
                client,
                manifest,
                tmp_path / "out",
                stream=log,
                marker_field="note",
                **FAST,
            )
        assert summary.counts["downloaded"] == 3, log.getvalue()
        assert "found its task" in log.getvalue()
        notes = [server.task(t)["note"] for t in server.task_ids]
        assert len(notes) == 3
        assert {marker.unwrap(n) for n in notes} == {"n"}
        assert len({marker.parse(n)[0] for n in notes}) == 3


def test_a_tasks_id_credits_and_marker_field_are_read_where_the_tables_say() -> None:
    import attrs
    from specgen_runtime.batch.service import view

    tasks = attrs.evolve(
        TASKS, body_id_field="ident", credits_field="cost", pass_through_field="memo"
    )
    body = {"ident": "j1", "id": "other", "status": "done", "cost": 7, "memo": "m"}
    seen = view(body, tasks)
    assert (seen.task_id, seen.credits, seen.payload) == ("j1", 7, "m")
    assert view({"job_id": "j2", "credits": 3}, tasks).task_id == "j2"
    assert view({"job_id": "j2", "credits": 3}, tasks).credits is None
    bare = attrs.evolve(TASKS, credits_field=None, pass_through_field=None)
    assert view({"id": "j3", "payload": "p"}, bare).payload is None
    assert view({"id": "j3", "note": "n"}, bare, marker_field="note").payload == "n"


def test_without_a_pass_through_field_a_batch_is_refused_before_sending(
    tmp_path: Path,
) -> None:
    import attrs

    tables = attrs.evolve(API, tasks=attrs.evolve(TASKS, pass_through_field=None))

    class MarkerlessClient(RenderClient):
        _api: ClassVar[ApiTables] = tables

    with RenderServer(clock=FastClock()) as server:
        manifest = _manifest(tmp_path / "jobs.jsonl", 1)
        with (
            MarkerlessClient(server.api_key, base_url=server.url) as client,
            pytest.raises(batch.BatchUnsupported, match="names no pass_through_field"),
        ):
            batch.run(client, manifest, tmp_path / "out", **FAST)
        assert not server.requests
