"""What the client refuses before sending, and what it hides after: extra
headers that could smuggle or reframe a request, a proxy that cannot be
reached, calls on a closed client, an API key echoed into a typed answer.

Hand-built ``Jobs`` tables (the key in ``Authorization: Token ...``, one
create and one read) and a small server on 127.0.0.1 that records every
request it gets.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from shapes import JOB, START, Received, Reply, Responder, api_tables, http_server
from specgen_runtime.client import BaseClient, RawResponse
from specgen_runtime.errors import (
    APIConnectionError,
    ClientClosed,
    ClientError,
    RequestMayHaveSucceeded,
)
from specgen_runtime.redaction import REDACTED
from specgen_runtime.tables import ApiTables, Auth

KEY = "jobs-KEY-5f1e2d3c4b5a6978"

JOBS = api_tables("Jobs", START, JOB, auth=Auth("Authorization", "Token"))


@attrs.frozen(kw_only=True)
class Job:
    id: str | None = None
    why: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        rest = {k: v for k, v in data.items() if k not in ("id", "why")}
        return cls(id=data.get("id"), why=data.get("why"), extra=rest)


class JobsClient(BaseClient[Job]):
    """What a package generated from the Jobs spec would hold."""

    _api: ClassVar[ApiTables] = JOBS

    def start_job(
        self, *, extra_headers: Mapping[str, str] | None = None, **body: Any
    ) -> Job:
        options = self._per_call(None, None, extra_headers, None)
        return self._call(START, {}, body, Job.from_json, options=options)

    def start_job_raw(self, **body: Any) -> RawResponse[Job]:
        return self._call_raw(START, {}, body, Job.from_json)

    def job(self, job_id: str, /) -> Job:
        return self._call(JOB, {"id": job_id}, None, Job.from_json)

    def _get_task(self, task_id: str, /) -> Job:
        return self.job(task_id)


@attrs.define
class Recorder(Responder):
    """What the server answers, and the requests it got (headers as sent)."""

    body: bytes = b'{"id": "j1"}'
    headers: dict[str, str] = attrs.field(factory=dict)

    def reply(self, request: Received) -> Reply:
        headers = {"Content-Type": "application/json", **self.headers}
        return Reply(200, self.body, headers)


@pytest.fixture
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    with http_server(recorder) as url:
        yield url, recorder


def _client(url: str) -> JobsClient:
    return JobsClient(KEY, base_url=url, timeout=5.0, max_retries=0)


# --- extra headers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"Authorization ": "Token evil"}, "'Authorization '"),
        ({"authorization\t": "Token evil"}, "'authorization\\t'"),
        ({"AUTHORIZATION": "Token evil"}, "AUTHORIZATION"),
        ({"X A": "1"}, "'X A'"),
        ({"X-A:": "1"}, "'X-A:'"),
        ({"": "1"}, "''"),
        ({"Content-Length": "2"}, "Content-Length"),
        ({"transfer-encoding": "chunked"}, "transfer-encoding"),
        ({"Host": "evil.example"}, "Host"),
        ({"Connection": "close"}, "Connection"),
        ({"X-A": "a\x00b"}, "X-A"),
        ({"X-A": "a\r\nX-B: 1"}, "X-A"),
        ({"X-A": "\u20ac"}, "X-A"),
    ],
)
def test_extra_headers_that_would_change_the_request_are_refused(
    server: tuple[str, Recorder], headers: dict[str, str], named: str
) -> None:
    url, recorder = server
    with _client(url) as client:
        with pytest.raises(ValueError, match="extra_headers") as caught:
            client.start_job(extra_headers=headers, text="hi")
        assert named in str(caught.value)
        assert not isinstance(caught.value, ClientError)
        with pytest.raises(ValueError, match="extra_headers"):
            client.with_options(extra_headers=headers)
    assert recorder.received == []


def test_extra_headers_in_latin_1_travel_as_given(
    server: tuple[str, Recorder],
) -> None:
    url, recorder = server
    with _client(url) as client:
        client.start_job(extra_headers={"X-Trace": "caf\u00e9 #1"}, text="hi")
    sent = recorder.received[0].headers
    assert sent["X-Trace"] == "caf\u00e9 #1"
    assert sent["Authorization"] == f"Token {KEY}"


# --- proxies -------------------------------------------------------------------------


def _closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (connecting is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_create_through_a_proxy_that_cannot_be_reached_was_never_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{_closed_port()}")
    client = JobsClient(KEY, base_url="http://jobs.example", max_retries=0)
    with client, pytest.raises(APIConnectionError, match="could not connect") as caught:
        client.start_job(text="hi")
    assert not isinstance(caught.value, RequestMayHaveSucceeded)
    assert KEY not in str(caught.value)


# --- closed clients ------------------------------------------------------------------


def test_a_closed_client_and_its_copies_send_nothing(
    server: tuple[str, Recorder], tmp_path: Path
) -> None:
    url, recorder = server
    client = _client(url)
    copy = client.with_options(max_retries=1)
    copy.close()  # closing a copy closes nothing
    assert copy.job("j1").id == "j1"
    client.close()
    later = client.with_options(timeout=2.0)
    for closed in (client, copy, later):
        with pytest.raises(ClientClosed, match="nothing was sent"):
            closed.start_job(text="hi")
        with pytest.raises(ClientClosed):
            closed.job("j1")
        with pytest.raises(ClientClosed):
            closed.download(f"{url}/video.mp4", tmp_path / "video.mp4")
    assert [request.path for request in recorder.received] == ["/jobs/j1"]
    assert list(tmp_path.iterdir()) == []
    client.close()  # closing twice is harmless


# --- an echoed key -------------------------------------------------------------------


def test_an_echoed_key_is_hidden_in_typed_and_raw_answers(
    server: tuple[str, Recorder],
) -> None:
    url, recorder = server
    escaped = "\\u00" + format(ord(KEY[0]), "02x") + KEY[1:]  # JSON-escaped
    answer = {"id": "j1", "why": KEY, "echo": {"key": "ESCAPED"}, KEY: 1}
    recorder.body = json.dumps(answer).replace("ESCAPED", escaped).encode()
    recorder.headers = {f"X-{KEY}": "1", "X-Key": KEY}
    with _client(url) as client:
        job = client.start_job(text="hi")
        raw = client.start_job_raw(text="hi")
        parsed = raw.parse()
    for read in (job, parsed):
        assert read.why == REDACTED
        assert read.extra == {"echo": {"key": REDACTED}, REDACTED: 1}
        assert KEY not in repr(read)
    assert KEY.encode() not in raw.body
    assert raw.headers["x-key"] == REDACTED
    assert f"x-{REDACTED}" in raw.headers
    assert KEY.lower() not in str(raw.headers).lower()


def test_an_answer_without_the_key_is_read_as_sent(
    server: tuple[str, Recorder],
) -> None:
    url, recorder = server
    recorder.body = json.dumps({"id": "j\\1", "why": "a \u00e9 b"}).encode()
    with _client(url) as client:
        assert client.start_job(text="hi") == Job(id="j\\1", why="a \u00e9 b")
