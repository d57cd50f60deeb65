"""One attempt over HTTP: the connection pool, the deadline, a bounded answer.

:class:`Transport` is what a client and its copies
(:meth:`~specgen_runtime.client.BaseClient.with_options`) share: the pool
(direct, or through the proxy the environment names), the API key, the clock
and the watchdog. It sends a request once and reads the whole answer under a
size limit; retrying is the client's business.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from urllib.parse import unquote, urlsplit

import attrs
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    MaxRetryError,
    ProxyError,
    ReadTimeoutError,
)
from urllib3.response import HTTPResponse
from urllib3.util import parse_url

from ._deadlines import Deadline, Limits, Watch, Watchdog
from .errors import ClientClosed, ResponseTooLarge, UnexpectedResponseError
from .jsonbody import JsonBody
from .redaction import (
    Secret,
    hide_in_urllib3_logs,
    redact,
    stop_hiding_in_urllib3_logs,
)
from .retry import Failure
from .tables import Auth

MIB = 1 << 20
READ_CHUNK = 64 * 1024


# --- connections the watchdog can close ------------------------------------------


_current = threading.local()
"""The watch of the attempt running on this thread, if any."""


def _watch_connection(connection: HTTPConnection) -> None:
    watch: Watch | None = getattr(_current, "watch", None)
    if watch is not None:
        watch.watch(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    """A connection that hands its socket to the running attempt's watch."""

    def connect(self) -> None:
        super().connect()
        _watch_connection(self)

    def getresponse(self) -> HTTPResponse:  # type: ignore[override]  # as urllib3 does
        _watch_connection(self)
        return super().getresponse()


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    """:class:`_WatchedHTTPConnection` over TLS: its methods call
    :class:`HTTPSConnection`'s, which come next in the method order."""


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_WATCHED = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def watched_pool(proxy: str | None = None) -> urllib3.PoolManager:
    """A pool whose connections the watchdog can close, through ``proxy`` if given.

    Credentials in the proxy's URL (``http://user:password@host:port``,
    percent-encoded as a URL has them) are sent to the proxy as its
    ``Proxy-Authorization``, never to the service.
    """
    if proxy is None:
        pool = urllib3.PoolManager(maxsize=8)
    else:
        auth = parse_url(proxy).auth
        proxy_headers = (
            urllib3.make_headers(proxy_basic_auth=unquote(auth)) if auth else None
        )
        pool = urllib3.ProxyManager(proxy, proxy_headers=proxy_headers, maxsize=8)
    pool.pool_classes_by_scheme = dict(_WATCHED)
    return pool


# --- what came back ----------------------------------------------------------------


@attrs.frozen
class Answer:
    """An HTTP answer, its body read in full (under the size limit)."""

    status: int
    reason: str
    headers: Mapping[str, str]
    raw: bytes


@attrs.frozen
class NoAnswer:
    """A request that got no HTTP answer."""

    failure: Failure
    error: Exception
    deadline: bool = False
    """Whether the call's deadline cut it short."""


Outcome = Answer | NoAnswer


def closed_error() -> ClientClosed:
    """The error for a call on a closed client."""
    return ClientClosed(
        "this client was closed (close() or aclose(), or the client a "
        "with_options() copy came from): nothing was sent; make a new client"
    )


def reason_of(error: Exception) -> Exception:
    """The error behind urllib3's ``MaxRetryError`` and ``ProxyError`` (a proxy
    that could not be reached, say), or ``error`` itself."""
    if isinstance(error, MaxRetryError) and error.reason is not None:
        error = error.reason
    for _ in range(4):  # a proxy error wraps its cause, at most a few deep
        if not isinstance(error, ProxyError):
            break
        error = error.original_error
    return error


def classify(error: Exception) -> Failure:
    """Whether the request behind ``error`` may have reached the server."""
    error = reason_of(error)
    if isinstance(error, ConnectTimeoutError):  # NewConnectionError included
        return "connect"
    if isinstance(error, ReadTimeoutError):
        return "read_timeout"
    return "dropped"


def size_text(count: int) -> str:
    """A byte count for messages: ``8 MiB (8388608 bytes)``."""
    if count >= MIB and count % MIB == 0:
        return f"{count // MIB} MiB ({count} bytes)"
    return f"{count} bytes"


def content_length(response: urllib3.BaseHTTPResponse) -> int | None:
    """The announced ``Content-Length``, or ``None`` without a valid one."""
    value = response.headers.get("Content-Length")
    if value is None or not value.isdigit():
        return None
    return int(value)


