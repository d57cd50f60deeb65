"""The client against real servers on 127.0.0.1: a body id that contradicts
its path, a key a server splits over several header lines, headers meant for
a proxy, and every error a call raises importable from ``vidu``."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.client
import http.server
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import vidu
from specgen_runtime.retry import RetryPolicy
from vidu import (
    APIError,
    AsyncClient,
    CancelRequest,
    Client,
    PathParameterMismatch,
    ViduError,
)
from vidu.testing import FakeServer

from tests.vidu import loopback

KEY = "sk-test-0123456789abcdef"
CREATE: dict[str, Any] = {
    "model": "viduq2",
    "images": ["https://example.com/a.png"],
    "prompt": "A bear.",
    "off_peak": True,
}


def make(url: str, **options: Any) -> Client:
    options.setdefault("timeout", 5.0)
    options.setdefault("sleep", lambda seconds: None)
    options.setdefault("retry", RetryPolicy(max_retries=0, jitter=lambda: 0.0))
    return Client(KEY, base_url=url, **options)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(api_key=KEY) as fake:
        yield fake


# --- a body field that repeats a path parameter ---------------------------------


def test_a_cancel_whose_body_id_differs_from_the_path_is_refused_unsent(
    server: FakeServer,
) -> None:
    with make(server.url) as client:
        task = client.reference2video(**CREATE)
        task_id = task.task_id or ""
        sent = len(server.requests)
        with pytest.raises(PathParameterMismatch) as caught:
            client.cancel(task_id, id="task-b")
        message = str(caught.value)
        assert "'task-b'" in message
        assert repr(task_id) in message
        assert "/ent/v2/tasks/{id}/cancel" in message
        assert (caught.value.name, caught.value.path_value) == ("id", task_id)
        assert caught.value.body_value == "task-b"
        assert isinstance(caught.value, ViduError)
        assert isinstance(caught.value, ValueError)
        # the typed form, and the raw-response form, are refused the same way
        with pytest.raises(PathParameterMismatch, match="'task-b'"):
            client.cancel(task_id, CancelRequest(id="task-b"))
        with pytest.raises(PathParameterMismatch):
            client.with_raw_response.cancel(task_id, id="task-b")
        assert len(server.requests) == sent
        assert server.task(task_id)["state"] != "failed"


def test_a_cancel_with_the_same_id_or_none_in_its_body_is_sent(
    server: FakeServer,
) -> None:
    with make(server.url) as client:
        first = client.reference2video(**CREATE).task_id or ""
        second = client.reference2video(**CREATE).task_id or ""
        client.cancel(first, id=first)
        client.cancel(second)
    bodies = [r.body for r in server.requests if r.path.endswith("/cancel")]
    assert bodies == [{"id": first}, {}]


def test_the_async_client_refuses_a_contradicting_body_id(server: FakeServer) -> None:
    async def main() -> None:
        async with AsyncClient(KEY, base_url=server.url, timeout=5.0) as client:
            task = await client.reference2video(**CREATE)
            with pytest.raises(PathParameterMismatch, match="'task-b'"):
                await client.cancel(task.task_id or "", id="task-b")

    asyncio.run(main())
    assert not [r for r in server.requests if r.path.endswith("/cancel")]


# --- a key split over header lines ----------------------------------------------------


@contextlib.contextmanager
def answering(answer: bytes) -> Iterator[str]:
    """A server on 127.0.0.1 sending ``answer`` (a whole HTTP answer, as
    bytes: header lines exactly as written) to every request; its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(min(length, loopback.MOST_READ))
            self.wfile.write(answer)
            self.close_connection = True

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback.running(Handler) as url:
        yield url


