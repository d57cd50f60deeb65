"""Options, raw responses, the environment and proxies, over real HTTP on 127.0.0.1.

``with_options`` and the per-call keywords, ``with_raw_response``, the base
URL and key from the environment, ``HTTP_PROXY`` / ``NO_PROXY`` through a
forward proxy written for the test, a missing key (nothing sent) and a
create whose answer cannot be read (nothing lost).
"""

from __future__ import annotations

import http.client
import http.server
import json
import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import attrs
import pytest
import urllib3
from specgen_runtime.errors import UnreadableCreateResponse
from specgen_runtime.retry import RetryPolicy
from vidu import (
    AuthenticationError,
    Client,
    CreateTaskResponse,
    MissingAPIKey,
    ServerError,
    TaskCreations,
    UnexpectedResponseError,
    ValidationError,
    ValidationWarning,
    ViduError,
    tables,
)
from vidu.testing import FakeServer

from tests.vidu.loopback import Canned, running

KEY = "sk-test-0123456789abcdef"
IMAGE = "https://example.com/a.png"
CREATE: dict[str, Any] = {"model": "viduq2", "images": [IMAGE], "prompt": "A bear."}


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(api_key=KEY) as fake:
        yield fake


def make(server_url: str, **options: Any) -> Client:
    options.setdefault("timeout", 5.0)
    options.setdefault("sleep", lambda seconds: None)
    options.setdefault("retry", RetryPolicy(max_retries=2, jitter=lambda: 0.0))
    return Client(KEY, base_url=server_url, **options)


# --- a server that records what it was sent --------------------------------------


@pytest.fixture
def recorder(canned: Canned) -> Canned:
    """Answers every request with a created task (or as the test sets it);
    keeps what came."""
    canned.answer(b'{"task_id": "t-1", "state": "created"}')
    return canned


# --- with_options and per-call options ---------------------------------------------


def test_with_options_is_a_copy_sharing_the_connections(server: FakeServer) -> None:
    client = make(server.url)
    copy = client.with_options(timeout=2.0, max_retries=0)
    assert copy is not client
    assert copy._transport is client._transport
    assert (copy.timeout, copy.retry.max_retries) == (2.0, 0)
    assert (client.timeout, client.retry.max_retries) == (5.0, 2)
    with copy:
        task = copy.reference2video(**CREATE)
        assert copy.get_creations(task.task_id or "").id == task.task_id
    # closing the copy closed nothing: the original still has its connection
    assert len(client._pool.pools) == 1
    client.get_creations(server.task_ids[0])
    client.close()
    assert len(client._pool.pools) == 0


def test_max_retries_per_call(server: FakeServer) -> None:
    client = make(server.url)
    task = client.reference2video(**CREATE)
    server.inject("get_creations", status=503, times=1)
    with pytest.raises(ServerError):
        client.get_creations(task.task_id or "", max_retries=0)
    server.inject("get_creations", status=503, times=1)
    assert client.get_creations(task.task_id or "").id == task.task_id


def test_extra_headers_are_sent_and_never_replace_the_key(
    recorder: Canned,
) -> None:
    client = make(recorder.url).with_options(extra_headers={"X-Trace": "a"})
    client.get_creations("t-1", extra_headers={"X-Call": "b"})
    headers = recorder.seen[-1][2]
    assert (headers["X-Trace"], headers["X-Call"]) == ("a", "b")
    assert headers["Authorization"] == f"Token {KEY}"
    for name in ("Authorization", "authorization"):
        with pytest.raises(ValueError, match="carries the API key; pass api_key="):
            client.with_options(extra_headers={name: "Token other"})
        with pytest.raises(ValueError, match="carries the API key"):
            client.get_creations("t-1", extra_headers={name: "Token other"})
    assert len(recorder.seen) == 1


