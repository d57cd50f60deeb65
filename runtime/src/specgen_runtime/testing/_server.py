"""The fake server: a real HTTP server on 127.0.0.1 that behaves like the service.

Everything it knows of the service comes from the :class:`ApiTables` its
class carries as ``_api``: routes from its operations, the key check from
its ``auth``, request checks from its ``validate``, error bodies from its
``errors``, the task life cycle from its ``tasks`` and signed callbacks from
its ``callback`` section (when the spec has one).
"""

from __future__ import annotations

import collections
import contextlib
import hmac
import json
import re
import socket
import threading
from collections.abc import Mapping
from email.message import Message
from typing import Any, ClassVar, Literal, NamedTuple, Self

import attrs

from ..tables import ApiTables, Callback, Operation
from ._callbacks import CallbackRecord, CallbackSender
from ._clock import STALL_POLLS, Clock, FakeClock, RealClock, StallWatch
from ._faults import DOWNLOAD, Drop, Fault, FaultQueue
from ._http import SAFETY_BODY_BYTES, Answer, HTTPServer, Incoming, decode, ranged
from ._listing import BadQuery, Listing
from ._responses import ErrorBodies, Routes
from ._schedule import Schedule
from ._tasks import FakeTask, Outcome, TaskLife

HOST = "127.0.0.1"
"""The only interface the fake server listens on."""

FILES_PATH = "/files"
"""Where result files are served: ``/files/<task id>/<name>``."""

_FILE_ROUTE = re.compile(re.escape(FILES_PATH) + r"/(?P<task>[^/]+)/(?P<name>[^/]+)")
_JOIN_SECONDS = 5.0


@attrs.frozen(eq=False)
class Service:
    """What a fake server works out from an API's tables, once per API."""

    api: ApiTables
    routes: Routes
    errors: ErrorBodies
    life: TaskLife
    callback: Callback | None
    listings: Mapping[str, Listing] = attrs.field(factory=dict)
    """How each ``task: list`` operation is answered, by operation id."""

    @classmethod
    def of(cls, api: ApiTables) -> Service:
        """The fake service of ``api``; its ``tasks`` and ``errors`` are required."""
        missing = [
            name
            for name, section in (("tasks", api.tasks), ("errors", api.errors))
            if section is None
        ]
        if missing or api.errors is None:
            raise LookupError(
                f"the fake server needs the spec's tasks and errors sections: "
                f"the {api.name} spec has no {' and no '.join(missing)} section"
            )
        return cls(
            api=api,
            routes=Routes.of(api.operations),
            errors=ErrorBodies(api.errors),
            life=TaskLife.of(api),
            callback=api.callback,
            listings={
                op.id: Listing.of(op, api.tasks.id_field)
                for op in api.operations.values()
                if op.task == "list" and op.pagination is not None and api.tasks
            },
        )


_services: dict[int, Service] = {}
_services_lock = threading.Lock()


def service_of(api: ApiTables) -> Service:
    """The :class:`Service` of ``api``, worked out on first use and kept."""
    with _services_lock:
        found = _services.get(id(api))
        if found is None or found.api is not api:
            found = _services[id(api)] = Service.of(api)
        return found


class RecordedRequest(NamedTuple):
    """A request as the fake server received it."""

    method: str
    path: str
    """The request target: path and query."""
    body: Any
    """The decoded JSON body; the raw text if it was not JSON; ``None`` if empty
    or never read."""


def _make_clock(clock: Clock | Literal["real", "manual"] | None) -> Clock:
    if clock is None or clock == "manual":
        return FakeClock()
    if clock == "real":
        return RealClock()
    if isinstance(clock, str):
        raise ValueError(f"clock {clock!r}: use None, 'manual', 'real' or a Clock")
    return clock


