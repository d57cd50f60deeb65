"""``vidu.validate_payload``: never raises, never coerces, paths name the place."""

from __future__ import annotations

import base64
import json
import pathlib
import struct
import warnings
import zlib
from typing import Any

import pytest
import vidu
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(
        ["viduq2", "viduq2-pro", "viduq3", "16:9", "720p", "https://a/b.png"]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
field_names = st.sampled_from(
    [
        "model",
        "images",
        "videos",
        "subjects",
        "prompt",
        "duration",
        "audio",
        "aspect_ratio",
        "resolution",
        "bgm",
        "off_peak",
        "movement_amplitude",
        "audio_type",
        "payload",
        "seed",
        "name",
        "voice_id",
        "extra",
    ]
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(field_names, json_values, max_size=10) | json_values)
def test_never_raises_for_json_like_input(body: Any) -> None:
    violations = vidu.validate_payload("reference2video", body)
    assert all(isinstance(v, vidu.Violation) for v in violations)
    assert all(v.severity in ("error", "warning") for v in violations)


def _rules(body: dict[str, Any]) -> set[tuple[str, str]]:
    return {(v.field, v.rule) for v in vidu.validate_payload("reference2video", body)}


BASE = {"model": "viduq2", "images": ["https://a/b.png"], "prompt": "x"}


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("duration", "5", "duration.type"),
        ("duration", True, "duration.type"),
        ("duration", 5.0, "duration.type"),
        ("bgm", 1, "bgm.type"),
        ("prompt", 3, "prompt.type"),
        ("images", "https://a/b.png", "images.type"),
        ("model", None, "model.type"),
    ],
)
def test_no_coercion(field: str, value: object, rule: str) -> None:
    assert _rules({**BASE, field: value}) == {(field, rule)}


def test_unknown_operation_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown operation 'text2video'"):
        vidu.validate_payload("text2video", BASE)


def test_message_names_the_model_and_what_is_allowed() -> None:
    body = {
        "model": "viduq3-mix",
        "images": ["https://a/b.png"],
        "prompt": "x",
        "duration": 17,
    }
    [violation] = vidu.validate_payload("reference2video", body)
    assert violation == vidu.Violation(
        "error",
        "duration",
        "duration.range",
        "duration 17 is not allowed for viduq3-mix: allowed 1-16",
    )


def test_nested_paths_name_the_exact_item() -> None:
    body = {
        "model": "viduq2",
        "prompt": "@a",
        "subjects": [
            {"name": "a", "images": ["https://a/1.png"]},
            {"name": "b", "images": ["https://a/1.png", 7, "ftp://x"], "mood": "sad"},
        ],
    }
    assert _rules(body) == {
        ("subjects[1].images[1]", "subjects.images.type"),
        ("subjects[1].images[2]", "subjects.images.encoding"),
        ("subjects[1].mood", "unknown_field"),
    }


def _png(width: int, height: int) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(header))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
    )


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode()


def test_data_uris_are_checked_locally() -> None:
    good = _data_uri("image/png", _png(256, 256))
    small = _data_uri("image/png", _png(100, 600))
    lying = _data_uri("image/jpeg", _png(256, 256))
    body = {**BASE, "images": [good, small, lying]}
    assert _rules(body) == {
        ("images[1]", "images.dimensions"),
        ("images[1]", "images.aspect_ratio"),
        ("images[2]", "images.format"),
    }


def test_decoded_size_limit_of_the_images_form() -> None:
    limit = 10 * 1024 * 1024
    png = _png(256, 256)
    at_limit = _data_uri("image/png", png + b"\0" * (limit - len(png)))
    below = _data_uri("image/png", png + b"\0" * (limit - 1 - len(png)))
    assert _rules({**BASE, "images": [below]}) == set()
    assert _rules({**BASE, "images": [at_limit]}) == {("images[0]", "images.size")}


def test_body_size_limit_of_the_subjects_form() -> None:
    png = _png(256, 256)
    big = _data_uri("image/png", png + b"\0" * (7 * 1024 * 1024))
    body = {
        "model": "viduq2",
        "prompt": "@a",
        "subjects": [
            {"name": "a", "images": [big, big]},
            {"name": "b", "images": [big]},
        ],
    }
    assert _rules(body) == {("body", "body.size")}


SUBJECTS_LIMIT = 20 * 1024 * 1024
"""The subjects form's ``body.max_bytes`` as the spec gives it."""


def _subjects_body(names: list[str], payload: str) -> dict[str, Any]:
    return {
        "model": "viduq2",
        "prompt": "@a",
        "payload": payload,
        "subjects": [{"name": n, "images": ["https://a/1.png"]} for n in names],
    }


