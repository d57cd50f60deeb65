"""The HTTP side of the client: transport, retries, errors, waiting, downloads.

The generated :class:`Client` adds one method per operation of the spec; every
one of them ends here, in :meth:`BaseClient._body` (build and check the
request) and :meth:`BaseClient._send` (send it, retry it, read the answer).

Everything specific to the service comes from the :class:`ApiTables` the
generated client sets as ``_api``: the hosts, how the API key travels (and so
which header is hidden from logs), where an error body keeps its reason and
trace id, where a task keeps its state, and which operations may be sent twice.

Retries follow :class:`RetryPolicy`. Requests that create something are never
sent again once they may have reached the service: a lost answer raises
:class:`RequestMayHaveSucceeded` instead, carrying the request's ``payload``
so the caller can look for the task before trying again.

Bounded whatever the server sends: every call has a deadline covering all its
attempts and waits (a watchdog closes a socket the server keeps busy past
it), every answer is read under a size limit (decompressed bytes counted),
and deeply nested JSON is refused. Every failure is a :class:`ClientError`.

Debug logging (``logging.getLogger(__package__)``) shows each request's
method, URL, status and timing, and every retry decision; the API key never
appears in a log line, an exception or a ``repr``, even when the server
echoes it back.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import tempfile
import threading
import time
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Generic, Protocol, Self, TypeVar
from urllib.parse import unquote, urlsplit

import attrs
import cattrs
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)
from urllib3.response import HTTPResponse

from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    ClientError,
    DestinationExists,
    IncompleteDownload,
    LocalFileError,
    RequestMayHaveSucceeded,
    ResponseTooLarge,
    TaskFailed,
    UnexpectedResponseError,
    WaitTimeout,
    error_class,
)
from .redaction import Secret, check_key, redact
from .retry import Failure, RetryPolicy
from .tables import ApiTables, Operation
from .violations import Mode, Violation, check_mode, enforce, validation_mode

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_JSON_DEPTH",
    "BaseClient",
]

TaskT = TypeVar("TaskT")
T = TypeVar("T")

_MIB = 1 << 20

DEFAULT_MAX_RESPONSE_BYTES = 8 * _MIB
"""The default size limit of an API answer, after decompression."""
DEFAULT_MAX_DOWNLOAD_BYTES = 4 << 30
"""The default size limit of a download (4 GiB)."""
MAX_JSON_DEPTH = 64
"""How deeply an answer's JSON may nest; deeper is an unexpected response."""

_DEFAULT_SECONDS = 60.0
"""A ``urllib3.Timeout`` part left unset stands for this many seconds."""
_READ_CHUNK = 64 * 1024


class _Request(Protocol):
    """What the client asks of a typed request."""

    def violations(self) -> list[Violation]: ...

    def to_json(self) -> dict[str, Any]: ...


# --- deadlines -------------------------------------------------------------------


class _Watchdog:
    """Shuts down the sockets of one attempt once its time is up.

    Socket timeouts bound each read, not the whole: a server sending a byte
    a second would never trip them. The watchdog closes the connection at
    the deadline, so a blocked read returns at once; ``fired`` then tells
    the caller why the connection broke.
    """

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: Any) -> None:
        """Close ``sock`` at the deadline (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            fired = self.fired
        if fired:
            _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        """The attempt ended: stop the timer."""
        self._timer.cancel()


def _shut(sock: Any) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(2)  # socket.SHUT_RDWR


_current = threading.local()
"""The watchdog of the attempt running on this thread, if any."""


def _watch_connection(connection: HTTPConnection) -> None:
    watchdog: _Watchdog | None = getattr(_current, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    """A connection that hands its socket to the running attempt's watchdog."""

    def connect(self) -> None:
        super().connect()
        _watch_connection(self)

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        _watch_connection(self)
        return super().getresponse()


class _WatchedHTTPSConnection(HTTPSConnection):
    """:class:`_WatchedHTTPConnection` over TLS."""

    def connect(self) -> None:
        super().connect()
        _watch_connection(self)

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        _watch_connection(self)
        return super().getresponse()


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _watched_pool() -> urllib3.PoolManager:
    """A pool whose connections the attempts' watchdogs can close."""
    pool = urllib3.PoolManager(maxsize=8)
    pool.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
    return pool


@attrs.frozen
class _Limits:
    """The time limits of one call, from the client's ``timeout``."""

    connect: float
    """Seconds to connect."""
    read: float
    """Seconds to wait for each read."""
    call: float | None
    """Seconds for the whole call, every attempt and wait included."""
    attempt: float | None
    """Seconds for one attempt (``urllib3.Timeout`` without ``total``)."""

    @classmethod
    def of(cls, timeout: float | urllib3.Timeout) -> _Limits:
        if isinstance(timeout, urllib3.Timeout):
            connect = _seconds(timeout.connect_timeout)
            read = _seconds(timeout.read_timeout)
            total = timeout.total
            if isinstance(total, int | float):
                return cls(connect, read, float(total), None)
            return cls(connect, read, None, connect + read)
        seconds = float(timeout)
        if not seconds > 0:
            raise ValueError(
                f"timeout must be a positive number of seconds: {timeout!r}"
            )
        return cls(seconds, seconds, seconds, None)


