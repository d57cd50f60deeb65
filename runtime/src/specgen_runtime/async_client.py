"""The client for asyncio: the blocking client's calls, run in a thread pool.

The generated ``AsyncClient`` adds one coroutine per operation of the spec;
each checks its request on the event loop (:meth:`AsyncBaseClient._body`)
and sends it with :meth:`AsyncBaseClient._call`, which runs the blocking
client's call (:class:`~specgen_runtime.client.BaseClient`: the same
transport, retries, limits and errors) in a worker thread. No dependency
beyond the blocking client's is needed; the price is one thread per call in
flight, at most ``max_concurrency`` of them per client (more calls wait in
line for a thread).

Cancellation. A thread cannot be interrupted in the middle of a request, so
a cancelled call's request, once it is on its way, runs to its end in the
background, but nothing starts after the cancel: no retry, no further poll of
:meth:`~AsyncBaseClient.wait`, no further chunk of a download (whose partial
file is removed). A call cancelled before its thread picked it up sends
nothing at all.

A create cancelled while its request is in flight is not lost: it becomes an
:class:`OrphanedCreate` whose outcome (the new task's id, or "may have
succeeded" with the request's ``payload``, or "not created") is known once
the request ends. It is attached to the ``CancelledError`` (see
:func:`orphaned_create`), kept in
:attr:`AsyncBaseClient.orphaned_creates` and, once its outcome is known,
passed to the client's ``on_orphaned_create`` callback. A create is never
sent twice, exactly as with the blocking client.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextvars
import copy
import functools
import inspect
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import (
    Any,
    ClassVar,
    Concatenate,
    Generic,
    Literal,
    ParamSpec,
    Self,
    TypeAlias,
    TypeVar,
    Unpack,
)

import urllib3

from ._answers import text
from ._async_pages import AsyncPage, first_async_page
from ._transport import closed_error
from .client import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    BaseClient,
    ClientOptions,
    Downloadable,
    Polling,
    QueryValue,
    RawResponse,
)
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RequestMayHaveSucceeded,
    ServerError,
    UnreadableCreateResponse,
)
from .retry import RetryPolicy
from .tables import ApiTables, Operation
from .violations import Mode

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "MAX_ORPHANED_KEPT",
    "AsyncBaseClient",
    "AsyncPage",
    "OrphanState",
    "OrphanedCreate",
    "first_async_page",
    "orphaned_create",
]

TaskT = TypeVar("TaskT")
CreatedT = TypeVar("CreatedT")
T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")
I = TypeVar("I")  # noqa: E741  (a page's item type, as in the pagination module)

DEFAULT_MAX_CONCURRENCY = 8
"""Calls a client runs at once by default (its connection pool keeps 8)."""
MAX_ORPHANED_KEPT = 100
"""How many orphaned creates :attr:`AsyncBaseClient.orphaned_creates` keeps
(the most recent ones)."""

_MIB = 1 << 20


OrphanState: TypeAlias = Literal[
    "pending", "created", "may_have_succeeded", "not_created"
]
"""Where an orphaned create stands.

``"pending"``
    its request has not ended yet;
``"created"``
    the service answered with the new task (:attr:`OrphanedCreate.task_id`);
``"may_have_succeeded"``
    the request may have reached the service but its answer was lost, was a
    server error or could not be read: look for a task with the request's
    :attr:`~OrphanedCreate.payload` before creating it again;
``"not_created"``
    the service refused it (an error status below 500), it could not be
    sent, or it was abandoned before it was sent again: no task exists.
"""


# --- cancelling what runs in a thread ----------------------------------------------


class _Abandoned(Exception):
    """The caller was cancelled: the call stops before its next step."""


class _Ticket:
    """One call running in a worker thread, and whether its caller gave up."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def check(self) -> None:
        """Raise :class:`_Abandoned` if the caller gave up."""
        if self._cancelled.is_set():
            raise _Abandoned

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, ending at once (with :class:`_Abandoned`) on cancel."""
        if self._cancelled.wait(max(seconds, 0.0)):
            raise _Abandoned


_on_this_thread = threading.local()
"""The :class:`_Ticket` of the call running on this worker thread."""


def _sleep_in_thread(seconds: float) -> None:
    """The blocking client's ``sleep``: a retry wait its caller can cut short."""
    ticket: _Ticket | None = getattr(_on_this_thread, "ticket", None)
    if ticket is None:
        time.sleep(seconds)
    else:
        ticket.sleep(seconds)


