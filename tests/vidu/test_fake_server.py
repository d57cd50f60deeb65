"""``vidu.testing.FakeServer``, exercised over real HTTP with plain urllib3.

Paths, the auth header and the error-body shape are read from the generated
tables, as the server reads them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import specgen_runtime.testing
import urllib3
from vidu import _api, webhooks
from vidu.tables import AUTH, ERROR_CODES, OPERATION_INFO, TASKS
from vidu.testing import DEFAULT_DURATIONS, FakeClock, FakeServer

pytest_plugins = ["vidu.testing.pytest_plugin"]

CREATE = next(op for op in OPERATION_INFO.values() if op.task == "create")
GET = next(op for op in OPERATION_INFO.values() if op.task == "get")
CANCEL = next(op for op in OPERATION_INFO.values() if op.task == "cancel")
REQUEST = {
    "model": "viduq2",
    "images": ["https://example.com/a.png"],
    "prompt": "A bear hugs Santa Claus by the lake.",
    "duration": 5,
    "payload": "order-17",
}


class Reply:
    """A decoded answer."""

    def __init__(self, response: urllib3.BaseHTTPResponse) -> None:
        self.status = response.status
        self.headers = response.headers
        self.data = response.data
        self.json: Any = json.loads(self.data) if self.data else None


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(callback_retry_delay=0.01) as fake:
        yield fake


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(5))
    yield pool
    pool.clear()


def call(
    http: urllib3.PoolManager,
    server: FakeServer,
    op: Any,
    body: object = None,
    *,
    key: str | None = "default",
    raw: bytes | None = None,
    **params: str,
) -> Reply:
    """Send one request to operation ``op``, authenticated unless ``key`` is None."""
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers[AUTH.header] = AUTH.value(server.api_key if key == "default" else key)
    data = (
        raw
        if raw is not None
        else (None if body is None else json.dumps(body).encode())
    )
    url = server.url + op.url_path(params)
    return Reply(http.request(op.method, url, body=data, headers=headers))


def create(
    http: urllib3.PoolManager, server: FakeServer, **fields: Any
) -> dict[str, Any]:
    reply = call(http, server, CREATE, {**REQUEST, **fields})
    assert reply.status == 200, reply.json
    result: dict[str, Any] = reply.json
    return result


def get(http: urllib3.PoolManager, server: FakeServer, task_id: str) -> dict[str, Any]:
    reply = call(http, server, GET, id=task_id)
    assert reply.status == 200, reply.json
    result: dict[str, Any] = reply.json
    return result


def assert_error(reply: Reply, reason: str) -> None:
    """The service's error shape, with ``reason`` and its status."""
    assert reply.status == ERROR_CODES[reason].status
    assert reply.headers["Content-Type"] == "application/json"
    body = reply.json
    assert set(body) == {"code", "reason", "message", "metadata"}
    assert body["code"] == reply.status
    assert body["reason"] == reason
    assert isinstance(body["message"], str)
    assert body["message"]
    assert len(body["metadata"]["trace_id"]) == 32


# -- auth ------------------------------------------------------------------------


