"""How a client's calls are made: the value ``with_options`` and per-call keywords change."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import urllib3

from ._deadlines import Limits
from .retry import RetryPolicy


@attrs.frozen
class Options:
    """The time limit, retry policy, size limit and extras of a client's calls.

    ``extra_headers`` are sent with every request; ``extra_body`` fields are
    merged into every JSON body (fields the spec does not know yet).
    """

    timeout: float | urllib3.Timeout
    limits: Limits
    retry: RetryPolicy
    max_response_bytes: int
    extra_headers: Mapping[str, str] = attrs.field(factory=dict)
    extra_body: Mapping[str, object] = attrs.field(factory=dict)

    @classmethod
    def of(
        cls,
        timeout: float | urllib3.Timeout,
        retry: RetryPolicy,
        max_response_bytes: int,
    ) -> Options:
        """The options of a new client.

        :raises ValueError: a timeout or size limit that is not positive.
        """
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        return cls(timeout, Limits.of(timeout), retry, max_response_bytes)

    def but(
        self,
        *,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
        protected: str = "",
    ) -> Options:
        """These options with the given ones changed (``None``: kept).

        ``extra_headers`` and ``extra_body`` add to those already set.

        :raises ValueError: a header named ``protected`` (the API key's,
            which only ``api_key=`` sets), a header name or value that is
            not text, or a bad timeout or retry count.
        """
        changed = self
        if timeout is not None:
            changed = attrs.evolve(changed, timeout=timeout, limits=Limits.of(timeout))
        if max_retries is not None:
            check_max_retries(max_retries)
            changed = attrs.evolve(
                changed, retry=attrs.evolve(changed.retry, max_retries=max_retries)
            )
        if extra_headers:
            _check_headers(extra_headers, protected)
            changed = attrs.evolve(
                changed, extra_headers={**changed.extra_headers, **extra_headers}
            )
        if extra_body:
            for name in extra_body:
                if not isinstance(name, str):
                    raise ValueError(f"extra_body keys must be text: {name!r}")
            changed = attrs.evolve(
                changed, extra_body={**changed.extra_body, **extra_body}
            )
        return changed


_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
"""The characters of an HTTP header name (an RFC 7230 ``token``)."""

RESERVED_HEADERS = frozenset(
    {"content-length", "transfer-encoding", "host", "connection"}
)
"""Headers the client sets itself (framing and the request's target), which
``extra_headers`` may not name (lower-case)."""


def check_max_retries(value: int) -> None:
    """Refuse a negative ``max_retries`` (the constructor, :meth:`Options.but`).

    :raises ValueError: saying what it must be.
    """
    if value < 0:
        raise ValueError(f"max_retries must be at least 0: {value!r}")


def _check_headers(headers: Mapping[str, str], protected: str) -> None:
    """Check ``extra_headers`` before anything is sent.

    :raises ValueError: a name that is not an RFC 7230 token (a space, a tab
        or a colon in it, say), one naming the API key's header
        (``protected``), a header the client sets itself
        (:data:`RESERVED_HEADERS`) or one meant for a proxy (``Proxy-*``,
        such as ``Proxy-Authorization``: a proxy's credentials go in its
        URL), or a value that is not text, holds CR, LF
        or NUL, or cannot be encoded in Latin-1; the message names the header.
    """
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError(f"extra_headers: names and values must be text: {name!r}")
        if not name or not _TOKEN_CHARS.issuperset(name):
            raise ValueError(
                f"extra_headers: {name!r} is not a header name (letters, digits "
                "and !#$%&'*+-.^_`|~ only: no space, tab, colon or line break)"
            )
        lower = name.lower()
        if protected and lower == protected.lower():
            raise ValueError(
                f"extra_headers may not set {name}: it carries the API key; "
                "pass api_key= to the client instead"
            )
        if lower.startswith("proxy-"):
            raise ValueError(
                f"extra_headers may not set {name}: it is meant for a proxy, and "
                "would reach the service when none is used. A proxy's "
                "credentials belong in its URL (HTTPS_PROXY / HTTP_PROXY="
                "http://user:password@host:port), or in the proxy_headers of a "
                "urllib3.ProxyManager passed as pool="
            )
        if lower in RESERVED_HEADERS:
            where = " from base_url" if lower == "host" else ""
            raise ValueError(
                f"extra_headers may not set {name}: the client sets it itself{where}"
            )
        if any(char in "\r\n\0" for char in value):
            raise ValueError(
                f"extra_headers: the value of {name} holds a line break or NUL"
            )
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise ValueError(
                f"extra_headers: the value of {name} has a character outside "
                "Latin-1, which a header cannot carry (percent-encode it)"
            ) from None
