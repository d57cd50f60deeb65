"""encode_json: the bytes json.dumps(...).encode() gives, without its copies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from specgen_runtime.jsonbody import LARGE_STRING, encode_json


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
    with pytest.raises(UnicodeEncodeError):
        encode_json({"a": large("x") + "\ud800"})
