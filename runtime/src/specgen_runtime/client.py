"""The HTTP client a generated package builds on: :class:`BaseClient`.

The generated :class:`Client` adds one method per operation of the spec;
every one of them ends here, in :meth:`BaseClient._body` (build and check the
request) and :meth:`BaseClient._call` (send it, retry it, read the answer).

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

The parts, one job each: :mod:`._deadlines` (time limits, the watchdog),
:mod:`._transport` (the pool, proxies, one attempt, a bounded answer),
:mod:`._answers` (JSON and the error an answer stands for),
:mod:`._requests` (bodies from keyword arguments), :mod:`._options` (what
:meth:`BaseClient.with_options` changes), :mod:`._download` (downloads).
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import re
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import (
    Any,
    ClassVar,
    Generic,
    Protocol,
    Self,
    TypedDict,
    TypeVar,
    cast,
)
from urllib.parse import quote, urlencode

import attrs
import cattrs
import urllib3

from ._answers import (
    MAX_JSON_DEPTH,
    api_error,
    decode,
    dig,
    loads,
    no_answer_error,
    text,
)
from ._deadlines import Deadline, Limits
from ._download import DEFAULT_MAX_DOWNLOAD_BYTES, Downloader, Progress, safe_file_name
from ._options import Options, check_max_retries
from ._raw import RawResponse
from ._requests import (
    Request,
    check_mirrored,
    check_request,
    select,
    url_path,
    with_items,
)
from ._transport import MIB, Answer, NoAnswer, Outcome, Transport
from .convert import MissingResponseField
from .errors import (
    APITimeoutError,
    InvalidAPIKey,
    MissingAPIKey,
    TaskFailed,
    UnexpectedResponseError,
    UnreadableCreateResponse,
    WaitTimeout,
)
from .jsonbody import JsonBody, encode_body
from .pagination import pages_time_left
from .redaction import Secret, check_key
from .retry import RetryPolicy
from .tables import ApiTables, Operation, Tasks
from .violations import Mode, Violation, check_mode, enforce, validation_mode

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_JSON_DEPTH",
    "BaseClient",
    "ClientOptions",
    "Downloadable",
    "Polling",
    "QueryValue",
    "RawResponse",
    "check_wait",
    "safe_file_name",
    "task_ended",
    "task_results",
]

TaskT = TypeVar("TaskT")
T = TypeVar("T")

DEFAULT_MAX_RESPONSE_BYTES = 8 * MIB
"""The default size limit of an API answer, after decompression."""

QueryValue = str | int | float | bool | list[str | int]
"""What a query parameter may carry; ``True`` travels as ``true``, a list as
one ``name=value`` pair per item."""

_NOT_SEEN = object()


class Downloadable(Protocol):
    """What :meth:`BaseClient.download` takes besides a URL: a result with
    a ``url`` (a creation of a finished task)."""

    @property
    def url(self) -> str | None:
        """Where the file is."""


class ClientOptions(TypedDict, total=False):
    """The keyword arguments of :class:`BaseClient` (each explained there) a
    client built around one, such as the asyncio client, passes on to it."""

    base_url: str | None
    timeout: float | urllib3.Timeout
    max_response_bytes: int
    max_retries: int
    backoff: float
    max_backoff: float
    retry_after_cap: float
    retry: RetryPolicy | None
    validation: Mode
    pool: urllib3.PoolManager | None
    user_agent: str | None
    clock: Callable[[], float]


class BaseClient(ABC, Generic[TaskT]):
    """Transport, retries, errors, waiting and downloading for a generated client.

    :param api_key: the key; default: the environment variable the spec names
        (``_api.auth.env``). A missing key raises :class:`MissingAPIKey` (an
        :class:`AuthenticationError`) at the first request, before anything
        is sent, not here, so a client can still check requests without one;
        a malformed key (a control character such as a trailing newline, a
        space at either end, a character outside ASCII, a value that is not
        a ``str``) raises :class:`InvalidAPIKey` here, with a message that
        does not show it.
    :param base_url: a URL, or the name of a host in the spec's ``hosts``
        (such as ``"china"``); default: the environment variable the spec
        names for it (``_base_url_env``) if set, else the spec's ``base_url``.
    :param timeout: seconds for each whole call, every attempt, retry and
        ``Retry-After`` wait included (each connect and read also gets at
        most that long); a retry whose wait would pass the deadline is not
        made and the last error is raised. A :class:`urllib3.Timeout` sets
        the connect and read timeouts of each attempt instead; its ``total``
        is then the whole call's deadline, and without one each attempt may
        take at most connect + read seconds.
    :param max_response_bytes: the size limit of an answer, counted after
        decompression, plus the size of the request's body (an answer may
        echo it); a bigger one raises :class:`ResponseTooLarge`.
    :param max_retries: how often a failed request may be sent again (see
        :class:`RetryPolicy` for which failures); ``backoff``,
        ``max_backoff`` and ``retry_after_cap`` shape the waits. Pass
        ``retry`` to set the whole policy instead.
    :param validation: the validation mode for requests (``"strict"``,
        ``"warn"`` or ``"off"``); each method can override it.
    :param pool: a :class:`urllib3.PoolManager` of your own, used for every
        request as it is: its TLS settings, proxy (a
        :class:`urllib3.ProxyManager`), headers and size. The client never
        closes it. Without one the client makes its own, closed in
        :meth:`close`, and honours ``HTTPS_PROXY`` / ``HTTP_PROXY`` and
        ``NO_PROXY`` (read when the client is made, as
        :func:`urllib.request.getproxies` reads them). With a pool of your
        own the deadline is checked after each read rather than by a
        watchdog while the headers arrive.
    :param sleep: how to wait (retries and :meth:`wait`); ``clock`` is the
        monotonic clock deadlines are measured with.

    Use it as a context manager to close its connections when done.
    """

    _api: ClassVar[ApiTables]
    """The service's tables; set by the generated subclass."""
    _base_url_env: ClassVar[str | None] = None
    """The environment variable that may hold the base URL (from the spec)."""

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
        if api_key is not None and not isinstance(api_key, str):
            raise InvalidAPIKey(
                f"api_key must be a str, got {type(api_key).__name__}"
                + (" (decode it first)" if isinstance(api_key, bytes) else "")
            )
        key = api_key or (os.environ.get(env) if env else None)
        if key:
            check_key(key, "api_key" if api_key else f"${env}")
        self._key = Secret(key)
        source = "base_url"
        if base_url is None and self._base_url_env:
            base_url = os.environ.get(self._base_url_env) or None
            source = f"${self._base_url_env}"
        self.base_url = _resolve_base_url(api, base_url, source)
        if retry is None:
            check_max_retries(max_retries)
        self._options = Options.of(
            timeout,
            retry
            or RetryPolicy(
                max_retries=max_retries,
                backoff=backoff,
                max_backoff=max_backoff,
                retry_after_cap=retry_after_cap,
            ),
            max_response_bytes,
        )
        self.validation: Mode = check_mode(validation)
        self.user_agent = user_agent or api.user_agent
        self._sleep = sleep
        self._clock = clock
        self._transport = Transport(
            pool=pool,
            key=self._key,
            auth=api.auth,
            clock=clock,
            log=logging.getLogger(api.package),
        )
        self._outer = threading.local()
        """The deadline of a :meth:`wait` running on this thread, if any."""
        self._copy = False
        """Whether this client came from :meth:`with_options` (and so does not
        close the connections it shares)."""

    def with_options(
        self,
        *,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> Self:
        """A copy of this client with these options changed (``None``: kept).

        The copy is cheap: it shares this client's connections, key and
        watchdog. Closing it (or leaving its ``with`` block) closes nothing:
        the connections belong to the client it came from, whose
        :meth:`close` ends them for every copy.

        ``extra_headers`` are sent with every request (added to those a
        copy already has); they may not name the API key's header, which
        only ``api_key=`` sets (``ValueError``). ``extra_body`` fields are
        merged into every request body: fields the spec does not know yet,
        sent as given with a :class:`ValidationWarning` each (none in
        ``"off"`` mode); a field the spec knows must be passed as its own
        keyword (``ValueError``).
        """
        options = self._options.but(
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_body=extra_body,
            protected=self._api.auth.header,
        )
        other = copy.copy(self)
        other._options = options
        other._copy = True
        other._outer = threading.local()
        return other

    def _per_call(
        self,
        timeout: float | urllib3.Timeout | None,
        max_retries: int | None,
        extra_headers: Mapping[str, str] | None,
        extra_body: Mapping[str, object] | None,
    ) -> Options:
        """The options of one call: the client's, with those given changed."""
        unchanged = timeout is None and max_retries is None
        if unchanged and not extra_headers and not extra_body:
            return self._options
        return self._options.but(
            timeout=timeout,
            max_retries=max_retries,
            extra_headers=extra_headers,
            extra_body=extra_body,
            protected=self._api.auth.header,
        )

    # --- what the options say ------------------------------------------------

    @property
    def timeout(self) -> float | urllib3.Timeout:
        """The time limit of each call, as given."""
        return self._options.timeout

    @timeout.setter
    def timeout(self, value: float | urllib3.Timeout) -> None:
        self._options = self._options.but(timeout=value)

    @property
    def retry(self) -> RetryPolicy:
        """When a failed request is sent again."""
        return self._options.retry

    @retry.setter
    def retry(self, value: RetryPolicy) -> None:
        self._options = attrs.evolve(self._options, retry=value)

    @property
    def max_response_bytes(self) -> int:
        """The size limit of an answer, after decompression."""
        return self._options.max_response_bytes

    @max_response_bytes.setter
    def max_response_bytes(self, value: int) -> None:
        if value < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self._options = attrs.evolve(self._options, max_response_bytes=value)

    @property
    def _limits(self) -> Limits:
        return self._options.limits

    @property
    def _pool(self) -> urllib3.PoolManager:
        return self._transport.pool

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
        """Close the client's connections (not those of a pool passed in, nor,
        on a copy made by :meth:`with_options`, those it shares).

        A call made on the client afterwards, or on any copy made by
        :meth:`with_options`, raises :class:`ClientClosed` and sends
        nothing; a request already on its way ends as it would have. Closing
        a copy closes nothing.
        """
        if not self._copy:
            self._transport.close()

    def scrub(self, text: str) -> str:
        """``text`` with the API key hidden (for output the caller prints)."""
        return self._key.scrub(text)

    @abstractmethod
    def _get_task(self, task_id: str, /) -> TaskT:
        """Fetch a task's current state (the generated client implements it)."""

    def _debug(self, message: str, *args: object) -> None:
        """Log at DEBUG, the API key hidden in whatever the server sent."""
        self._transport.debug(message, *args)

    # --- requests ------------------------------------------------------------

    def _body(
        self,
        operation: Operation,
        request: Request | None,
        fields: Mapping[str, object],
        validation: Mode | None,
        default: type[Request],
        *selectors: tuple[str, type[Request]],
        options: Options | None = None,
    ) -> dict[str, Any]:
        """The JSON body of a request, checked in the validation mode in force.

        Either ``request`` is a typed request, checked again here (it may have
        been built in another mode), or ``fields`` are its keyword arguments
        (``None`` stands for "not sent"): the class is the one of the first
        selector key present in ``fields``, else ``default``. In ``"strict"``
        mode an error raises :class:`ValidationError` and nothing is sent.
        The ``extra_body`` of ``options`` (default: the client's) is merged
        in (see :meth:`with_options`).
        """
        mode = check_mode(validation or self.validation)
        fields = {name: value for name, value in fields.items() if value is not None}
        body = self._checked_body(operation, request, fields, mode, default, selectors)
        extra = (self._options if options is None else options).extra_body
        if extra:
            self._merge_extra(operation, body, extra, mode)
        return body

    def _merge_extra(
        self,
        operation: Operation,
        body: dict[str, Any],
        extra: Mapping[str, object],
        mode: Mode,
    ) -> None:
        """Add ``extra`` to ``body``: fields the spec does not know, with a warning."""
        known = {
            name
            for form in self._api.forms
            if form.operation == operation.id
            for name in form.fields
        }
        taken = sorted(name for name in extra if name in known or name in body)
        if taken:
            raise ValueError(
                f"extra_body is for fields the spec does not know; pass "
                f"{', '.join(taken)} as keyword arguments of {operation.id}()"
            )
        body.update(self._api.converter.unstructure(dict(extra)))
        enforce(
            [
                Violation(
                    "warning",
                    name,
                    "body.extra",
                    f"{name} is not in the spec of {operation.id}; sent as "
                    "given through extra_body",
                )
                for name in extra
            ],
            mode,
            package=self._api.package,
        )

    def _checked_body(
        self,
        operation: Operation,
        request: Request | None,
        fields: Mapping[str, object],
        mode: Mode,
        default: type[Request],
        selectors: tuple[tuple[str, type[Request]], ...],
    ) -> dict[str, Any]:
        if request is not None:
            check_request(operation, request, default, selectors)
            if fields:
                raise TypeError("pass a typed request or its fields, not both")
            if mode != "off":
                enforce(request.violations(), mode, package=self._api.package)
            return request.to_json()
        cls = select(fields, default, selectors)
        try:
            with validation_mode(mode):
                return cls(**with_items(cls, fields)).to_json()
        except (TypeError, AttributeError) as exc:
            # Fields the class cannot even hold (a required one missing, an
            # unknown one): check the raw body as the service would see it,
            # and in "warn" or "off" mode send it as it is.
            body: dict[str, Any] = self._api.converter.unstructure(dict(fields))
            found = self._api.validate(operation.id, body) or [
                Violation("error", "", "body.shape", f"{cls.__name__}: {exc}")
            ]
            if mode != "off":
                enforce(found, mode, package=self._api.package)
            return body

    def _deadline(self, limits: Limits) -> Deadline:
        """The deadline of a call starting now: its own, or an outer wait's,
        or that of the page iteration it fetches a page for, if earlier."""
        now = self._clock()
        own = None if limits.call is None else now + limits.call
        outer: float | None = getattr(self._outer, "at", None)
        left = pages_time_left()
        if left is not None:
            pages_at = now + max(left, 0.0)
            outer = pages_at if outer is None else min(outer, pages_at)
        if own is None or (outer is not None and outer < own):
            own = outer
        return Deadline(own, self._clock)

    def _send(
        self,
        operation: Operation,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
        *,
        query: Mapping[str, QueryValue] | None = None,
        options: Options | None = None,
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
        answer = self._exchange(operation, params, body, query, options)
        return decode(operation, answer, self._key)

    def _exchange(
        self,
        operation: Operation,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
        query: Mapping[str, QueryValue] | None,
        options: Options | None,
    ) -> Answer:
        """Send one operation, retrying as allowed; its successful answer.

        :raises APIError: an error status, after any retries.
        :raises APIConnectionError: no answer (see :meth:`_send`).
        """
        self._transport.check_open()
        opts = self._options if options is None else options
        url = self.base_url + url_path(operation, params)
        check_mirrored(operation, params, body)
        if query:
            url += "?" + _query_string(query)
        data = None
        if body is not None:
            data = encode_body(body)  # bytes, or a large body sent in slices
        headers = self._headers(json_body=data is not None, extra=opts.extra_headers)
        # An answer may echo what was sent (a create's answer repeats its
        # images): the limit grows by the body's size, so a large upload is
        # never refused for its own echo.
        answer_limit = opts.max_response_bytes + _size_of(data)
        limits = opts.limits
        retry_policy = opts.retry
        deadline = self._deadline(limits)
        where = f"{operation.method} {operation.path}"
        transport = self._transport
        for retry in range(retry_policy.max_retries + 1):
            outcome = transport.attempt(
                operation.method,
                url,
                headers,
                data,
                deadline,
                limits,
                answer_limit,
                where,
            )
            if not self._waited_to_retry(
                operation, url, outcome, retry, retry_policy, deadline
            ):
                break
        if isinstance(outcome, NoAnswer):
            raise no_answer_error(
                operation, url, outcome, body, opts.timeout, self._key
            ) from None
        if outcome.status >= 400:
            raise api_error(self._api, outcome, self._key)
        return outcome

    def _call(
        self,
        operation: Operation,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
        parse: Callable[[dict[str, Any]], T],
        *,
        query: Mapping[str, QueryValue] | None = None,
        options: Options | None = None,
    ) -> T:
        """Send one operation, then ``parse`` its answer (``Response.from_json``).

        ``query`` is sent in the URL, each name as it is (a dotted one such
        as ``created_at.from`` included) and each value as text (``true``
        and ``false`` for booleans); ``options`` replace the client's for
        this call.

        :raises APIError, APIConnectionError: see :meth:`_send`.
        :raises UnexpectedResponseError: the answer does not have the shape
            the spec gives it; for a create, an
            :class:`UnreadableCreateResponse` with the raw body and the task
            id when one is found in it.
        """
        answer = self._exchange(operation, params, body, query, options)
        return self._parse(operation, answer, parse)

    def _call_raw(
        self,
        operation: Operation,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
        parse: Callable[[dict[str, Any]], T],
        *,
        query: Mapping[str, QueryValue] | None = None,
        options: Options | None = None,
    ) -> RawResponse[T]:
        """:meth:`_call`, keeping the answer as it came; parsed on demand.

        An error status still raises (the error carries the status, body
        and headers).
        """
        answer = self._exchange(operation, params, body, query, options)
        key = self._key
        return RawResponse(
            answer.status,
            key.scrub_headers(answer.headers),
            key.scrub_bytes(answer.raw),
            lambda: self._parse(operation, answer, parse),
        )

    def _parse(
        self,
        operation: Operation,
        answer: Answer,
        parse: Callable[[dict[str, Any]], T],
    ) -> T:
        """The typed model of a successful answer, the API key hidden in it.

        A server echoing the key (in a field the spec knows or in ``extra``)
        gets ``***`` in its place, as in :attr:`RawResponse.body`: the key
        is never a value an answer of the service legitimately holds, and a
        typed response is printed, logged and kept.

        :raises MissingResponseField: a field the spec says is always sent
            is missing (its path on ``field``).
        :raises UnexpectedResponseError: the body is not the JSON object the
            spec describes; for a create, an :class:`UnreadableCreateResponse`.
        """
        key = self._key
        try:
            data = decode(operation, answer, key)
        except UnexpectedResponseError as exc:
            if operation.task != "create":
                raise
            raise self._unreadable_create(str(exc), answer) from None
        if _may_hold(key, answer.raw):
            data = cast(dict[str, Any], key.scrub_json(data))  # a dict stays one
        try:
            return parse(data)
        except (
            cattrs.BaseValidationError,
            TypeError,
            ValueError,
            KeyError,
            RecursionError,
        ) as exc:
            message = key.scrub(
                f"{operation.method} {operation.path}: the answer does not "
                f"match the spec: {exc}"
            )
            # not chained: the parser's error may quote what the server sent
            if operation.task == "create":
                raise self._unreadable_create(message, answer) from None
            raw = key.scrub_bytes(answer.raw)
            if isinstance(exc, MissingResponseField):  # keeps the field's path
                raise MissingResponseField(message, field=exc.field, raw=raw) from None
            raise UnexpectedResponseError(message, status=200, raw=raw) from None

    def _unreadable_create(
        self, message: str, answer: Answer
    ) -> UnreadableCreateResponse:
        """The error for a create's answer that cannot be read: nothing lost."""
        tasks = self._api.tasks
        field = tasks.id_field if tasks is not None else "task_id"
        task_id = _task_id_in(answer.raw, field)
        if task_id is not None:
            task_id = self._key.scrub(task_id)
            message += f"; the task was probably created: its id is {task_id}"
        else:
            message += (
                "; the task may have been created: look for it before sending "
                "the request again (the body is on this error's raw)"
            )
        return UnreadableCreateResponse(
            message,
            status=answer.status,
            raw=self._key.scrub_bytes(answer.raw),
            task_id=task_id,
        )

    def _headers(
        self, *, json_body: bool, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        key = self._key.value
        if not key:
            env = self._api.auth.env
            where = f"pass api_key= or set ${env}" if env else "pass api_key="
            raise MissingAPIKey(where)
        headers = {
            "Accept": "application/json",
            "User-Agent": self.user_agent,
        }
        if extra:
            headers.update(extra)
        headers[self._api.auth.header] = self._api.auth.value(key)
        if json_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _waited_to_retry(
        self,
        operation: Operation,
        url: str,
        outcome: Outcome,
        retry: int,
        policy: RetryPolicy,
        deadline: Deadline,
    ) -> bool:
        """Whether to send again after ``outcome`` (retry number ``retry``, from
        0), having waited the delay the policy gives; ``False`` when the policy
        allows no more retries, refuses this one, or its wait would pass the
        deadline."""
        if retry >= policy.max_retries:
            return False
        delay = self._retry_delay(operation, outcome, retry, policy)
        if delay is None:
            return False
        left = deadline.remaining()
        if left is not None and delay >= left:
            self._debug(
                "not retrying %s %s after %s: waiting %.2f s would pass the "
                "call's deadline (%.2f s left)",
                operation.method,
                url,
                _describe(outcome),
                delay,
                max(left, 0.0),
            )
            return False
        self._debug(
            "retrying %s %s in %.2f s (retry %d of %d) after %s",
            operation.method,
            url,
            delay,
            retry + 1,
            policy.max_retries,
            _describe(outcome),
        )
        self._sleep(delay)
        return True

    def _retry_delay(
        self,
        operation: Operation,
        outcome: Outcome,
        retry: int,
        policy: RetryPolicy,
    ) -> float | None:
        """Seconds to wait before sending again, or ``None``: do not retry."""
        idempotent = operation.idempotent
        if isinstance(outcome, NoAnswer):
            if outcome.deadline:
                return None
            if policy.retries_failure(outcome.failure, idempotent=idempotent):
                return policy.delay(retry)
            self._debug(
                "not retrying %s %s: it may have reached the service",
                operation.method,
                operation.path,
            )
            return None
        if policy.retries_status(outcome.status, idempotent=idempotent):
            return policy.delay(retry, outcome.headers.get("Retry-After"))
        return None

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
        task_id: str,
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

        ``task_id`` is the id a create's response gave; an empty one (or
        ``None``) raises ``ValueError`` before anything is sent.

        :raises TaskFailed: the task failed; ``err_code`` says why.
        :raises WaitTimeout: it had not ended after ``timeout`` seconds.
        """
        polling: Polling[TaskT] = Polling(
            self._api, task_id, timeout, poll_interval, max_interval, self._clock
        )
        for _ in polling.rounds():
            try:
                with self._within(polling.deadline):
                    task = self._get_task(polling.task_id)
            except APITimeoutError as exc:
                polling.check_time(exc)
                raise
            if polling.changed(task, self._debug) and on_progress is not None:
                on_progress(task)
            if (ended := polling.ended(task)) is not None:
                return ended
            pause = polling.pause()
            if pause is None:
                break
            self._sleep(pause)
        raise polling.timeout_error()

    # --- downloads ---------------------------------------------------------------

    def download(
        self,
        creation: Downloadable | str,
        path: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        on_progress: Progress | None = None,
        chunk_size: int = MIB,
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
        for name, seconds in (("timeout", timeout), ("idle_timeout", idle_timeout)):
            if seconds is not None and not seconds > 0:
                raise ValueError(
                    f"download: {name}={seconds!r}: give a positive number of"
                    " seconds, or None for the default"
                )
        if chunk_size < 1:
            raise ValueError(f"download: chunk_size={chunk_size!r} must be at least 1")
        self._transport.check_open()
        limits = self._options.limits
        downloader = Downloader(
            transport=self._transport,
            retry=self._options.retry,
            sleep=self._sleep,
            user_agent=self.user_agent,
            connect=limits.connect,
            idle=idle_timeout if idle_timeout is not None else limits.read,
            max_bytes=max_bytes,
        )
        deadline = Deadline(
            None if timeout is None else self._clock() + timeout, self._clock
        )
        return downloader.download(
            url,
            path,
            overwrite=overwrite,
            on_progress=on_progress,
            chunk_size=chunk_size,
            deadline=deadline,
        )


_MAX_SEARCHED = 1 << 20
"""How much of a body :func:`_task_id_in` searches."""


def _task_id_in(raw: bytes, field: str) -> str | None:
    """The task id in a body that could not be parsed as the spec says."""
    found = dig(loads(raw), field)
    if isinstance(found, str | int) and not isinstance(found, bool):
        return str(found) or None
    name = re.escape(field.rsplit(".", 1)[-1].encode())
    match = re.search(
        b'"' + name + rb'"\s{0,16}:\s{0,16}"?([A-Za-z0-9_.:-]{1,128})',
        raw[:_MAX_SEARCHED],
    )
    return match.group(1).decode("ascii") if match else None


def _may_hold(key: Secret, raw: bytes) -> bool:
    """Whether decoded ``raw`` may hold the key: as it is, or JSON-escaped."""
    value = key.value
    if not value:
        return False
    return b"\\" in raw or value.encode() in raw


def _describe(outcome: Outcome) -> str:
    if isinstance(outcome, NoAnswer):
        return f"no answer ({outcome.failure})"
    retry_after = outcome.headers.get("Retry-After")
    suffix = f", Retry-After: {retry_after}" if retry_after else ""
    return f"HTTP {outcome.status}{suffix}"


def _query_string(query: Mapping[str, QueryValue]) -> str:
    """``query`` URL-encoded, names as given, booleans as ``true``/``false``."""
    pairs = [
        (name, ("true" if value else "false") if isinstance(value, bool) else value)
        for name, values in query.items()
        for value in (values if isinstance(values, list) else [values])
    ]
    return urlencode(pairs, quote_via=quote)


def _max_polls(timeout: float, poll_interval: float) -> int:
    """An upper bound on the polls a ``wait()`` makes."""
    return max(int(timeout / poll_interval) + 2, 1)


def _resolve_base_url(
    api: ApiTables, base_url: str | None, source: str = "base_url"
) -> str:
    """The base URL for a URL, a host name from the spec's hosts, or ``None``;
    ``source`` is where ``base_url`` came from (the argument, or the
    environment variable), which an error names."""
    if base_url is None:
        return api.base_url.rstrip("/")
    hosts = api.hosts
    if base_url in hosts:
        return hosts[base_url].rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        names = ", ".join(hosts) or "none"
        raise ValueError(
            f"{source} {base_url!r} is neither an http(s) URL nor a host name "
            f"(known hosts: {names})"
        )
    return base_url.rstrip("/")


def task_reader(api: ApiTables) -> str | None:
    """The client method that reads one task (the spec's ``get`` operation),
    which a :class:`WaitTimeout` message points to."""
    found = (op.id for op in api.operations.values() if op.task == "get")
    return next((name.replace("-", "_") for name in found), None)


def task_results(spec: Tasks, task_id: str, task: object) -> list[Any]:
    """The results of a task that succeeded: its ``results_field``, as a list.

    A task body without the field (or a spec without one) gives no results;
    a value of another type than a list (kept as sent when the response was
    read) raises :class:`UnexpectedResponseError` naming the field, with the
    task on ``.task``.
    """
    if spec.results_field is None:
        return []
    value = getattr(task, spec.results_field, None)
    if value is None:
        return []
    if not isinstance(value, list):
        raise UnexpectedResponseError(
            f"task {task_id} succeeded, but its {spec.results_field!r} is"
            f" {type(value).__name__}, not a list; the task is on this error's .task",
            status=200,
            raw=b"",
            task=task,
        )
    return list(value)


def _size_of(data: bytes | JsonBody | None) -> int:
    """The size in bytes of a request body about to be sent."""
    if data is None:
        return 0
    return len(data) if isinstance(data, bytes) else data.length


class Polling(Generic[TaskT]):
    """Where a ``wait()`` stands, for the blocking and the asyncio clients.

    Made with ``wait()``'s arguments (checked by :func:`check_wait`), it
    bounds the polls (:meth:`rounds`), notes each answer (:meth:`changed`,
    :meth:`ended`), says how long to pause before the next poll
    (:meth:`pause`) and gives the :class:`WaitTimeout` the wait ends in.
    """

    def __init__(
        self,
        api: ApiTables,
        task_id: str,
        timeout: float,
        poll_interval: float,
        max_interval: float,
        clock: Callable[[], float],
    ) -> None:
        self.task_id = check_wait(task_id, timeout, poll_interval, max_interval)
        self.spec = api.require_tasks()
        self.reader = task_reader(api)
        self.timeout = timeout
        self.deadline = clock() + timeout
        """When the wait ends, on ``clock``."""
        self._clock = clock
        self._interval = poll_interval
        self._max_interval = max_interval
        self._polls = _max_polls(timeout, poll_interval)
        self._seen: object = _NOT_SEEN
        self._task: TaskT | None = None

    def rounds(self) -> range:
        """An upper bound on the polls: one round each."""
        return range(self._polls)

    def check_time(self, error: APITimeoutError) -> None:
        """After a poll that timed out: :class:`WaitTimeout` if it was the
        wait's deadline that cut it (else the caller re-raises ``error``).

        :raises WaitTimeout: from ``error``.
        """
        if self._clock() >= self.deadline:
            raise self.timeout_error() from error

    def changed(
        self, task: TaskT, debug: Callable[[str, object, object], None]
    ) -> bool:
        """Note an answer; whether its state is new (logged through ``debug``)."""
        self._task = task
        state = getattr(task, self.spec.state_field, None)
        if state == self._seen:
            return False
        debug("task %s: %s", self.task_id, state)
        self._seen = state
        return True

    def ended(self, task: TaskT) -> list[Any] | None:
        """The task's results once it succeeded; ``None`` while it runs.

        :raises TaskFailed: it failed.
        """
        state = getattr(task, self.spec.state_field, None)
        return task_ended(self.spec, self.task_id, task, state)

    def pause(self) -> float | None:
        """Seconds to pause before the next poll (each pause longer, up to
        ``max_interval``), or ``None``: the deadline has passed."""
        remaining = self.deadline - self._clock()
        if remaining <= 0:
            return None
        pause = min(self._interval, remaining)
        self._interval = min(self._interval * 1.5, self._max_interval)
        return pause

    def timeout_error(self) -> WaitTimeout:
        """The error of a wait that ran out of time, with the last task read."""
        return WaitTimeout(self.task_id, self.timeout, self._task, reader=self.reader)


def check_wait(
    task_id: str, timeout: float, poll_interval: float, max_interval: float
) -> str:
    """The task id to wait for, once ``wait()``'s arguments are known good;
    a ``ValueError`` before anything is sent otherwise (a ``TypeError`` for
    an id that is not text)."""
    if task_id is None:
        raise ValueError(
            "wait: task_id is None: pass the task id a create's response gave"
            " (a response without one carries none to wait for)"
        )
    if not isinstance(task_id, str):
        raise TypeError(f"wait: task_id must be a str, got {type(task_id).__name__}")
    if not task_id:
        raise ValueError(
            "wait: task_id is empty: pass the task id a create's response gave"
        )
    if not timeout > 0:
        raise ValueError(
            f"wait: timeout={timeout!r}: give a positive number of seconds"
        )
    if not 0 < poll_interval <= max_interval:
        raise ValueError(
            f"wait: poll_interval={poll_interval!r}, max_interval={max_interval!r}:"
            " need 0 < poll_interval <= max_interval"
        )
    return task_id


def task_ended(
    spec: Tasks, task_id: str, task: object, state: object
) -> list[Any] | None:
    """A polled task's end: its results once it succeeded, :class:`TaskFailed`
    once it failed, ``None`` while it runs."""
    if isinstance(state, str) and state in spec.success:
        return task_results(spec, task_id, task)
    if isinstance(state, str) and state in spec.failure:
        code = text(getattr(task, spec.error_code_field, None))
        raise TaskFailed(task_id, code, task)
    return None
