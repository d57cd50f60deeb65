# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Contract tests of ``reference2video``, derived from the spec.

Generated from the spec; do not edit. ``FORMS`` and ``RESPONSES`` are the
spec's view of the operation, as data; ``contract.build_cases`` turns them into
``CASES`` at import time, and the tests below run them against the package.
Every case compares the exact multiset of ``(rule, field, severity)`` the
package reports with the one the spec implies (see
:mod:`specgen_runtime.contract`).
"""

from __future__ import annotations

from typing import Final

import pytest
import vidu
from specgen_runtime.contract import (
    Case,
    Condition,
    ContractSpec,
    Field,
    Form,
    Obj,
    Response,
    ResponseField,
    Route,
    Rule,
    build_cases,
    build_request,
    disallowed_defaults,
    request_case,
    run_case,
    triples,
    uncovered_constraints,
    warned,
)

RATIO_PATTERN: Final = "[0-9]{1,5}(\\.[0-9]{1,4})?:[0-9]{1,5}(\\.[0-9]{1,4})?"

FORMS: Final[tuple[Form, ...]] = (
    Form(
        name="subjects",
        class_name="Reference2VideoSubjectsRequest",
        const="REFERENCE2VIDEO_SUBJECTS",
        selected_by="subjects",
        models=("viduq3-turbo", "viduq3", "viduq2-pro", "viduq2", "viduq1", "vidu2.0"),
        model_field="model",
        fields=(
            Field(
                name="model",
                kind="string",
                is_model=True,
                enum_values=(
                    "viduq3-mix",
                    "viduq3-turbo",
                    "viduq3",
                    "viduq2-pro",
                    "viduq2",
                    "viduq1",
                    "vidu2.0",
                ),
                required=True,
            ),
            Field(name="auto_subjects", kind="boolean", default=False),
            Field(
                name="subjects",
                kind="array",
                items="object",
                items_object="Subject",
                required=True,
                count=(1, 7),
            ),
            Field(name="prompt", kind="string", required=True, length=(1, 5000)),
            Field(
                name="audio",
                kind="boolean",
                default_by_model={
                    "viduq3-turbo": True,
                    "viduq3": True,
                    "viduq2-pro": False,
                    "viduq2": False,
                    "viduq1": False,
                    "vidu2.0": False,
                },
            ),
            Field(
                name="audio_type",
                kind="string",
                enum_values=("all", "speech_only", "sound_effect_only"),
                default="all",
                choices=("all", "speech_only", "sound_effect_only"),
                aliases={
                    "All": "all",
                    "Speech_only": "speech_only",
                    "Sound-effect_only": "sound_effect_only",
                    "sound-effect_only": "sound_effect_only",
                },
            ),
            Field(
                name="duration",
                kind="integer",
                default_by_model={
                    "viduq3-turbo": 5,
                    "viduq3": 5,
                    "viduq2-pro": 5,
                    "viduq2": 5,
                    "viduq1": 5,
                    "vidu2.0": 4,
                },
                range_by_model={
                    "viduq3-turbo": (3, 16),
                    "viduq3": (3, 16),
                    "viduq2-pro": (0, 10),
                    "viduq2": (1, 10),
                    "viduq1": (5, 5),
                    "vidu2.0": (4, 4),
                },
            ),
            Field(name="seed", kind="integer"),
            Field(
                name="aspect_ratio",
                kind="string",
                enum_values=("16:9", "9:16", "1:1", "3:4", "4:3"),
                default="16:9",
                choices_by_model={
                    "viduq1": ("16:9", "9:16", "1:1"),
                    "vidu2.0": ("16:9", "9:16", "1:1"),
                },
                pattern_by_model={
                    "viduq3-turbo": RATIO_PATTERN,
                    "viduq3": RATIO_PATTERN,
                    "viduq2-pro": RATIO_PATTERN,
                    "viduq2": RATIO_PATTERN,
                },
            ),
            Field(
                name="resolution",
                kind="string",
                enum_values=("360p", "540p", "720p", "1080p"),
                default_by_model={
                    "viduq3-turbo": "720p",
                    "viduq3": "720p",
                    "viduq2-pro": "720p",
                    "viduq2": "720p",
                    "viduq1": "1080p",
                    "vidu2.0": "360p",
                },
                choices_by_model={
                    "viduq3-turbo": ("540p", "720p", "1080p"),
                    "viduq3": ("540p", "720p", "1080p"),
                    "viduq2-pro": ("540p", "720p", "1080p"),
                    "viduq2": ("540p", "720p", "1080p"),
                    "viduq1": ("1080p",),
                    "vidu2.0": ("360p", "720p"),
                },
            ),
            Field(
                name="movement_amplitude",
                kind="string",
                enum_values=("auto", "small", "medium", "large"),
                default="auto",
                choices=("auto", "small", "medium", "large"),
                ignored_by=frozenset(
                    {"viduq2", "viduq2-pro", "viduq3", "viduq3-turbo"}
                ),
            ),
            Field(name="payload", kind="string", length=(0, 1048576)),
            Field(name="off_peak", kind="boolean", default=False),
            Field(name="callback_url", kind="string"),
        ),
        objects={
            "Subject": Obj(
                name="Subject",
                class_name="Subject",
                fields=(
                    Field(
                        name="name",
                        path="subjects.name",
                        kind="string",
                        required=True,
                        length=(1, 20971520),
                    ),
                    Field(
                        name="images",
                        path="subjects.images",
                        kind="array",
                        items="asset",
                        items_type="string",
                        reader="vidu.Image.from_path",
                        count=(1, 3),
                    ),
                    Field(
                        name="videos",
                        path="subjects.videos",
                        kind="array",
                        items="asset",
                        items_type="string",
                        reader="vidu.Video.from_path",
                        count=(1, 3),
                        unsupported_by=frozenset(
                            {"vidu2.0", "viduq1", "viduq2", "viduq3", "viduq3-turbo"}
                        ),
                    ),
                    Field(name="voice_id", path="subjects.voice_id", kind="string"),
                ),
                rules=(
                    Rule(
                        id="subjects.media.required",
                        severity="warning",
                        field="images",
                        conditions=(
                            Condition("images", present=False),
                            Condition("videos", present=False),
                        ),
                    ),
                ),
            ),
        },
        rules=(
            Rule(
                id="subjects.images.total",
                severity="warning",
                field="subjects",
                total="subjects",
                total_key="images",
                max=7,
                max_by_model={"viduq2-pro": 4},
            ),
            Rule(
                id="subjects.videos.total",
                severity="warning",
                field="subjects",
                models=("viduq2-pro",),
                total="subjects",
                total_key="videos",
                max=2,
            ),
            Rule(
                id="off_peak.audio",
                severity="error",
                field="off_peak",
                models=("viduq3-turbo", "viduq3"),
                conditions=(
                    Condition("off_peak", values=(True,)),
                    Condition("audio", values=(False,)),
                ),
            ),
            Rule(
                id="off_peak.audio",
                severity="error",
                field="off_peak",
                models=("viduq2-pro", "viduq2", "viduq1", "vidu2.0"),
                conditions=(
                    Condition("off_peak", values=(True,)),
                    Condition("audio", values=(True,)),
                ),
            ),
            Rule(
                id="audio_type.ignored",
                severity="warning",
                field="audio_type",
                conditions=(
                    Condition("audio", values=(False,)),
                    Condition("audio_type", present=True),
                ),
            ),
        ),
        body_max_bytes=20971520,
    ),
    Form(
        name="images",
        class_name="Reference2VideoRequest",
        const="REFERENCE2VIDEO_IMAGES",
        models=(
            "viduq3-mix",
            "viduq3-turbo",
            "viduq3",
            "viduq2-pro",
            "viduq2",
            "viduq1",
            "vidu2.0",
        ),
        model_field="model",
        fields=(
            Field(
                name="model",
                kind="string",
                is_model=True,
                enum_values=(
                    "viduq3-mix",
                    "viduq3-turbo",
                    "viduq3",
                    "viduq2-pro",
                    "viduq2",
                    "viduq1",
                    "vidu2.0",
                ),
                required=True,
            ),
            Field(
                name="images",
                kind="array",
                items="asset",
                items_type="string",
                reader="vidu.Image.from_path",
                count=(1, 7),
            ),
            Field(
                name="videos",
                kind="array",
                items="asset",
                items_type="string",
                reader="vidu.Video.from_path",
                count=(1, 2),
                unsupported_by=frozenset(
                    {
                        "vidu2.0",
                        "viduq1",
                        "viduq2",
                        "viduq3",
                        "viduq3-mix",
                        "viduq3-turbo",
                    }
                ),
            ),
            Field(name="prompt", kind="string", required=True, length=(1, 5000)),
            Field(
                name="duration",
                kind="integer",
                default_by_model={
                    "viduq3-mix": 5,
                    "viduq3-turbo": 5,
                    "viduq3": 5,
                    "viduq2-pro": 5,
                    "viduq2": 5,
                    "viduq1": 5,
                    "vidu2.0": 4,
                },
                range_by_model={
                    "viduq3-mix": (1, 16),
                    "viduq3-turbo": (3, 16),
                    "viduq3": (3, 16),
                    "viduq2-pro": (0, 10),
                    "viduq2": (1, 10),
                    "viduq1": (5, 5),
                    "vidu2.0": (4, 4),
                },
            ),
            Field(name="seed", kind="integer"),
            Field(
                name="aspect_ratio",
                kind="string",
                enum_values=("16:9", "9:16", "1:1", "3:4", "4:3"),
                default="16:9",
                choices_by_model={
                    "viduq3-mix": ("16:9", "9:16", "1:1"),
                    "viduq3-turbo": ("16:9", "9:16", "1:1"),
                    "viduq3": ("16:9", "9:16", "1:1"),
                    "viduq2-pro": ("16:9", "9:16", "3:4", "4:3", "1:1"),
                    "viduq2": ("16:9", "9:16", "3:4", "4:3", "1:1"),
                    "viduq1": ("16:9", "9:16", "1:1"),
                    "vidu2.0": ("16:9", "9:16", "1:1"),
                },
            ),
            Field(
                name="resolution",
                kind="string",
                enum_values=("360p", "540p", "720p", "1080p"),
                default_by_model={
                    "viduq3-mix": "720p",
                    "viduq3-turbo": "720p",
                    "viduq3": "720p",
                    "viduq2-pro": "720p",
                    "viduq2": "720p",
                    "viduq1": "1080p",
                    "vidu2.0": "360p",
                },
                choices_by_model={
                    "viduq3-mix": ("720p", "1080p"),
                    "viduq3-turbo": ("540p", "720p", "1080p"),
                    "viduq3": ("540p", "720p", "1080p"),
                    "viduq2-pro": ("540p", "720p", "1080p"),
                    "viduq2": ("540p", "720p", "1080p"),
                    "viduq1": ("1080p",),
                    "vidu2.0": ("360p", "720p"),
                },
            ),
            Field(
                name="movement_amplitude",
                kind="string",
                enum_values=("auto", "small", "medium", "large"),
                default="auto",
                choices=("auto", "small", "medium", "large"),
                ignored_by=frozenset({"viduq2", "viduq2-pro"}),
            ),
            Field(
                name="bgm",
                kind="boolean",
                default=False,
                ignored_by=frozenset({"viduq3", "viduq3-mix", "viduq3-turbo"}),
            ),
            Field(name="payload", kind="string", length=(0, 1048576)),
            Field(name="off_peak", kind="boolean", default=False),
            Field(name="audio", kind="boolean"),
            Field(name="callback_url", kind="string"),
        ),
        rules=(
            Rule(
                id="images.required",
                severity="error",
                field="images",
                conditions=(
                    Condition("images", present=False),
                    Condition("videos", present=False),
                ),
            ),
            Rule(
                id="images.count_with_videos",
                severity="error",
                field="images",
                models=("viduq2-pro",),
                conditions=(Condition("videos", present=True),),
                total="images",
                max=4,
            ),
            Rule(
                id="off_peak.audio",
                severity="warning",
                field="off_peak",
                models=("viduq3-mix", "viduq3-turbo", "viduq3"),
                conditions=(
                    Condition("off_peak", values=(True,)),
                    Condition("audio", values=(False,)),
                ),
            ),
            Rule(
                id="off_peak.audio",
                severity="warning",
                field="off_peak",
                models=("viduq2-pro", "viduq2", "viduq1", "vidu2.0"),
                conditions=(
                    Condition("off_peak", values=(True,)),
                    Condition("audio", values=(True,)),
                ),
            ),
            Rule(
                id="bgm.duration_ignored",
                severity="warning",
                field="bgm",
                models=("viduq2-pro", "viduq2"),
                conditions=(
                    Condition("bgm", values=(True,)),
                    Condition("duration", values=(9, 10)),
                ),
            ),
        ),
    ),
)
RESPONSES: Final[tuple[Response, ...]] = (
    Response(
        "CreateTaskResponse",
        (
            ResponseField(
                name="task_id", kind="string", annotation="str", required=True
            ),
            ResponseField(
                name="state",
                kind="string",
                annotation="TaskState | str",
                enum_values=("created", "queueing", "processing", "success", "failed"),
                required=True,
            ),
            ResponseField(
                name="model",
                kind="string",
                annotation="Model | str",
                enum_values=(
                    "viduq3-mix",
                    "viduq3-turbo",
                    "viduq3",
                    "viduq2-pro",
                    "viduq2",
                    "viduq1",
                    "vidu2.0",
                ),
            ),
            ResponseField(name="prompt", kind="string", annotation="str"),
            ResponseField(
                name="images", kind="array", annotation="list[str]", items_type="string"
            ),
            ResponseField(
                name="videos", kind="array", annotation="list[str]", items_type="string"
            ),
            ResponseField(name="duration", kind="integer", annotation="int"),
            ResponseField(name="seed", kind="integer", annotation="int"),
            ResponseField(
                name="aspect_ratio",
                kind="string",
                annotation="AspectRatio | str",
                enum_values=("16:9", "9:16", "1:1", "3:4", "4:3"),
            ),
            ResponseField(
                name="resolution",
                kind="string",
                annotation="Resolution | str",
                enum_values=("360p", "540p", "720p", "1080p"),
            ),
            ResponseField(name="bgm", kind="boolean", annotation="bool"),
            ResponseField(name="audio", kind="boolean", annotation="bool"),
            ResponseField(
                name="audio_type",
                kind="string",
                annotation="AudioType | str",
                enum_values=("all", "speech_only", "sound_effect_only"),
            ),
            ResponseField(
                name="movement_amplitude",
                kind="string",
                annotation="MovementAmplitude | str",
                enum_values=("auto", "small", "medium", "large"),
            ),
            ResponseField(name="payload", kind="string", annotation="str"),
            ResponseField(name="off_peak", kind="boolean", annotation="bool"),
            ResponseField(name="credits", kind="union", annotation="int | str"),
            ResponseField(name="created_at", kind="string", annotation="str"),
        ),
        (
            '{"task_id": "your_task_id_here", "state": "created", "model": "viduq3", "prompt": "@1 and @2 are cooking together, and both say they love hot pot.", "duration": 8, "seed": 1234, "resolution": "1080p", "movement_amplitude": "auto", "payload": "", "off_peak": false, "credits": 40, "created_at": "2025-01-01T15:41:31.968916Z"}',
            '{"task_id": "your_task_id_here", "state": "created", "model": "viduq3-mix", "images": ["https://example.com/reference2video-1.png", "https://example.com/reference2video-2.png"], "prompt": "Santa Claus and the bear hug by the lakeside.", "duration": 5, "seed": 99, "aspect_ratio": "16:9", "resolution": "720p", "bgm": false, "movement_amplitude": "auto", "payload": "", "off_peak": false, "credits": "15", "created_at": "2025-01-01T15:41:31.968916Z"}',
            '{"task_id": "t3", "state": "created", "model": "viduq2-pro", "videos": ["https://example.com/a.mp4"], "audio": true, "audio_type": "all", "aspect_ratio": "2.39:1", "type": "reference2video", "watermark": false}',
            '{"task_id": "t4", "state": "scheduled", "model": "viduq4", "resolution": "4k", "movement_amplitude": "huge", "audio_type": "Speech_only"}',
        ),
    ),
)
SPEC: Final = ContractSpec(
    operation="reference2video",
    known_models=(
        "viduq3-mix",
        "viduq3-turbo",
        "viduq3",
        "viduq2-pro",
        "viduq2",
        "viduq1",
        "vidu2.0",
    ),
    forms=FORMS,
    responses=RESPONSES,
    route=Route(
        method="POST",
        path="/ent/v2/reference2video",
    ),
    aio=True,
    strategies=True,
)
CASES: Final = build_cases(SPEC)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_contract(case: Case) -> None:
    failures = run_case(vidu, SPEC, case)
    assert not failures, "\n".join(failures)


def test_a_request_with_errors_raises() -> None:
    case = request_case(CASES, errors=True)
    if case is None:
        pytest.skip("the spec gives no such request")
    with pytest.raises(vidu.ValidationError) as info:
        build_request(vidu, SPEC.form(case.form), case.body)
    assert triples(info.value.violations) == case.expected


def test_a_request_with_warnings_warns() -> None:
    case = request_case(CASES, errors=False)
    if case is None:
        pytest.skip("the spec gives no such request")
    with pytest.warns(vidu.ValidationWarning) as record:
        build_request(vidu, SPEC.form(case.form), case.body)
    assert warned(vidu, record.list) == case.expected


def test_an_unknown_operation_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown operation"):
        vidu.validate_payload(SPEC.operation + "-zz", {})


def test_the_spec_defaults_are_allowed() -> None:
    assert not disallowed_defaults(SPEC)


def test_the_cases_cover_every_constraint() -> None:
    """Every constraint is broken, for every model, by some case; every rule
    fires for every model it applies to; every model error is produced."""
    assert not uncovered_constraints(SPEC, CASES)