def test_the_body_limit_counts_every_field_not_only_data_uris() -> None:
    """Escaped characters (6 bytes each for a control character) make a body
    of valid lengths, without a single data URI, go over 20 MiB."""
    controls = "\x01" * 1_000_000
    body = _subjects_body([controls] * 3, "\x01" * 500_000)
    assert _rules(body) == {("body", "body.size")}
    [violation] = vidu.validate_payload("reference2video", body)
    assert str(len(json.dumps(body, separators=(",", ":")).encode())) in (
        violation.message
    )


def test_the_body_limit_is_measured_exactly_at_the_boundary() -> None:
    """A body of exactly 20 MiB passes; one byte more is reported."""

    def size(body: dict[str, Any]) -> int:
        return len(json.dumps(body, separators=(",", ":")).encode())

    base = size(_subjects_body(["a"] * 4, ""))
    sixes, ones = divmod(SUBJECTS_LIMIT - base, 6)  # a control character: 6 bytes
    quarter, rest = divmod(sixes, 4)
    names = ["a" + "\x01" * (quarter + (i < rest)) for i in range(4)]
    body = _subjects_body(names, "x" * ones)
    assert size(body) == SUBJECTS_LIMIT
    assert _rules(body) == set()
    body["payload"] += "x"
    assert _rules(body) == {("body", "body.size")}


@pytest.mark.parametrize(
    "url", ["HTTPS://EXAMPLE.COM/A.PNG", "Http://example.com/a.png"]
)
def test_a_url_scheme_in_upper_case_is_a_url(url: str) -> None:
    assert _rules({**BASE, "images": [url]}) == set()


def test_modes_strict_warn_off() -> None:
    bad: dict[str, Any] = {
        "model": "viduq1",
        "images": ["https://a/b.png"],
        "prompt": "x",
        "duration": 6,
    }
    with pytest.raises(vidu.ValidationError) as raised:
        vidu.Reference2VideoRequest(**bad)
    assert [v.rule for v in raised.value.errors] == ["duration.range"]
    with (
        vidu.validation_mode("warn"),
        pytest.warns(vidu.ValidationWarning, match="duration 6"),
    ):
        request = vidu.Reference2VideoRequest(**bad)
    assert request.to_json() == bad
    with vidu.validation_mode("off"), warnings.catch_warnings():
        warnings.simplefilter("error")
        vidu.Reference2VideoRequest(**bad)
    assert vidu.current_mode() == "strict"
    with pytest.raises(ValueError, match="unknown validation mode"):
        vidu.validation_mode("loose").__enter__()  # type: ignore[arg-type]


def test_warning_points_at_the_callers_line() -> None:
    with pytest.warns(vidu.ValidationWarning) as caught:
        vidu.Reference2VideoRequest(
            model="viduq2",
            images=["https://a/b.png"],
            prompt="x",
            movement_amplitude="small",
        )
    assert caught[0].filename == __file__
    assert caught[0].message.violation.rule == "movement_amplitude.ignored"  # type: ignore[union-attr]


def _subjects(model: str, subjects: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"model": model, "prompt": "@a", "subjects": subjects, **extra}
    return vidu.validate_payload("reference2video", body)


def test_a_message_naming_a_default_reads_it_from_the_tables() -> None:
    one = [{"name": "a", "images": ["https://a/1.png"]}]
    [by_default] = _subjects("viduq2", one, audio_type="all")
    assert by_default.message == (
        "audio_type is ignored when audio is false"
        " (audio is false by default for viduq2)"
    )
    [given_false] = _subjects("viduq3", one, audio=False, audio_type="all")
    assert given_false.message == "audio_type is ignored when audio is false"
    assert _subjects("viduq3", one, audio_type="all") == []  # audio on by default


def test_viduq2_pro_images_with_videos_are_reported_on_images() -> None:
    body = {
        "model": "viduq2-pro",
        "prompt": "x",
        "images": ["https://a/1.png"] * 5,
        "videos": ["https://a/1.mp4"],
    }
    assert _rules(body) == {("images", "images.count_with_videos")}


def test_readings_that_may_refuse_accepted_requests_only_warn() -> None:
    """Three subjects of three images; a text subject; two subjects of two
    videos each: warnings with their rule ids, never errors."""
    three = [{"name": n, "images": ["https://a/1.png"] * 3} for n in "abc"]
    [total] = _subjects("viduq2", three)
    assert (total.severity, total.rule) == ("warning", "subjects.images.total")
    [text] = _subjects("viduq2", [{"name": "a"}])
    assert (text.severity, text.rule) == ("warning", "subjects.media.required")
    videos = [{"name": n, "videos": ["https://a/1.mp4"] * 2} for n in "ab"]
    [video] = _subjects("viduq2-pro", videos)
    assert (video.severity, video.rule) == ("warning", "subjects.videos.total")