# --- proxies ---------------------------------------------------------------------


def _proxy_for(url: str, proxies: Mapping[str, str]) -> str | None:
    """The proxy the environment names for ``url``, if it is not bypassed."""
    parts = urlsplit(url)
    proxy = proxies.get(parts.scheme)
    if not proxy or not parts.hostname:
        return None
    host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    if urllib.request.proxy_bypass(host):
        return None
    return proxy


# --- the transport -------------------------------------------------------------------


class Transport:
    """The pool, key, clock and watchdog a client and its copies share.

    :param pool: a pool of the caller's, used for every request as it is
        (its own proxy settings included); ``None``: pools made here, one
        direct and one per proxy ``HTTPS_PROXY`` / ``HTTP_PROXY`` name for
        hosts ``NO_PROXY`` does not exempt (read once, when made).
    """

    def __init__(
        self,
        *,
        pool: urllib3.PoolManager | None,
        key: Secret,
        auth: Auth,
        clock: Callable[[], float],
        log: logging.Logger,
    ) -> None:
        self.key = key
        self.auth = auth
        self.clock = clock
        self.log = log
        self.owns_pool = pool is None
        self.pool = pool if pool is not None else watched_pool()
        self.watched = pool is None
        """Whether the watchdog can close this transport's connections."""
        self.watchdog = Watchdog()
        self._proxies: dict[str, str] = (
            {} if pool is not None else urllib.request.getproxies()
        )
        self._proxy_pools: dict[str, urllib3.PoolManager] = {}
        self._route: dict[tuple[str, str], urllib3.PoolManager] = {}
        self._lock = threading.Lock()
        self.closed = False
        """Whether the client owning this transport was closed: no request
        starts any more (for every copy sharing it)."""
        # urllib3 logs URLs and headers as the server sent them (DEBUG)
        hide_in_urllib3_logs(key)

    def check_open(self) -> None:
        """:raises ClientClosed: the client was closed; nothing is sent."""
        if self.closed:
            raise closed_error()

    def pool_for(self, url: str) -> urllib3.PoolManager:
        """The pool that reaches ``url``: direct, or through its proxy.

        :raises ClientClosed: the client was closed.
        """
        self.check_open()
        if not self._proxies:
            return self.pool
        parts = urlsplit(url)
        route = (parts.scheme, parts.netloc)
        found = self._route.get(route)
        if found is not None:
            return found
        proxy = _proxy_for(url, self._proxies)
        with self._lock:
            if proxy is None:
                found = self.pool
            else:
                found = self._proxy_pools.get(proxy)
                if found is None:
                    found = self._proxy_pools[proxy] = watched_pool(proxy)
            self._route[route] = found
        return found

    def close(self) -> None:
        """Close the connections of the pools made here; refuse any request
        from now on (:class:`ClientClosed`)."""
        self.closed = True
        stop_hiding_in_urllib3_logs(self.key)
        if self.owns_pool:
            self.pool.clear()
        for pool in list(self._proxy_pools.values()):
            pool.clear()

    def debug(self, message: str, *args: object) -> None:
        """Log at DEBUG, the API key hidden in whatever the server sent."""
        if self.log.isEnabledFor(logging.DEBUG):
            self.log.debug("%s", self.key.scrub(message % args))

    @contextlib.contextmanager
    def watching(self, deadline: Deadline, limits: Limits) -> Iterator[Watch | None]:
        """A watch over one attempt on this thread, until the deadline."""
        seconds = deadline.remaining()
        if limits.attempt is not None:
            attempt = limits.attempt
            seconds = attempt if seconds is None else min(seconds, attempt)
        if seconds is None:
            yield None
            return
        watch = self.watchdog.start(seconds)
        _current.watch = watch
        try:
            yield watch
        finally:
            _current.watch = None
            watch.cancel()

    def attempt(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        data: bytes | JsonBody | None,
        deadline: Deadline,
        limits: Limits,
        max_bytes: int,
        where: str,
    ) -> Outcome:
        """Send once; an HTTP answer of any status, or why none came.

        ``data``: the request body; a :class:`JsonBody` is sent a slice at a
        time under its ``Content-Length``, made afresh for each attempt.

        :raises UnexpectedResponseError: the body cannot be decoded;
            :class:`ResponseTooLarge` it is over ``max_bytes``.
        """
        if self.log.isEnabledFor(logging.DEBUG):
            self.debug("%s %s headers=%s", method, url, redact(headers, self.auth))
        left = deadline.remaining()
        if left is not None and left <= 0:
            return NoAnswer("connect", TimeoutError("the deadline passed"), True)
        start = self.clock()
        if isinstance(data, JsonBody):  # its length, so urllib3 does not chunk it
            headers = {**headers, "Content-Length": str(data.length)}
        with self.watching(deadline, limits) as watch:
            try:
                response = self.pool_for(url).request(
                    method,
                    url,
                    body=data,
                    headers=headers,
                    timeout=_socket_timeout(deadline, limits),
                    retries=False,
                    redirect=False,
                    preload_content=False,
                )
            except (HTTPError, OSError) as exc:
                return self._lost(method, url, exc, start, watch, deadline)
            try:
                if watch is not None:
                    watch.watch(getattr(response.connection, "sock", None))
                raw = read_answer(
                    response, deadline, max_bytes, where, whole=watch is not None
                )
                if watch is not None and watch.fired:
                    # the connection was cut: what was read may end anywhere
                    raise TimeoutError("the call's deadline passed")
            except (HTTPError, OSError) as exc:
                response.close()
                return self._lost(method, url, exc, start, watch, deadline)
            except BaseException:
                response.close()
                raise
            finally:
                response.release_conn()
        if self.log.isEnabledFor(logging.DEBUG):
            self.debug(
                "%s %s -> %d in %.3f s",
                method,
                url,
                response.status,
                self.clock() - start,
            )
        return Answer(response.status, response.reason or "", response.headers, raw)

    def _lost(
        self,
        method: str,
        url: str,
        error: Exception,
        start: float,
        watch: Watch | None,
        deadline: Deadline,
    ) -> NoAnswer:
        cut = (watch is not None and watch.fired) or deadline.passed()
        failure = classify(error)
        if cut and failure != "connect":
            failure = "read_timeout"
        self.debug(
            "%s %s -> no answer (%s) after %.3f s: %s",
            method,
            url,
            "deadline" if cut else failure,
            self.clock() - start,
            error,
        )
        return NoAnswer(failure, error, cut)


