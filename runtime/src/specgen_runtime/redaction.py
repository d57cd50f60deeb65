"""Keeping the API key out of logs, errors and ``repr``."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import InvalidAPIKey
from .tables import Auth

REDACTED = "***"
"""What stands in for the key."""


def redact(headers: Mapping[str, str], auth: Auth) -> dict[str, str]:
    """``headers`` with the API key's header (``auth.header``) hidden."""
    secret = auth.header.lower()
    hidden = f"{auth.scheme} {REDACTED}" if auth.scheme else REDACTED
    return {
        name: hidden if name.lower() == secret else value
        for name, value in headers.items()
    }


def check_key(value: str, source: str = "the API key") -> None:
    """Refuse a key that cannot travel in an HTTP header as it is.

    A control character (such as the newline a file read leaves at the end),
    a space at either end or a character outside Latin-1 would be refused
    by the HTTP library with a message quoting the whole header. The
    message here says where the fault is, never what the key is.

    :raises InvalidAPIKey: naming the problem and its position.
    """
    where = f"{source} ({len(value)} characters)"
    for index, char in enumerate(value):
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            raise InvalidAPIKey(
                f"{where} has a control character (U+{code:04X}) at position "
                f"{index + 1}; remove it (a trailing newline from a file?)"
            )
        if code > 0xFF:
            raise InvalidAPIKey(
                f"{where} has a character outside Latin-1 at position "
                f"{index + 1}; an API key is plain ASCII"
            )
    if value != value.strip():
        raise InvalidAPIKey(f"{where} starts or ends with a space; remove it")


class Secret:
    """The API key, kept out of every ``repr``."""

    __slots__ = ("value",)

    MIN_SCRUBBED = 6
    """Shorter keys are not searched for in text: they would mangle it."""

    def __init__(self, value: str | None) -> None:
        self.value = value or None

    def __repr__(self) -> str:
        return "<set>" if self.value else "<missing>"

    def _searched(self) -> str | None:
        value = self.value
        return value if value and len(value) >= self.MIN_SCRUBBED else None

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the key hidden."""
        value = self._searched()
        return text.replace(value, REDACTED) if value else text

    def scrub_bytes(self, raw: bytes) -> bytes:
        """``raw`` with every occurrence of the key hidden."""
        value = self._searched()
        return raw.replace(value.encode(), REDACTED.encode()) if value else raw

    def scrub_json(self, value: object) -> object:
        """A decoded JSON value with the key hidden in every string and key.

        The value must be nested no deeper than the recursion limit allows
        (the client refuses deeper answers before they get here).
        """
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {
                self.scrub(str(key)): self.scrub_json(item)
                for key, item in value.items()
            }
        return value

    def scrub_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """``headers`` with lower-case names and the key hidden in every value."""
        return {self.scrub(k.lower()): self.scrub(v) for k, v in headers.items()}