def _answer(status: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{n}: {v}" for n, v in headers)]
    lines += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + body


SPLITS = {
    "two headers": [("X-Echo-A", KEY[:9]), ("X-Echo-B", KEY[9:])],
    "repeated lines": [
        ("X-Echo", KEY[:5]),
        ("X-Echo", KEY[5:15]),
        ("X-Echo", KEY[15:]),
    ],
    "a name and its value": [(f"X-{KEY[:7]}", KEY[7:])],
    "whole, twice in one line": [("X-Echo", f"{KEY}{KEY}")],
}


def _shows_key(headers: dict[str, str]) -> bool:
    texts = [
        str(headers),
        "".join(headers.values()),
        "".join(headers),
        "".join(f"{name}{value}" for name, value in headers.items()),
        "".join(headers[name].replace(", ", "") for name in headers),
    ]
    return any(KEY in text for text in texts)


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_a_key_split_over_header_lines_is_hidden_in_an_api_error(split: str) -> None:
    body = json.dumps({"reason": "TaskNotFound", "message": "no such task"}).encode()
    with (
        answering(_answer("404 Not Found", SPLITS[split], body)) as url,
        make(url) as client,
        pytest.raises(APIError) as caught,
    ):
        client.get_creations("t-1")
    error = caught.value
    assert not _shows_key(dict(error.headers))
    assert "***" in "".join(f"{n}{v}" for n, v in error.headers.items())
    assert KEY not in str(error)
    assert KEY not in repr(error.body)


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_a_key_split_over_header_lines_is_hidden_in_a_raw_response(split: str) -> None:
    body = b'{"id": "t-1", "state": "success", "creations": []}'
    with answering(_answer("200 OK", SPLITS[split], body)) as url, make(url) as client:
        raw = client.with_raw_response.get_creations("t-1")
    assert not _shows_key(dict(raw.headers))
    assert raw.parse().id == "t-1"


def test_every_line_of_a_repeated_header_is_kept() -> None:
    headers = [("X-Part", "one"), ("X-Other", "two"), ("X-Part", "three")]
    with (
        answering(_answer("200 OK", headers, b'{"id": "t-1"}')) as url,
        make(url) as client,
    ):
        raw = client.with_raw_response.get_creations("t-1")
    assert raw.headers["x-part"] == "one, three"
    assert raw.headers["x-other"] == "two"


# --- headers meant for a proxy ---------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["Proxy-Authorization", "proxy-authorization", "Proxy-Connection"]
)
def test_proxy_headers_are_refused_saying_where_proxy_credentials_go(
    server: FakeServer, name: str
) -> None:
    with make(server.url) as client:
        with pytest.raises(ValueError, match="meant for a proxy") as caught:
            client.with_options(extra_headers={name: "Basic dXNlcjpwdw=="})
        assert "HTTPS_PROXY" in str(caught.value)
        assert "http://user:password@host:port" in str(caught.value)
        with pytest.raises(ValueError, match="meant for a proxy"):
            client.get_creations("t-1", extra_headers={name: "Basic dXNlcjpwdw=="})
    with pytest.raises(ValueError, match="meant for a proxy"):
        AsyncClient(KEY, base_url=server.url).with_options(extra_headers={name: "x"})
    assert server.requests == []


@pytest.mark.parametrize("name", ["Host", "host", "HOST"])
def test_a_host_header_is_refused(server: FakeServer, name: str) -> None:
    with make(server.url) as client:
        with pytest.raises(ValueError, match="sets it itself from base_url"):
            client.with_options(extra_headers={name: "other.example"})
        with pytest.raises(ValueError, match="sets it itself"):
            client.get_creations("t-1", extra_headers={name: "other.example"})
    assert server.requests == []


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str | None]]]:
    """A forward proxy on 127.0.0.1 for plain HTTP, recording each request's
    ``Proxy-Authorization`` and never passing it on."""
    seen: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _forward(self) -> None:
            seen.append(self.headers.get("Proxy-Authorization"))
            target = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            upstream = http.client.HTTPConnection(
                target.hostname or "", target.port or 80, timeout=5
            )
            try:
                headers = {
                    n: v
                    for n, v in self.headers.items()
                    if not n.lower().startswith("proxy-") and n.lower() != "connection"
                }
                upstream.request(self.command, target.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            finally:
                upstream.close()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            pass

    with loopback.running(Handler) as url:
        yield url.removeprefix("http://"), seen


def test_proxy_credentials_in_the_proxy_url_reach_the_proxy_only(
    monkeypatch: pytest.MonkeyPatch,
    server: FakeServer,
    proxy: tuple[str, list[str | None]],
) -> None:
    address, seen = proxy
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://user%40corp:p%3Ass@{address}")
    with make(server.url) as client:
        task = client.reference2video(**CREATE)
    assert task.task_id
    expected = "Basic " + base64.b64encode(b"user@corp:p:ss").decode()
    assert seen == [expected]


# --- every error a call raises is importable from vidu --------------------------------


RAISED = [
    "MissingResponseField",
    "PathParameterMismatch",
    "BatchUnsupported",
    "ResponseWarning",
    "ClientClosed",
    "InvalidAPIKey",
    "MissingAPIKey",
    "PageLimitExceeded",
    "PaginationLoop",
    "UnreadableCreateResponse",
    "ValidationError",
]


@pytest.mark.parametrize("name", RAISED)
def test_each_raised_error_class_is_exported(name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from vidu import {name}", namespace)  # the statement a user writes
    found = namespace[name]
    assert found is getattr(vidu, name)
    assert name in vidu.__all__
    assert isinstance(found, type)
    if not issubclass(found, Warning):
        assert issubclass(found, ViduError)


def test_a_missing_response_field_is_caught_as_exported() -> None:
    body = b'{"id": "t-1", "state": "success", "creations": [{"id": "c-1"}]}'
    with (
        answering(_answer("200 OK", [], body)) as url,
        make(url) as client,
        pytest.raises(vidu.MissingResponseField) as caught,
    ):
        client.get_creations("t-1")
    assert "url" in caught.value.field
    assert isinstance(caught.value, vidu.UnexpectedResponseError)


def test_every_error_class_of_the_runtime_is_exported() -> None:
    """Each ClientError the runtime's client modules define (and any added
    later) is importable from ``vidu`` under its own name."""
    from specgen_runtime import convert, errors

    for module in (errors, convert):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, errors.ClientError):
                if name.startswith("_") or value.__module__ != module.__name__:
                    continue
                if value is errors.ClientError:
                    continue
                assert name in vidu.__all__, f"{module.__name__}.{name}"
                assert getattr(vidu, name) is value