def test_a_missing_key_is_unauthorized(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    reply = call(http, server, CREATE, REQUEST, key=None)
    assert_error(reply, "Unauthorized")
    assert reply.json["message"] == ERROR_CODES["Unauthorized"].message
    assert server.task_ids == []


def test_a_wrong_key_is_unauthorized(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    assert_error(call(http, server, GET, key="nope", id="1"), "Unauthorized")
    bearer = {AUTH.header: f"Bearer {server.api_key}"}
    reply = Reply(
        http.request("GET", server.url + GET.url_path({"id": "1"}), headers=bearer)
    )
    assert_error(reply, "Unauthorized")


def test_the_key_is_configurable(http: urllib3.PoolManager) -> None:
    with FakeServer(api_key="sk-other") as fake:
        assert_error(call(http, fake, GET, key="test-key", id="1"), "Unauthorized")
        assert_error(call(http, fake, GET, id="1"), "TaskNotFound")


# -- routes and validation -------------------------------------------------------


def test_an_unknown_route_is_not_found(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    assert_error(Reply(http.request("GET", server.url + "/ent/v2/nothing")), "NotFound")
    wrong_method = http.request("DELETE", server.url + CREATE.path)
    assert_error(Reply(wrong_method), "NotFound")
    assert sum(server.received.values()) == 0
    assert [r.method for r in server.requests] == ["GET", "DELETE"]


def test_a_missing_field_is_lacking(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    reply = call(
        http, server, CREATE, {"model": "viduq2", "images": ["https://e/a.png"]}
    )
    assert_error(reply, "FieldLacking")
    assert reply.json["message"] == "field is missing or empty: prompt"
    assert server.task_ids == []


def test_an_unknown_field_is_unwanted(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    reply = call(http, server, CREATE, {**REQUEST, "colour": "red"})
    assert_error(reply, "FieldUnwanted")
    assert reply.json["message"] == "unwanted field: colour"


def test_a_bad_value_is_invalid_and_every_field_is_listed(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    reply = call(http, server, CREATE, {**REQUEST, "duration": 99, "resolution": "8k"})
    assert_error(reply, "FieldInvalid")
    assert reply.json["message"] == "invalid field: duration, resolution"
    assert server.applied[CREATE.id] == 0
    assert server.received[CREATE.id] == 1


def test_warnings_do_not_reject(http: urllib3.PoolManager, server: FakeServer) -> None:
    # movement_amplitude is ignored by viduq2: a warning, not an error
    assert (
        create(http, server, movement_amplitude="large")["movement_amplitude"]
        == "large"
    )


def test_a_body_that_is_not_json_is_a_bad_request(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    reply = call(http, server, CREATE, raw=b'{"model": ')
    assert_error(reply, "BadRequest")
    assert reply.json["message"] == "request body is not JSON"


def test_a_body_that_is_not_an_object_is_invalid(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    assert_error(call(http, server, CREATE, [1, 2]), "FieldInvalid")


# -- body limits: from the spec ---------------------------------------------------


def _png_uri(decoded_bytes: int) -> str:
    """A PNG data URI of 256x256 pixels, padded to ``decoded_bytes``."""
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk
    png += struct.pack(">I", zlib.crc32(chunk))
    data = png + b"\0" * (decoded_bytes - len(png))
    return "data:image/png;base64," + base64.b64encode(data).decode()


def test_a_form_without_a_body_limit_takes_large_bodies(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    """The images form sets no body limit: five images just under their
    10 MiB decoded limit make a body of about 66 MiB, which is served."""
    image = _png_uri(10 * 1024 * 1024 - 1)
    body = {**REQUEST, "images": [image] * 5}
    assert len(json.dumps(body)) > 64 * 1024 * 1024
    reply = call(http, server, CREATE, body)
    assert reply.status == 200, reply.json


def test_the_subjects_form_refuses_a_body_over_its_limit(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    """The spec's 20 MiB body limit of the subjects form, on the whole body."""
    names = ["a" + "\x01" * 1_000_000 for _ in range(4)]
    subjects = [{"name": n, "images": ["https://a/1.png"]} for n in names]
    body = {"model": "viduq2", "prompt": "@a", "subjects": subjects}
    reply = call(http, server, CREATE, body)
    assert_error(reply, "FieldInvalid")
    assert "body" in reply.json["message"]


def test_a_body_over_the_safety_cap_is_refused_unread(server: FakeServer) -> None:
    """An operation with a form without a body limit reads at most the stated
    safety cap; the answer names it."""
    cap = specgen_runtime.testing._http.SAFETY_BODY_BYTES
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        head = (
            f"POST {CREATE.path} HTTP/1.1\r\nHost: {host}\r\n"
            f"{AUTH.header}: {AUTH.value(server.api_key)}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {cap + 1}\r\n\r\n"
        )
        conn.sendall(head.encode())
        answer = b""
        deadline = time.monotonic() + 10
        while b"}" not in answer.rpartition(b"\r\n\r\n")[2]:
            assert time.monotonic() < deadline
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"400"
    error = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert error["reason"] == "BadRequest"
    assert error["message"] == f"request body too large: at most {cap} bytes"


# -- the task life cycle ---------------------------------------------------------


def test_create_answers_the_created_task(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    task = create(http, server)
    assert task[TASKS.state_field] == TASKS.states[0] == "created"
    assert task[TASKS.id_field] == server.task_ids[0]
    for name, value in REQUEST.items():
        assert task[name] == value
    assert task["resolution"] == "720p"  # the spec's default for viduq2
    assert task["credits"] == 40  # the spec's example of a task just created
    assert task["created_at"].endswith("Z")
    assert datetime.fromisoformat(task["created_at"]).tzinfo is not None
    assert create(http, server)[TASKS.id_field] != task[TASKS.id_field]
    old = {"model": "vidu2.0", "images": ["https://example.com/a.png"], "prompt": "p"}
    defaults = call(http, server, CREATE, old).json
    assert (defaults["duration"], defaults["resolution"]) == (4, "360p")


def test_a_task_moves_on_the_manual_clock(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    task_id = create(http, server)["task_id"]
    assert isinstance(server.clock, FakeClock)
    states = [get(http, server, task_id)["state"]]
    for _ in range(4):
        server.advance(1)
        states.append(get(http, server, task_id)["state"])
    assert states == ["queueing", "processing", "processing", "success", "success"]
    body = get(http, server, task_id)
    assert body["id"] == task_id
    assert body["err_code"] == ""
    assert body["credits"] == 4  # the spec's example of a task that succeeded
    assert body["payload"] == "order-17"
    assert body["bgm"] is False
    assert body["off_peak"] is False
    [creation] = body["creations"]
    assert set(creation) == {"id", "url", "cover_url", "watermarked_url"}
    assert creation["url"].startswith(server.url + "/files/")


def test_nothing_moves_while_the_clock_stands(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    task_id = create(http, server)["task_id"]
    time.sleep(0.1)
    assert get(http, server, task_id)["state"] == "queueing"
    assert get(http, server, task_id)["creations"] == []


def test_durations_are_configurable(http: urllib3.PoolManager) -> None:
    durations = {"created": 5.0, "queueing": 0.0, "processing": 10.0}
    with FakeServer(durations=durations) as fake:
        task_id = create(http, fake)["task_id"]
        assert get(http, fake, task_id)["state"] == "created"
        fake.advance(5)
        assert get(http, fake, task_id)["state"] == "processing"
        fake.advance(10)
        assert get(http, fake, task_id)["state"] == "success"


def test_the_default_outcome_can_be_a_failure(http: urllib3.PoolManager) -> None:
    with FakeServer(outcome="failed", err_code="CreditInsufficient") as fake:
        task_id = create(http, fake)["task_id"]
        fake.advance(60)
        body = get(http, fake, task_id)
    assert body["state"] == "failed"
    assert body["err_code"] == "CreditInsufficient"
    assert body["credits"] == 0
    assert body["creations"] == []


def test_outcomes_per_task(http: urllib3.PoolManager, server: FakeServer) -> None:
    server.next_outcome("failed", err_code="AuditSubmitIllegal")
    server.next_outcome("failed")
    first, second, third, fourth = (create(http, server)["task_id"] for _ in range(4))
    server.set_outcome(fourth, "failed", err_code="CreationPolicyViolation")
    server.advance(60)
    assert [
        get(http, server, t)["err_code"] for t in (first, second, third, fourth)
    ] == [
        "AuditSubmitIllegal",
        "InternalServiceFailure",
        "",
        "CreationPolicyViolation",
    ]
    with pytest.raises(ValueError, match="already ended"):
        server.set_outcome(third, "failed")


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="not an end state"):
        FakeServer(outcome="processing")
    with pytest.raises(ValueError, match="unknown states"):
        FakeServer(durations={"running": 1})
    with pytest.raises(ValueError, match="clock 'fast'"):
        FakeServer(clock="fast")  # type: ignore[arg-type]
    with FakeServer(clock="real") as fake, pytest.raises(TypeError, match="manual"):
        fake.advance(1)
    assert set(DEFAULT_DURATIONS) == {"created", "queueing", "processing"}


def test_tasks_progress_in_real_time(http: urllib3.PoolManager) -> None:
    durations = {"created": 0.0, "queueing": 0.05, "processing": 0.05}
    with FakeServer(clock="real", durations=durations) as fake, Receiver() as receiver:
        task_id = create(http, fake, callback_url=receiver.url)["task_id"]
        # no request needed: the server's own clock thread moves the task on
        records = fake.wait_for_callbacks(3)
        assert [r.state for r in records] == ["queueing", "processing", "success"]
        assert get(http, fake, task_id)["state"] == "success"


# -- cancel ----------------------------------------------------------------------


@pytest.mark.parametrize(("waited", "state"), [(0.0, "created"), (0.5, "queueing")])
def test_a_waiting_task_can_be_cancelled(
    http: urllib3.PoolManager, waited: float, state: str
) -> None:
    with FakeServer(durations={"created": 0.25}) as fake:
        task_id = create(http, fake)["task_id"]
        fake.advance(waited)
        assert fake.task(task_id)["state"] == state
        reply = call(http, fake, CANCEL, {"id": task_id}, id=task_id)
        assert reply.status == 200
        assert reply.json == {}
        body = get(http, fake, task_id)
    assert body["state"] == "failed"
    assert body["err_code"] == "UserCancelled"
    assert body["credits"] == 0


def test_cancel_takes_an_empty_body(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    task_id = create(http, server)["task_id"]
    assert call(http, server, CANCEL, id=task_id).status == 200


@pytest.mark.parametrize(("waited", "state"), [(1.5, "processing"), (10, "success")])
def test_a_started_task_cannot_be_cancelled(
    http: urllib3.PoolManager, server: FakeServer, waited: float, state: str
) -> None:
    task_id = create(http, server)["task_id"]
    server.advance(waited)
    reply = call(http, server, CANCEL, {}, id=task_id)
    assert_error(reply, "BadRequest")
    assert reply.json["message"] == f"task state is {state}, can not cancel"
    assert get(http, server, task_id)["state"] == state


def test_an_unknown_task_is_not_found(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    assert_error(call(http, server, GET, id="42"), "TaskNotFound")
    assert_error(call(http, server, CANCEL, {}, id="42"), "TaskNotFound")


# -- result files ----------------------------------------------------------------


def test_results_are_downloadable(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    task_id = create(http, server)["task_id"]
    server.advance(10)
    [creation] = get(http, server, task_id)["creations"]
    video = http.request("GET", creation["url"])  # no key: the URLs are pre-signed
    assert video.status == 200
    assert video.headers["Content-Type"] == "video/mp4"
    assert int(video.headers["Content-Length"]) == len(video.data) == 256 * 1024
    assert video.data[4:8] == b"ftyp"
    assert http.request("GET", creation["url"]).data == video.data
    cover = http.request("GET", creation["cover_url"])
    assert cover.status == 200
    assert cover.data.startswith(b"\xff\xd8")
    watermarked = http.request("GET", creation["watermarked_url"]).data
    assert watermarked != video.data
    assert server.applied["download"] == 4


def test_a_byte_range_is_served(http: urllib3.PoolManager, server: FakeServer) -> None:
    task_id = create(http, server)["task_id"]
    server.advance(10)
    url = get(http, server, task_id)["creations"][0]["url"]
    whole = http.request("GET", url).data
    part = http.request("GET", url, headers={"Range": "bytes=1000-"})
    assert part.status == 206
    assert part.data == whole[1000:]
    assert part.headers["Content-Range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
    beyond = http.request("GET", url, headers={"Range": f"bytes={len(whole)}-"})
    assert beyond.status == 416
    head = http.request("HEAD", url)
    assert head.status == 200
    assert head.data == b""
    assert head.headers["Content-Length"] == str(len(whole))


def test_no_file_before_success(http: urllib3.PoolManager, server: FakeServer) -> None:
    task_id = create(http, server)["task_id"]
    reply = http.request("GET", f"{server.files_url}/{task_id}/video.mp4")
    assert_error(Reply(reply), "NotFound")
    server.advance(10)
    missing = http.request("GET", f"{server.files_url}/{task_id}/other.mp4")
    assert_error(Reply(missing), "NotFound")


# -- callbacks -------------------------------------------------------------------


class Receiver:
    """A tiny loopback HTTP server that records what it is sent."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(
                    (self.command, self.path, dict(self.headers), body)
                )
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks/vidu?tenant=7"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def test_state_changes_are_called_back_signed(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    with Receiver() as receiver:
        task_id = create(http, server, callback_url=receiver.url)["task_id"]
        server.advance(10)
        records = server.wait_for_callbacks(3)
    assert [r.state for r in records] == ["queueing", "processing", "success"]
    assert all(r.delivered and r.attempts == 1 for r in records)
    nonces = webhooks.NonceCache()
    states = []
    for method, path, headers, body in receiver.received:
        assert method == "POST"
        assert path == "/hooks/vidu?tenant=7"
        webhooks.verify(method, receiver.url, headers, server.api_key, nonces=nonces)
        webhooks.verify(method, path, headers, server.api_key)
        task = webhooks.parse(body)
        assert task.id == task_id
        states.append(task.state)
    assert states == ["queueing", "processing", "success"]
    assert json.loads(receiver.received[-1][3]) == get(http, server, task_id)
    with pytest.raises(webhooks.WebhookVerificationError, match="signature mismatch"):
        webhooks.verify("POST", receiver.url, receiver.received[0][2], "another-key")


def test_a_cancel_is_called_back(http: urllib3.PoolManager, server: FakeServer) -> None:
    with Receiver() as receiver:
        task_id = create(http, server, callback_url=receiver.url)["task_id"]
        assert call(http, server, CANCEL, {}, id=task_id).status == 200
        queued, cancelled = server.wait_for_callbacks(2)
    assert queued.state == "queueing"  # created lasts 0 s: queued at once
    assert cancelled.state == "failed"
    assert cancelled.body["err_code"] == "UserCancelled"


def test_a_failed_end_state_delivery_is_retried(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    with Receiver(status=500) as receiver:
        create(http, server, callback_url=receiver.url)
        server.advance(10)
        records = server.wait_for_callbacks(3)
    assert [(r.state, r.attempts, r.status) for r in records] == [
        ("queueing", 1, 500),
        ("processing", 1, 500),
        ("success", 4, 500),
    ]
    assert records[-1].error == "receiver answered HTTP 500"
    assert len(receiver.received) == 6


def test_only_loopback_urls_are_called_back(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    create(http, server, callback_url="http://example.com/hook")
    server.tick()  # created lasts 0 s: one change, to queueing
    [record] = server.wait_for_callbacks(1)
    assert record.attempts == 0
    assert not record.delivered
    assert record.error is not None
    assert "loopback" in record.error


def test_wait_for_callbacks_is_bounded(server: FakeServer) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="0 of 1 callbacks"):
        server.wait_for_callbacks(1, timeout=0.1)
    assert time.monotonic() - started < 2


# -- faults ----------------------------------------------------------------------


def test_a_429_with_retry_after_is_not_carried_out(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    server.inject(CREATE.id, status=429, retry_after="2")
    reply = call(http, server, CREATE, REQUEST)
    assert_error(reply, "QuotaExceeded")
    assert reply.headers["Retry-After"] == "2"
    assert server.task_ids == []
    assert server.received[CREATE.id] == 1
    assert server.applied[CREATE.id] == 0
    create(http, server)  # the fault was used up
    assert len(server.task_ids) == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (500, "InternalServiceFailure"),
        (503, "ServiceUnavailable"),
        (429, "QuotaExceeded"),
    ],
)
def test_error_statuses_take_a_reason(
    http: urllib3.PoolManager, server: FakeServer, status: int, reason: str
) -> None:
    server.inject(GET.id, status=status)
    reply = call(http, server, GET, id="1")
    assert reply.status == status
    assert reply.json["reason"] == reason
    assert "Retry-After" not in reply.headers


def test_a_reason_can_be_chosen(http: urllib3.PoolManager, server: FakeServer) -> None:
    server.inject(None, status=429, reason="TooManyRequests")
    assert call(http, server, GET, id="1").json["reason"] == "TooManyRequests"


def test_faults_apply_in_order_each_times_times(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    server.inject(GET.id, status=500, times=2)
    server.inject(None, status=429)
    server.inject(GET.id, status=503)
    statuses = [call(http, server, GET, id="1").status for _ in range(5)]
    assert statuses == [500, 500, 429, 503, 404]
    assert server.faults.pending() == []


def test_a_fault_for_one_operation_spares_the_others(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    fault = server.inject(CANCEL.id, status=500)
    task_id = create(http, server)["task_id"]
    get(http, server, task_id)
    assert server.faults.pending() == [fault]
    assert call(http, server, CANCEL, {}, id=task_id).status == 500
    assert call(http, server, CANCEL, {}, id=task_id).status == 200


def test_a_slow_answer(http: urllib3.PoolManager, server: FakeServer) -> None:
    server.inject(GET.id, delay=0.3)
    started = time.monotonic()
    assert_error(call(http, server, GET, id="1"), "TaskNotFound")
    assert time.monotonic() - started >= 0.3
    slow = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(read=0.1))
    server.inject(GET.id, delay=0.5)
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        slow.request("GET", server.url + GET.url_path({"id": "1"}))


def test_a_drop_before_reading_creates_nothing(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    server.inject(CREATE.id, drop="before_read")
    with pytest.raises(urllib3.exceptions.ProtocolError):
        call(http, server, CREATE, REQUEST)
    assert server.task_ids == []
    assert server.received[CREATE.id] == 1
    assert server.requests[-1].body is None


def test_a_drop_after_reading_still_creates_the_task(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    server.inject(CREATE.id, drop="after_read")
    with pytest.raises(urllib3.exceptions.ProtocolError):
        call(http, server, CREATE, REQUEST)
    assert len(server.task_ids) == 1
    assert server.applied[CREATE.id] == 1
    assert server.requests[-1].body == REQUEST


def test_a_download_cut_halfway(http: urllib3.PoolManager, server: FakeServer) -> None:
    task_id = create(http, server)["task_id"]
    server.advance(10)
    url = get(http, server, task_id)["creations"][0]["url"]
    server.inject("download", drop="mid_body")
    with pytest.raises(urllib3.exceptions.ProtocolError):
        http.request("GET", url)
    assert len(http.request("GET", url).data) == server.file_size


def test_bad_faults_are_refused(server: FakeServer) -> None:
    with pytest.raises(ValueError, match="unknown operation"):
        server.inject("text2video", status=500)
    with pytest.raises(ValueError, match="needs a status"):
        server.inject(GET.id)
    with pytest.raises(ValueError, match="not an error status"):
        server.inject(GET.id, status=200)
    with pytest.raises(ValueError, match="times"):
        server.inject(GET.id, status=500, times=0)


def test_stop_is_bounded_with_a_slow_request_in_flight(
    http: urllib3.PoolManager,
) -> None:
    fake = FakeServer().start()
    fake.inject(None, delay=30)
    url = fake.url + GET.url_path({"id": "1"})
    worker = threading.Thread(target=lambda: _swallow(http, url), daemon=True)
    worker.start()
    time.sleep(0.1)
    started = time.monotonic()
    fake.stop()
    fake.stop()  # idempotent
    worker.join(5)
    assert time.monotonic() - started < 3
    assert not worker.is_alive()


def _swallow(http: urllib3.PoolManager, url: str) -> None:
    with contextlib.suppress(urllib3.exceptions.HTTPError):
        http.request("GET", url)


# -- counters --------------------------------------------------------------------


def test_counters_and_the_request_log(
    http: urllib3.PoolManager, server: FakeServer
) -> None:
    task_id = create(http, server)["task_id"]
    get(http, server, task_id)
    call(http, server, GET, key="bad", id=task_id)
    assert server.received == {CREATE.id: 1, GET.id: 2}
    assert server.applied == {CREATE.id: 1, GET.id: 1}
    assert [tuple(r) for r in server.requests] == [
        ("POST", CREATE.path, REQUEST),
        ("GET", GET.url_path({"id": task_id}), None),
        ("GET", GET.url_path({"id": task_id}), None),
    ]


# -- the pytest plugin and the command line ----------------------------------------


def test_the_fixture_serves(http: urllib3.PoolManager, fake_server: FakeServer) -> None:
    assert isinstance(fake_server, FakeServer)
    assert fake_server.url.startswith("http://127.0.0.1:")
    assert_error(call(http, fake_server, GET, id="1"), "TaskNotFound")


def test_the_package_binds_the_shared_fake_server() -> None:
    assert issubclass(FakeServer, specgen_runtime.testing.FakeServer)
    assert FakeServer._api is _api.API
    assert specgen_runtime.testing.default_durations(TASKS) == DEFAULT_DURATIONS
    assert "vidu" not in (specgen_runtime.testing.FakeServer.__doc__ or "").lower()


def test_the_command_line_lists_the_states() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vidu.testing", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "python -m vidu.testing" in result.stdout
    for state in DEFAULT_DURATIONS:
        assert f"--{state}-seconds" in result.stdout


def test_the_command_line_serves(http: urllib3.PoolManager) -> None:
    command = [
        sys.executable,
        "-m",
        "vidu.testing",
        "--port",
        "0",
        "--api-key",
        "cli-key",
    ]
    process = subprocess.Popen(
        [*command, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        lines: list[str] = []
        reader = threading.Thread(
            target=lambda: lines.extend(process.stdout.readline() for _ in range(4)),  # type: ignore[union-attr]
            daemon=True,
        )
        reader.start()
        reader.join(15)
        assert len(lines) == 4, lines
        url = lines[0].split()[-1]
        assert lines[0].startswith("Fake vidu API listening on ")
        assert url.startswith("http://127.0.0.1:")
        assert lines[1].strip() == "API key: cli-key"
        assert lines[2].strip() == f"export {AUTH.env}=cli-key"
        assert lines[3].strip() == f"Client(base_url={url!r})"
        headers = {AUTH.header: AUTH.value("cli-key")}
        reply = Reply(
            http.request("GET", url + GET.url_path({"id": "1"}), headers=headers)
        )
        assert_error(reply, "TaskNotFound")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
    assert process.returncode == 0
