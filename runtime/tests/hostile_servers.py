"""Hostile HTTP servers on 127.0.0.1, for the client's reliability tests.

Each :class:`Case` pairs a misbehaving answer (a gzip bomb, an endless
chunked body, a huge ``Content-Length``, a body trickled a byte at a time,
JSON nested a hundred thousand deep, the API key echoed back, a short body, a
download that stalls...) with the kind of call it is aimed at and the
:class:`~specgen_runtime.errors.ClientError` the client must end with, in
bounded time and memory. The handlers know nothing of any API: the runtime's
tests drive them with hand-built tables, ``bench/reliability_client.py``
with the generated ``vidu`` client.

Every loop here is bounded in count and in time, and stops when the server
is closed.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Literal, Self, TypedDict

import attrs
from specgen_runtime.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ClientError,
    IncompleteDownload,
    RequestMayHaveSucceeded,
    ResponseTooLarge,
    UnexpectedResponseError,
)

HOST = "127.0.0.1"
SECONDS = 2.0
"""The ``timeout`` the cases' clients use: every case must end within it
(plus :data:`SLACK`), whatever the server does."""
SLACK = 1.5
"""Seconds allowed beyond a case's limit (thread scheduling, slow CI)."""
_SERVE_AT_MOST = 30.0
"""No handler keeps a connection longer than this."""


@attrs.frozen
class Request:
    """What a hostile server read of a request."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def key(self) -> str:
        """The API key the request carried, whatever its header."""
        for name in ("authorization", "x-notes-key", "x-api-key"):
            value = self.headers.get(name)
            if value:
                return value.split(" ", 1)[-1] if name == "authorization" else value
        return ""


Handler = Callable[[socket.socket, Request, threading.Event], None]
"""Answers one request on a connection; returns when done or told to stop."""


class LoopbackServer:
    """A server on 127.0.0.1 that gives each connection to :meth:`_serve` in a
    thread of its own; :class:`HostileServer` and the tests' recording
    servers are made of it.

    Accepting stops after ``10 * _SERVE_AT_MOST`` seconds or when the server
    is closed; closing shuts every connection down and joins the threads
    (bounded).
    """

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(0.05)
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self._listener.getsockname()[1]}"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop, close every connection and join the threads (bounded)."""
        self._stop.set()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(5.0)
        for connection in connections:
            connection.close()
        self._listener.close()

    def _accept(self) -> None:
        end = time.monotonic() + 10 * _SERVE_AT_MOST
        while not self._stop.is_set() and time.monotonic() < end:
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._connections.append(connection)
            thread = threading.Thread(
                target=self._handle, args=(connection,), daemon=True
            )
            thread.start()
            with self._lock:
                self._threads.append(thread)

    def _handle(self, connection: socket.socket) -> None:
        try:
            self._serve(connection)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def _serve(self, connection: socket.socket) -> None:
        """Read a request from ``connection`` and answer it (or not)."""
        raise NotImplementedError


class HostileServer(LoopbackServer):
    """A server on 127.0.0.1 that answers every request with ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        super().__init__()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(5.0)
        request = _read_request(connection)
        if request is None:
            return
        self.requests.append(request)
        self.handler(connection, request, self._stop)


def read_head(connection: socket.socket) -> tuple[list[str], dict[str, str], bytes]:
    """The request line's words, the headers (names in lower case) and the
    bytes read past them; no words when the peer sent no head."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 64 * 1024:
        chunk = connection.recv(4096)
        if not chunk:
            return [], {}, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return lines[0].split(" "), headers, rest


def _read_request(connection: socket.socket) -> Request | None:
    words, headers, body = read_head(connection)
    if not words:
        return None
    method, path, _ = [*words, "", ""][:3]
    length = min(int(headers.get("content-length", "0") or 0), 1 << 20)
    while len(body) < length:
        chunk = connection.recv(length - len(body))
        if not chunk:
            break
        body += chunk
    return Request(method, path, headers, body)


# --- answers ---------------------------------------------------------------------