@pytest.mark.parametrize("ratio", ["2.39:1", "21:9", "1.85:1", "4:3"])
def test_any_aspect_ratio_of_the_q2_and_q3_families(ratio: str) -> None:
    one = [{"name": "a", "images": ["https://a/1.png"]}]
    assert _subjects("viduq3", one, aspect_ratio=ratio) == []


def test_audio_in_the_images_form_is_accepted_and_ties_off_peak() -> None:
    assert _rules({**BASE, "audio": True}) == set()
    found = vidu.validate_payload(
        "reference2video", {**BASE, "audio": True, "off_peak": True}
    )
    assert [(v.severity, v.rule) for v in found] == [("warning", "off_peak.audio")]


# --- what users pass: a string for a list, a local path, a typo ------------------


def test_a_string_for_a_list_is_one_violation_saying_list() -> None:
    found = vidu.validate_payload(
        "reference2video", {**BASE, "images": "https://a/b.png"}
    )
    assert [(v.field, v.rule) for v in found] == [("images", "images.type")]
    assert found[0].message == "images must be an array (a list), got a string"


def test_a_typed_request_with_a_string_for_a_list_is_one_violation() -> None:
    with pytest.raises(vidu.ValidationError) as info:
        vidu.Reference2VideoRequest(
            model="viduq2",
            images="https://a/b.png",  # type: ignore[arg-type]
            prompt="x",
        )
    assert [(v.field, v.rule) for v in info.value.violations] == [
        ("images", "images.type")
    ]
    assert "must be an array (a list)" in str(info.value)


def test_a_path_for_an_asset_says_to_use_from_path() -> None:
    found = vidu.validate_payload(
        "reference2video", {**BASE, "images": [pathlib.Path("bear.png")]}
    )
    assert [(v.field, v.rule) for v in found] == [("images[0]", "images.type")]
    assert found[0].message == (
        "images[0] must be a string, got the local path 'bear.png': "
        "use vidu.Image.from_path('bear.png') to send the file"
    )
    [*_, last] = vidu.validate_payload(
        "reference2video", {**BASE, "videos": pathlib.Path("clip.mp4")}
    )
    assert "use [vidu.Video.from_path('clip.mp4')]" in last.message


def test_a_typed_request_with_a_path_says_to_use_from_path() -> None:
    with pytest.raises(vidu.ValidationError, match=r"vidu\.Image\.from_path"):
        vidu.Reference2VideoRequest(
            model="viduq2",
            images=[pathlib.Path("bear.png")],  # type: ignore[list-item]
            prompt="x",
        )


def test_an_unknown_model_suggests_the_closest_and_the_warn_mode() -> None:
    [found] = vidu.validate_payload("reference2video", {**BASE, "model": "viduq2-pr"})
    assert found.rule == "model.unknown"
    assert "unknown model 'viduq2-pr' (did you mean viduq2-pro?)" in found.message
    assert 'validation="warn"' in found.message
    [far] = vidu.validate_payload("reference2video", {**BASE, "model": "sora"})
    assert "did you mean" not in far.message
    assert 'validation="warn"' in far.message


@pytest.mark.parametrize(
    ("field", "value", "suggested"),
    [
        ("resolution", "720", "720p"),
        ("movement_amplitude", "Large", "large"),
        ("resolutoin", "720p", "resolution"),
    ],
)
def test_a_typo_in_a_value_or_a_field_suggests_the_closest(
    field: str, value: str, suggested: str
) -> None:
    found = vidu.validate_payload("reference2video", {**BASE, field: value})
    errors = [v for v in found if v.severity == "error"]
    assert [f"(did you mean {suggested}?)" in v.message for v in errors] == [True]


def test_no_suggestion_for_a_value_far_from_every_choice() -> None:
    [found] = vidu.validate_payload("reference2video", {**BASE, "resolution": "4k"})
    assert "did you mean" not in found.message


def test_a_large_data_uri_body_is_sized_without_a_copy_of_its_strings() -> None:
    """A body under the limit by its cheap bound is never measured; one whose
    bound passes it is measured exactly (data URIs counted in place)."""
    png = _png(256, 256)
    big = _data_uri("image/png", png + b"\0" * (6 * 1024 * 1024))
    body = {
        "model": "viduq2",
        "prompt": "@a",
        "subjects": [{"name": "a", "images": [big]}],
    }
    assert _rules(body) == set()
    body["subjects"] = [{"name": n, "images": [big]} for n in "abc"]
    assert _rules(body) == {("body", "body.size")}
