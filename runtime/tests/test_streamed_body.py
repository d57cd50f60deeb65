"""A large request body goes out a slice at a time, byte for byte as JSON writes it.

A body carrying a data URI (or any string of 64 Ki characters or more) is
sent under its exact ``Content-Length`` in slices of at most 256 KiB, never
as one bytes object. A small server on 127.0.0.1 reads every request in full
and keeps its bytes: they must be those of ``json.dumps(body,
ensure_ascii=False, separators=(",", ":")).encode()``, on the first attempt
and on every retry (a retried request starts again from its first byte),
through the blocking client, the asyncio client and the raw-response path.
A create that may have reached the server is still never sent again, and a
server that stops reading the body cannot hold the call past its deadline.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket
import struct
import time
import tracemalloc
from typing import Any, ClassVar, Literal

import attrs
import pytest
from hostile_servers import LoopbackServer, answer, read_head
from shapes import JOB, JOB_ERRORS, JOB_TASKS, START, Job, api_tables
from specgen_runtime.async_client import AsyncBaseClient
from specgen_runtime.client import BaseClient
from specgen_runtime.errors import ClientError, RequestMayHaveSucceeded
from specgen_runtime.jsonbody import CHUNK
from specgen_runtime.retry import RetryPolicy
from specgen_runtime.tables import ApiTables, Auth, Operation
from specgen_runtime.violations import ValidationError

KEY = "blob-key-0a1b2c3d4e5f60718293"
SLACK = 1.5
"""Seconds allowed beyond a call's deadline (thread scheduling, slow CI)."""
MOST = 64 << 20
"""The most bytes of a body the server reads."""

PUT = Operation(
    "put", "PUT", "/jobs/j-1", "Replace a job", idempotent=True, has_body=True
)

BLOBS = api_tables(
    "Blobs",
    START,
    PUT,
    JOB,
    auth=Auth("X-Api-Key", ""),
    tasks=JOB_TASKS,
    errors=JOB_ERRORS,
)


@attrs.frozen
class BlobRequest:
    """A request whose JSON body is given as it is."""

    body: dict[str, Any]

    def violations(self) -> list[Any]:
        return []

    def to_json(self) -> dict[str, Any]:
        return self.body


class BlobsClient(BaseClient[Job]):
    _api: ClassVar[ApiTables] = BLOBS

    def create(self, body: dict[str, Any]) -> Job:
        sent = self._body(START, BlobRequest(body), {}, None, BlobRequest)
        return self._call(START, {}, sent, Job.from_json)

    def put(self, body: dict[str, Any]) -> Job:
        sent = self._body(PUT, BlobRequest(body), {}, None, BlobRequest)
        return self._call(PUT, {}, sent, Job.from_json)

    def _get_task(self, task_id: str, /) -> Job:
        return self._call(JOB, {"id": task_id}, None, Job.from_json)


class AsyncBlobsClient(AsyncBaseClient[Job, Job]):
    _api: ClassVar[ApiTables] = BLOBS
    _client_class: ClassVar[type[BaseClient[Any]]] = BlobsClient

    async def create(self, body: dict[str, Any]) -> Job:
        sent = self._body(START, BlobRequest(body), {}, None, BlobRequest)
        return await self._create(START, {}, sent, Job.from_json)