def _socket_timeout(deadline: Deadline, limits: Limits) -> urllib3.Timeout:
    """Connect and read timeouts, none beyond the deadline."""
    connect, read = limits.connect, limits.read
    left = deadline.remaining()
    if left is not None and left < max(connect, read):
        left = max(left, 0.001)
        return urllib3.Timeout(connect=min(connect, left), read=min(read, left))
    return _timeout(connect, read)


@functools.lru_cache(maxsize=64)
def _timeout(connect: float, read: float) -> urllib3.Timeout:
    """One ``urllib3.Timeout`` per pair of limits (it is never changed)."""
    return urllib3.Timeout(connect=connect, read=read)


def read_answer(
    response: urllib3.BaseHTTPResponse,
    deadline: Deadline,
    max_bytes: int,
    where: str,
    *,
    whole: bool = False,
) -> bytes:
    """The whole body, decompressed, under ``max_bytes``.

    ``whole``: a watchdog holds the deadline, so a body that announces its
    length within the limit and is not compressed is read in one go (it
    cannot grow past its ``Content-Length``); otherwise it is read in chunks,
    counted after decompression, with the deadline checked after each.

    :raises ResponseTooLarge: the body is (or announces itself) bigger.
    :raises UnexpectedResponseError: it cannot be decompressed.
    :raises TimeoutError: the deadline passed while it arrived.
    """
    length = content_length(response)
    if length is not None and length > max_bytes:
        raise too_large(where, response.status, f"announces {length} bytes", max_bytes)
    if whole and length is not None and "content-encoding" not in response.headers:
        return response.read(decode_content=False)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.stream(READ_CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise too_large(where, response.status, "goes on", max_bytes)
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
        raise too_large(
            where, response.status, "does not fit in memory", max_bytes
        ) from None
    return b"".join(chunks)


def too_large(where: str, status: int, what: str, limit: int) -> ResponseTooLarge:
    """The error for an answer over ``limit``, saying how to raise it."""
    return ResponseTooLarge(
        f"{where}: HTTP {status} with a body that {what}, over the limit of "
        f"{size_text(limit)}: pass max_response_bytes= to the client to raise it",
        status=status,
        limit=limit,
    )
