"""When the client sends a request again, and how long it waits first."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from typing import ClassVar, Literal

import attrs

Failure = Literal["connect", "read_timeout", "dropped"]
"""Why no answer came: ``"connect"``, the connection failed, so the request was
never sent; ``"read_timeout"``, it was sent and no answer came in time;
``"dropped"``, the connection broke after the request may have been sent."""


@attrs.frozen
class RetryPolicy:
    """When to send a request again, and how long to wait first.

    Retried, up to ``max_retries`` times:

    * a connection that could not be made (the request was never sent), for
      every operation;
    * a dropped connection or a read timeout, only for idempotent operations
      (:attr:`Operation.idempotent`): the request may have reached the
      service, and sending a create again would create and bill a second task;
    * the statuses in :attr:`STATUSES` for idempotent operations, and only
      those in :attr:`UNPROCESSED` (which say the request was not acted on)
      for the others: a 502 or 504 comes from a gateway that may well have
      passed the request on.

    The wait before retry ``n`` (0 for the first) is the ``Retry-After``
    header when the answer has one (seconds or an HTTP date, at most
    ``retry_after_cap``), else "full jitter": a random fraction of
    ``min(max_backoff, backoff * 2**n)``.
    """

    STATUSES: ClassVar[frozenset[int]] = frozenset({429, 502, 503, 504})
    """Answers worth retrying: rate limited, or the service is briefly away."""
    UNPROCESSED: ClassVar[frozenset[int]] = frozenset({429, 503})
    """Answers that say the request was turned away before anything happened."""

    max_retries: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    backoff: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    max_backoff: float = attrs.field(default=8.0, validator=attrs.validators.ge(0))
    retry_after_cap: float = attrs.field(default=60.0, validator=attrs.validators.ge(0))
    jitter: Callable[[], float] = attrs.field(
        default=random.random, repr=False, eq=False
    )
    """A random number in ``[0, 1)``; replace it to make delays predictable."""
    now: Callable[[], float] = attrs.field(default=time.time, repr=False, eq=False)
    """The wall clock, to turn a ``Retry-After`` date into seconds."""

    def retries_status(self, status: int, *, idempotent: bool) -> bool:
        """Whether an answer with ``status`` may be retried."""
        return status in (self.STATUSES if idempotent else self.UNPROCESSED)

    def retries_failure(self, failure: Failure, *, idempotent: bool) -> bool:
        """Whether a request that got no answer may be sent again."""
        return failure == "connect" or idempotent

    def delay(self, retry: int, retry_after: str | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first)."""
        asked = parse_retry_after(retry_after, now=self.now())
        if asked is not None:
            return min(asked, self.retry_after_cap)
        ceiling = min(self.max_backoff, self.backoff * 2.0**retry)
        return self.jitter() * ceiling


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for, or ``None`` if it says nothing.

    The header holds either a number of seconds or an HTTP date; a date in the
    past means "now" (0). ``now`` is the current Unix time (default: the
    system clock).
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, time.time() if now is None else now)
    return max(seconds, 0.0) if seconds == seconds else None  # NaN says nothing


def _seconds_until(http_date: str, now: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": a date in UTC with no zone given
        return None
    return max(when.timestamp() - now, 0.0)
