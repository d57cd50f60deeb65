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

Debug logging (``logging.getLogger(__package__)``) shows each request's
method, URL, status and timing, and every retry decision; the API key never
appears in a log line, an exception or a ``repr``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import tempfile
import time
import typing
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar, Generic, Protocol, Self, TypeVar
from urllib.parse import urlsplit

import attrs
import cattrs
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ReadTimeoutError,
)

from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    RequestMayHaveSucceeded,
    TaskFailed,
    UnexpectedResponseError,
    WaitTimeout,
    error_class,
)
from .redaction import Secret, redact
from .retry import Failure, RetryPolicy
from .tables import ApiTables, Operation
from .violations import Mode, Violation, check_mode, enforce, validation_mode

__all__ = ["BaseClient"]

TaskT = TypeVar("TaskT")
T = TypeVar("T")

_MIB = 1 << 20


class _Request(Protocol):
    """What the client asks of a typed request."""

    def violations(self) -> list[Violation]: ...

    def to_json(self) -> dict[str, Any]: ...


# --- what came back ------------------------------------------------------------


@attrs.frozen
class _NoAnswer:
    """A request that got no HTTP answer."""

    failure: Failure
    error: Exception


_Outcome = urllib3.BaseHTTPResponse | _NoAnswer


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


def _loads(raw: bytes) -> object:
    """Decoded JSON, or ``None`` when ``raw`` is not JSON."""
    try:
        return json.loads(raw)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError included
        return None