def sent_as(body: dict[str, Any]) -> bytes:
    """The bytes the client sends for ``body``."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def data_uri(size: int) -> str:
    """A PNG-looking data URI of ``size`` bytes, as ``Image.from_path`` makes."""
    raw = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (size // 256)
    return "data:image/png;base64," + base64.b64encode(raw).decode("ascii")


def big_body(size: int = 3 << 20) -> dict[str, Any]:
    """A data URI of ``size`` bytes, non-ASCII text large and small, escapes."""
    text = 'Un ours "polaire" \\ serre le Père Noël ☃ 雪 \U0001f43b\n\t\x01\u2028'
    return {
        "model": "m-2",
        "images": [data_uri(size), "https://cdn.example/a.png"],
        "prompt": text * 3000,
        "title": text,
        "duration": 5,
        "nested": {"notes": [text * 2000, None, True, 1.5]},
    }


# --- a server that keeps what it read ------------------------------------------------

Act = Literal["ok", "busy", "cut", "stall"]
"""``ok``: read the body, answer 200; ``busy``: read it, answer 429; ``cut``:
read a slice of it and close the connection; ``stall``: read none of it and
hold the connection until the server closes (bounded)."""


@attrs.define
class Seen:
    """A request as the server read it."""

    method: str
    headers: dict[str, str]
    body: bytes
    length: int
    sha256: str


class Recorder(LoopbackServer):
    """Answers each connection's one request by the next act of ``acts`` (the
    last again when they run out), keeping every request's bytes (``keep``)
    or only their count and digest."""

    def __init__(self, acts: list[Act], *, keep: bool = True) -> None:
        self.acts = list(acts)
        self.keep = keep
        self.seen: list[Seen] = []
        super().__init__()

    def _next_act(self) -> Act:
        with self._lock:
            return self.acts.pop(0) if len(self.acts) > 1 else self.acts[0]

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(10.0)
        words, headers, rest = read_head(connection)
        if not words:
            return
        length = min(int(headers.get("content-length") or 0), MOST)
        act = self._next_act()
        if act == "stall":
            self._record(words[0], headers, b"", 0, hashlib.sha256())
            self._stop.wait(20.0)
            return
        most = min(length, CHUNK) if act == "cut" else length
        body, count, digest = self._read_body(connection, rest, most)
        self._record(words[0], headers, body, count, digest)
        if act == "cut":
            linger = struct.pack("ii", 1, 0)  # close with a reset
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            connection.close()
            return
        status, reason = (429, "Too Many Requests") if act == "busy" else (200, "OK")
        job = b'{"id":"j-1","status":"queued"}'
        connection.sendall(answer(job, status, reason, {"Retry-After": "0"}))

    def _read_body(
        self, connection: socket.socket, rest: bytes, length: int
    ) -> tuple[bytes, int, Any]:
        """Up to ``length`` bytes of the body (``rest`` came with the head)."""
        digest = hashlib.sha256(rest[:length])
        count = len(rest[:length])
        kept = [rest[:length]] if self.keep else []
        for _ in range(length + 1):  # bounded: each recv returns a byte or more
            if count >= length:
                break
            chunk = connection.recv(min(length - count, 64 * 1024))
            if not chunk:
                break
            count += len(chunk)
            digest.update(chunk)
            if self.keep:
                kept.append(chunk)
        return b"".join(kept), count, digest

    def _record(
        self, method: str, headers: dict[str, str], body: bytes, count: int, digest: Any
    ) -> None:
        with self._lock:
            self.seen.append(Seen(method, headers, body, count, digest.hexdigest()))


def recording(acts: list[Act], *, keep: bool = True) -> Recorder:
    """A :class:`Recorder` of ``acts``, to use in a ``with``."""
    return Recorder(acts, keep=keep)


def client_for(url: str, **options: Any) -> BlobsClient:
    options.setdefault("timeout", 20.0)
    options.setdefault("retry", RetryPolicy(max_retries=2, backoff=0.01))
    return BlobsClient(KEY, base_url=url, **options)


def assert_sent(seen: Seen, expected: bytes) -> None:
    assert seen.headers["content-length"] == str(len(expected))
    assert "transfer-encoding" not in seen.headers
    assert seen.length == len(expected)
    assert seen.body == expected  # byte for byte, not just equal JSON


# --- the bytes sent ---------------------------------------------------------------


def test_a_large_body_arrives_byte_for_byte_under_its_length() -> None:
    body = big_body()
    with recording(["ok"]) as server, client_for(server.url) as client:
        assert client.create(body).id == "j-1"
    [seen] = server.seen
    assert_sent(seen, sent_as(body))
    assert json.loads(seen.body) == body


def test_a_small_body_is_sent_as_before() -> None:
    body = {"model": "m-2", "prompt": "Père Noël ☃", "images": ["https://a/b.png"]}
    with recording(["ok"]) as server, client_for(server.url) as client:
        client.create(body)
    [seen] = server.seen
    assert_sent(seen, sent_as(body))


def test_a_long_body_of_short_strings_is_sent_in_slices_too() -> None:
    body = {"tags": [f"étiquette {n} ☃" for n in range(20_000)]}
    with recording(["ok"]) as server, client_for(server.url) as client:
        client.create(body)
    [seen] = server.seen
    assert_sent(seen, sent_as(body))


def test_a_refused_create_is_sent_again_in_full_and_the_same() -> None:
    body = big_body()
    with recording(["busy", "ok"]) as server, client_for(server.url) as client:
        assert client.create(body).status == "queued"
    first, second = server.seen
    assert_sent(first, sent_as(body))
    assert_sent(second, sent_as(body))


def test_an_idempotent_request_cut_mid_body_is_sent_again_from_its_start() -> None:
    body = big_body()
    expected = sent_as(body)
    with recording(["cut", "ok"]) as server, client_for(server.url) as client:
        assert client.put(body).id == "j-1"
    cut, whole = server.seen
    assert cut.method == whole.method == "PUT"
    assert 0 < cut.length < len(expected)
    assert cut.body == expected[: cut.length]
    assert_sent(whole, expected)


def test_a_create_cut_mid_body_is_never_sent_again() -> None:
    body = big_body()
    with (
        recording(["cut", "ok"]) as server,
        client_for(server.url) as client,
        pytest.raises(RequestMayHaveSucceeded),
    ):
        client.create(body)
    assert len(server.seen) == 1, "one attempt: the task may exist"


def test_a_server_that_stops_reading_cannot_hold_the_call_past_its_deadline() -> None:
    body = big_body(12 << 20)  # more than the sockets' buffers hold
    with recording(["stall"]) as server, client_for(server.url, timeout=1.0) as client:
        start = time.monotonic()
        with pytest.raises(RequestMayHaveSucceeded):
            client.create(body)
        took = time.monotonic() - start
    assert took < 1.0 + SLACK, f"took {took:.1f} s"
    assert len(server.seen) == 1


def test_the_raw_response_path_sends_the_same_bytes() -> None:
    body = big_body()
    with recording(["ok"]) as server, client_for(server.url) as client:
        sent = client._body(START, BlobRequest(body), {}, None, BlobRequest)
        raw = client._call_raw(START, {}, sent, Job.from_json)
        assert raw.status == 200
        assert raw.parse().id == "j-1"
    [seen] = server.seen
    assert_sent(seen, sent_as(body))


def test_the_async_client_sends_the_same_bytes() -> None:
    body = big_body()

    async def main() -> Job:
        retry = RetryPolicy(max_retries=2, backoff=0.01)
        async with AsyncBlobsClient(
            KEY, base_url=server.url, timeout=20.0, retry=retry
        ) as client:
            return await asyncio.wait_for(client.create(body), 30)

    with recording(["busy", "ok"]) as server:
        assert asyncio.run(main()).id == "j-1"
    first, second = server.seen
    assert_sent(first, sent_as(body))
    assert_sent(second, sent_as(body))


def test_a_body_utf8_cannot_encode_is_a_client_error_naming_the_field() -> None:
    body = big_body()
    body["nested"]["notes"].append("fin \udc80")
    with (
        recording(["ok"]) as server,
        client_for(server.url) as client,
        pytest.raises(ClientError) as caught,
    ):
        client.create(body)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.violations[0].field == "nested.notes[4]"
    assert server.seen == [], "nothing sent"


# --- what sending holds -----------------------------------------------------------


def test_sending_holds_a_few_slices_not_the_whole_encoding() -> None:
    body = {"images": [data_uri(6 << 20)], "prompt": "a bear"}
    expected = sent_as(body)
    digest, size = hashlib.sha256(expected).hexdigest(), len(expected)
    del expected
    with recording(["ok"], keep=False) as server, client_for(server.url) as client:
        client.create({"prompt": "warm the connection and caches"})
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            client.create(body)
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
    assert server.seen[-1].sha256 == digest
    assert server.seen[-1].length == size
    assert peak < 8 * CHUNK, f"sending held {peak} bytes for a {size}-byte body"
