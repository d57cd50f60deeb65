"""``vidu.webhooks``: signing and verifying the service's callbacks.

The vectors are those of the facts file (§4.4): the documented example's
signing string and three signatures computed independently of this code.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from specgen_runtime.convert import ResponseWarning
from vidu import TaskCreations, TaskState, webhooks
from vidu import ViduError as BaseError
from vidu.tables import CALLBACK

SIG = CALLBACK.signature
DOC_URL = "http://127.0.0.1:8080/vidu/callback?name=james&age=36"
DOC_DATE = "Tue, 06 May 2025 12:09:42 GMT"
DOC_NONCE = "123e4567-e89b-12d3-a456-426614174000"
DOC_HEADERS = {
    "Date": DOC_DATE,
    "x-request-nonce": DOC_NONCE,
    "X-HMAC-SIGNED-HEADERS": "Date;x-request-nonce",
}
DOC_SIGNING_STRING = (
    "POST\n/vidu/callback\nname=james&age=36\nvidu\n"
    f"{DOC_DATE}\nDate:{DOC_DATE}\nx-request-nonce:{DOC_NONCE}\n"
)
DOC_NOW = datetime(2025, 5, 6, 12, 10, 0, tzinfo=UTC)
SECRET = "your_api_key"


def doc_request() -> dict[str, str]:
    """The documented example with every signature header, correctly signed."""
    return webhooks.signed_headers(
        "POST",
        DOC_URL,
        SECRET,
        date=datetime(2025, 5, 6, 12, 9, 42, tzinfo=UTC),
        nonce=DOC_NONCE,
    )


def reason_of(headers: dict[str, str], **kwargs: object) -> str:
    """The reason ``verify`` refuses the request with."""
    method = str(kwargs.pop("method", "POST"))
    url = str(kwargs.pop("url", DOC_URL))
    kwargs.setdefault("now", DOC_NOW)
    with pytest.raises(webhooks.WebhookVerificationError) as caught:
        webhooks.verify(method, url, headers, SECRET, **kwargs)  # type: ignore[arg-type]
    return caught.value.reason


# -- the vectors ---------------------------------------------------------------


def test_signing_string_matches_the_documented_example() -> None:
    assert webhooks.signing_string("POST", DOC_URL, DOC_HEADERS) == DOC_SIGNING_STRING


@pytest.mark.parametrize(
    ("secret", "url", "expected"),
    [
        ("your_api_key", DOC_URL, "me5fyGNWmH9tOAZCBE7EAQrooNkITAisgLb3FrSOWeM="),
        ("test-secret-key", DOC_URL, "9JZa1ZLjkWVos5QQzjjviqAsFE1L9yQw/LsnAXZFIjo="),
        (
            "your_api_key",
            "http://127.0.0.1:8080",
            "sZSJ/bkbkMdEqrQ3KM2iht0D+SpCt3H3S9TYol4VLd4=",
        ),
    ],
)
def test_sign_matches_the_facts_vectors(secret: str, url: str, expected: str) -> None:
    assert webhooks.sign("POST", url, DOC_HEADERS, secret) == expected


def test_empty_path_signs_as_slash() -> None:
    text = webhooks.signing_string("post", "http://127.0.0.1:8080", DOC_HEADERS)
    assert text.startswith("POST\n/\n\nvidu\n")


def test_request_target_signs_like_the_full_url() -> None:
    target = "/vidu/callback?name=james&age=36"
    assert webhooks.sign("POST", target, DOC_HEADERS, SECRET) == webhooks.sign(
        "POST", DOC_URL, DOC_HEADERS, SECRET
    )


def test_signed_headers_reproduce_the_documented_signature() -> None:
    headers = doc_request()
    assert headers[SIG.date_header] == DOC_DATE
    assert headers[SIG.signed_headers_header] == "Date;x-request-nonce"
    assert headers[SIG.algorithm_header] == "hmac-sha256"
    assert headers[SIG.access_key_header] == "vidu"
    assert (
        headers[SIG.signature_header] == "me5fyGNWmH9tOAZCBE7EAQrooNkITAisgLb3FrSOWeM="
    )


# -- verify: accepted ------------------------------------------------------------


def test_a_genuine_callback_verifies() -> None:
    webhooks.verify("POST", DOC_URL, doc_request(), SECRET, now=DOC_NOW)


def test_header_names_match_whatever_their_case() -> None:
    lowered = {k.lower(): v for k, v in doc_request().items()}
    webhooks.verify("POST", DOC_URL, lowered, SECRET, now=DOC_NOW)
    upper = {k.upper(): v for k, v in doc_request().items()}
    webhooks.verify("POST", DOC_URL, upper, SECRET, now=DOC_NOW)


def test_default_date_and_nonce_verify_against_the_real_clock() -> None:
    headers = webhooks.signed_headers("POST", "http://localhost/cb", b"key")
    webhooks.verify("POST", "http://localhost/cb", headers, b"key")
    assert headers[SIG.nonce_header]


@settings(max_examples=50, deadline=None)
@given(
    secret=st.text(min_size=1, max_size=40),
    path=st.text(alphabet="abcXYZ019-_/.~%", max_size=30),
    query=st.text(alphabet="abc=&%+19", max_size=30),
    nonce=st.text(alphabet="0123456789abcdef-", min_size=1, max_size=36),
)
def test_sign_then_verify_round_trips(
    secret: str, path: str, query: str, nonce: str
) -> None:
    url = f"http://127.0.0.1:9/{path}" + (f"?{query}" if query else "")
    headers = webhooks.signed_headers("POST", url, secret, nonce=nonce, date=DOC_NOW)
    webhooks.verify("POST", url, headers, secret, now=DOC_NOW)


# -- verify: refused -------------------------------------------------------------


def test_the_error_is_one_of_the_packages_errors() -> None:
    assert issubclass(webhooks.WebhookVerificationError, BaseError)


@pytest.mark.parametrize(
    "name",
    [
        SIG.signature_header,
        SIG.algorithm_header,
        SIG.access_key_header,
        SIG.signed_headers_header,
        SIG.date_header,
        SIG.nonce_header,
    ],
)
def test_a_missing_header_is_named(name: str) -> None:
    headers = {k: v for k, v in doc_request().items() if k != name}
    reason = reason_of(headers)
    assert "missing header" in reason
    assert name in reason


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Date", "Tue, 06 May 2025 12:09:43 GMT"),
        ("x-request-nonce", "123e4567-e89b-12d3-a456-426614174001"),
    ],
)
def test_a_tampered_signed_header_breaks_the_signature(name: str, value: str) -> None:
    headers = {**doc_request(), name: value}
    assert reason_of(headers) == "signature mismatch"


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("PUT", DOC_URL),
        ("POST", "http://127.0.0.1:8080/vidu/callbacK?name=james&age=36"),
        ("POST", "http://127.0.0.1:8080/vidu/callback?name=james&age=37"),
        ("POST", "http://127.0.0.1:8080/vidu/callback"),
    ],
)
def test_another_method_path_or_query_breaks_the_signature(
    method: str, url: str
) -> None:
    assert reason_of(doc_request(), method=method, url=url) == "signature mismatch"


def test_another_secret_breaks_the_signature() -> None:
    with pytest.raises(webhooks.WebhookVerificationError, match="signature mismatch"):
        webhooks.verify("POST", DOC_URL, doc_request(), "other-key", now=DOC_NOW)


@pytest.mark.parametrize(
    "signature", ["", "not base64!", "me5fyGNWmH9tOAZCBE7EAQrooNkITAisgLb3FrSOWeQ="]
)
def test_a_forged_signature_is_refused(signature: str) -> None:
    headers = {**doc_request(), SIG.signature_header: signature}
    assert reason_of(headers) == "signature mismatch"


def test_a_stale_date_is_refused() -> None:
    reason = reason_of(doc_request(), now=DOC_NOW + timedelta(seconds=301))
    assert reason.startswith("stale Date")


def test_a_date_in_the_future_is_refused() -> None:
    reason = reason_of(doc_request(), now=DOC_NOW - timedelta(seconds=400))
    assert "in the future" in reason


def test_the_tolerance_is_configurable() -> None:
    later = DOC_NOW + timedelta(seconds=100)
    webhooks.verify("POST", DOC_URL, doc_request(), SECRET, now=later)
    assert reason_of(doc_request(), now=later, tolerance=60).startswith("stale")


def test_a_date_that_is_not_an_http_date_is_refused() -> None:
    headers = {**doc_request(), "Date": "yesterday"}
    assert "not an HTTP date" in reason_of(headers)


def test_a_wrong_algorithm_is_refused() -> None:
    headers = {**doc_request(), SIG.algorithm_header: "hmac-sha1"}
    assert "unsupported algorithm 'hmac-sha1'" in reason_of(headers)


def test_a_wrong_access_key_is_refused() -> None:
    headers = {**doc_request(), SIG.access_key_header: "someone"}
    assert "wrong access key 'someone'" in reason_of(headers)


def test_a_listed_header_that_is_missing_is_named() -> None:
    headers = {
        **doc_request(),
        SIG.signed_headers_header: "Date;x-request-nonce;X-Extra",
    }
    assert reason_of(headers) == "missing header X-Extra (it is signed)"


# -- replay protection -----------------------------------------------------------


def test_a_replayed_nonce_is_refused() -> None:
    nonces = webhooks.NonceCache()
    webhooks.verify("POST", DOC_URL, doc_request(), SECRET, now=DOC_NOW, nonces=nonces)
    assert reason_of(doc_request(), nonces=nonces) == f"replayed nonce {DOC_NONCE!r}"


def test_a_forged_request_does_not_burn_its_nonce() -> None:
    nonces = webhooks.NonceCache()
    forged = {**doc_request(), SIG.signature_header: "AAAA"}
    assert reason_of(forged, nonces=nonces) == "signature mismatch"
    webhooks.verify("POST", DOC_URL, doc_request(), SECRET, now=DOC_NOW, nonces=nonces)


def test_with_a_nonce_cache_the_nonce_must_be_signed() -> None:
    headers = {**DOC_HEADERS, SIG.signed_headers_header: "Date"}
    headers.update(
        {
            SIG.algorithm_header: "hmac-sha256",
            SIG.access_key_header: "vidu",
        }
    )
    headers[SIG.signature_header] = webhooks.sign("POST", DOC_URL, headers, SECRET)
    webhooks.verify("POST", DOC_URL, headers, SECRET, now=DOC_NOW)
    reason = reason_of(headers, nonces=webhooks.NonceCache())
    assert reason == "header x-request-nonce is not among the signed headers"


def test_the_nonce_cache_is_bounded() -> None:
    nonces = webhooks.NonceCache(max_entries=3, ttl=60)
    for i in range(10):
        assert nonces.remember(f"n{i}", now=1000.0)
    assert len(nonces) == 3
    assert not nonces.remember("n9", now=1001.0)
    assert nonces.remember("n0", now=1001.0)  # pushed out by newer ones


def test_a_nonce_expires_after_its_ttl() -> None:
    nonces = webhooks.NonceCache(ttl=10)
    assert nonces.remember("n", now=0.0)
    assert not nonces.remember("n", now=9.0)
    assert nonces.remember("n", now=10.5)


def test_a_nonce_is_kept_while_its_date_is_acceptable() -> None:
    nonces = webhooks.NonceCache(ttl=10)
    assert nonces.remember("n", now=0.0, until=100.0)
    assert not nonces.remember("n", now=50.0)


def test_a_nonce_cache_needs_room() -> None:
    with pytest.raises(ValueError, match="max_entries"):
        webhooks.NonceCache(max_entries=0)


# -- parse -----------------------------------------------------------------------

BODY = {
    "id": "123",
    "state": "success",
    "err_code": "",
    "credits": 20,
    "payload": "p",
    "creations": [
        {"id": "c", "url": "https://x/v.mp4", "cover_url": "https://x/c.jpg"}
    ],
    "something_new": True,
}


@pytest.mark.parametrize("body", [json.dumps(BODY), json.dumps(BODY).encode(), BODY])
def test_parse_reads_the_callback_body(body: bytes | str | dict[str, object]) -> None:
    task = webhooks.parse(body)
    assert isinstance(task, TaskCreations)
    assert task.state is TaskState.SUCCESS
    assert task.creations is not None
    assert task.creations[0].url == "https://x/v.mp4"


def test_parse_keeps_an_unknown_state_as_text() -> None:
    assert webhooks.parse({"state": "paused"}).state == "paused"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "not JSON"),
        (b"\xff", "not JSON"),
        ("[1, 2]", "JSON list, not an object"),
    ],
)
def test_parse_refuses_what_is_not_a_task_body(body: object, message: str) -> None:
    with pytest.raises(webhooks.InvalidWebhookBody, match=message):
        webhooks.parse(body)  # type: ignore[arg-type]


def test_parse_keeps_a_value_of_the_wrong_type_with_a_warning() -> None:
    with pytest.warns(
        ResponseWarning, match=r"TaskCreations\.creations: expected a list"
    ):
        task = webhooks.parse({"creations": 3, "later": True})
    assert task.creations == 3
    assert task.extra == {"later": True}


def test_verify_and_parse() -> None:
    task = webhooks.verify_and_parse(
        "POST", DOC_URL, doc_request(), json.dumps(BODY), SECRET, now=DOC_NOW
    )
    assert task.id == "123"
    with pytest.raises(webhooks.WebhookVerificationError):
        webhooks.verify_and_parse("POST", DOC_URL, {}, json.dumps(BODY), SECRET)
