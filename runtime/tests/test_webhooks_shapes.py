"""Callback signing and checking with a signature scheme unlike the bundled spec's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from specgen_runtime.tables import Signature
from specgen_runtime.webhooks import (
    InvalidWebhookBody,
    NonceCache,
    Webhooks,
    WebhookVerificationError,
)

SCHEME = Signature(
    algorithm="hmac-sha512",
    access_key="notes-callbacks",
    date_header="X-Sent-At",
    nonce_header="X-Once",
    signed_headers_header="X-Signed",
    signature_header="X-Mac",
    algorithm_header="X-Mac-Algorithm",
    access_key_header="X-Mac-Key",
)
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
URL = "https://app.example/hooks/notes?id=7"


@attrs.frozen
class Event:
    kind: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        kind = data["kind"]
        if not isinstance(kind, str):
            raise TypeError("kind must be a string")
        return cls(kind)


HOOKS = Webhooks(SCHEME, Event.from_json)


def test_a_signed_callback_verifies_and_parses() -> None:
    headers = HOOKS.signed_headers("POST", URL, "secret", date=NOW, nonce="n-1")
    assert set(headers) == {
        "X-Sent-At",
        "X-Once",
        "X-Signed",
        "X-Mac",
        "X-Mac-Algorithm",
        "X-Mac-Key",
    }
    assert headers["X-Mac-Algorithm"] == "hmac-sha512"
    event = HOOKS.verify_and_parse(
        "POST", URL, headers, b'{"kind": "saved"}', "secret", now=NOW
    )
    assert event == Event("saved")


def test_header_names_match_whatever_their_case() -> None:
    headers = HOOKS.signed_headers("POST", URL, "secret", date=NOW, nonce="n-2")
    lowered = {name.lower(): value for name, value in headers.items()}
    HOOKS.verify("POST", URL, lowered, "secret", now=NOW, nonces=NonceCache())


def test_the_wrong_secret_a_stale_date_and_a_replay_are_refused() -> None:
    headers = HOOKS.signed_headers("POST", URL, "secret", date=NOW, nonce="n-3")
    with pytest.raises(WebhookVerificationError, match="signature mismatch"):
        HOOKS.verify("POST", URL, headers, "other", now=NOW)
    with pytest.raises(WebhookVerificationError, match="stale X-Sent-At"):
        HOOKS.verify("POST", URL, headers, "secret", now=NOW + timedelta(hours=1))
    nonces = NonceCache()
    HOOKS.verify("POST", URL, headers, "secret", now=NOW, nonces=nonces)
    with pytest.raises(WebhookVerificationError, match="replayed nonce"):
        HOOKS.verify("POST", URL, headers, "secret", now=NOW, nonces=nonces)


def test_a_body_of_the_wrong_shape_is_an_invalid_webhook_body() -> None:
    with pytest.raises(InvalidWebhookBody):
        HOOKS.parse(b"[1, 2]")
    with pytest.raises(InvalidWebhookBody):
        HOOKS.parse(b'{"kind": 5}')
    with pytest.raises(InvalidWebhookBody):
        HOOKS.parse(b"\xff")