def _created(answer: object) -> object:
    """The response a create's call gave: the parsed body of a raw answer."""
    return answer.parse() if isinstance(answer, RawResponse) else answer


def _then(
    future: concurrent.futures.Future[R], then: Callable[[R], T]
) -> concurrent.futures.Future[T]:
    """A future of ``then(result)`` once ``future`` ends (its error if it fails)."""
    out: concurrent.futures.Future[T] = concurrent.futures.Future()
    out.set_running_or_notify_cancel()

    def done(ended: concurrent.futures.Future[R]) -> None:
        if ended.cancelled():
            out.set_exception(_Abandoned())
            return
        error = ended.exception()
        if error is not None:
            out.set_exception(error)
            return
        try:
            out.set_result(then(ended.result()))
        except Exception as exc:  # an answer that cannot be read
            out.set_exception(exc)

    future.add_done_callback(done)
    return out


def _in_thread(ticket: _Ticket, function: Callable[[], T]) -> T:
    ticket.check()
    _on_this_thread.ticket = ticket
    try:
        return function()
    finally:
        _on_this_thread.ticket = None


# --- creates whose caller was cancelled -----------------------------------------


class OrphanedCreate(Generic[CreatedT]):
    """A create whose caller was cancelled while its request was in flight.

    The request runs to its end in a worker thread (it is never sent again);
    :attr:`state` says how it ended, :attr:`task_id` names the task when one
    was created, :attr:`payload` is the request's ``payload`` field, to look
    the task up when the answer was lost. ``await orphan.outcome()`` waits
    for the end (bounded by the client's ``timeout``).
    """

    def __init__(
        self,
        operation: str,
        payload: str | None,
        id_field: str,
        future: concurrent.futures.Future[CreatedT],
    ) -> None:
        self.operation = operation
        """The operation's id."""
        self.payload = payload
        """The request's ``payload`` field, if it had one."""
        self._id_field = id_field
        self._future = future

    @property
    def done(self) -> bool:
        """Whether the request has ended."""
        return self._future.done()

    @property
    def response(self) -> CreatedT | None:
        """The service's answer, once the task was created."""
        if not self._future.done() or self._future.cancelled():
            return None
        if self._future.exception() is not None:
            return None
        return self._future.result()

    @property
    def error(self) -> BaseException | None:
        """What the call raised instead (e.g. :class:`RequestMayHaveSucceeded`);
        ``None`` while pending, after success, or when it was abandoned
        before being sent again."""
        if not self._future.done() or self._future.cancelled():
            return None
        error = self._future.exception()
        return None if isinstance(error, _Abandoned) else error

    @property
    def task_id(self) -> str | None:
        """The created task's id, once known (also when the rest of the
        answer could not be read)."""
        error = self.error
        if isinstance(error, UnreadableCreateResponse):
            return error.task_id
        return text(getattr(self.response, self._id_field, None))

    @property
    def state(self) -> OrphanState:
        """How the request ended (see :data:`OrphanState`)."""
        future = self._future
        if not future.done():
            return "pending"
        if future.cancelled():
            return "not_created"
        error = future.exception()
        if error is None or self.task_id is not None:
            return "created"
        if isinstance(error, _Abandoned):
            return "not_created"
        if isinstance(error, RequestMayHaveSucceeded | ServerError):
            return "may_have_succeeded"
        if isinstance(error, APIError | APIConnectionError):
            # a refusal, or a connection never made (a lost answer is a
            # RequestMayHaveSucceeded for a create)
            return "not_created"
        return "may_have_succeeded"  # an unreadable answer, or a bug

    async def outcome(self) -> Self:
        """Wait until the request has ended; return this record."""
        if not self._future.done():
            ended = asyncio.wrap_future(self._future)
            ended.add_done_callback(_retrieve)
            await asyncio.wait([ended])
        return self

    def __repr__(self) -> str:
        detail = f", task_id={self.task_id!r}" if self.task_id else ""
        return (
            f"OrphanedCreate({self.operation!r}, state={self.state!r}, "
            f"payload={self.payload!r}{detail})"
        )