def _seconds(value: object) -> float:
    return float(value) if isinstance(value, int | float) else _DEFAULT_SECONDS


@attrs.frozen
class _Deadline:
    """When a call must be over, on the client's clock (``None``: no limit)."""

    at: float | None
    clock: Callable[[], float]

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - self.clock()

    def passed(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0


# --- what came back ------------------------------------------------------------


@attrs.frozen
class _Answer:
    """An HTTP answer, its body read in full (under the size limit)."""

    status: int
    reason: str
    headers: Mapping[str, str]
    raw: bytes


@attrs.frozen
class _NoAnswer:
    """A request that got no HTTP answer."""

    failure: Failure
    error: Exception
    deadline: bool = False
    """Whether the call's deadline cut it short."""


_Outcome = _Answer | _NoAnswer


def _classify(error: Exception) -> Failure:
    """Whether the request behind ``error`` may have reached the server."""
    if isinstance(error, MaxRetryError) and error.reason is not None:
        error = error.reason
    if isinstance(error, ConnectTimeoutError):  # NewConnectionError included
        return "connect"
    if isinstance(error, ReadTimeoutError):
        return "read_timeout"
    return "dropped"


def _dig(data: object, path: str) -> object:
    """The value at a dotted ``path`` in decoded JSON, or ``None``."""
    for part in path.split(".") if path else ():
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class _NotJson(Exception):
    """A body that is not JSON, or nested too deeply; the message says which."""


def _parse_json(raw: bytes) -> object:
    """Decoded JSON nested at most :data:`MAX_JSON_DEPTH` levels.

    :raises _NotJson: saying what is wrong.
    """
    try:
        data = json.loads(raw)
    except RecursionError:
        raise _NotJson(f"JSON nested more than {MAX_JSON_DEPTH} levels") from None
    except ValueError:  # UnicodeDecodeError, JSONDecodeError, huge integers
        raise _NotJson("not JSON") from None
    if _depth_exceeds(data, MAX_JSON_DEPTH):
        raise _NotJson(f"JSON nested more than {MAX_JSON_DEPTH} levels")
    return data


def _loads(raw: bytes) -> object:
    """Decoded JSON, or ``None`` when ``raw`` is not JSON (or too deep)."""
    try:
        return _parse_json(raw)
    except _NotJson:
        return None


def _depth_exceeds(data: object, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` deep."""
    level: list[object] = [data]
    for _ in range(limit + 1):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return True


def _safe_url(url: str) -> str:
    """``url`` without its query: download links carry signed tokens there."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _size(count: int) -> str:
    """A byte count for messages: ``8 MiB (8388608 bytes)``."""
    if count >= _MIB and count % _MIB == 0:
        return f"{count // _MIB} MiB ({count} bytes)"
    return f"{count} bytes"


_UNSAFE_NAME_CHARACTERS = frozenset('<>:"|?*')


def safe_file_name(url: str, default: str = "creation") -> str:
    """A file name for the last part of ``url``'s path, safe in any folder.

    Percent-escapes are decoded first; the result has no folder part (``/``
    or ``\\``), no leading dot, no control or reserved character, and at
    most 200 bytes. ``default`` when nothing is left.
    """
    path = unquote(urlsplit(url).path).replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    name = "".join(
        "_" if char in _UNSAFE_NAME_CHARACTERS else char
        for char in name
        if char.isprintable()
    )
    name = name.strip().lstrip(".").strip()
    encoded = name.encode("utf-8")[:200]
    name = encoded.decode("utf-8", errors="ignore").strip()
    return name or default


# --- building requests -----------------------------------------------------------


@functools.cache
def _item_classes(cls: type) -> dict[str, type]:
    """Fields of ``cls`` typed as lists of attrs classes, with that class."""
    out: dict[str, type] = {}
    for name, hint in typing.get_type_hints(cls).items():
        for member in (hint, *typing.get_args(hint)):
            args = typing.get_args(member)
            is_list = typing.get_origin(member) is list
            if is_list and len(args) == 1 and attrs.has(args[0]):
                out[name] = args[0]
    return out


def _with_items(cls: type, fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with mappings in list-of-object fields built into objects."""
    out = dict(fields)
    for name, item_cls in _item_classes(cls).items():
        value = out.get(name)
        if isinstance(value, list | tuple):
            out[name] = [
                item_cls(**item) if isinstance(item, Mapping) else item
                for item in value
            ]
    return out


def _select(
    fields: Mapping[str, Any],
    default: type[_Request],
    selectors: tuple[tuple[str, type[_Request]], ...],
) -> type[_Request]:
    """The request class for ``fields``: the first whose selector key is set."""
    for key, cls in selectors:
        if key in fields:
            return cls
    return default


# --- the client ------------------------------------------------------------------


class BaseClient(ABC, Generic[TaskT]):
    """Transport, retries, errors, waiting and downloading for a generated client.

    :param api_key: the key; default: the environment variable the spec names
        (``_api.auth.env``). A missing key raises
        :class:`AuthenticationError` at the first request, not here, so a
        client can still check requests without one; a malformed key (a
        control character such as a trailing newline, a space at either
        end, a character outside Latin-1) raises :class:`InvalidAPIKey`
        here, with a message that does not show it.
    :param base_url: a URL, or the name of a host in the spec's ``hosts``
        (such as ``"china"``); default: the spec's ``base_url``.
    :param timeout: seconds for each whole call, every attempt, retry and
        ``Retry-After`` wait included (each connect and read also gets at
        most that long); a retry whose wait would pass the deadline is not
        made and the last error is raised. A :class:`urllib3.Timeout` sets
        the connect and read timeouts of each attempt instead; its ``total``
        is then the whole call's deadline, and without one each attempt may
        take at most connect + read seconds.
    :param max_response_bytes: the size limit of an answer, counted after
        decompression; a bigger one raises :class:`ResponseTooLarge`.
    :param max_retries: how often a failed request may be sent again (see
        :class:`RetryPolicy` for which failures); ``backoff``,
        ``max_backoff`` and ``retry_after_cap`` shape the waits. Pass
        ``retry`` to set the whole policy instead.
    :param validation: the validation mode for requests (``"strict"``,
        ``"warn"`` or ``"off"``); each method can override it.
    :param pool: a :class:`urllib3.PoolManager` to share; by default the
        client makes its own and closes it in :meth:`close`. With a pool of
        your own the deadline is checked after each read rather than by a
        watchdog while the headers arrive.
    :param sleep: how to wait (retries and :meth:`wait`); ``clock`` is the
        monotonic clock deadlines are measured with.

    Use it as a context manager to close its connections when done.
    """

    _api: ClassVar[ApiTables]
    """The service's tables; set by the generated subclass."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | urllib3.Timeout = 60.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        retry_after_cap: float = 60.0,
        retry: RetryPolicy | None = None,
        validation: Mode = "strict",
        pool: urllib3.PoolManager | None = None,
        user_agent: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        api = self._api
        env = api.auth.env
        key = api_key or (os.environ.get(env) if env else None)
        if key:
            check_key(key, "api_key" if api_key else f"${env}")
        self._key = Secret(key)
        self.base_url = _resolve_base_url(api, base_url)
        self._limits = _Limits.of(timeout)
        self.timeout = timeout
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self.max_response_bytes = max_response_bytes
        self.retry = retry or RetryPolicy(
            max_retries=max_retries,
            backoff=backoff,
            max_backoff=max_backoff,
            retry_after_cap=retry_after_cap,
        )
        self.validation: Mode = check_mode(validation)
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else _watched_pool()
        self.user_agent = user_agent or api.user_agent
        self._sleep = sleep
        self._clock = clock
        self._log = logging.getLogger(api.package)
        self._outer = threading.local()
        """The deadline of a :meth:`wait` running on this thread, if any."""

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key={self._key!r})"
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the client's connections (not those of a pool passed in)."""
        if self._owns_pool:
            self._pool.clear()

    def scrub(self, text: str) -> str:
        """``text`` with the API key hidden (for output the caller prints)."""
        return self._key.scrub(text)

    @abstractmethod
    def _get_task(self, task_id: str, /) -> TaskT:
        """Fetch a task's current state (the generated client implements it)."""

    def _debug(self, message: str, *args: object) -> None:
        """Log at DEBUG, the API key hidden in whatever the server sent."""
        if self._log.isEnabledFor(logging.DEBUG):
            self._log.debug("%s", self._key.scrub(message % args))

    # --- requests ------------------------------------------------------------

    def _body(
        self,
        operation: Operation,
        request: _Request | None,
        fields: Mapping[str, Any],
        validation: Mode | None,
        default: type[_Request],
        *selectors: tuple[str, type[_Request]],
    ) -> dict[str, Any]:
        """The JSON body of a request, checked in the validation mode in force.

        Either ``request`` is a typed request, checked again here (it may have
        been built in another mode), or ``fields`` are its keyword arguments:
        the class is the one of the first selector key present in ``fields``,
        else ``default``. In ``"strict"`` mode an error raises
        :class:`ValidationError` and nothing is sent.
        """
        mode = check_mode(validation or self.validation)
        if request is not None:
            if fields:
                raise TypeError("pass a typed request or its fields, not both")
            if mode != "off":
                enforce(request.violations(), mode, stacklevel=3)
            return request.to_json()
        cls = _select(fields, default, selectors)
        try:
            with validation_mode(mode):
                return cls(**_with_items(cls, fields)).to_json()
        except (TypeError, AttributeError) as exc:
            # Fields the class cannot even hold (a required one missing, an
            # unknown one): check the raw body as the service would see it,
            # and in "warn" or "off" mode send it as it is.
            body: dict[str, Any] = self._api.converter.unstructure(dict(fields))
            found = self._api.validate(operation.id, body) or [
                Violation("error", "", "body.shape", f"{cls.__name__}: {exc}")
            ]
            if mode != "off":
                enforce(found, mode, stacklevel=3)
            return body

    def _deadline(self) -> _Deadline:
        """The deadline of a call starting now: its own, or an outer wait's."""
        now = self._clock()
        own = None if self._limits.call is None else now + self._limits.call
        outer: float | None = getattr(self._outer, "at", None)
        if own is None or (outer is not None and outer < own):
            own = outer
        return _Deadline(own, self._clock)

    def _send(
        self,
        operation: Operation,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        """Send one operation and return its decoded JSON answer.

        :raises APIError: the service answered with an error status (the
            subclass says which), after any retries.
        :raises RequestMayHaveSucceeded: a request that is not idempotent got
            no answer after it may have been sent.
        :raises APITimeoutError, APIConnectionError: no answer (in time).
        :raises UnexpectedResponseError: an answer that is not a JSON object;
            :class:`ResponseTooLarge` one over the size limit.
        """
        url = self.base_url + operation.url_path(params)
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = self._headers(json_body=data is not None)
        deadline = self._deadline()
        outcome = self._attempt(operation, url, headers, data, deadline)
        for retry in range(self.retry.max_retries):
            delay = self._retry_delay(operation, outcome, retry)
            if delay is None:
                break
            left = deadline.remaining()
            if left is not None and delay >= left:
                self._debug(
                    "not retrying %s %s after %s: waiting %.2f s would pass the "
                    "call's deadline (%.2f s left)",
                    operation.method,
                    url,
                    self._describe(outcome),
                    delay,
                    max(left, 0.0),
                )
                break
            self._debug(
                "retrying %s %s in %.2f s (retry %d of %d) after %s",
                operation.method,
                url,
                delay,
                retry + 1,
                self.retry.max_retries,
                self._describe(outcome),
            )
            self._sleep(delay)
            outcome = self._attempt(operation, url, headers, data, deadline)
        if isinstance(outcome, _NoAnswer):
            raise self._no_answer_error(operation, url, outcome, body) from None
        return self._decode(operation, outcome)

    def _call(
        self,
        operation: Operation,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
        parse: Callable[[dict[str, Any]], T],
    ) -> T:
        """:meth:`_send`, then ``parse`` the answer (e.g. ``Response.from_json``).

        :raises UnexpectedResponseError: the answer does not have the shape
            the spec gives it.
        """
        data = self._send(operation, params, body)
        try:
            return parse(data)
        except (
            cattrs.BaseValidationError,
            TypeError,
            ValueError,
            KeyError,
            RecursionError,
        ) as exc:
            raw = self._key.scrub_bytes(json.dumps(data).encode())
            message = f"{operation.method} {operation.path}: the answer does not match the spec: {exc}"
            # not chained: the parser's error may quote what the server sent
            raise UnexpectedResponseError(
                self._key.scrub(message), status=200, raw=raw
            ) from None

    def _headers(self, *, json_body: bool) -> dict[str, str]:
        key = self._key.value
        if not key:
            env = self._api.auth.env
            where = f"pass api_key= or set ${env}" if env else "pass api_key="
            raise AuthenticationError(401, f"no API key: {where}")
        headers = {
            "Accept": "application/json",
            "User-Agent": self.user_agent,
            self._api.auth.header: self._api.auth.value(key),
        }
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers

    @contextlib.contextmanager
    def _watched(self, deadline: _Deadline) -> Iterator[_Watchdog | None]:
        """A watchdog for one attempt on this thread, until the deadline."""
        seconds = deadline.remaining()
        if self._limits.attempt is not None:
            attempt = self._limits.attempt
            seconds = attempt if seconds is None else min(seconds, attempt)
        if seconds is None:
            yield None
            return
        watchdog = _Watchdog(seconds)
        _current.watchdog = watchdog
        try:
            yield watchdog
        finally:
            _current.watchdog = None
            watchdog.cancel()

    def _socket_timeout(self, deadline: _Deadline, read: float) -> urllib3.Timeout:
        """Connect and read timeouts, none beyond the deadline."""
        connect = self._limits.connect
        left = deadline.remaining()
        if left is not None:
            left = max(left, 0.001)
            connect, read = min(connect, left), min(read, left)
        return urllib3.Timeout(connect=connect, read=read)

    def _attempt(
        self,
        operation: Operation,
        url: str,
        headers: Mapping[str, str],
        data: bytes | None,
        deadline: _Deadline,
    ) -> _Outcome:
        """Send once; an HTTP answer of any status, or why none came.

        :raises UnexpectedResponseError: the body cannot be decoded;
            :class:`ResponseTooLarge` it is over the size limit.
        """
        method = operation.method
        self._debug("%s %s headers=%s", method, url, redact(headers, self._api.auth))
        start = self._clock()
        if deadline.passed():
            return _NoAnswer("connect", TimeoutError("the deadline passed"), True)
        with self._watched(deadline) as watchdog:
            try:
                response = self._pool.request(
                    method,
                    url,
                    body=data,
                    headers=dict(headers),
                    timeout=self._socket_timeout(deadline, self._limits.read),
                    retries=False,
                    redirect=False,
                    preload_content=False,
                )
            except (HTTPError, OSError) as exc:
                return self._lost(method, url, exc, start, watchdog, deadline)
            try:
                if watchdog is not None:
                    watchdog.watch(getattr(response.connection, "sock", None))
                raw = self._read_answer(operation, response, deadline)
                if watchdog is not None and watchdog.fired:
                    # the connection was cut: what was read may end anywhere
                    raise TimeoutError("the call's deadline passed")
            except (HTTPError, OSError) as exc:
                response.close()
                return self._lost(method, url, exc, start, watchdog, deadline)
            except BaseException:
                response.close()
                raise
            finally:
                response.release_conn()
        self._debug(
            "%s %s -> %d in %.3f s", method, url, response.status, self._clock() - start
        )
        return _Answer(response.status, response.reason or "", response.headers, raw)

    def _lost(
        self,
        method: str,
        url: str,
        error: Exception,
        start: float,
        watchdog: _Watchdog | None,
        deadline: _Deadline,
    ) -> _NoAnswer:
        cut = (watchdog is not None and watchdog.fired) or deadline.passed()
        failure = _classify(error)
        if cut and failure != "connect":
            failure = "read_timeout"
        self._debug(
            "%s %s -> no answer (%s) after %.3f s: %s",
            method,
            url,
            "deadline" if cut else failure,
            self._clock() - start,
            error,
        )
        return _NoAnswer(failure, error, cut)

    def _read_answer(
        self,
        operation: Operation,
        response: urllib3.BaseHTTPResponse,
        deadline: _Deadline,
    ) -> bytes:
        """The whole body, decompressed, under :attr:`max_response_bytes`."""
        limit = self.max_response_bytes
        where = f"{operation.method} {operation.path}"
        length = _content_length(response)
        if length is not None and length > limit:
            raise self._too_large(where, response.status, f"announces {length} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream(_READ_CHUNK, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise self._too_large(where, response.status, "goes on")
                chunks.append(chunk)
                if deadline.passed():
                    raise TimeoutError("the call's deadline passed")
        except DecodeError as exc:
            raise UnexpectedResponseError(
                f"{where}: HTTP {response.status} with a body that cannot be "
                f"decoded ({response.headers.get('Content-Encoding')}): {exc}",
                status=response.status,
                raw=b"",
            ) from None
        except MemoryError:
            raise self._too_large(
                where, response.status, "does not fit in memory"
            ) from None
        return b"".join(chunks)

    def _too_large(self, where: str, status: int, what: str) -> ResponseTooLarge:
        limit = self.max_response_bytes
        return ResponseTooLarge(
            f"{where}: HTTP {status} with a body that {what}, over the limit of "
            f"{_size(limit)}: pass max_response_bytes= to the client to raise it",
            status=status,
            limit=limit,
        )

    def _retry_delay(
        self, operation: Operation, outcome: _Outcome, retry: int
    ) -> float | None:
        """Seconds to wait before sending again, or ``None``: do not retry."""
        idempotent = operation.idempotent
        if isinstance(outcome, _NoAnswer):
            if outcome.deadline:
                return None
            if self.retry.retries_failure(outcome.failure, idempotent=idempotent):
                return self.retry.delay(retry)
            self._debug(
                "not retrying %s %s: it may have reached the service",
                operation.method,
                operation.path,
            )
            return None
        if self.retry.retries_status(outcome.status, idempotent=idempotent):
            return self.retry.delay(retry, outcome.headers.get("Retry-After"))
        return None

    def _describe(self, outcome: _Outcome) -> str:
        if isinstance(outcome, _NoAnswer):
            return f"no answer ({outcome.failure})"
        retry_after = outcome.headers.get("Retry-After")
        suffix = f", Retry-After: {retry_after}" if retry_after else ""
        return f"HTTP {outcome.status}{suffix}"

    def _no_answer_error(
        self,
        operation: Operation,
        url: str,
        outcome: _NoAnswer,
        body: Mapping[str, Any] | None,
    ) -> APIConnectionError:
        what = {
            "connect": "could not connect",
            "read_timeout": "no answer in time",
            "dropped": "the connection was dropped",
        }[outcome.failure]
        if outcome.deadline:
            what = (
                f"no answer within the call's deadline ({_timeout_text(self.timeout)})"
            )
        detail = self._key.scrub(str(_reason(outcome.error)))
        if not operation.idempotent and outcome.failure != "connect":
            payload = body.get("payload") if body is not None else None
            payload = payload if isinstance(payload, str) else None
            hint = f" with payload {payload!r}" if payload is not None else ""
            return RequestMayHaveSucceeded(
                f"{operation.method} {url}: {what}, after the request may have "
                f"reached the service; it was not sent again, since that could "
                f"create a second task. Look for a task{hint} before retrying. "
                f"({detail})",
                payload=payload,
            )
        message = f"{operation.method} {url}: {what} ({detail})"
        if (
            outcome.deadline
            or outcome.failure == "read_timeout"
            or (
                outcome.failure == "connect"
                and not isinstance(_reason(outcome.error), NewConnectionError)
            )
        ):
            return APITimeoutError(message)
        return APIConnectionError(message)

    def _decode(self, operation: Operation, answer: _Answer) -> dict[str, Any]:
        status = answer.status
        raw = answer.raw
        if status >= 400:
            raise self._api_error(answer)
        where = f"{operation.method} {operation.path}"
        data: object = None
        problem: str | None = None
        try:
            data = _parse_json(raw)
        except _NotJson as exc:
            problem = str(exc)
            if operation.task == "cancel" and raw.strip() in (b"", b"null"):
                # the docs say a cancel "returns null"; their example shows {}
                data, problem = {}, None
        if not 200 <= status < 300:
            problem = f"unexpected HTTP {status}"
        elif problem is not None:
            problem = f"HTTP {status} with a body that is {problem}"
        elif not isinstance(data, dict):
            problem = f"HTTP {status} with a body that is not a JSON object"
        else:
            return data
        raise UnexpectedResponseError(
            f"{where}: {problem}", status=status, raw=self._key.scrub_bytes(raw)
        )

    def _api_error(self, answer: _Answer) -> APIError:
        """The exception for an error answer, with the service's details."""
        raw = answer.raw
        body = self._key.scrub_json(_loads(raw))
        errors = self._api.errors
        if errors is None:
            reason = message = trace_id = None
        else:
            reason = _text(_dig(body, errors.fields.reason))
            message = _text(_dig(body, errors.fields.message))
            trace_id = _text(_dig(body, errors.fields.trace_id))
        if message is None:
            known = errors.codes.get(reason or "") if errors else None
            message = known.message if known else (answer.reason or "no message")
        return error_class(answer.status)(
            answer.status,
            self._key.scrub(message),
            reason=reason,
            trace_id=trace_id,
            body=body if body is not None else self._key.scrub_bytes(raw),
            headers=self._key.scrub_headers(answer.headers),
        )

    # --- tasks -----------------------------------------------------------------

    @contextlib.contextmanager
    def _within(self, deadline: float) -> Iterator[None]:
        """Calls made inside end by ``deadline`` (on :attr:`_clock`)."""
        outer: float | None = getattr(self._outer, "at", None)
        self._outer.at = deadline if outer is None else min(outer, deadline)
        try:
            yield
        finally:
            self._outer.at = outer

    def wait(
        self,
        task_id: str | None,
        *,
        timeout: float = 900.0,
        poll_interval: float = 2.0,
        max_interval: float = 15.0,
        on_progress: Callable[[TaskT], object] | None = None,
    ) -> list[Any]:
        """Poll a task until it ends; return its creations.

        Polls every ``poll_interval`` seconds at first, then less often (up to
        every ``max_interval`` seconds). ``on_progress(task)`` is called with
        the first answer and whenever the state changes.

        ``timeout`` bounds the whole wait: each poll gets at most the time
        left (and the client's own ``timeout``), so a poll the server leaves
        hanging ends in :class:`WaitTimeout` on time.

        ``task_id`` may be taken straight from a create's response, whose
        fields are all optional: a missing id raises ``ValueError``.

        :raises TaskFailed: the task failed; ``err_code`` says why.
        :raises WaitTimeout: it had not ended after ``timeout`` seconds.
        """
        if not task_id:
            raise ValueError("no task id to wait for: the response carried none")
        if poll_interval <= 0 or max_interval < poll_interval:
            raise ValueError("need 0 < poll_interval <= max_interval")
        spec = self._api.require_tasks()
        deadline = self._clock() + timeout
        interval = poll_interval
        task: TaskT | None = None
        seen: object = _NOT_SEEN
        for _ in range(_max_polls(timeout, poll_interval)):
            try:
                with self._within(deadline):
                    task = self._get_task(task_id)
            except APITimeoutError as exc:
                if self._clock() < deadline:
                    raise
                raise WaitTimeout(task_id, timeout, task) from exc
            state = getattr(task, spec.state_field, None)
            if state != seen:
                self._debug("task %s: %s", task_id, state)
                seen = state
                if on_progress is not None:
                    on_progress(task)
            if state in spec.success:
                return list(getattr(task, "creations", None) or [])
            if state in spec.failure:
                code = _text(getattr(task, spec.error_code_field, None))
                raise TaskFailed(task_id, code, task)
            remaining = deadline - self._clock()
            if remaining <= 0:
                break
            self._sleep(min(interval, remaining))
            interval = min(interval * 1.5, max_interval)
        raise WaitTimeout(task_id, timeout, task)

    # --- downloads ---------------------------------------------------------------

    def download(
        self,
        creation: Any,
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
        to a safe name (:func:`safe_file_name`) inside that folder. An
        existing file is replaced only with ``overwrite=True``; otherwise
        :class:`DestinationExists` names it, before anything is fetched.

        The bytes go to a temporary file beside the target, which takes its
        place only once complete; on any failure it is removed and nothing
        is left behind. The body is saved as sent (a ``Content-Encoding`` is
        not undone); one shorter than its ``Content-Length`` raises
        :class:`IncompleteDownload`, one over ``max_bytes`` raises
        :class:`ResponseTooLarge`.

        ``idle_timeout``: seconds without a byte before giving up (default:
        the client's read timeout); ``timeout``: seconds for the whole
        download, retries included (default: no limit, since a large video
        legitimately takes minutes). ``on_progress(bytes_done, total)``
        follows along (``total`` is ``None`` when the server does not say).
        A failed attempt is retried from the start, as :class:`RetryPolicy`
        allows for a GET. The API key is never sent with it.

        :raises LocalFileError: the file cannot be written.
        """
        url = creation if isinstance(creation, str) else getattr(creation, "url", None)
        if not isinstance(url, str) or not url:
            raise ValueError(f"nothing to download: {creation!r} has no url")
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        target = Path(path)
        if target.is_dir():
            target = target / safe_file_name(url)
        if not overwrite and (target.exists() or target.is_symlink()):
            raise DestinationExists(str(target))
        limits = _DownloadLimits(
            connect=self._limits.connect,
            idle=idle_timeout if idle_timeout is not None else self._limits.read,
            max_bytes=max_bytes,
        )
        deadline = _Deadline(
            None if timeout is None else self._clock() + timeout, self._clock
        )
        try:
            fd, temp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
        except OSError as exc:
            raise LocalFileError(
                str(target), exc.strerror or str(exc), exc.errno
            ) from None
        try:
            with os.fdopen(fd, "wb") as file:
                self._download_into(
                    url, file, on_progress, chunk_size, limits, deadline
                )
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temp, 0o644)
            _place(temp, target, overwrite=overwrite)
        except ClientError:
            _remove(temp)
            raise
        except OSError as exc:
            _remove(temp)
            raise LocalFileError(
                str(target), exc.strerror or str(exc), exc.errno
            ) from None
        except BaseException:
            _remove(temp)
            raise
        return target

    def _download_into(
        self,
        url: str,
        file: IO[bytes],
        on_progress: Callable[[int, int | None], object] | None,
        chunk_size: int,
        limits: _DownloadLimits,
        deadline: _Deadline,
    ) -> None:
        for retry in range(self.retry.max_retries + 1):
            file.seek(0)
            file.truncate()
            try:
                self._stream(url, file, on_progress, chunk_size, limits, deadline)
                return
            except (APIError, APIConnectionError) as exc:
                delay = self._download_retry_delay(exc, retry)
                left = deadline.remaining()
                if delay is None or (left is not None and delay >= left):
                    raise
                self._debug(
                    "retrying download of %s in %.2f s (retry %d of %d) after: %s",
                    _safe_url(url),
                    delay,
                    retry + 1,
                    self.retry.max_retries,
                    exc,
                )
                self._sleep(delay)

    def _download_retry_delay(
        self, error: APIError | APIConnectionError, retry: int
    ) -> float | None:
        if retry >= self.retry.max_retries:
            return None
        if isinstance(error, APIConnectionError):
            return self.retry.delay(retry)
        if self.retry.retries_status(error.status, idempotent=True):
            return self.retry.delay(retry, error.headers.get("retry-after"))
        return None

    def _stream(
        self,
        url: str,
        file: IO[bytes],
        on_progress: Callable[[int, int | None], object] | None,
        chunk_size: int,
        limits: _DownloadLimits,
        deadline: _Deadline,
    ) -> None:
        """Download once into ``file``, mapping failures to this package's errors."""
        shown = _safe_url(url)
        self._debug("GET %s (download)", shown)
        start = self._clock()
        retries = urllib3.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=5
        )
        if deadline.passed():
            raise APITimeoutError(f"download of {shown}: its time ran out")
        with self._watched(deadline) as watchdog:
            try:
                response = self._pool.request(
                    "GET",
                    url,
                    headers={
                        "User-Agent": self.user_agent,
                        "Accept-Encoding": "identity",
                    },
                    timeout=urllib3.Timeout(connect=limits.connect, read=limits.idle),
                    retries=retries,
                    preload_content=False,
                    decode_content=False,
                )
            except (HTTPError, OSError) as exc:
                raise self._download_error(shown, exc, watchdog) from None
            try:
                if watchdog is not None:
                    watchdog.watch(getattr(response.connection, "sock", None))
                done = self._save(
                    response, shown, file, on_progress, chunk_size, limits
                )
                if watchdog is not None and watchdog.fired:
                    raise TimeoutError("the download's time ran out")
            except (HTTPError, OSError) as exc:
                response.close()
                if isinstance(exc, OSError) and not _is_network(exc, watchdog):
                    raise  # the local file: download() names it
                raise self._download_error(shown, exc, watchdog) from None
            except BaseException:
                response.close()
                raise
            finally:
                response.release_conn()
        self._debug("GET %s: %d bytes in %.3f s", shown, done, self._clock() - start)

    def _save(
        self,
        response: urllib3.BaseHTTPResponse,
        shown: str,
        file: IO[bytes],
        on_progress: Callable[[int, int | None], object] | None,
        chunk_size: int,
        limits: _DownloadLimits,
    ) -> int:
        """Write the body to ``file`` as sent; the number of bytes written."""
        self._debug("GET %s -> %d", shown, response.status)
        if response.status != 200:
            raw = response.read(64 * 1024, decode_content=False)
            raise error_class(response.status)(
                response.status,
                f"download of {shown} failed",
                body=self._key.scrub_bytes(raw),
                headers=self._key.scrub_headers(response.headers),
            )
        total = _content_length(response)
        too_large = (
            f"download of {shown} is over the limit of {_size(limits.max_bytes)}: "
            "pass max_bytes= to download() to raise it"
        )
        if total is not None and total > limits.max_bytes:
            raise ResponseTooLarge(too_large, status=200, limit=limits.max_bytes)
        done = 0
        for chunk in response.stream(chunk_size, decode_content=False):
            done += len(chunk)
            if done > limits.max_bytes:
                raise ResponseTooLarge(too_large, status=200, limit=limits.max_bytes)
            file.write(chunk)
            if on_progress is not None:
                on_progress(done, total)
        if total is not None and done != total:
            raise IncompleteDownload(
                f"download of {shown} ended after {done} of {total} bytes"
            )
        return done

    def _download_error(
        self, shown: str, error: Exception, watchdog: _Watchdog | None
    ) -> APIConnectionError:
        if watchdog is not None and watchdog.fired:
            return APITimeoutError(f"download of {shown}: its time ran out")
        reason = _reason(error)
        message = f"download of {shown} failed: {self._key.scrub(str(reason))}"
        if _classify(error) == "read_timeout":
            return APITimeoutError(message)
        if "IncompleteRead" in type(reason).__name__ or "IncompleteRead" in str(reason):
            return IncompleteDownload(message)
        return APIConnectionError(message)


@attrs.frozen
class _DownloadLimits:
    connect: float
    idle: float
    max_bytes: int


def _is_network(error: OSError, watchdog: _Watchdog | None) -> bool:
    """Whether an ``OSError`` met while saving came from the socket, not the file."""
    if watchdog is not None and watchdog.fired:
        return True
    return isinstance(error, ConnectionError | TimeoutError)


def _place(temp: str, target: Path, *, overwrite: bool) -> None:
    """Move the finished ``temp`` to ``target``, replacing it only if asked.

    Without ``overwrite`` a hard link makes the target appear atomically and
    fails if a file took its name meanwhile; file systems without hard links
    fall back to a check just before the rename.
    """
    if overwrite:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)
    except FileExistsError:
        raise DestinationExists(str(target)) from None
    except OSError:
        if target.exists() or target.is_symlink():
            raise DestinationExists(str(target)) from None
        os.replace(temp, target)
        return
    os.unlink(temp)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _timeout_text(timeout: float | urllib3.Timeout) -> str:
    if isinstance(timeout, urllib3.Timeout):
        return str(timeout)
    return f"timeout={timeout:g} s"


_NOT_SEEN = object()


def _max_polls(timeout: float, poll_interval: float) -> int:
    """An upper bound on the polls :meth:`BaseClient.wait` makes."""
    return max(int(timeout / poll_interval) + 2, 1)


def _reason(error: Exception) -> Exception:
    if isinstance(error, MaxRetryError) and error.reason is not None:
        return error.reason
    return error


def _content_length(response: urllib3.BaseHTTPResponse) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or not value.isdigit():
        return None
    return int(value)


def _resolve_base_url(api: ApiTables, base_url: str | None) -> str:
    """The base URL for a URL, a host name from the spec's hosts, or ``None``."""
    if base_url is None:
        return api.base_url.rstrip("/")
    hosts = api.hosts
    if base_url in hosts:
        return hosts[base_url].rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        names = ", ".join(hosts) or "none"
        raise ValueError(
            f"base_url {base_url!r} is neither an http(s) URL nor a host name "
            f"(known hosts: {names})"
        )
    return base_url.rstrip("/")
