"""Verify the callbacks the service sends, and read their bodies.

When a task created with a ``callback_url`` changes state, the service POSTs
the task body to that URL and signs the request with HMAC; the key is the API
key that created the task. Check the signature before trusting the body::

    from <package> import webhooks   # this module's Webhooks, bound to the spec

    nonces = webhooks.NonceCache()  # refuses a callback sent twice

    def handle(method, url, headers, body):
        webhooks.verify(method, url, headers, api_key, nonces=nonces)
        task = webhooks.parse(body)

``url`` is the callback URL the task was created with, or the request target
your web framework saw (``/path?query``): only its path and raw query are
signed. The body is *not* covered by the signature: anyone who can replay
or intercept one signed request can pair its headers with another body. Read
it only after :func:`verify` passed, and fetch the task again (with its id)
before acting on anything it says.

The header names, algorithm and access key come from the spec's ``callback``
section: a generated package binds a :class:`Webhooks` to its
:class:`~.tables.Signature` and callback body class, and exposes its methods
as module functions.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from .batch.marker import unwrap_task
from .errors import BaseError
from .tables import Signature

__all__ = [
    "DEFAULT_TOLERANCE",
    "InvalidWebhookBody",
    "NonceCache",
    "WebhookVerificationError",
    "Webhooks",
    "http_date",
]

BodyT = TypeVar("BodyT")

DEFAULT_TOLERANCE = 300
"""How far (seconds) a callback's ``Date`` may be from now, either way."""


class WebhookVerificationError(BaseError):
    """A callback request failed verification; do not trust it.

    ``reason`` says why, for your logs (never echo it to the caller).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"callback verification failed: {reason}")
        self.reason = reason


class InvalidWebhookBody(BaseError, ValueError):
    """A callback body that is not the JSON object the spec describes."""


def _digest(algorithm: str) -> str:
    """The hashlib name behind an ``hmac-<hash>`` algorithm name."""
    name = algorithm.lower().removeprefix("hmac-")
    if name not in hashlib.algorithms_guaranteed:
        raise ValueError(f"unsupported signature algorithm {algorithm!r}")
    return name


def _key(secret: str | bytes) -> bytes:
    """The HMAC key; an empty one would make every signature forgeable.

    :raises WebhookVerificationError: the secret is empty.
    """
    key = secret.encode() if isinstance(secret, str) else bytes(secret)
    if not key:
        raise WebhookVerificationError(
            "the secret is empty: pass the API key that created the task"
        )
    return key


def _lookup(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name``, matched without regard to case.

    Every header the signature covers and the nonce the cache records are
    read here, so both see the same value.

    :raises WebhookVerificationError: ``headers`` holds the name twice (in
        two cases) with different values: which one was signed is unclear.
    """
    lowered = name.lower()
    found = [value for key, value in headers.items() if key.lower() == lowered]
    if not found:
        return None
    if any(value != found[0] for value in found[1:]):
        raise WebhookVerificationError(
            f"header {name} given twice with different values"
        )
    return found[0]


def _split_url(url: str) -> tuple[str, str]:
    """The path (``/`` when empty) and raw query of a URL or request target."""
    # A request target such as "//x/y" is a path, not a host: only URLs with
    # a scheme go through the URL parser.
    if "://" in url:
        parts = urlsplit(url)
        return parts.path or "/", parts.query
    target = url.split("#", 1)[0]
    path, _, query = target.partition("?")
    return path or "/", query