def _retrieve(future: asyncio.Future[Any]) -> None:
    """Take a future's exception: the record reports it, not asyncio's log."""
    if not future.cancelled():
        future.exception()


def orphaned_create(error: BaseException) -> OrphanedCreate[Any] | None:
    """The :class:`OrphanedCreate` a ``CancelledError`` carries, if any.

    A create cancelled while its request was in flight re-raises the
    ``CancelledError`` with the record attached (and a note saying so).
    """
    found = getattr(error, "orphaned_create", None)
    return found if isinstance(found, OrphanedCreate) else None


# --- what copies of a client share ----------------------------------------------


class _Shared:
    """The worker threads, the calls in flight and the orphaned creates."""

    def __init__(
        self,
        name: str,
        max_concurrency: int,
        on_orphaned_create: Callable[[OrphanedCreate[Any]], object] | None,
        log: logging.Logger,
    ) -> None:
        self._name = name
        self._log = log
        self._max = max_concurrency
        self._lock = threading.Lock()
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self.closed = False
        """Whether :meth:`AsyncBaseClient.aclose` was called: no call starts."""
        self._running: set[concurrent.futures.Future[Any]] = set()
        self.orphans: collections.deque[OrphanedCreate[Any]] = collections.deque(
            maxlen=MAX_ORPHANED_KEPT
        )
        self.on_orphaned_create = on_orphaned_create

    def submit(
        self, ticket: _Ticket, function: Callable[[], T]
    ) -> concurrent.futures.Future[T]:
        with self._lock:
            if self._executor is None:
                self._executor = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self._max, thread_name_prefix=self._name
                )
            # the caller's context goes along (a page iteration's deadline)
            run = functools.partial(contextvars.copy_context().run, function)
            future = self._executor.submit(self._start, ticket, run)
            self._running.add(future)
        future.add_done_callback(self._ended)
        return future

    def _start(self, ticket: _Ticket, function: Callable[[], T]) -> T:
        """Run ``function`` in this worker thread, unless the client was
        closed while it waited for one (:class:`ClientClosed`: not sent)."""
        if self.closed:
            raise closed_error()
        return _in_thread(ticket, function)

    def drop_queued(self) -> int:
        """Cancel the calls still waiting for a worker thread (their awaiters
        get :class:`ClientClosed`); how many there were."""
        return sum(future.cancel() for future in self.running())

    def _ended(self, future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def running(self) -> list[concurrent.futures.Future[Any]]:
        with self._lock:
            return list(self._running)

    def shut_down(self) -> None:
        """Let the idle threads go; a later call starts new ones."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False)

    def orphaned(
        self, orphan: OrphanedCreate[Any], loop: asyncio.AbstractEventLoop
    ) -> None:
        """Keep ``orphan``, and report it once its request has ended."""
        with self._lock:
            self.orphans.append(orphan)
        orphan._future.add_done_callback(lambda _: self._deliver(orphan, loop))

    def _deliver(
        self, orphan: OrphanedCreate[Any], loop: asyncio.AbstractEventLoop
    ) -> None:
        if self.on_orphaned_create is None:
            # nobody is told: the log is the trace a billed task leaves
            self._log.warning("a create whose caller was cancelled ended: %r", orphan)
            return
        self._log.debug("a create whose caller was cancelled ended: %r", orphan)
        try:
            loop.call_soon_threadsafe(self._notify, orphan)
        except RuntimeError:  # the loop is closed: tell from this thread
            self._notify(orphan)

    def _notify(self, orphan: OrphanedCreate[Any]) -> None:
        callback = self.on_orphaned_create
        if callback is None:
            return
        try:
            callback(orphan)
        except Exception:
            self._log.exception("on_orphaned_create failed for %r", orphan)


# --- calls made in a worker thread -------------------------------------------------


_BlockingCall: TypeAlias = Callable[
    Concatenate[
        BaseClient[Any], Operation, Mapping[str, str], Mapping[str, Any] | None, P
    ],
    R,
]
"""A blocking client's call: operation, path parameters, body, then its own."""


def _on_client(
    blocking: Callable[Concatenate[BaseClient[Any], P], R],
) -> Callable[Concatenate[AsyncBaseClient[Any, Any], P], R]:
    """The method running ``blocking`` (a :class:`BaseClient` method) on the
    client's blocking client, here on the event loop."""

    def call(
        self: AsyncBaseClient[Any, Any], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        return blocking(self._client, *args, **kwargs)

    return call


def _in_worker(
    blocking: _BlockingCall[P, R], *, creates: bool = False
) -> Callable[
    Concatenate[
        AsyncBaseClient[Any, Any],
        Operation,
        Mapping[str, str],
        Mapping[str, Any] | None,
        P,
    ],
    Coroutine[Any, Any, R],
]:
    """The coroutine method running ``blocking`` (a :class:`BaseClient`
    method) on the client's blocking client in a worker thread, with the same
    arguments and result; ``creates``: the call creates a task, so a cancel
    in flight keeps its outcome (:meth:`AsyncBaseClient._guarded`)."""

    async def call(
        self: AsyncBaseClient[Any, Any],
        operation: Operation,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        run = functools.partial(
            blocking, self._client, operation, params, body, *args, **kwargs
        )
        if creates:
            return await self._guarded(operation, body, run)
        return await self._run(run)

    return call


def _shown_with_client_arguments(init: Callable[P, None]) -> Callable[P, None]:
    """``init`` as ``inspect.signature`` and ``help()`` show it: every argument
    of :class:`BaseClient` with its default (``sleep`` with this one's), then
    the others of ``init``. Type checkers read them from its
    ``**options: Unpack[ClientOptions]``."""
    own = inspect.signature(init).parameters
    client = inspect.signature(BaseClient.__init__).parameters
    shown = [own.get(name, parameter) for name, parameter in client.items()]
    shown += [
        parameter
        for name, parameter in own.items()
        if name not in client and parameter.kind is not inspect.Parameter.VAR_KEYWORD
    ]
    init.__dict__["__signature__"] = inspect.Signature(
        shown, return_annotation=inspect.signature(init).return_annotation
    )
    return init


# --- the client ------------------------------------------------------------------


class AsyncBaseClient(Generic[TaskT, CreatedT]):
    """The asyncio face of a generated client: its calls run in worker threads.

    Takes the blocking client's arguments (see
    :class:`~specgen_runtime.client.BaseClient`: key, base URL, timeouts,
    limits, retries, validation mode, pool), and:

    :param sleep: how :meth:`wait` waits between polls: ``asyncio.sleep`` by
        default; a plain function (such as a fake server's ``advance``) is
        called and a coroutine function awaited. Retries within one call
        wait in their worker thread, in real time, and stop at once when the
        caller is cancelled.
    :param max_concurrency: calls run at once, each holding a thread for as
        long as its request lasts (the connection pool keeps 8 connections
        per host: beyond that, extra connections are opened and dropped).
        More calls wait in line for a thread, their time limits running only
        once they start.
    :param on_orphaned_create: called with an :class:`OrphanedCreate` once a
        create whose caller was cancelled mid-request has ended, on the
        event loop the call was made on (in the worker thread if that loop
        has closed). Its exceptions are logged, never raised.

    :meth:`with_options` makes a copy with other options, as on the
    blocking client; the generated subclass adds ``with_raw_response``.
    Use it as ``async with`` (or call :meth:`aclose`) to let its threads go
    and close its connections.
    """

    _api: ClassVar[ApiTables]
    """The service's tables; set by the generated subclass."""
    _client_class: ClassVar[type[BaseClient[Any]]]
    """The generated blocking client; set by the generated subclass."""

    @_shown_with_client_arguments
    def __init__(
        self,
        api_key: str | None = None,
        *,
        sleep: Callable[[float], object] = asyncio.sleep,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        on_orphaned_create: Callable[[OrphanedCreate[CreatedT]], object] | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        client: BaseClient[TaskT] = self._client_class(
            api_key, sleep=_sleep_in_thread, **options
        )
        self._client = client
        self._sleep = sleep
        self._clock = client._clock
        self._shared = _Shared(
            f"{self._api.package}-client",
            max_concurrency,
            on_orphaned_create,
            logging.getLogger(self._api.package),
        )
        self._copy = False
        """Whether this client came from :meth:`with_options`."""

    orphaned_create = staticmethod(orphaned_create)

    def with_options(
        self,
        *,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> Self:
        """A copy of this client with these options changed (``None``: kept).

        The copy is cheap: it shares this client's connections, worker
        threads and orphaned creates. Closing it closes nothing; the client
        it came from closes them for every copy.

        :param timeout: seconds for each whole call, retries included (or a
            ``urllib3.Timeout``).
        :param max_retries: how often a failed request may be sent again.
        :param extra_headers: sent with every request, added to those the
            client already sends.
        :param extra_body: fields the spec does not know yet, merged into
            every request body, each with a :class:`ValidationWarning`.
        :returns: the copy.
        :raises ValueError: a header that carries the API key, that the client
            sets itself (``Host``, ``Content-Length``...) or that is meant for
            a proxy (``Proxy-Authorization``: a proxy's credentials go in its
            URL), a header name or value HTTP cannot carry, an ``extra_body``
            field the spec knows (pass it as its keyword), or a bad timeout
            or retry count.
        """
        other = copy.copy(self)
        other._client = self._client.with_options(
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_body=extra_body,
        )
        other._copy = True
        return other

    # --- what the blocking client knows ----------------------------------------

    @property
    def base_url(self) -> str:
        """The URL requests go to."""
        return self._client.base_url

    @property
    def timeout(self) -> float | urllib3.Timeout:
        """The time limit of each call (see the blocking client)."""
        return self._client.timeout

    @property
    def retry(self) -> RetryPolicy:
        """When a request is sent again."""
        return self._client.retry

    @property
    def validation(self) -> Mode:
        """The validation mode of requests."""
        return self._client.validation

    @property
    def orphaned_creates(self) -> list[OrphanedCreate[CreatedT]]:
        """Creates cancelled mid-request, oldest first, pending ones included
        (the last :data:`MAX_ORPHANED_KEPT`)."""
        return list(self._shared.orphans)

    def scrub(self, text: str) -> str:
        """``text`` with the API key hidden (for output the caller prints)."""
        return self._client.scrub(text)

    def __repr__(self) -> str:
        return repr(self._client).replace(
            type(self._client).__name__, type(self).__name__, 1
        )

    # --- life cycle ------------------------------------------------------------

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Refuse new calls, wait for the calls already started (each within
        its own time limit; orphaned creates included), then let the threads
        go and close the connections.

        From the moment it is called, a call made on this client or on any
        copy from :meth:`with_options` raises :class:`ClientClosed` and
        sends nothing, and so does a call still waiting for a worker thread
        (all ``max_concurrency`` busy): it is dropped, never sent. A call a
        worker thread has started runs to its end, except that a
        :meth:`wait` stops at its next poll with :class:`ClientClosed`. On a
        copy it does nothing.
        """
        if self._copy:
            return
        self._shared.closed = True
        dropped = self._shared.drop_queued()
        if dropped:
            self._client._debug(
                "closing: %d queued call(s) dropped, never sent", dropped
            )
        running = self._shared.running()
        if running:
            ended = [asyncio.wrap_future(f) for f in running]
            for one in ended:  # their callers read the outcome, not this wait
                one.add_done_callback(_retrieve)
            await asyncio.wait(ended)
        self._shared.shut_down()
        self._client.close()

    # --- calls -----------------------------------------------------------------

    _per_call = _on_client(BaseClient._per_call)
    """The options of one call, as :meth:`BaseClient._per_call`."""
    _body = _on_client(BaseClient._body)
    """The checked JSON body, as :meth:`BaseClient._body`, on the event loop
    (so warnings and validation errors come from the caller's task)."""

    def _check_open(self) -> None:
        """:raises ClientClosed: :meth:`aclose` was called; nothing is sent."""
        if self._shared.closed:
            raise closed_error()

    async def _run(self, function: Callable[[], T]) -> T:
        """``function()`` in a worker thread; a cancel stops what follows it.

        :raises ClientClosed: the client was closed.
        """
        self._check_open()
        ticket = _Ticket()
        future = self._shared.submit(ticket, function)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            self._dropped_on_close(future)
            ticket.cancel()
            future.cancel()  # a call not started yet never starts
            raise

    def _dropped_on_close(self, future: concurrent.futures.Future[Any]) -> None:
        """After a ``CancelledError``: :class:`ClientClosed` if it came from
        :meth:`aclose` dropping the queued call, not from the caller.

        :raises ClientClosed: the call was dropped unsent.
        """
        task = asyncio.current_task()
        by_caller = task is not None and task.cancelling() > 0
        if future.cancelled() and self._shared.closed and not by_caller:
            raise closed_error() from None

    _call = _in_worker(BaseClient._call)
    """:meth:`BaseClient._call` in a worker thread (its arguments, its result)."""
    _call_raw = _in_worker(BaseClient._call_raw)
    """:meth:`BaseClient._call_raw` in a worker thread."""
    _create = _in_worker(BaseClient._call, creates=True)
    """:meth:`_call` for an operation that creates a task.

    Cancelled while its request is in flight, it re-raises the
    ``CancelledError`` carrying an :class:`OrphanedCreate`, which the client
    also keeps and reports (see the module's docstring)."""
    _create_raw = _in_worker(BaseClient._call_raw, creates=True)
    """:meth:`_call_raw` for an operation that creates a task; a cancel in
    flight keeps the outcome as :meth:`_create` does."""

    async def _guarded(
        self,
        operation: Operation,
        body: Mapping[str, Any] | None,
        call: Callable[[], R],
    ) -> R:
        """``call()`` in a worker thread; if the caller is cancelled while it
        runs, its outcome (a response, or a :class:`RawResponse` of one)
        becomes an :class:`OrphanedCreate`."""
        self._check_open()
        ticket = _Ticket()
        loop = asyncio.get_running_loop()
        future = self._shared.submit(ticket, call)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError as cancelled:
            self._dropped_on_close(future)
            ticket.cancel()
            if future.cancel():
                raise  # never started: nothing was sent
            payload = body.get("payload") if body is not None else None
            orphan = OrphanedCreate(
                operation.id,
                payload if isinstance(payload, str) else None,
                self._api.require_tasks().id_field,
                _then(future, _created),
            )
            self._shared.orphaned(orphan, loop)
            cancelled.orphaned_create = orphan  # type: ignore[attr-defined]
            cancelled.add_note(
                f"{operation.method} {operation.path} was in flight when "
                "cancelled; its outcome is on orphaned_create(error) and in "
                "client.orphaned_creates"
            )
            raise

    async def _first_page(
        self,
        operation: Operation,
        query: Mapping[str, QueryValue],
        call: Callable[[Mapping[str, QueryValue]], Awaitable[R]],
    ) -> AsyncPage[R, I]:
        """The first :class:`AsyncPage` of a list operation."""
        return await first_async_page(operation, query, call, clock=self._clock)

    # --- tasks -----------------------------------------------------------------

    async def wait(
        self,
        task_id: str,
        *,
        timeout: float = 900.0,
        poll_interval: float = 2.0,
        max_interval: float = 15.0,
        on_progress: Callable[[TaskT], object] | None = None,
    ) -> list[Any]:
        """Poll a task until it ends; return its creations.

        As the blocking client's ``wait``: polls every ``poll_interval``
        seconds at first, then less often (up to every ``max_interval``
        seconds), between polls awaiting the client's ``sleep``.
        ``on_progress(task)`` is called (and awaited, if it returns an
        awaitable) with the first answer and whenever the state changes.
        ``timeout`` bounds the whole wait.

        Cancelled, it stops polling at once: no request starts after the
        cancel (a poll in flight ends in its thread, unanswered).

        :raises TaskFailed: the task failed; ``err_code`` says why.
        :raises WaitTimeout: it had not ended after ``timeout`` seconds.
        """
        polling: Polling[TaskT] = Polling(
            self._api, task_id, timeout, poll_interval, max_interval, self._clock
        )
        for _ in polling.rounds():
            try:
                task = await self._run(
                    functools.partial(self._poll, polling.task_id, polling.deadline)
                )
            except APITimeoutError as exc:
                polling.check_time(exc)
                raise
            if polling.changed(task, self._client._debug) and on_progress is not None:
                reported = on_progress(task)
                if inspect.isawaitable(reported):
                    await reported
            if (ended := polling.ended(task)) is not None:
                return ended
            pause = polling.pause()
            if pause is None:
                break
            slept = self._sleep(pause)
            if inspect.isawaitable(slept):
                await slept
        raise polling.timeout_error()

    def _poll(self, task_id: str, deadline: float) -> TaskT:
        """One poll of :meth:`wait`, in a worker thread, ending by ``deadline``."""
        with self._client._within(deadline):
            return self._client._get_task(task_id)

    # --- downloads -------------------------------------------------------------

    async def download(
        self,
        creation: Downloadable | str,
        path: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        on_progress: Callable[[int, int | None], object] | None = None,
        chunk_size: int = _MIB,
        idle_timeout: float | None = None,
        timeout: float | None = None,
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
    ) -> Path:
        """Stream a creation's video (or any URL) to ``path``; return the path.

        ``creation`` is a creation (its ``url`` is used) or a URL. If ``path``
        is a folder, the file takes the last part of the URL's path, reduced
        to a safe name, inside it. The bytes go to a temporary file beside
        the target, which takes its place only once complete, in a worker
        thread; a failed attempt is retried from the start as the retry
        policy allows for a GET. The API key is never sent with it.

        Cancelled, it stops after the chunk being read, and leaves neither a
        partial nor a temporary file.

        :param overwrite: replace an existing file.
        :param on_progress: called on the event loop as
            ``on_progress(bytes_done, total)`` (``total`` is ``None`` when the
            server does not say).
        :param chunk_size: bytes read at a time.
        :param idle_timeout: seconds without a byte before giving up
            (default: the client's read timeout).
        :param timeout: seconds for the whole download, retries included
            (default: no limit: a large video takes minutes).
        :param max_bytes: the size limit of the file.
        :returns: the path of the file written.
        :raises DestinationExists: the file exists and ``overwrite`` is false;
            nothing was fetched.
        :raises ResponseTooLarge: the body is over ``max_bytes``.
        :raises IncompleteDownload: the body is shorter than its
            ``Content-Length``.
        :raises APIError, APIConnectionError: the server refused it, or did
            not answer, after any retries.
        :raises LocalFileError: the file cannot be written.
        """
        loop = asyncio.get_running_loop()

        def progress(done: int, total: int | None) -> None:
            ticket: _Ticket | None = getattr(_on_this_thread, "ticket", None)
            if ticket is not None:
                ticket.check()
            if on_progress is not None:
                loop.call_soon_threadsafe(on_progress, done, total)

        return await self._run(
            functools.partial(
                self._client.download,
                creation,
                path,
                overwrite=overwrite,
                on_progress=progress,
                chunk_size=chunk_size,
                idle_timeout=idle_timeout,
                timeout=timeout,
                max_bytes=max_bytes,
            )
        )
