"""Raw access to an answer: status, headers and body, parsed on demand."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class RawResponse(Generic[T]):
    """An answer as it came: ``status``, ``headers`` and ``body`` (bytes).

    Header names are lower-case; the API key is hidden in the headers and
    the body even when the server echoes it. :meth:`parse` gives the typed
    model the operation's method returns (the key hidden in it as well),
    raising what that method would
    (an :class:`UnexpectedResponseError` for a body the spec does not
    describe); it parses once and keeps the result.
    """

    __slots__ = ("_parse", "_parsed", "body", "headers", "status")

    def __init__(
        self,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        parse: Callable[[], T],
    ) -> None:
        self.status = status
        self.headers: Mapping[str, str] = headers
        self.body = body
        self._parse = parse
        self._parsed: tuple[T] | None = None

    def parse(self) -> T:
        """The typed model of the body."""
        if self._parsed is None:
            self._parsed = (self._parse(),)
        return self._parsed[0]

    def __repr__(self) -> str:
        return f"<RawResponse status={self.status} body={len(self.body)} bytes>"
