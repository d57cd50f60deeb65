"""Hand-built tables and a scripted HTTP server, shared by the runtime's tests.

The runtime is tested with APIs of shapes the bundled spec does not have.
Their tables are built here with :func:`api_tables`, which fills in what no
test looks at (no models, a plain converter, a validator that finds nothing
unless given one), so that a test module states only the shape it is about:
its name, operations, key header, tasks and error layout.

The ``Jobs`` pieces (:data:`START`, :data:`JOB`, :data:`JOB_TASKS`,
:data:`JOB_ERRORS`, :class:`Job`) are the shape most client tests share: a
job's id in ``id``, its state in ``status`` (``queued``, ``done``,
``broken``) and its error code in ``why``.

:func:`http_server` runs a small :mod:`http.server` on 127.0.0.1 that answers
every request as a :class:`Responder` says and records what it was sent.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

import attrs
import cattrs
from specgen_runtime.tables import (
    ApiTables,
    Auth,
    ErrorFields,
    Errors,
    FormTable,
    Operation,
    Tasks,
    Validate,
)
from specgen_runtime.violations import Violation

HOST = "127.0.0.1"
MOST_READ = 1 << 20
"""The most bytes of a request body :func:`http_server` reads."""


def no_violations(operation_id: str, body: Mapping[str, Any]) -> list[Violation]:
    """A validator that finds nothing wrong."""
    return []


def api_tables(
    name: str,
    *operations: Operation,
    auth: Auth,
    tasks: Tasks | None = None,
    errors: Errors | None = None,
    validate: Validate = no_violations,
    forms: tuple[FormTable, ...] = (),
    hosts: Mapping[str, str] | None = None,
    version: str = "0.1.0",
) -> ApiTables:
    """The tables of an API called ``name`` (package ``name.lower()``, served
    from ``https://<package>.example``) with ``operations`` in that order."""
    package = name.lower()
    return ApiTables(
        name=name,
        package=package,
        version=version,
        base_url=f"https://{package}.example",
        hosts=dict(hosts or {}),
        auth=auth,
        models=(),
        operations={operation.id: operation for operation in operations},
        forms=forms,
        validate=validate,
        converter=cattrs.Converter(),
        tasks=tasks,
        errors=errors,
    )


# --- the Jobs shape --------------------------------------------------------------------

START = Operation(
    "start_job", "POST", "/jobs", "Start a job", task="create", has_body=True
)
JOB = Operation(
    "job", "GET", "/jobs/{id}", "A job", ("id",), task="get", idempotent=True
)

JOB_TASKS = Tasks(
    id_field="id",
    state_field="status",
    states=("queued", "done", "broken"),
    success=frozenset({"done"}),
    failure=frozenset({"broken"}),
    error_code_field="why",
)
"""A job's id in ``id``, its state in ``status``, its error code in ``why``."""

JOB_ERRORS = Errors(
    ErrorFields(
        code="code", reason="reason", message="message", trace_id="metadata.trace_id"
    ),
    {},
)
"""Errors as ``{"code", "reason", "message", "metadata": {"trace_id"}}``, no
table of codes."""


@attrs.frozen(kw_only=True)
class Job:
    """A job as the Jobs API answers it."""

    id: str | None = None
    status: str | None = None
    why: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        """Read an answer; a field that is not a string is a ``TypeError``."""
        for name in ("id", "status", "why"):
            if not isinstance(data.get(name), str | None):
                raise TypeError(f"{name} must be a string")
        return cls(id=data.get("id"), status=data.get("status"), why=data.get("why"))


# --- a scripted server -----------------------------------------------------------------


class Received(NamedTuple):
    """A request as the server got it (headers as sent, in their own case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@attrs.frozen
class Reply:
    """An answer: status, headers (``Content-Length`` is added) and body."""

    status: int = 200
    body: bytes = b"{}"
    headers: Mapping[str, str] = attrs.field(factory=dict)


@attrs.define
class Responder:
    """What a :func:`http_server` server answers, and what it was sent.

    Subclasses say what to answer in :meth:`reply`, which runs on the
    server's thread and may block there (bounded) to hold an answer back.
    """

    received: list[Received] = attrs.field(factory=list, init=False)
    answered: int = attrs.field(default=0, init=False)
    """How many answers were sent in full."""
    lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def reply(self, request: Received) -> Reply:
        """The answer to ``request``."""
        raise NotImplementedError

    def count(self, method: str) -> int:
        """How many ``method`` requests came."""
        with self.lock:
            return sum(1 for request in self.received if request.method == method)

    def take(self, request: Received) -> Reply:
        """Record ``request``, then answer it."""
        with self.lock:
            self.received.append(request)
        return self.reply(request)

    def sent(self) -> None:
        """Count an answer sent."""
        with self.lock:
            self.answered += 1


@contextlib.contextmanager
def http_server(responder: Responder) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering as ``responder`` says; its URL.

    Shut down (bounded) when the block ends.
    """

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = min(int(self.headers.get("Content-Length") or 0), MOST_READ)
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            request = Received(self.command, self.path, headers, body)
            reply = responder.take(request)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            responder.sent()

        do_GET = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer((HOST, 0), Handler)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{HOST}:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
