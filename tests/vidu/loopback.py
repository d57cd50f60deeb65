"""Small HTTP servers on 127.0.0.1 for the package's tests.

:func:`running` serves any :class:`~http.server.BaseHTTPRequestHandler`
(a thread a connection) for the length of a ``with`` block;
:class:`Canned` answers every request with one answer the test sets, and
keeps what it was sent. Every read is capped and every shutdown bounded.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

import attrs

HOST = "127.0.0.1"
MOST_READ = 1 << 20
"""The most bytes of a request body :class:`Canned` reads."""
JSON = {"Content-Type": "application/json"}


@contextlib.contextmanager
def running(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on 127.0.0.1; the server's URL.

    The server is shut down, and its thread joined (5 s at most), when the
    block ends.
    """
    httpd = ThreadingHTTPServer((HOST, 0), handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{HOST}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


class Seen(NamedTuple):
    """A request as the server got it (headers as sent)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@attrs.define
class Canned:
    """Answers every request with ``status``, ``headers`` (and a
    ``Content-Length``) and ``body``; keeps every request in ``seen``."""

    url: str = ""
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = attrs.field(factory=dict)
    seen: list[Seen] = attrs.field(factory=list)

    def answer(
        self, body: bytes, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> str:
        """Answer ``body`` with ``status`` and ``headers`` from now on; the URL."""
        self.body, self.status, self.headers = body, status, dict(headers or {})
        return self.url


@contextlib.contextmanager
def canned() -> Iterator[Canned]:
    """A :class:`Canned` server on 127.0.0.1, for the length of the block."""
    record = Canned()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), MOST_READ)
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            record.seen.append(Seen(self.command, self.path, headers, body))
            self.send_response(record.status)
            for name, value in record.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(record.body)))
            self.end_headers()
            self.wfile.write(record.body)

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    with running(Handler) as url:
        record.url = url
        yield record