def http_date(when: datetime) -> str:
    """``when`` as an HTTP date in GMT (naive datetimes are taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return format_datetime(when.astimezone(UTC), usegmt=True)


class NonceCache:
    """The nonces seen recently, to refuse a callback sent twice (a replay).

    Thread-safe and bounded: at most ``max_entries`` nonces are kept, each
    for ``ttl`` seconds (at least as long as its ``Date`` stays acceptable).
    When full, expired entries go first, then the oldest: a flood of valid
    callbacks can push a nonce out early, never grow memory.
    """

    def __init__(
        self, max_entries: int = 10_000, ttl: float = DEFAULT_TOLERANCE
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self.ttl = ttl
        self._expiry: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._expiry)

    def remember(
        self, nonce: str, *, now: float | None = None, until: float | None = None
    ) -> bool:
        """Record ``nonce``; ``False`` if it was seen and has not expired.

        ``now`` is a POSIX timestamp (default: the current time); the nonce is
        kept until ``now + ttl`` or ``until``, whichever is later.
        """
        now = time.time() if now is None else now
        expires = max(now + self.ttl, until if until is not None else now)
        with self._lock:
            seen = self._expiry.get(nonce)
            if seen is not None and seen > now:
                return False
            self._expiry.pop(nonce, None)
            if len(self._expiry) >= self.max_entries:
                self._evict(now)
            self._expiry[nonce] = expires
            return True

    def _evict(self, now: float) -> None:
        for key in [k for k, until in self._expiry.items() if until <= now]:
            del self._expiry[key]
        while len(self._expiry) >= self.max_entries:
            self._expiry.popitem(last=False)


class Webhooks(Generic[BodyT]):
    """Signing, verifying and reading the callbacks of one API.

    ``signature`` is the spec's signature scheme; ``read_body`` turns a
    decoded JSON object into the callback body class (and raises on a body of
    the wrong shape).
    """

    def __init__(
        self, signature: Signature, read_body: Callable[[dict[str, Any]], BodyT]
    ) -> None:
        self.signature = signature
        self.read_body = read_body

    def _signed_names(self, headers: Mapping[str, str]) -> list[str]:
        listed = _lookup(headers, self.signature.signed_headers_header)
        if listed is None:
            raise WebhookVerificationError(
                f"missing header {self.signature.signed_headers_header}"
            )
        return [name.strip() for name in listed.split(";") if name.strip()]

    def signing_string(self, method: str, url: str, headers: Mapping[str, str]) -> str:
        """The text that is signed: method, path, query, access key, Date, headers.

        ::

            METHOD \\n path \\n query \\n access_key \\n Date \\n
            Name:value \\n   (for each header named in the signed-headers header)

        :raises WebhookVerificationError: a header the string needs is missing.
        """
        path, query = _split_url(url)
        date = _lookup(headers, self.signature.date_header)
        if date is None:
            raise WebhookVerificationError(
                f"missing header {self.signature.date_header}"
            )
        lines = [method.upper(), path, query, self.signature.access_key, date]
        text = "".join(line + "\n" for line in lines)
        for name in self._signed_names(headers):
            value = _lookup(headers, name)
            if value is None:
                raise WebhookVerificationError(f"missing header {name} (it is signed)")
            text += f"{name}:{value}\n"
        return text

    def sign(
        self, method: str, url: str, headers: Mapping[str, str], secret: str | bytes
    ) -> str:
        """The base64 signature of a request, as the signature header carries it.

        ``headers`` must hold the ``Date`` header, the signed-headers header and
        every header that one names.
        """
        mac = hmac.new(
            _key(secret),
            self.signing_string(method, url, headers).encode(),
            _digest(self.signature.algorithm),
        )
        return base64.b64encode(mac.digest()).decode("ascii")

    def signed_headers(
        self,
        method: str,
        url: str,
        secret: str | bytes,
        *,
        date: datetime | None = None,
        nonce: str | None = None,
    ) -> dict[str, str]:
        """Every signature header for a request, as the service would send them.

        ``date`` defaults to now and ``nonce`` to a random UUID. Used by the fake
        server; handy to test your own callback endpoint.
        """
        headers = {
            self.signature.date_header: http_date(date or datetime.now(UTC)),
            self.signature.nonce_header: nonce
            if nonce is not None
            else str(uuid.uuid4()),
            self.signature.signed_headers_header: (
                f"{self.signature.date_header};{self.signature.nonce_header}"
            ),
            self.signature.algorithm_header: self.signature.algorithm,
            self.signature.access_key_header: self.signature.access_key,
        }
        headers[self.signature.signature_header] = self.sign(
            method, url, headers, secret
        )
        return headers

    def _parse_date(self, value: str) -> datetime:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            raise WebhookVerificationError(
                f"{self.signature.date_header} header is not an HTTP date: {value!r}"
            ) from None
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)

    def verify(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        secret: str | bytes,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        now: datetime | None = None,
        nonces: NonceCache | None = None,
    ) -> None:
        """Check a callback's signature; return only if it is genuine and fresh.

        ``secret`` is the API key that created the task. Header names are matched
        whatever their case. ``Date`` may be at most ``tolerance`` seconds from
        ``now`` (default: the current time). With ``nonces``, a nonce seen before
        is refused, and the nonce header must be one of the signed headers.

        :raises WebhookVerificationError: naming what is wrong: an empty
            ``secret``, a missing header (or one given twice with different
            values), the algorithm, the access key, a bad, stale or future
            ``Date``, the signature, or a replayed nonce.
        """
        _key(secret)
        for name in (
            self.signature.signature_header,
            self.signature.algorithm_header,
            self.signature.access_key_header,
            self.signature.signed_headers_header,
            self.signature.date_header,
        ):
            if _lookup(headers, name) is None:
                raise WebhookVerificationError(f"missing header {name}")
        algorithm = _lookup(headers, self.signature.algorithm_header) or ""
        if algorithm.strip().lower() != self.signature.algorithm.lower():
            raise WebhookVerificationError(
                f"unsupported algorithm {algorithm!r}: expected {self.signature.algorithm!r}"
            )
        access_key = _lookup(headers, self.signature.access_key_header) or ""
        if not hmac.compare_digest(
            access_key.strip().encode(), self.signature.access_key.encode()
        ):
            raise WebhookVerificationError(
                f"wrong access key {access_key!r}: expected {self.signature.access_key!r}"
            )
        signed = [name.lower() for name in self._signed_names(headers)]
        if nonces is not None and self.signature.nonce_header.lower() not in signed:
            raise WebhookVerificationError(
                f"header {self.signature.nonce_header} is not among the signed headers"
            )
        sent = self._parse_date(_lookup(headers, self.signature.date_header) or "")
        current = now or datetime.now(UTC)
        if current.tzinfo is None:
            current = current.replace(tzinfo=UTC)
        skew = (current - sent).total_seconds()
        if skew > tolerance:
            raise WebhookVerificationError(
                f"stale {self.signature.date_header}: sent {skew:.0f} s ago, more than {tolerance:g} s"
            )
        if -skew > tolerance:
            raise WebhookVerificationError(
                f"{self.signature.date_header} is {-skew:.0f} s in the future, more than {tolerance:g} s"
            )
        expected = self.sign(method, url, headers, secret)
        given = (_lookup(headers, self.signature.signature_header) or "").strip()
        try:
            given_raw = base64.b64decode(given, validate=True)
        except (binascii.Error, ValueError):
            given_raw = b""
        if not hmac.compare_digest(given_raw, base64.b64decode(expected)):
            raise WebhookVerificationError("signature mismatch")
        if nonces is not None:
            nonce = _lookup(headers, self.signature.nonce_header) or ""
            until = sent.timestamp() + tolerance
            if not nonces.remember(nonce, now=current.timestamp(), until=until):
                raise WebhookVerificationError(f"replayed nonce {nonce!r}")

    def parse(self, body: bytes | str | Mapping[str, Any]) -> BodyT:
        """Read a callback body into the spec's callback class.

        Fields the spec does not know are ignored; a state the package does not
        know is kept as a plain string. A ``payload`` a batch job marked
        comes back as its user set it (:func:`.batch.marker.unwrap`).

        :raises InvalidWebhookBody: the body is not a JSON object of that shape.
        """
        try:
            if isinstance(body, Mapping):
                data: object = dict(body)
            elif isinstance(body, bytes | bytearray | memoryview | str):
                data = json.loads(bytes(body) if isinstance(body, memoryview) else body)
            else:
                raise InvalidWebhookBody(
                    f"callback body is a {type(body).__name__}, not bytes, str "
                    "or a mapping"
                )
        except RecursionError:
            raise InvalidWebhookBody("callback body is nested too deeply") from None
        except ValueError as exc:  # not UTF-8, not JSON, an integer too long
            raise InvalidWebhookBody(f"callback body is not JSON: {exc}") from None
        except InvalidWebhookBody:
            raise
        except Exception as exc:  # a mapping that cannot be copied
            raise InvalidWebhookBody(f"callback body cannot be read: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidWebhookBody(
                f"callback body is a JSON {type(data).__name__}, not an object"
            )
        try:
            return unwrap_task(self.read_body(data))
        except Exception as exc:  # cattrs reports shape errors in several classes
            raise InvalidWebhookBody(
                f"callback body has the wrong shape: {exc}"
            ) from None

    def verify_and_parse(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | str,
        secret: str | bytes,
        *,
        tolerance: float = DEFAULT_TOLERANCE,
        now: datetime | None = None,
        nonces: NonceCache | None = None,
    ) -> BodyT:
        """:func:`verify` the request, then :func:`parse` its body."""
        self.verify(
            method, url, headers, secret, tolerance=tolerance, now=now, nonces=nonces
        )
        return self.parse(body)