def _safe_url(url: str) -> str:
    """``url`` without its query: download links carry signed tokens there."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


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
        client can still check requests without one.
    :param base_url: a URL, or the name of a host in the spec's ``hosts``
        (such as ``"china"``); default: the spec's ``base_url``.
    :param timeout: seconds to connect and to wait for each read, or a
        :class:`urllib3.Timeout`.
    :param max_retries: how often a failed request may be sent again (see
        :class:`RetryPolicy` for which failures); ``backoff``,
        ``max_backoff`` and ``retry_after_cap`` shape the waits. Pass
        ``retry`` to set the whole policy instead.
    :param validation: the validation mode for requests (``"strict"``,
        ``"warn"`` or ``"off"``); each method can override it.
    :param pool: a :class:`urllib3.PoolManager` to share; by default the
        client makes its own and closes it in :meth:`close`.
    :param sleep: how to wait (retries and :meth:`wait`); ``clock`` is the
        monotonic clock :meth:`wait` measures its timeout with.

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
        self._key = Secret(api_key or (os.environ.get(env) if env else None))
        self.base_url = _resolve_base_url(api, base_url)
        self.timeout = timeout
        self.retry = retry or RetryPolicy(
            max_retries=max_retries,
            backoff=backoff,
            max_backoff=max_backoff,
            retry_after_cap=retry_after_cap,
        )
        self.validation: Mode = check_mode(validation)
        self._owns_pool = pool is None
        self._pool = pool if pool is not None else urllib3.PoolManager(maxsize=8)
        self.user_agent = user_agent or api.user_agent
        self._sleep = sleep
        self._clock = clock
        self._log = logging.getLogger(api.package)

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

    @abstractmethod
    def _get_task(self, task_id: str, /) -> TaskT:
        """Fetch a task's current state (the generated client implements it)."""

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
        :raises APITimeoutError, APIConnectionError: no answer.
        :raises UnexpectedResponseError: an answer that is not a JSON object.
        """
        url = self.base_url + operation.url_path(params)
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = self._headers(json_body=data is not None)
        outcome = self._attempt(operation.method, url, headers, data)
        for retry in range(self.retry.max_retries):
            delay = self._retry_delay(operation, outcome, retry)
            if delay is None:
                break
            self._log.debug(
                "retrying %s %s in %.2f s (retry %d of %d) after %s",
                operation.method,
                url,
                delay,
                retry + 1,
                self.retry.max_retries,
                self._describe(outcome),
            )
            self._sleep(delay)
            outcome = self._attempt(operation.method, url, headers, data)
        if isinstance(outcome, _NoAnswer):
            raise self._no_answer_error(
                operation, url, outcome, body
            ) from outcome.error
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
        except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as exc:
            raw = self._key.scrub_bytes(json.dumps(data).encode())
            message = f"{operation.method} {operation.path}: the answer does not match the spec: {exc}"
            raise UnexpectedResponseError(
                self._key.scrub(message), status=200, raw=raw
            ) from exc

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

    def _attempt(
        self, method: str, url: str, headers: Mapping[str, str], data: bytes | None
    ) -> _Outcome:
        """Send once; an HTTP answer of any status, or why none came."""
        self._log.debug(
            "%s %s headers=%s", method, url, redact(headers, self._api.auth)
        )
        start = self._clock()
        try:
            response = self._pool.request(
                method,
                url,
                body=data,
                headers=dict(headers),
                timeout=self.timeout,
                retries=False,
                redirect=False,
            )
        except HTTPError as exc:
            elapsed = self._clock() - start
            failure = _classify(exc)
            self._log.debug(
                "%s %s -> no answer (%s) after %.3f s: %s",
                method,
                url,
                failure,
                elapsed,
                self._key.scrub(str(exc)),
            )
            return _NoAnswer(failure, exc)
        elapsed = self._clock() - start
        self._log.debug("%s %s -> %d in %.3f s", method, url, response.status, elapsed)
        return response

    def _retry_delay(
        self, operation: Operation, outcome: _Outcome, retry: int
    ) -> float | None:
        """Seconds to wait before sending again, or ``None``: do not retry."""
        idempotent = operation.idempotent
        if isinstance(outcome, _NoAnswer):
            if self.retry.retries_failure(outcome.failure, idempotent=idempotent):
                return self.retry.delay(retry)
            self._log.debug(
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
        detail = self._key.scrub(str(outcome.error))
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
        if outcome.failure == "read_timeout" or (
            outcome.failure == "connect"
            and not isinstance(_reason(outcome.error), NewConnectionError)
        ):
            return APITimeoutError(message)
        return APIConnectionError(message)

    def _decode(
        self, operation: Operation, response: urllib3.BaseHTTPResponse
    ) -> dict[str, Any]:
        status = response.status
        raw = response.data
        if status >= 400:
            raise self._api_error(response, raw)
        where = f"{operation.method} {operation.path}"
        data = _loads(raw)
        if (
            data is None
            and operation.task == "cancel"
            and raw.strip() in (b"", b"null")
        ):
            data = {}  # the docs say a cancel "returns null"; their example shows {}
        if not 200 <= status < 300:
            problem = f"unexpected HTTP {status}"
        elif not isinstance(data, dict):
            problem = f"HTTP {status} with a body that is not a JSON object"
        else:
            return data
        raise UnexpectedResponseError(
            f"{where}: {problem}", status=status, raw=self._key.scrub_bytes(raw)
        )

    def _api_error(self, response: urllib3.BaseHTTPResponse, raw: bytes) -> APIError:
        """The exception for an error answer, with the service's details."""
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
            message = known.message if known else (response.reason or "no message")
        return error_class(response.status)(
            response.status,
            self._key.scrub(message),
            reason=reason,
            trace_id=trace_id,
            body=body if body is not None else self._key.scrub_bytes(raw),
            headers={k.lower(): v for k, v in response.headers.items()},
        )

    # --- tasks -----------------------------------------------------------------

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
            task = self._get_task(task_id)
            state = getattr(task, spec.state_field, None)
            if state != seen:
                self._log.debug("task %s: %s", task_id, state)
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
        on_progress: Callable[[int, int | None], object] | None = None,
        chunk_size: int = _MIB,
    ) -> Path:
        """Stream a creation's video (or any URL) to ``path``; return the path.

        ``creation`` is a creation (its ``url`` is used) or a URL. The bytes go
        to a temporary file beside ``path``, which replaces ``path`` only once
        complete; on any failure it is removed and ``path`` is left as it was.
        If ``path`` is a directory, the file keeps the URL's name.
        ``on_progress(bytes_done, total)`` follows along (``total`` is
        ``None`` when the server does not say). A failed attempt is retried
        from the start, as :class:`RetryPolicy` allows for a GET. The API key
        is never sent with it.
        """
        url = creation if isinstance(creation, str) else getattr(creation, "url", None)
        if not isinstance(url, str) or not url:
            raise ValueError(f"nothing to download: {creation!r} has no url")
        target = Path(path)
        if target.is_dir():
            target = target / (Path(urlsplit(url).path).name or "creation")
        fd, temp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
        try:
            with os.fdopen(fd, "wb") as file:
                self._download_into(url, file, on_progress, chunk_size)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temp, 0o644)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        return target

    def _download_into(
        self,
        url: str,
        file: IO[bytes],
        on_progress: Callable[[int, int | None], object] | None,
        chunk_size: int,
    ) -> None:
        for retry in range(self.retry.max_retries + 1):
            file.seek(0)
            file.truncate()
            try:
                self._stream(url, file, on_progress, chunk_size)
                return
            except (APIError, APIConnectionError) as exc:
                delay = self._download_retry_delay(exc, retry)
                if delay is None:
                    raise
                self._log.debug(
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
    ) -> None:
        """Download once into ``file``, mapping failures to this package's errors."""
        shown = _safe_url(url)
        self._log.debug("GET %s (download)", shown)
        start = self._clock()
        retries = urllib3.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=5
        )
        try:
            response = self._pool.request(
                "GET",
                url,
                headers={"User-Agent": self.user_agent},
                timeout=self.timeout,
                retries=retries,
                preload_content=False,
            )
        except HTTPError as exc:
            raise self._download_error(shown, exc) from exc
        try:
            self._log.debug("GET %s -> %d", shown, response.status)
            if response.status != 200:
                raw = response.read(64 * 1024)
                raise error_class(response.status)(
                    response.status,
                    f"download of {shown} failed",
                    body=self._key.scrub_bytes(raw),
                    headers={k.lower(): v for k, v in response.headers.items()},
                )
            total = _content_length(response)
            done = 0
            for chunk in response.stream(chunk_size):
                file.write(chunk)
                done += len(chunk)
                if on_progress is not None:
                    on_progress(done, total)
        except HTTPError as exc:
            raise self._download_error(shown, exc) from exc
        finally:
            response.release_conn()
        self._log.debug(
            "GET %s: %d bytes in %.3f s", shown, done, self._clock() - start
        )

    def _download_error(self, shown: str, error: HTTPError) -> APIConnectionError:
        failure = _classify(error)
        message = f"download of {shown} failed: {self._key.scrub(str(_reason(error)))}"
        if failure == "read_timeout":
            return APITimeoutError(message)
        return APIConnectionError(message)


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
