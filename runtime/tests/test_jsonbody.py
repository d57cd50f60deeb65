"""encode_json and encode_body: the bytes json.dumps(...).encode() gives,
without its copies; a large body in bounded slices, its length known first."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from specgen_runtime.jsonbody import (
    CHUNK,
    LARGE_STRING,
    SMALL_BODY,
    JsonBody,
    encode_body,
    encode_json,
)
from specgen_runtime.violations import ValidationError


def reference(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def large(seed: str) -> str:
    """A string of at least LARGE_STRING characters made of ``seed``."""
    return (seed or "x") * (LARGE_STRING // max(len(seed), 1) + 1)


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | st.text(max_size=4).map(large),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=6), values, max_size=4))
def test_the_same_bytes_as_json_dumps(body: dict[str, Any]) -> None:
    assert encode_json(body) == reference(body)


@pytest.mark.parametrize(
    "text",
    [
        "data:image/png;base64," + "QUJD" * LARGE_STRING,
        '"\\\x01é\U0001f600\u2028' * LARGE_STRING,
        "a" * (LARGE_STRING - 1),
    ],
)
def test_large_strings_of_every_kind(text: str) -> None:
    body = {"images": [text, "https://a/b.png", text], "n": 1, "t": (text,)}
    assert encode_json(body) == reference(body)


def test_a_body_holding_the_placeholder_itself() -> None:
    body = {
        "\x00specgen-large-string\x00": large("q"),
        "b": "\x00specgen-large-string\x00",
    }
    assert encode_json(body) == reference(body)


def test_what_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        encode_json({"a": large("x"), "b": object()})
    with pytest.raises(ValidationError):
        encode_json({"a": large("x") + "\ud800"})


def slices(encoded: bytes | JsonBody) -> list[bytes]:
    """What the client hands the socket for ``encoded``, checked for shape."""
    if isinstance(encoded, bytes):
        return [encoded]
    found = list(encoded)
    assert all(0 < len(piece) <= CHUNK for piece in found)
    assert sum(map(len, found)) == encoded.length
    assert list(encoded) == found, "each iteration starts afresh"
    assert encoded.to_bytes() == b"".join(found)
    return found


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=6), values, max_size=4))
def test_the_slices_are_the_bytes_of_json_dumps(body: dict[str, Any]) -> None:
    assert b"".join(slices(encode_body(body))) == reference(body)


def test_a_small_body_is_one_bytes_object() -> None:
    body = {"prompt": "Père Noël ☃", "images": ["https://a/b.png"], "n": 5}
    assert encode_body(body) == reference(body)


@pytest.mark.parametrize(
    "body",
    [
        {"images": ["data:image/png;base64," + "QUJD" * LARGE_STRING]},
        {
            "images": ["data:," + "QUJD" * (CHUNK // 3), "https://a/b.png"],
            "prompt": "a bear",
            "video": "data:," + "AAAA" * (CHUNK // 2),
        },
    ],
    ids=["one-data-uri", "two-data-uris"],
)
def test_a_large_string_makes_a_body_sent_in_full_slices(
    body: dict[str, Any],
) -> None:
    encoded = encode_body(body)
    assert isinstance(encoded, JsonBody)
    assert encoded.length == len(reference(body))
    assert len(slices(encoded)) == -(-encoded.length // CHUNK)  # full slices


@pytest.mark.parametrize(
    "body",
    [
        {"tags": ["\U0001f43b ours"] * (SMALL_BODY // 4)},  # long text, short strings
        {"a": "\x01" * (3 * CHUNK)},  # six bytes a character
        {"a": "\U0001f43b" * (2 * CHUNK), "b": "é" * LARGE_STRING},  # four, two
        {"\x00specgen-large-string\x00": large("q"), "b": large("é")},
    ],
    ids=["short-strings", "control", "astral", "placeholder"],
)
def test_every_slice_fits_whatever_the_escapes(body: dict[str, Any]) -> None:
    encoded = encode_body(body)
    assert isinstance(encoded, JsonBody)
    assert b"".join(slices(encoded)) == reference(body)


@pytest.mark.parametrize(
    ("body", "where", "found"),
    [
        (
            {"a": large("x") + "\ud800"},
            "a",
            f"(\\ud800) at character {LARGE_STRING + 1}",
        ),
        (
            {"tags": ["x"] * SMALL_BODY + ["\ud800"]},
            f"tags[{SMALL_BODY}]",
            "(\\ud800) at character 0",
        ),
        (
            {"a": large("x"), "b": [{"c": "ok \udfff"}]},
            "b[0].c",
            "(\\udfff) at character 3",
        ),
        ({"prompt": "un ours \udc80"}, "prompt", "(\\udc80) at character 8"),
        ({"extra": {"k\ud800": 1}}, "extra.k\\ud800", "(\\ud800) at character 1"),
    ],
    ids=["large-string", "long-text", "beside-a-large-string", "small", "key"],
)
def test_a_body_that_cannot_be_encoded_fails_naming_where(
    body: dict[str, Any], where: str, found: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        encode_body(body)
    [violation] = caught.value.violations
    assert violation.field == where
    assert violation.rule == "body.encoding"
    assert f"lone surrogate {found}" in violation.message
    str(caught.value).encode()  # printable as UTF-8


def test_a_surrogate_deeper_than_the_walk_is_placed_in_the_text() -> None:
    deep: Any = "\udc80"
    for _ in range(70):
        deep = [deep]
    body = {"d": deep}
    with pytest.raises(ValidationError) as caught:
        encode_body(body)
    [violation] = caught.value.violations
    at = json.dumps(body, ensure_ascii=False, separators=(",", ":")).index("\udc80")
    assert violation.field == ""
    assert f"lone surrogate (\\udc80) at character {at}" in violation.message
