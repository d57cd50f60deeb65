"""Keeping the API key out of logs, errors and ``repr``."""

from __future__ import annotations

from collections.abc import Mapping

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
        """A decoded JSON value with the key hidden in every string."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        return value
