"""The fake server's HTTP layer: connections, bodies, faults on the wire.

What a request *means* is decided by a :class:`Backend` (the fake server);
this module reads requests, applies the wire-level part of a scripted
:class:`~._faults.Fault` (delay, error status, dropped connection) and writes
answers.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Mapping
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from typing import Any, Protocol

import attrs

from ._faults import Drop, Fault
from ._responses import ErrorBodies

SAFETY_BODY_BYTES = 512 * 1024 * 1024
"""The largest request body read for an operation whose spec sets no body
limit (on some of its forms): a safety cap, far above any body the spec's
other limits allow (seven 10 MiB images and two 20 MiB videos, base64-encoded,
are under 150 MiB). A larger body is refused unread."""

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@attrs.frozen
class Answer:
    """What to answer a request with."""

    status: int
    body: bytes
    headers: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def json(
        cls, status: int, body: object, headers: Mapping[str, str] | None = None
    ) -> Answer:
        """A JSON answer."""
        return cls(
            status,
            json.dumps(body).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )

    @classmethod
    def error(
        cls,
        errors: ErrorBodies,
        reason: str,
        status: int,
        *,
        message: str | None = None,
    ) -> Answer:
        """The service's error body for ``reason`` (see :meth:`ErrorBodies.preferred`)."""
        code, body = errors.preferred(reason, status, message=message)
        return cls.json(code, body)

    @classmethod
    def fault(cls, errors: ErrorBodies, fault: Fault, status: int) -> Answer:
        """The error answer a scripted fault with ``status`` asks for."""
        reason = fault.reason or errors.reason_for_status(status)
        code, body = errors.body(reason, status=status)
        retry = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        return cls.json(code, body, retry)


@attrs.frozen
class Incoming:
    """A request read whole, as the fake server carries it out."""

    operation: str
    """The operation id, or ``"download"`` for a result file."""
    method: str
    target: str
    """The request target: the path and its query."""
    body: bytes
    headers: Message[str, str]


class Backend(Protocol):
    """What the HTTP layer asks of the fake server."""

    @property
    def verbose(self) -> bool:
        """Whether to log requests and handler errors."""
        ...

    @property
    def errors(self) -> ErrorBodies:
        """The service's error bodies."""
        ...

    def route(self, method: str, path: str) -> str | None:
        """The operation id (or ``"download"``) a request is for; ``None``: none."""
        ...

    def arrive(self, operation: str) -> Fault | None:
        """Count a request's arrival; return the fault scripted for it, if any."""
        ...

    def pause(self, seconds: float) -> None:
        """Wait (a fault's delay), cut short when the server stops."""
        ...

    def record(self, method: str, target: str, raw: bytes | None) -> None:
        """Log a request (``raw`` is ``None`` when the body was never read)."""
        ...

    def body_limit(self, operation: str) -> int:
        """The most bytes of a request body to ``operation`` that are read."""
        ...

    def answer(self, request: Incoming) -> Answer:
        """Carry a request out and say what to answer."""
        ...

    def track(self, connection: socket.socket, *, add: bool) -> None:
        """Remember an open connection (to close it on stop), or forget it."""
        ...


class HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that serves one :class:`Backend`."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], backend: Backend) -> None:
        self.backend = backend
        super().__init__(address, Handler)

    def server_bind(self) -> None:
        """Bind without the host-name lookup of ``HTTPServer`` (it can be slow)."""
        TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Print handler errors only when verbose."""
        if self.backend.verbose:
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    """One connection; every method goes through :meth:`_exchange`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    timeout = 10.0  # idle keep-alive connections are closed after this
    server: HTTPServer

    def setup(self) -> None:
        """Register the connection."""
        super().setup()
        self.server.backend.track(self.connection, add=True)

    def finish(self) -> None:
        """Forget the connection."""
        try:
            super().finish()
        finally:
            self.server.backend.track(self.connection, add=False)

    def do_GET(self) -> None:
        """Serve a request, whatever its method."""
        try:
            self._exchange()
        except OSError:  # the client went away: nothing left to do
            self.close_connection = True

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Log to stderr only when verbose."""
        if self.server.backend.verbose:
            super().log_message(format, *args)

    def _exchange(self) -> None:
        backend = self.server.backend
        path = self.path.partition("?")[0]
        operation = backend.route(self.command, path)
        if operation is None:
            backend.record(self.command, self.path, self._read_body())
            self._send(Answer.error(backend.errors, "NotFound", 404))
            return
        fault = backend.arrive(operation)
        if fault is not None and fault.delay > 0:
            backend.pause(fault.delay)
        if fault is not None and fault.drop == "before_read":
            backend.record(self.command, self.path, None)
            self._drop()
            return
        limit = backend.body_limit(operation)
        raw = self._read_body(limit)
        backend.record(self.command, self.path, raw)
        if raw is None:
            message = f"request body too large: at most {limit} bytes"
            self._send(Answer.error(backend.errors, "BadRequest", 400, message=message))
            self.close_connection = True
            return
        if fault is not None and fault.status is not None:
            self._send(Answer.fault(backend.errors, fault, fault.status))
            return
        answer = backend.answer(
            Incoming(operation, self.command, self.path, raw, self.headers)
        )
        drop = fault.drop if fault is not None else None
        if drop == "after_read":
            self._drop()
            return
        self._send(answer, drop=drop)

    def _read_body(self, limit: int = SAFETY_BODY_BYTES) -> bytes | None:
        """The request body (``b""`` if none); ``None`` if it is over ``limit``
        bytes."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self, limit: int) -> bytes | None:
        data = b""
        while True:
            line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(line or b"0", 16)
            except ValueError:
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return data
            if len(data) + size > limit:
                return None
            data += self.rfile.read(size)
            self.rfile.readline(1024)

    def _send(self, answer: Answer, drop: Drop | None = None) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if drop == "mid_body":
            self.wfile.write(answer.body[: len(answer.body) // 2])
            self._drop()
            return
        self.wfile.write(answer.body)

    def _drop(self) -> None:
        """Close the connection at once, answering nothing (more)."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def decode(raw: bytes | None) -> Any:
    """A request body as logged: JSON if it is JSON, else text; ``None`` if empty."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def ranged(data: bytes, header: str | None, headers: Mapping[str, str]) -> Answer:
    """``data``, or the single byte range a ``Range`` header asks for."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None:
        return Answer(200, data, headers)
    total = len(data)
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last), total - 1) if last else total - 1
    elif last:
        start, end = max(total - int(last), 0), total - 1
    else:
        start, end = total, -1
    if start >= total or start > end:
        return Answer(416, b"", {**headers, "Content-Range": f"bytes */{total}"})
    return Answer(
        206,
        data[start : end + 1],
        {**headers, "Content-Range": f"bytes {start}-{end}/{total}"},
    )