class FakeServer:
    """A fake of the service for tests: real HTTP on ``127.0.0.1``, no network.

    This class serves no API of its own: a generated package subclasses it
    with its tables, ``class FakeServer(specgen_runtime.testing.FakeServer):
    _api = API``, and tests use that subclass::

        from <package>.testing import FakeServer

        with FakeServer() as server:
            client = Client(api_key=server.api_key, base_url=server.url,
                            sleep=server.advance, clock=server.clock.now)
            task = client.<create operation>(...)
            server.advance(10)               # the task runs and succeeds
            client.<get operation>(<task id>)
            client.wait(<task id>)           # its sleeps move the clock

    ``clock``: ``None`` (a manual :class:`FakeClock`, moved by
    :meth:`advance`), ``"real"`` (tasks progress in wall time) or any
    :class:`Clock`. With the manual clock, a task polled more than
    ``stall_polls`` times (5) at one clock reading cannot move: the poll is
    answered with a 409 saying to give the client ``sleep=server.advance``
    (``None`` turns this off). ``durations``: seconds a task spends in each
    pending state.
    ``outcome``: how tasks end unless :meth:`set_outcome` or
    :meth:`next_outcome` say otherwise (``err_code`` for a failure).

    ``concurrency_limit``: tasks in the running (last pending) state at once,
    5 as the service's default; the others wait, first come first served, in
    the state before it (the list and the concurrency counts show them
    there). ``page_size``: tasks per page of the list when the request names
    no size. ``echo_payload=False``: the list leaves out of each task the
    values of its request that no filter of the list reads (its
    ``payload``, for one; the get operation still shows them), as a service
    that does not echo them there would.

    Every body is written in the shape of the spec's response class (the
    tables' ``TaskShapes``): the request's values where it gave them, the
    creation time, and the values of the class's ``examples`` for the rest
    (see :mod:`specgen_runtime.testing._bodies`).

    What a test can read: :attr:`received` and :attr:`applied` (counters by
    operation id), :attr:`requests`, :attr:`callbacks_sent`.

    The API's spec must have ``tasks`` and ``errors`` sections (a
    :class:`LookupError` says so otherwise). Without a ``callback`` section
    no callback is ever sent, and :meth:`wait_for_callbacks` says why.
    """

    _api: ClassVar[ApiTables]
    """The tables of the API this server fakes; set by the subclass."""

    def __init__(
        self,
        *,
        api_key: str = "test-key",
        port: int = 0,
        clock: Clock | Literal["real", "manual"] | None = None,
        durations: Mapping[str, float] | None = None,
        outcome: str | None = None,
        err_code: str | None = None,
        file_size: int = 256 * 1024,
        callback_retries: int = 3,
        callback_retry_delay: float = 0.2,
        callback_timeout: float = 5.0,
        verbose: bool = False,
        stall_polls: int | None = STALL_POLLS,
        concurrency_limit: int = 5,
        page_size: int = 20,
        echo_payload: bool = True,
    ) -> None:
        api = getattr(type(self), "_api", None)
        if not isinstance(api, ApiTables):
            raise TypeError(
                f"{type(self).__name__} has no API tables: use the FakeServer of a "
                "generated package, or subclass this one with `_api = <ApiTables>`"
            )
        self._service = service_of(api)
        life = self._service.life
        self.api_key = api_key
        self.clock = _make_clock(clock)
        self.durations = life.check_durations(durations)
        self.outcome = life.outcome(outcome or life.success, err_code)
        self.file_size = file_size
        self.verbose = verbose
        self._stalls = StallWatch(
            stall_polls if isinstance(self.clock, FakeClock) else None
        )
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.page_size = page_size
        self.echo_payload = echo_payload
        self._schedule = Schedule(life, concurrency_limit)
        self.faults = FaultQueue()
        self.received: collections.Counter[str] = collections.Counter()
        """Requests that arrived, by operation id (faulted ones included)."""
        self.applied: collections.Counter[str] = collections.Counter()
        """Requests carried out and answered with success, by operation id."""
        self.requests: list[RecordedRequest] = []
        """Every request, in arrival order."""
        self.callbacks_sent: list[CallbackRecord] = []
        """Every callback delivered, failed or refused, in order."""
        self._port = port
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._tasks: dict[str, FakeTask] = {}
        self._next_outcomes: collections.deque[Outcome] = collections.deque()
        self._serial = 0
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        callback = self._service.callback
        self._callbacks = (
            None
            if callback is None
            else CallbackSender(
                api_key,
                callback=callback,
                tasks=life.tasks,
                on_done=self._callback_done,
                retries=callback_retries,
                retry_delay=callback_retry_delay,
                timeout=callback_timeout,
            )
        )

    # -- life cycle ---------------------------------------------------------

    def start(self) -> Self:
        """Listen on ``127.0.0.1`` and serve from background threads."""
        if self._httpd is not None or self._stopping.is_set():
            raise RuntimeError("a FakeServer starts once")
        httpd = HTTPServer((HOST, self._port), _Wire(self))
        self._httpd = httpd
        self._spawn("fake-server-http", lambda: httpd.serve_forever(poll_interval=0.05))
        if self._callbacks is not None:
            self._callbacks.start()
        if not isinstance(self.clock, FakeClock):
            self._spawn("fake-server-clock", self._tick_in_real_time)
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join the threads (bounded)."""
        if self._stopping.is_set():
            return
        self._stopping.set()
        httpd = self._httpd
        if httpd is not None:
            # shutdown() waits for the serving loop without a timeout: bound it
            stopper = threading.Thread(target=httpd.shutdown, daemon=True)
            stopper.start()
            stopper.join(_JOIN_SECONDS)
            with self._connections_lock:
                connections = list(self._connections)
            for connection in connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            httpd.server_close()
        if self._callbacks is not None:
            self._callbacks.stop(_JOIN_SECONDS)
        for thread in self._threads:
            thread.join(_JOIN_SECONDS)
        with self._changed:
            self._changed.notify_all()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port it listens on (chosen by the system when ``port=0``)."""
        if self._httpd is None:
            raise RuntimeError("the FakeServer is not started")
        return self._httpd.server_port

    @property
    def url(self) -> str:
        """The base URL to give the client: ``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    @property
    def files_url(self) -> str:
        """The base URL of the result files."""
        return self.url + FILES_PATH

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "not started"
        return f"<{type(self).__name__} {where}, {len(self._tasks)} tasks>"

    # -- what tests control ---------------------------------------------------

    def advance(self, seconds: float) -> None:
        """Move the manual clock and every task with it; callbacks follow."""
        if not isinstance(self.clock, FakeClock):
            raise TypeError("advance() needs the manual FakeClock (clock=None)")
        self.clock.advance(seconds)
        self.tick()

    @property
    def concurrency_limit(self) -> int:
        """Tasks that may be running at once."""
        return self._schedule.limit

    @property
    def running_count(self) -> int:
        """Tasks running now (in the last pending state, holding a slot)."""
        with self._lock:
            self._refresh()
            return self._schedule.running

    @property
    def queued_count(self) -> int:
        """Tasks waiting for a running slot now."""
        with self._lock:
            self._refresh()
            return self._schedule.queued

    def tick(self) -> None:
        """Bring every task up to the clock (done before each request anyway)."""
        with self._lock:
            self._refresh()

    def set_outcome(
        self, task_id: str, outcome: str, *, err_code: str | None = None
    ) -> None:
        """How task ``task_id`` will end (it must not have ended yet)."""
        with self._lock:
            self._refresh()
            task = self._tasks[task_id]
            if task.ended:
                raise ValueError(f"task {task_id} already ended ({task.state})")
            task.outcome = self._service.life.outcome(outcome, err_code)

    def next_outcome(self, outcome: str, *, err_code: str | None = None) -> None:
        """How the next task created will end; calls queue up in order."""
        with self._lock:
            self._next_outcomes.append(self._service.life.outcome(outcome, err_code))

    def inject(
        self,
        operation: str | None = None,
        *,
        status: int | None = None,
        retry_after: str | None = None,
        delay: float = 0.0,
        drop: Drop | None = None,
        reason: str | None = None,
        times: int = 1,
    ) -> Fault:
        """Script a fault for the next ``times`` requests to ``operation``.

        ``operation`` is an operation id, ``"download"`` for result files, or
        ``None`` for any request. ``status`` answers with that error (its
        ``reason`` from the error table unless given; ``Retry-After`` when
        ``retry_after`` is set) without carrying the request out; ``delay``
        waits first; ``drop`` loses the connection (see :data:`Drop`). Faults
        apply first in, first out.
        """
        known = {*self._service.api.operations, DOWNLOAD}
        if operation is not None and operation not in known:
            raise ValueError(
                f"unknown operation {operation!r}: use one of {sorted(known)}"
            )
        fault = Fault(
            operation,
            status=status,
            reason=reason,
            retry_after=retry_after,
            delay=delay,
            drop=drop,
            times=times,
        )
        return self.faults.add(fault)

    def clear_faults(self) -> None:
        """Forget the faults not used up yet."""
        self.faults.clear()

    # -- what tests read ------------------------------------------------------

    @property
    def task_ids(self) -> list[str]:
        """The ids of every task created, oldest first."""
        with self._lock:
            return list(self._tasks)

    def task(self, task_id: str) -> dict[str, Any]:
        """Task ``task_id`` as the get operation would answer now."""
        with self._lock:
            self._refresh()
            return self._tasks[task_id].body(self.files_url)

    def wait_for_callbacks(
        self, count: int, timeout: float = 5.0
    ) -> list[CallbackRecord]:
        """Block until ``count`` callbacks were sent (or refused); return them all.

        :raises TimeoutError: fewer arrived within ``timeout`` seconds.
        :raises LookupError: the API has no callbacks (its spec has no
            ``callback`` section).
        """
        self._service.api.require_callback()
        with self._changed:
            done = self._changed.wait_for(
                lambda: len(self.callbacks_sent) >= count or self._stopping.is_set(),
                timeout,
            )
            if not done or len(self.callbacks_sent) < count:
                raise TimeoutError(
                    f"{len(self.callbacks_sent)} of {count} callbacks sent within {timeout:g} s"
                )
            return list(self.callbacks_sent)

    # -- inside -------------------------------------------------------------------

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _tick_in_real_time(self) -> None:
        while not self._stopping.wait(0.05):
            self.tick()

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _callback_done(self, record: CallbackRecord) -> None:
        with self._changed:
            self.callbacks_sent.append(record)
            self._changed.notify_all()

    def _refresh(self) -> None:
        """Carry out the task transitions due by the clock; queue a callback
        per change. Only the transitions due are visited. Locked."""
        due = self._schedule.due()
        if due is None:
            return
        now = self.clock.now()
        if due <= now:
            self._schedule.run_until(now, self.files_url, self._call_back)

    def _call_back(self, task: FakeTask, body: dict[str, Any]) -> None:
        if task.callback_url is not None and self._callbacks is not None:
            self._callbacks.send(task.callback_url, body)

    def _record(self, method: str, target: str, raw: bytes | None) -> None:
        with self._lock:
            self.requests.append(RecordedRequest(method, target, decode(raw)))

    def _authorized(self, headers: Message[str, str]) -> bool:
        auth = self._service.api.auth
        given = headers.get(auth.header) or ""
        expected = auth.value(self.api_key)
        return hmac.compare_digest(given.encode(), expected.encode())

    def _operation(
        self,
        operation: Operation,
        params: Mapping[str, str],
        raw: bytes,
        headers: Message[str, str],
        query: str = "",
    ) -> Answer:
        """Carry out one request to ``operation`` and say what to answer."""
        service = self._service
        if not self._authorized(headers):
            return Answer.error(service.errors, "Unauthorized", 401)
        body: Any = {}
        if operation.has_body and raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                return Answer.error(
                    service.errors,
                    "BadRequest",
                    400,
                    message="request body is not JSON",
                )
        if operation.id in service.api.bodied:
            violations = service.api.validate(operation.id, body)
            problem = service.errors.for_violations(violations)
            if problem is not None:
                return Answer.json(*problem)
        if not isinstance(body, dict):
            return Answer.error(
                service.errors,
                "BadRequest",
                400,
                message="request body is not a JSON object",
            )
        task_id = params[operation.params[0]] if operation.params else ""
        with self._lock:
            self._refresh()
            answer = self._carry_out(operation, task_id, body, query)
            if 200 <= answer.status < 300:
                self.applied[operation.id] += 1
            return answer

    def _carry_out(
        self, operation: Operation, task_id: str, body: dict[str, Any], query: str
    ) -> Answer:
        """The task part of an operation. Locked."""
        errors = self._service.errors
        if operation.task == "create":
            return Answer.json(200, self._create(operation, body).create_response())
        if operation.task == "list":
            listing = self._service.listings.get(operation.id)
            if listing is None:
                return Answer.json(200, {})  # a list without pagination
            try:
                page = listing.page(
                    list(self._tasks.values()),
                    query,
                    default_size=self.page_size,
                    files_url=self.files_url,
                    echo_payload=self.echo_payload,
                    request_fields=self._service.life.bodies.request_fields,
                )
            except BadQuery as exc:
                return Answer.error(errors, exc.reason, 400, message=exc.message)
            return Answer.json(200, page)
        if operation.concurrency is not None:
            counts = operation.concurrency
            schedule = self._schedule
            return Answer.json(
                200,
                {
                    counts.limit: schedule.limit,
                    counts.running: schedule.running,
                    counts.queued: schedule.queued,
                },
            )
        if operation.task is None:
            return Answer.json(200, {})  # an operation this fake does not model
        task = self._tasks.get(task_id)
        if task is None:
            return Answer.error(errors, "TaskNotFound", 404)
        if operation.task == "get":
            stalled = self._stalls.poll(task_id, self.clock.now(), ended=task.ended)
            if stalled is not None:
                return Answer.error(errors, "Conflict", 409, message=stalled)
            return Answer.json(200, task.body(self.files_url))
        problem = task.cancel()
        if problem is not None:
            return Answer.error(errors, "BadRequest", 400, message=problem)
        self._schedule.cancelled(task)
        self._call_back(task, task.body(self.files_url))
        return Answer.json(200, {})

    def _create(self, operation: Operation, request: dict[str, Any]) -> FakeTask:
        self._serial += 1
        task_id = str(880_000_000_000_000_000 + self._serial)
        outcome = self._next_outcomes.popleft() if self._next_outcomes else self.outcome
        life = self._service.life
        task = FakeTask.create(
            task_id,
            life.with_defaults(operation.id, request),
            now=self.clock.now(),
            wall=self.clock.wall(),
            outcome=outcome,
            durations=self.durations,
            life=life,
            callbacks=self._callbacks is not None,
            serial=self._serial,
        )
        self._tasks[task_id] = task
        self._schedule.add(task, self.clock.now())
        return task

    def _download(self, task_id: str, name: str, headers: Message[str, str]) -> Answer:
        """A result file of a successful task; byte ranges are honoured."""
        with self._lock:
            self._refresh()
            task = self._tasks.get(task_id)
            ready = task is not None and task.state in task.life.tasks.success
        served = self._service.life.bodies.served
        if not ready or name not in served.types:
            return Answer.error(self._service.errors, "NotFound", 404)
        data = served.content(name, task_id, self.file_size)
        common = {"Content-Type": served.types[name], "Accept-Ranges": "bytes"}
        answer = ranged(data, headers.get("Range"), common)
        if 200 <= answer.status < 300:
            with self._lock:
                self.applied[DOWNLOAD] += 1
        return answer


class _Wire:
    """The fake server as its HTTP layer sees it (a :class:`~._http.Backend`)."""

    def __init__(self, fake: FakeServer) -> None:
        self._fake = fake

    @property
    def verbose(self) -> bool:
        """Whether to log requests and handler errors."""
        return self._fake.verbose

    @property
    def errors(self) -> ErrorBodies:
        """The service's error bodies."""
        return self._fake._service.errors

    def route(self, method: str, path: str) -> str | None:
        """The operation id, or ``"download"`` for a result file; else ``None``."""
        found = self._fake._service.routes.find(method, path)
        if found is not None:
            return found[0].id
        if method in ("GET", "HEAD") and _FILE_ROUTE.fullmatch(path):
            return DOWNLOAD
        return None

    def arrive(self, operation: str) -> Fault | None:
        """Count the request and take the fault scripted for it."""
        with self._fake._lock:
            self._fake.received[operation] += 1
        return self._fake.faults.take(operation)

    def pause(self, seconds: float) -> None:
        """Sleep, waking early when the server stops."""
        self._fake._stopping.wait(seconds)

    def record(self, method: str, target: str, raw: bytes | None) -> None:
        """Log the request."""
        self._fake._record(method, target, raw)

    def body_limit(self, operation: str) -> int:
        """The spec's body limit of ``operation``: the largest of its forms'
        ``body.max_bytes`` when every form sets one, else the safety cap
        :data:`SAFETY_BODY_BYTES` (a form's own limit is then applied by
        validating the body)."""
        forms = self._fake._service.life.forms.get(operation, ())
        limits = [form.body_max_bytes for form in forms]
        if not limits or None in limits:
            return SAFETY_BODY_BYTES
        return max(limit for limit in limits if limit is not None)

    def answer(self, request: Incoming) -> Answer:
        """Carry the request out."""
        path, _, query = request.target.partition("?")
        if request.operation == DOWNLOAD:
            match = _FILE_ROUTE.fullmatch(path)
            assert match is not None
            return self._fake._download(match["task"], match["name"], request.headers)
        found = self._fake._service.routes.find(request.method, path)
        assert found is not None
        return self._fake._operation(
            found[0], found[1], request.body, request.headers, query
        )

    def track(self, connection: socket.socket, *, add: bool) -> None:
        """Remember or forget an open connection."""
        self._fake._track(connection, add=add)