def test_extra_body_sends_unknown_fields_with_a_warning(recorder: Canned) -> None:
    client = make(recorder.url)
    with pytest.warns(ValidationWarning, match="new_knob is not in the spec"):
        client.reference2video(**CREATE, extra_body={"new_knob": {"level": 2}})
    sent = json.loads(recorder.seen[-1][3])
    assert sent["new_knob"] == {"level": 2}
    assert sent["model"] == "viduq2"
    # the same through with_options, and silently in "off" mode
    quiet = client.with_options(extra_body={"new_knob": 3})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet.reference2video(**CREATE, validation="off")
    assert json.loads(recorder.seen[-1][3])["new_knob"] == 3


def test_extra_body_refuses_a_field_the_spec_knows(recorder: Canned) -> None:
    client = make(recorder.url)
    with pytest.raises(ValueError, match=r"pass duration as keyword arguments"):
        client.reference2video(**CREATE, extra_body={"duration": 5})
    assert recorder.seen == []


def test_a_none_field_is_not_sent(recorder: Canned) -> None:
    make(recorder.url).reference2video(**CREATE, duration=None, seed=None)
    sent = json.loads(recorder.seen[-1][3])
    assert "duration" not in sent
    assert "seed" not in sent


# --- raw responses -------------------------------------------------------------------


def test_raw_response_gives_status_headers_body_and_the_model(
    recorder: Canned,
) -> None:
    recorder.headers = {"X-Request-Id": "r-1", "X-Echo": KEY}
    raw = make(recorder.url).with_raw_response.reference2video(**CREATE)
    assert raw.status == 200
    assert raw.headers["x-request-id"] == "r-1"
    assert KEY not in repr(dict(raw.headers))
    assert raw.body == recorder.body
    task = raw.parse()
    assert isinstance(task, CreateTaskResponse)
    assert task.task_id == "t-1"
    assert raw.parse() is task


def test_raw_response_still_raises_an_error_status(recorder: Canned) -> None:
    recorder.status = 404
    recorder.body = b'{"reason": "TaskNotFound"}'
    with pytest.raises(ViduError) as caught:
        make(recorder.url).with_raw_response.get_creations("t-9")
    assert caught.value.status == 404  # type: ignore[attr-defined]


# --- the environment -----------------------------------------------------------------


def test_the_base_url_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, server: FakeServer
) -> None:
    monkeypatch.setenv("VIDU_BASE_URL", server.url)
    monkeypatch.setenv("VIDU_API_KEY", KEY)
    with Client() as client:
        assert client.base_url == server.url
        assert client.reference2video(**CREATE).task_id
    monkeypatch.setenv("VIDU_BASE_URL", "china")
    assert Client().base_url == tables.HOSTS["china"]
    assert Client(base_url="http://127.0.0.1:9").base_url == "http://127.0.0.1:9"
    monkeypatch.setenv("VIDU_BASE_URL", "")
    assert Client().base_url == tables.BASE_URL


def test_no_api_key_is_refused_before_anything_is_sent(
    monkeypatch: pytest.MonkeyPatch, server: FakeServer
) -> None:
    monkeypatch.delenv("VIDU_API_KEY", raising=False)
    client = Client(base_url=server.url)
    with pytest.raises(MissingAPIKey) as caught:
        client.reference2video(**CREATE)
    message = str(caught.value)
    assert "api_key=" in message
    assert "$VIDU_API_KEY" in message
    assert "nothing was sent" in message
    assert "HTTP 401" not in message
    assert isinstance(caught.value, ViduError)
    assert isinstance(caught.value, AuthenticationError)
    assert server.requests == []
    assert sum(server.received.values()) == 0


# --- proxies -------------------------------------------------------------------------


@attrs.define
class Proxy:
    url: str = ""
    passed: list[tuple[str, str]] = attrs.field(factory=list)


