"""The fake server with hand-built tables of shapes the bundled spec does not have.

A ``Render`` API: the key in ``X-Api-Key`` with no scheme, errors nested as
``error.code`` / ``error.detail`` with a table that lacks most of the reasons
the fake server prefers, tasks with other field and state names and bodies
of their own shapes (results with an ``href`` video and a ``poster`` image,
a ``cost``), and no callback section. Everything goes over real HTTP on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import attrs
import cattrs
import pytest
import urllib3
from specgen_runtime.tables import (
    ApiTables,
    Auth,
    BodyShape,
    Callback,
    ErrorCode,
    ErrorFields,
    Errors,
    FieldTable,
    FormTable,
    Operation,
    Signature,
    Tasks,
    TaskShapes,
)
from specgen_runtime.testing import FakeServer, default_durations
from specgen_runtime.testing._server import service_of
from specgen_runtime.testing.pytest_plugin import make_fixture
from specgen_runtime.violations import Violation
from specgen_runtime.webhooks import Webhooks

START = Operation(
    "start_job", "POST", "/v1/jobs", "Start", task="create", has_body=True
)
STATUS = Operation("job_status", "GET", "/v1/jobs/{job}", "Status", ("job",), "get")
STOP = Operation("stop_job", "POST", "/v1/jobs/{job}/stop", "Stop", ("job",), "cancel")
PING = Operation("ping", "GET", "/v1/ping", "Ping", idempotent=True)

FORM = FormTable(
    operation="start_job",
    name="job",
    request_class="JobRequest",
    models=("m1", "m2"),
    fields={
        "model": FieldTable("string", required=True, choices=("m1", "m2")),
        "prompt": FieldTable("string", required=True),
        "steps": FieldTable("integer", default=10, default_by_model={"m2": 30}),
        "hint": FieldTable("string", ignored_by=frozenset({"m1"})),
    },
)

TASKS = Tasks(
    id_field="job_id",
    state_field="status",
    states=("waiting", "rendering", "done", "broken", "aborted"),
    success=frozenset({"done"}),
    failure=frozenset({"broken", "aborted"}),
    error_code_field="failure",
    results_field="renders",
    shapes=TaskShapes(
        created=BodyShape(
            "JobStarted",
            ("job_id", "status", "model", "steps", "queued_at"),
            ({"status": "waiting", "queued_at": "2025-01-01T00:00:00Z"},),
        ),
        body=BodyShape(
            "Job",
            ("id", "status", "failure", "model", "prompt", "cost", "renders"),
            (
                {"status": "done", "failure": "", "cost": 7},
                {"status": "broken", "failure": "Crashed", "cost": 0},
                {"status": "rendering", "cost": 1},
            ),
        ),
        listed=BodyShape(
            "ListedJob",
            ("id", "status", "model", "prompt", "made_at"),
            ({"id": "j1", "made_at": "2025-01-01T00:00:00Z"},),
        ),
        result=BodyShape(
            "Render",
            ("href", "poster", "frames"),
            (
                {
                    "href": "https://render.invalid/a.webm",
                    "poster": "https://render.invalid/a.png",
                    "frames": 48,
                },
            ),
        ),
        files={"href": "href.webm", "poster": "poster.png"},
        download="href",
    ),
)

ERRORS = Errors(
    ErrorFields(
        code="error.status",
        reason="error.code",
        message="error.detail",
        trace_id="request_id",
    ),
    {
        "BadInput": ErrorCode(400, "bad input: {{.fields}}"),
        "BadKey": ErrorCode(401, "the key is wrong"),
        "NoSuchThing": ErrorCode(404, "no such thing"),
        "SlowDown": ErrorCode(429, "slow down"),
        "Crashed": ErrorCode(500, "the renderer crashed"),
    },
)


def validate(operation: str, body: Mapping[str, Any]) -> list[Violation]:
    """A stand-in for a rendered validator: required, unknown and ignored fields."""
    if not isinstance(body, Mapping):
        return [Violation("error", "", "body.type", "not an object")]
    found = [
        Violation("error", name, f"{name}.required", f"{name} is required")
        for name, field in FORM.fields.items()
        if field.required and name not in body
    ]
    found += [
        Violation("error", name, "unknown_field", f"unknown field {name}")
        for name in body
        if name not in FORM.fields
    ]
    if "steps" in body and not isinstance(body["steps"], int):
        found.append(Violation("error", "steps", "steps.type", "not an integer"))
    if "hint" in body and body.get("model") == "m1":
        found.append(Violation("warning", "hint", "hint.ignored", "m1 ignores hint"))
    return found


def make_api(**changes: Any) -> ApiTables:
    fields: dict[str, Any] = {
        "name": "Render",
        "package": "render",
        "version": "1.2.3",
        "base_url": "https://render.invalid",
        "hosts": {},
        "auth": Auth("X-Api-Key", ""),
        "models": ("m1", "m2"),
        "operations": {op.id: op for op in (START, STATUS, STOP, PING)},
        "forms": (FORM,),
        "validate": validate,
        "converter": cattrs.Converter(),
        "tasks": TASKS,
        "errors": ERRORS,
    }
    fields.update(changes)
    return ApiTables(**fields)


API = make_api()


class RenderServer(FakeServer):
    """A fake Render service."""

    _api: ClassVar[ApiTables] = API


render_server = make_fixture(RenderServer, name="render_server")

REQUEST = {"model": "m1", "prompt": "a teapot"}


class Reply:
    def __init__(self, response: urllib3.BaseHTTPResponse) -> None:
        self.status = response.status
        self.headers = response.headers
        self.json: Any = json.loads(response.data) if response.data else None


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(5))
    yield pool
    pool.clear()


def call(
    http: urllib3.PoolManager,
    server: FakeServer,
    op: Operation,
    body: object = None,
    *,
    key: str | None = "default",
    **params: str,
) -> Reply:
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["X-Api-Key"] = server.api_key if key == "default" else key
    data = None if body is None else json.dumps(body).encode()
    url = server.url + op.url_path(params)
    return Reply(http.request(op.method, url, body=data, headers=headers))


def start(http: urllib3.PoolManager, server: FakeServer, **fields: Any) -> str:
    reply = call(http, server, START, {**REQUEST, **fields})
    assert reply.status == 200, reply.json
    job_id: str = reply.json["job_id"]
    return job_id


def status(http: urllib3.PoolManager, server: FakeServer, job: str) -> dict[str, Any]:
    reply = call(http, server, STATUS, job=job)
    assert reply.status == 200, reply.json
    body: dict[str, Any] = reply.json
    return body


def assert_error(reply: Reply, status: int, reason: str) -> dict[str, Any]:
    """Render's error layout: ``{"error": {...}, "request_id": ...}``."""
    assert reply.status == status
    assert reply.headers["Content-Type"] == "application/json"
    body: dict[str, Any] = reply.json
    assert set(body) == {"error", "request_id"}
    assert set(body["error"]) == {"status", "code", "detail"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == reason
    assert len(body["request_id"]) == 32
    detail: dict[str, Any] = body["error"]
    return detail


# -- auth and errors ---------------------------------------------------------------


def test_the_key_travels_bare_in_its_own_header(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    assert status(http, render_server, start(http, render_server))["status"]
    missing = call(http, render_server, STATUS, key=None, job="1")
    assert assert_error(missing, 401, "BadKey")["detail"] == "the key is wrong"
    schemed = Reply(
        http.request(
            "GET",
            render_server.url + "/v1/jobs/1",
            headers={"X-Api-Key": f"Token {render_server.api_key}"},
        )
    )
    assert_error(schemed, 401, "BadKey")
    authorization = {"Authorization": render_server.api_key}
    other_header = http.request(
        "GET", render_server.url + "/v1/jobs/1", headers=authorization
    )
    assert_error(Reply(other_header), 401, "BadKey")


def test_reasons_missing_from_the_table_fall_back_by_status(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    unknown = Reply(http.request("GET", render_server.url + "/v1/nothing"))
    assert_error(unknown, 404, "NoSuchThing")
    assert_error(call(http, render_server, STATUS, job="42"), 404, "NoSuchThing")
    render_server.inject(STATUS.id, status=503)
    assert_error(call(http, render_server, STATUS, job="1"), 503, "ServiceUnavailable")
    render_server.inject(None, status=429, retry_after="3")
    throttled = call(http, render_server, STATUS, job="1")
    assert assert_error(throttled, 429, "SlowDown")["detail"] == "slow down"
    assert throttled.headers["Retry-After"] == "3"


def test_broken_bodies_are_answered_in_the_tables_terms(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    lacking = call(http, render_server, START, {"model": "m1"})
    assert assert_error(lacking, 400, "BadInput")["detail"] == "bad input: prompt"
    unwanted = call(http, render_server, START, {**REQUEST, "colour": "red", "x": 1})
    assert assert_error(unwanted, 400, "BadInput")["detail"] == "bad input: colour, x"
    raw = http.request(
        "POST",
        render_server.url + START.path,
        body=b"{nope",
        headers={"X-Api-Key": render_server.api_key},
    )
    assert assert_error(Reply(raw), 400, "BadInput")["detail"] == (
        "request body is not JSON"
    )
    assert render_server.task_ids == []
    assert start(http, render_server, hint="warm light")  # a warning only


# -- the task life cycle -----------------------------------------------------------


def test_tasks_walk_the_tables_states(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    reply = call(http, render_server, START, REQUEST)
    created = reply.json
    assert created["job_id"] == render_server.task_ids[0]
    assert created["status"] == "waiting"
    assert created["steps"] == 10  # the form's default, filled in
    assert start(http, render_server, model="m2") in render_server.task_ids
    assert render_server.task(render_server.task_ids[1])["status"] == "rendering"
    job = created["job_id"]
    seen = []
    for _ in range(3):
        seen.append(status(http, render_server, job)["status"])
        render_server.advance(1)
    # waiting lasts 0 s by default, rendering 2 s
    assert seen == ["rendering", "rendering", "done"]
    body = status(http, render_server, job)
    assert body["failure"] == ""
    assert "state" not in body
    assert "err_code" not in body
    assert body["cost"] == 7  # the example of a job that is done
    assert body["prompt"] == REQUEST["prompt"]
    [render] = body["renders"]
    assert set(render) == {"href", "poster", "frames"}
    assert render["frames"] == 48
    video = http.request("GET", render["href"])
    assert video.status == 200
    assert video.headers["Content-Type"] == "video/webm"
    poster = http.request("GET", render["poster"])
    assert poster.headers["Content-Type"] == "image/png"
    assert poster.data.startswith(b"\x89PNG")
    assert render_server.applied["download"] == 2
    absent = http.request("GET", f"{render_server.files_url}/{job}/url.mp4")
    assert absent.status == 404


def test_bodies_take_the_shapes_of_the_tables(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    created = call(http, render_server, START, {**REQUEST, "hint": "h"}).json
    assert list(created) == ["job_id", "status", "model", "steps", "queued_at"]
    assert created["queued_at"] == "2025-01-01T00:00:00.000000Z"  # its creation
    job = created["job_id"]
    running = status(http, render_server, job)
    assert list(running) == [
        "id",
        "status",
        "failure",
        "model",
        "prompt",
        "cost",
        "renders",
    ]
    assert running["cost"] == 1  # the example of a job not done yet
    assert running["renders"] == []
    render_server.set_outcome(job, "broken", err_code="Crashed")
    render_server.advance(5)
    broken = status(http, render_server, job)
    assert (broken["status"], broken["failure"], broken["cost"]) == (
        "broken",
        "Crashed",
        0,
    )
    assert broken["renders"] == []


def test_defaults_follow_the_model(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    assert (
        call(http, render_server, START, {**REQUEST, "model": "m2"}).json["steps"] == 30
    )


def test_default_durations_follow_the_pending_states() -> None:
    assert default_durations(TASKS) == {"waiting": 0.0, "rendering": 2.0}
    one = attrs.evolve(TASKS, states=("busy", "done", "broken"))
    assert default_durations(one) == {"busy": 2.0}
    four = attrs.evolve(
        TASKS, states=("new", "queued", "held", "busy", "done", "broken")
    )
    assert default_durations(four) == {
        "new": 0.0,
        "queued": 1.0,
        "held": 1.0,
        "busy": 2.0,
    }


def test_outcomes_and_cancel_use_the_tables_states(
    http: urllib3.PoolManager,
) -> None:
    with RenderServer(outcome="aborted", durations={"waiting": 1.0}) as server:
        waiting, running, ended = (start(http, server) for _ in range(3))
        server.set_outcome(ended, "broken", err_code="OutOfInk")
        server.advance(1.5)
        assert server.task(running)["status"] == "rendering"
        cancel = call(http, server, STOP, job=running)
        detail = assert_error(cancel, 400, "BadInput")
        assert detail["detail"] == "task state is rendering, can not cancel"
        server.advance(5)
        assert (
            status(http, server, running)["status"],
            server.task(running)["failure"],
        ) == (
            "aborted",
            "Crashed",  # the table's 500 code: the default failure code
        )
        assert server.task(ended)["failure"] == "OutOfInk"
        assert waiting in server.task_ids
    with RenderServer(durations={"waiting": 1.0}) as server:
        job = start(http, server)
        assert call(http, server, STOP, job=job).status == 200
        body = status(http, server, job)
        # the first failure state in the spec's order, and a generic code
        assert (body["status"], body["failure"]) == ("broken", "Cancelled")


def test_an_operation_without_a_task_answers_empty(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    reply = call(http, render_server, PING)
    assert (reply.status, reply.json) == (200, {})
    assert render_server.applied == {"ping": 1}


def test_settings_are_checked_against_the_tables() -> None:
    with pytest.raises(ValueError, match="not an end state"):
        RenderServer(outcome="rendering")
    with pytest.raises(
        ValueError, match=r"pending states are \['waiting', 'rendering'\]"
    ):
        RenderServer(durations={"queueing": 1.0})
    server = RenderServer()
    with pytest.raises(ValueError, match="unknown operation 'reference2video'"):
        server.inject("reference2video", status=500)


# -- sections that are missing ------------------------------------------------------


def test_without_a_callback_section_nothing_is_called_back(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    start(http, render_server)
    render_server.advance(10)
    assert render_server.callbacks_sent == []
    with pytest.raises(LookupError, match="Render spec has no callback section"):
        render_server.wait_for_callbacks(1, timeout=0.1)


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"tasks": None}, "no tasks section"),
        ({"errors": None}, "no errors section"),
        ({"tasks": None, "errors": None}, "no tasks and no errors section"),
    ],
)
def test_tasks_and_errors_are_required(changes: dict[str, Any], missing: str) -> None:
    class Incomplete(FakeServer):
        _api = make_api(**changes)

    with pytest.raises(LookupError, match=f"fake server needs .* {missing}"):
        Incomplete()


def test_the_base_class_serves_no_api() -> None:
    with pytest.raises(TypeError, match="has no API tables"):
        FakeServer()


def test_what_is_worked_out_is_kept_per_api() -> None:
    assert service_of(API) is service_of(API)
    other = make_api(name="Other")
    assert service_of(other) is not service_of(API)
    assert service_of(other).api is other


# -- a second shape: callbacks with their own signature headers -----------------------

SIGNATURE = Signature(
    algorithm="hmac-sha512",
    access_key="render",
    date_header="X-Date",
    nonce_header="X-Nonce",
    signed_headers_header="X-Signed",
    signature_header="X-Sig",
    algorithm_header="X-Alg",
    access_key_header="X-Key-Id",
)
CALLBACK_FORM = attrs.evolve(
    FORM, fields={**FORM.fields, "callback_url": FieldTable("string")}
)


def validate_with_callback(operation: str, body: Mapping[str, Any]) -> list[Violation]:
    return validate(operation, {k: v for k, v in body.items() if k != "callback_url"})


class CallingServer(FakeServer):
    _api = make_api(
        forms=(CALLBACK_FORM,),
        validate=validate_with_callback,
        callback=Callback("PUT", SIGNATURE),
    )


class Receiver:
    """A loopback HTTP server that records what it is sent (any method)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(
                    (self.command, self.path, dict(self.headers), body)
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def test_callbacks_use_the_tables_method_field_names_and_signature(
    http: urllib3.PoolManager,
) -> None:
    verifier: Webhooks[dict[str, Any]] = Webhooks(SIGNATURE, dict)
    with CallingServer() as server, Receiver() as receiver:
        job = start(http, server, callback_url=receiver.url)
        server.advance(10)
        records = server.wait_for_callbacks(2)
    assert [(r.state, r.status, r.attempts) for r in records] == [
        ("rendering", 204, 1),
        ("done", 204, 1),
    ]
    assert [json.loads(body)["status"] for *_, body in receiver.received] == [
        "rendering",
        "done",
    ]
    for method, path, headers, body in receiver.received:
        assert method == "PUT"
        assert path == "/hook"
        assert headers["X-Alg"] == "hmac-sha512"
        assert headers["X-Key-Id"] == "render"
        verifier.verify(method, path, headers, server.api_key)
        assert verifier.parse(body)["id"] == job
        assert "callback_url" not in json.loads(body)
    assert "Authorization" not in receiver.received[0][2]


# -- the command line and the fixture -----------------------------------------------


def _serve(args: list[str], api_module: str = "API") -> tuple[list[str], int | None]:
    """Run ``cli.main`` for ``RenderServer`` in a child process; its first lines."""
    here = Path(__file__).parent
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import test_fake_server_shapes as t;"
        "from specgen_runtime.testing.cli import main;"
        "server = t.RenderServer if sys.argv[2] == 'API' else t.EnvServer;"
        "raise SystemExit(main(server, sys.argv[3:]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(here), api_module, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        reader = threading.Thread(
            target=lambda: _read_until_client(process, lines),
            daemon=True,
        )
        reader.start()
        reader.join(20)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    return [line.rstrip("\n") for line in lines], process.returncode


def _read_until_client(process: subprocess.Popen[str], lines: list[str]) -> None:
    """Read the banner: up to its ``Client(...)`` line (five lines at most)."""
    assert process.stdout is not None
    for _ in range(5):
        line = process.stdout.readline()
        lines.append(line)
        if not line or "Client(" in line:
            return


class EnvServer(FakeServer):
    _api = make_api(auth=Auth("X-Api-Key", "", "RENDER_KEY"))


def test_the_command_line_serves_any_api() -> None:
    lines, code = _serve(["--port", "0", "--api-key", "k1", "--quiet"])
    assert lines[0].startswith("Fake render API listening on http://127.0.0.1:")
    assert lines[1] == "API key: k1"
    assert lines[2].startswith("  Client(base_url='http://127.0.0.1:")
    assert not any("export" in line for line in lines)
    assert code == 0
    lines, code = _serve(["--port", "0", "--quiet", "--waiting-seconds", "0.5"], "ENV")
    assert lines[2] == "  export RENDER_KEY=test-key"
    assert code == 0


def test_the_command_line_knows_the_tables_states() -> None:
    from specgen_runtime.testing.cli import main

    with pytest.raises(SystemExit):
        main(RenderServer, ["--help"])
    assert main(RenderServer, ["--outcome", "rendering", "--port", "0"]) == 1


def test_the_fixture_is_a_started_server(
    http: urllib3.PoolManager, render_server: RenderServer
) -> None:
    assert isinstance(render_server, RenderServer)
    assert render_server.url.startswith("http://127.0.0.1:")
    assert call(http, render_server, PING).status == 200


def test_the_package_does_not_import_pytest() -> None:
    code = (
        "import sys, specgen_runtime.testing, specgen_runtime.testing.cli;"
        "assert 'pytest' not in sys.modules, 'pytest imported'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def test_stop_is_bounded(http: urllib3.PoolManager) -> None:
    server = RenderServer().start()
    server.inject(None, delay=30)
    worker = threading.Thread(
        target=lambda: _swallow(http, server.url + "/v1/ping"), daemon=True
    )
    worker.start()
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    worker.join(5)
    assert time.monotonic() - started < 3
    assert not worker.is_alive()


def _swallow(http: urllib3.PoolManager, url: str) -> None:
    with contextlib.suppress(urllib3.exceptions.HTTPError):
        http.request("GET", url)