def head(
    status: int = 200,
    reason: str = "OK",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A status line and headers (``Connection: close`` added)."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    body: bytes,
    status: int = 200,
    reason: str = "OK",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A whole answer with a ``Content-Length``."""
    fields = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    return head(status, reason, {**fields, **(headers or {})}) + body


def _pace(stop: threading.Event, seconds: float) -> bool:
    """Sleep ``seconds``; ``False`` when the server is stopping."""
    return not stop.wait(seconds)


def _drip(conn: socket.socket, stop: threading.Event, byte: bytes, count: int) -> None:
    """Send ``byte`` every 0.2 s, ``count`` times or until the server stops."""
    for _ in range(count):
        if not _pace(stop, 0.2):
            return
        conn.sendall(byte)


@functools.cache
def gzip_bomb(size: int = 256 << 20) -> bytes:
    """``size`` zero bytes (whole MiB), gzipped to about a thousandth.

    One gzip member of a MiB of zeros, repeated: a reader must inflate the
    members one after the other, as the format allows.
    """
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = packer.compress(bytes(1 << 20)) + packer.flush()
    return member * (size >> 20)


def serve_gzip_bomb(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """200 with a gzip body that inflates to 256 MiB."""
    bomb = gzip_bomb()
    conn.sendall(answer(bomb, headers={"Content-Encoding": "gzip"}))


def serve_bad_gzip(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """200 claiming gzip, with bytes that are not."""
    conn.sendall(answer(b"this is not gzip", headers={"Content-Encoding": "gzip"}))


def serve_endless_chunks(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A chunked body that never ends (until the client leaves, or 640 MiB)."""
    conn.sendall(head(headers={"Transfer-Encoding": "chunked"}))
    chunk = b"%x\r\n" % (64 * 1024) + b" " * (64 * 1024) + b"\r\n"
    end = time.monotonic() + _SERVE_AT_MOST
    for _ in range(10_000):
        if stop.is_set() or time.monotonic() > end:
            return
        conn.sendall(chunk)


def serve_huge_length(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A ``Content-Length`` of a petabyte, a little body, then silence."""
    conn.sendall(head(headers={"Content-Length": str(10**15)}) + b"{" * 1024)
    _pace(stop, _SERVE_AT_MOST)


def serve_trickle(conn: socket.socket, request: Request, stop: threading.Event) -> None:
    """Headers at once, then the body one byte every 0.2 s."""
    conn.sendall(head(headers={"Content-Length": "1000"}))
    _drip(conn, stop, b" ", 1000)


def serve_trickled_headers(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """The status line, then one header growing a byte every 0.2 s."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    _drip(conn, stop, b"a", 1000)


def serve_silence(conn: socket.socket, request: Request, stop: threading.Event) -> None:
    """No answer at all, the connection held open."""
    _pace(stop, _SERVE_AT_MOST)


def serve_deep_json(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A JSON array nested 100,000 deep (past Python's recursion limit)."""
    conn.sendall(answer(b"[" * 100_000 + b"]" * 100_000))


def serve_nested_json(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A JSON object nested 500 deep (decodable, too deep to be an answer)."""
    conn.sendall(answer(b'{"a":' * 500 + b"1" + b"}" * 500))


def serve_huge_integer(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A JSON number of 100,000 digits."""
    conn.sendall(answer(b'{"id": ' + b"9" * 100_000 + b"}"))


def serve_key_echo(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """401 echoing the request's key in the reason phrase, headers and body."""
    key = request.key()
    body = (
        '{"problem": {"kind": "%s", "text": "key %s is revoked"}, "ref": "%s",'
        ' "reason": "%s", "message": "key %s is revoked", "code": 401,'
        ' "metadata": {"trace_id": "%s"}, "%s": ["%s"]}'
    ) % ((key,) * 8)
    conn.sendall(
        answer(
            body.encode(),
            401,
            f"Key {key} revoked",
            {"X-Echo": key, "WWW-Authenticate": f'Bearer realm="{key}"'},
        )
    )


def serve_key_echo_retry(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """429 with the key in ``Retry-After`` and the body (retried, logged)."""
    key = request.key()
    conn.sendall(
        answer(
            b'{"message": "%s"}' % key.encode(), 429, "Slow down", {"Retry-After": key}
        )
    )


def serve_not_http(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """Something that is not HTTP at all."""
    conn.sendall(b"SSH-2.0-OpenSSH_9.9\r\n")


def serve_reset(conn: socket.socket, request: Request, stop: threading.Event) -> None:
    """The connection reset (RST) without a byte."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def serve_short_body(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """``Content-Length: 1000``, 500 bytes, then the connection closed."""
    conn.sendall(head(headers={"Content-Length": "1000"}) + b"x" * 500)


def serve_stalled_download(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A video that sends 1 KiB and then nothing, the connection held open."""
    fields = {"Content-Type": "video/mp4", "Content-Length": str(1 << 20)}
    conn.sendall(head(headers=fields) + b"v" * 1024)
    _pace(stop, _SERVE_AT_MOST)


def serve_slow_download(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A video of 1 MiB sent a byte every 0.2 s: never idle, never done."""
    fields = {"Content-Type": "video/mp4", "Content-Length": str(1 << 20)}
    conn.sendall(head(headers=fields))
    _drip(conn, stop, b"v", 1 << 20)


def serve_endless_download(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A chunked video that never ends (the size limit must stop it)."""
    serve_endless_chunks(conn, request, stop)


def serve_gzip_video(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """A "video" sent with ``Content-Encoding: gzip``: to be saved as sent."""
    body = gzip_bomb(64 << 20)
    fields = {"Content-Type": "video/mp4", "Content-Encoding": "gzip"}
    conn.sendall(answer(body, headers=fields))


def serve_video_error(
    conn: socket.socket, request: Request, stop: threading.Event
) -> None:
    """404 for a download."""
    conn.sendall(answer(b"gone", 404, "Not Found"))


# --- the cases -------------------------------------------------------------------

Call = Literal["get", "create", "download"]


@attrs.frozen
class Case:
    """A hostile answer, the call it meets, and how the client must end."""

    name: str
    handler: Handler
    call: Call
    expected: tuple[type[ClientError], ...]
    within: float = SECONDS
    """Seconds the call may take at most (plus :data:`SLACK`)."""

    @property
    def id(self) -> str:
        return f"{self.call}-{self.name}"


_TIMEOUTS = (APITimeoutError, RequestMayHaveSucceeded)

CASES: tuple[Case, ...] = (
    Case("gzip-bomb", serve_gzip_bomb, "get", (ResponseTooLarge,)),
    Case("gzip-bomb", serve_gzip_bomb, "create", (ResponseTooLarge,)),
    Case("bad-gzip", serve_bad_gzip, "get", (UnexpectedResponseError,)),
    Case("endless-chunks", serve_endless_chunks, "get", (ResponseTooLarge,)),
    Case("endless-chunks", serve_endless_chunks, "create", (ResponseTooLarge,)),
    Case("huge-content-length", serve_huge_length, "get", (ResponseTooLarge,)),
    Case("trickle", serve_trickle, "get", (APITimeoutError,)),
    Case("trickle", serve_trickle, "create", _TIMEOUTS),
    Case("trickled-headers", serve_trickled_headers, "get", (APITimeoutError,)),
    Case("silence", serve_silence, "get", (APITimeoutError,)),
    Case("silence", serve_silence, "create", _TIMEOUTS),
    Case("deep-json", serve_deep_json, "get", (UnexpectedResponseError,)),
    Case("nested-json", serve_nested_json, "get", (UnexpectedResponseError,)),
    Case("huge-integer", serve_huge_integer, "get", (UnexpectedResponseError,)),
    Case("key-echo", serve_key_echo, "get", (AuthenticationError,)),
    Case("key-echo", serve_key_echo, "create", (AuthenticationError,)),
    Case("key-echo-429", serve_key_echo_retry, "get", (APIError,)),
    Case("not-http", serve_not_http, "get", (APIConnectionError,)),
    Case("reset", serve_reset, "get", (APIConnectionError,)),
    Case("reset", serve_reset, "create", (APIConnectionError,)),
    Case("short-body", serve_short_body, "get", (APIConnectionError,)),
    Case("short-body", serve_short_body, "download", (IncompleteDownload,)),
    Case("stalled", serve_stalled_download, "download", (APITimeoutError,)),
    Case("slow", serve_slow_download, "download", (APITimeoutError,), within=3.0),
    Case("endless", serve_endless_download, "download", (ResponseTooLarge,)),
    Case("huge-content-length", serve_huge_length, "download", (ResponseTooLarge,)),
    Case("not-found", serve_video_error, "download", (APIError,)),
)
"""Every hostile answer, with the call it is aimed at."""


class DownloadOptions(TypedDict):
    """The keywords of a download that bound it."""

    idle_timeout: float
    timeout: float
    max_bytes: int


DOWNLOAD_OPTIONS = DownloadOptions(idle_timeout=1.0, timeout=3.0, max_bytes=32 << 20)
"""How the cases' downloads are made: idle 1 s, 3 s in all, at most 32 MiB."""


@contextlib.contextmanager
def serving(case: Case) -> Iterator[HostileServer]:
    """A :class:`HostileServer` for ``case``, closed afterwards."""
    with HostileServer(case.handler) as server:
        yield server
