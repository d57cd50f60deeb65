"""The key hidden in headers wherever it can be read, however a server split
it over lines; every line of a repeated header kept."""

from __future__ import annotations

import pytest
import urllib3
from specgen_runtime.redaction import Secret

KEY = "sk-live-ABCDEFGHIJ0123"


def _headers(*lines: tuple[str, str]) -> urllib3.HTTPHeaderDict:
    headers = urllib3.HTTPHeaderDict()
    for name, value in lines:
        headers.add(name, value)
    return headers


def _readable(headers: dict[str, str]) -> list[str]:
    """The ways a reader joins the headers' text."""
    return [
        str(headers),
        "".join(headers.values()),
        "".join(headers),
        "".join(name + value for name, value in headers.items()),
    ]


CASES = {
    "whole in a value": [("X-Echo", f"key={KEY};")],
    "split over two names' values": [("X-A", KEY[:4]), ("X-B", KEY[4:])],
    "three repeated lines": [("X-E", KEY[:3]), ("X-E", KEY[3:12]), ("X-E", KEY[12:])],
    "a name's end and its value": [(f"X-{KEY[:10]}", KEY[10:] + " tail")],
    "in a name": [(f"X-{KEY}", "v")],
    "twice, back to back": [("X-E", KEY + KEY)],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_key_cannot_be_read_from_the_scrubbed_headers(case: str) -> None:
    scrubbed = Secret(KEY).scrub_headers(_headers(*CASES[case]))
    for text in _readable(scrubbed):
        assert KEY not in text
    assert "***" in "".join(_readable(scrubbed))


def test_only_the_key_s_characters_are_hidden() -> None:
    scrubbed = Secret(KEY).scrub_headers(
        _headers(("X-A", "before " + KEY[:5]), ("X-B", KEY[5:] + " after"))
    )
    assert scrubbed == {"x-a": "before ***", "x-b": "*** after"}


def test_repeated_lines_are_all_kept_in_order() -> None:
    scrubbed = Secret(KEY).scrub_headers(
        _headers(("Set-Thing", "a"), ("X-Other", "b"), ("set-thing", "c"))
    )
    assert scrubbed == {"set-thing": "a, c", "x-other": "b"}


def test_headers_without_the_key_are_kept_as_they_are() -> None:
    lines = (("Content-Type", "application/json"), ("X-Id", "sk-live"))
    assert Secret(KEY).scrub_headers(_headers(*lines)) == {
        "content-type": "application/json",
        "x-id": "sk-live",
    }
    # no key: nothing hidden; a short key is hidden all the same
    assert Secret(None).scrub_headers({"X-A": KEY}) == {"x-a": KEY}
    assert Secret("abc").scrub_headers({"X-A": "abc"}) == {"x-a": "***"}


def test_a_plain_mapping_is_read_too() -> None:
    scrubbed = Secret(KEY).scrub_headers({"X-A": KEY[:8], "X-B": KEY[8:]})
    assert scrubbed == {"x-a": "***", "x-b": "***"}