@pytest.fixture
def proxy() -> Iterator[Proxy]:
    """A forward proxy on 127.0.0.1 for plain HTTP: it records each request
    (method and absolute URL) and passes it on."""
    record = Proxy()

    class Handler(http.server.BaseHTTPRequestHandler):
        def _forward(self) -> None:
            record.passed.append((self.command, self.path))
            target = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            upstream = http.client.HTTPConnection(
                target.hostname or "", target.port or 80, timeout=5
            )
            try:
                path = target.path + (f"?{target.query}" if target.query else "")
                headers = {
                    name: value
                    for name, value in self.headers.items()
                    if name.lower() not in {"proxy-connection", "connection"}
                }
                upstream.request(self.command, path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in {"connection", "transfer-encoding"}:
                    self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(Handler) as url:
        record.url = url
        yield record


def _clear_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_http_proxy_is_honoured_and_no_proxy_bypasses_it(
    monkeypatch: pytest.MonkeyPatch, server: FakeServer, proxy: Proxy
) -> None:
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    with make(server.url) as client:
        task = client.reference2video(**CREATE)
        client.get_creations(task.task_id or "")
    assert proxy.passed == [
        ("POST", f"{server.url}/ent/v2/reference2video"),
        ("GET", f"{server.url}/ent/v2/tasks/{task.task_id}/creations"),
    ]
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with make(server.url) as client:
        client.get_creations(task.task_id or "")
    assert len(proxy.passed) == 2
    assert server.received["get_creations"] == 2


def test_a_pool_of_your_own_is_used_as_it_is(
    monkeypatch: pytest.MonkeyPatch, server: FakeServer, proxy: Proxy
) -> None:
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # would fail if used
    with urllib3.ProxyManager(proxy.url) as pool:
        client = make(server.url, pool=pool)
        client.reference2video(**CREATE)
        client.close()
        assert pool.pools, "the client does not close a pool it was given"
    assert [method for method, _ in proxy.passed] == ["POST"]


# --- a create's answer is never lost -------------------------------------------------


@pytest.mark.parametrize(
    ("body", "task_id"),
    [
        (b'{"task_id": "8812", "state": "crea', "8812"),
        (b'{"task_id": 8812, "state": 5, "credits": [[[', "8812"),
        (b"<html>gateway</html>", None),
        (b"[1, 2]", None),
    ],
)
def test_an_unreadable_create_answer_keeps_the_body_and_the_task_id(
    recorder: Canned, body: bytes, task_id: str | None
) -> None:
    recorder.body = body
    client = make(recorder.url)
    with pytest.raises(UnreadableCreateResponse) as caught:
        client.reference2video(**CREATE)
    error = caught.value
    assert isinstance(error, UnexpectedResponseError)
    assert error.raw == body
    assert error.task_id == task_id
    if task_id is not None:
        assert task_id in str(error)
    else:
        assert "look for it before sending the request again" in str(error)
    assert len(recorder.seen) == 1


def test_an_unreadable_get_is_an_unexpected_response(recorder: Canned) -> None:
    recorder.body = b"<html>gateway</html>"
    with pytest.raises(UnexpectedResponseError) as caught:
        make(recorder.url).get_creations("t-1")
    assert not isinstance(caught.value, UnreadableCreateResponse)


def test_wait_returns_typed_creations(server: FakeServer) -> None:
    client = make(server.url, sleep=server.advance)
    task = client.reference2video(**CREATE)
    creations = client.wait(task.task_id, poll_interval=1.0)
    assert creations[0].url
    assert type(creations[0]).__name__ == "Creation"
    assert isinstance(client.get_creations(task.task_id or ""), TaskCreations)


def test_every_refusal_of_an_option_is_a_value_error(server: FakeServer) -> None:
    client = make(server.url)
    with pytest.raises(ValueError, match="timeout must be a positive"):
        client.with_options(timeout=0)
    with pytest.raises(ValueError, match="max_retries must be at least 0"):
        client.with_options(max_retries=-1)
    with pytest.raises(ValidationError):
        client.reference2video(model="viduq1", images=[IMAGE], prompt="x", duration=6)
