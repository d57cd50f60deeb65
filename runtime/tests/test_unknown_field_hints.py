"""An unknown key is named once, with the known key it most likely meant.

The violation carries the path (``subjects[0].nmae``); its message names the
key alone and suggests the nearest known one, at any depth, for a typo
difflib finds, a difference of case, or one typo away (a character added,
dropped, replaced, or two neighbours swapped).
"""

from __future__ import annotations

import pytest
from specgen_runtime.validate import unknown_field, unknown_fields
from specgen_runtime.violations import Violation

KNOWN = frozenset({"name", "images", "videos", "voice_id"})


@pytest.mark.parametrize(
    ("key", "suggested"),
    [
        ("nmae", "name"),  # neighbours swapped
        ("imgaes", "images"),
        ("naem", "name"),
        ("nam", "name"),  # dropped
        ("namee", "name"),  # added
        ("nane", "name"),  # replaced
        ("NAME", "name"),  # case
        ("voiceid", "voice_id"),
        ("Imgaes", "images"),
    ],
)
def test_a_nested_typo_suggests_the_key_meant(key: str, suggested: str) -> None:
    found: list[Violation] = []
    unknown_fields({key: 1, "name": "bear"}, KNOWN, "subjects[0]", found)
    [violation] = found
    assert violation.field == f"subjects[0].{key}"
    assert violation.message == (
        f"unknown field {key!r} (did you mean {suggested}?): known fields are "
        "images, name, videos, voice_id"
    )


@pytest.mark.parametrize("key", ["x", "mane", "title", "nmaee", "id"])
def test_a_key_far_from_every_known_one_gets_no_suggestion(key: str) -> None:
    violation = unknown_field(f"subjects[0].{key}", KNOWN)
    assert violation.message == (
        f"unknown field {key!r}: known fields are images, name, videos, voice_id"
    )


def test_a_short_known_key_is_not_suggested_for_a_one_letter_change() -> None:
    assert "did you mean" not in unknown_field("ib", frozenset({"id", "url"})).message


def test_a_key_holding_a_dot_is_named_whole() -> None:
    found: list[Violation] = []
    unknown_fields({"a.nmae": 1}, KNOWN, "", found)
    [violation] = found
    assert violation.field == "a.nmae"
    assert violation.message.startswith("unknown field 'a.nmae': ")
