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
            if max_retries < 0:
                raise ValueError(f"max_retries must be at least 0: {max_retries!r}")
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


def _check_headers(headers: Mapping[str, str], protected: str) -> None:
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise ValueError(f"extra_headers: names and values must be text: {name!r}")
        if protected and name.lower() == protected.lower():
            raise ValueError(
                f"extra_headers may not set {name}: it carries the API key; "
                "pass api_key= to the client instead"
            )
        if any(char in "\r\n" for char in name + value):
            raise ValueError(f"extra_headers: {name!r} holds a line break")
