"""Callback signing and checking with a signature scheme unlike the bundled spec's."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import hypothesis
import pytest
from hypothesis import strategies as st
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


def test_an_empty_secret_is_refused() -> None:
    headers = HOOKS.signed_headers("POST", URL, "secret", date=NOW, nonce="n-1")
    for empty in ("", b""):
        with pytest.raises(WebhookVerificationError, match="secret is empty"):
            HOOKS.verify("POST", URL, headers, empty, now=NOW)
        with pytest.raises(WebhookVerificationError, match="secret is empty"):
            HOOKS.sign("POST", URL, headers, empty)


def test_header_names_match_in_any_case_and_the_nonce_cache_keys_on_the_signed_value() -> (
    None
):
    headers = HOOKS.signed_headers("POST", URL, "secret", date=NOW, nonce="n-1")
    lowered = {name.lower(): value for name, value in headers.items()}
    nonces = NonceCache()
    HOOKS.verify("POST", URL, lowered, "secret", now=NOW, nonces=nonces)
    # the same nonce under another case of the header name is a replay
    upper = {name.upper(): value for name, value in headers.items()}
    with pytest.raises(WebhookVerificationError, match="replayed nonce"):
        HOOKS.verify("POST", URL, upper, "secret", now=NOW, nonces=nonces)


def test_a_header_given_twice_in_two_cases_is_refused() -> None:
    headers = HOOKS.signed_headers("POST", URL, "secret", date=NOW, nonce="n-1")
    # the signature covers "n-1"; a second copy would put "n-2" in the cache
    smuggled = {**headers, "x-once": "n-2"}
    with pytest.raises(WebhookVerificationError, match="X-Once given twice"):
        HOOKS.verify("POST", URL, smuggled, "secret", now=NOW, nonces=NonceCache())
    same = {**headers, "x-once": "n-1"}
    HOOKS.verify("POST", URL, same, "secret", now=NOW, nonces=NonceCache())


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    body=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=20,
        ).map(lambda value: json.dumps(value).encode()),
        st.dictionaries(st.text(max_size=8), st.integers() | st.text(), max_size=4),
        st.integers(),
        st.none(),
    )
)
def test_parse_raises_only_invalid_webhook_body(body: Any) -> None:
    with contextlib.suppress(InvalidWebhookBody):
        HOOKS.parse(body)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"kind": ' + b"9" * 100_000 + b"}",
        b"\xff\xfe\x00",
        "\ud800",
        b'{"kind": 1}',
        bytearray(b'{"kind": "x"}'),
    ],
    ids=[
        "deep",
        "huge-integer",
        "not-utf8",
        "lone-surrogate",
        "wrong-type",
        "bytearray",
    ],
)
def test_parse_of_hostile_bodies(body: Any) -> None:
    with contextlib.suppress(InvalidWebhookBody):
        assert HOOKS.parse(body) == Event("x")
