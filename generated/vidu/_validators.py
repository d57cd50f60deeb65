# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Validators specialised from the spec's tables, one function per request form.

Each function reads the tables in
:mod:`vidu.tables` and appends every violation it finds to ``out``.
They run straight through a body: a value is looked at once, a default or a
per-model row only when a check needs it, unknown keys are found with one set
operation, and a message is built only for a check that fails.
"""

from collections.abc import Mapping
from typing import Any, Final

from specgen_runtime.assets import check_asset
from specgen_runtime.validate import (
    MISSING,
    bad_count,
    bad_length,
    body_too_large,
    broken_rule,
    by_default,
    check_model,
    count_items,
    ignored,
    json_bound,
    no_match,
    not_a_choice,
    not_an_object,
    out_of_range,
    oversized_body,
    present,
    required,
    total_items,
    type_error,
    unknown_bound,
    unknown_fields,
    unsupported,
)
from specgen_runtime.violations import Violation

from .tables import (
    IMAGE_ASSET,
    IMAGE_ASSET_BELOW_10485760,
    IMAGE_ASSET_PREFIXES,
    KNOWN_MODELS,
    REFERENCE2VIDEO_IMAGES,
    REFERENCE2VIDEO_SUBJECTS,
    VIDEO_ASSET,
    VIDEO_ASSET_BELOW_20971520,
    VIDEO_ASSET_PREFIXES,
)

# cancel, the cancel form (CancelRequest)

CANCEL_CANCEL_FIELDS: Final = frozenset(["id"])


def check_cancel_cancel(source: Mapping[Any, Any], out: list[Violation]) -> None:
    """Check a body of the cancel form (CancelRequest)."""
    if not CANCEL_CANCEL_FIELDS.issuperset(source):
        unknown_fields(source, CANCEL_CANCEL_FIELDS, "", out)
    value = source.get("id", MISSING)
    if value is not MISSING and type(value) is not str:
        out.append(type_error("id", "id.type", "a string", value))


# reference2video, the subjects form (Reference2VideoSubjectsRequest)

REFERENCE2VIDEO_SUBJECTS_FIELDS: Final = frozenset(
    [
        "model",
        "auto_subjects",
        "subjects",
        "prompt",
        "audio",
        "audio_type",
        "duration",
        "seed",
        "aspect_ratio",
        "resolution",
        "movement_amplitude",
        "payload",
        "off_peak",
        "callback_url",
    ]
)
REFERENCE2VIDEO_SUBJECTS_MODELS: Final = frozenset(REFERENCE2VIDEO_SUBJECTS.models)
REFERENCE2VIDEO_SUBJECTS_FORM: Final = (
    "the subjects form (Reference2VideoSubjectsRequest)"
)
REFERENCE2VIDEO_SUBJECTS_BODY_MAX_BYTES: Final = present(
    REFERENCE2VIDEO_SUBJECTS.body_max_bytes
)
REFERENCE2VIDEO_SUBJECTS_KEYS_BOUND: Final = 1390
"""A bound of the encoded size of the form's members, values aside."""
REFERENCE2VIDEO_SUBJECTS_SUBJECTS_COUNT: Final = present(
    REFERENCE2VIDEO_SUBJECTS.fields["subjects"].count
)
REFERENCE2VIDEO_SUBJECTS_PROMPT_LENGTH: Final = present(
    REFERENCE2VIDEO_SUBJECTS.fields["prompt"].length
)
REFERENCE2VIDEO_SUBJECTS_AUDIO: Final = REFERENCE2VIDEO_SUBJECTS.fields["audio"]
REFERENCE2VIDEO_SUBJECTS_AUDIO_DEFAULT_BY_MODEL: Final = (
    REFERENCE2VIDEO_SUBJECTS.fields["audio"].default_by_model
)
REFERENCE2VIDEO_SUBJECTS_AUDIO_TYPE_CHOICES: Final = present(
    REFERENCE2VIDEO_SUBJECTS.fields["audio_type"].choices
)
REFERENCE2VIDEO_SUBJECTS_AUDIO_TYPE_ALIASES: Final = REFERENCE2VIDEO_SUBJECTS.fields[
    "audio_type"
].aliases
REFERENCE2VIDEO_SUBJECTS_DURATION_RANGE_BY_MODEL: Final = (
    REFERENCE2VIDEO_SUBJECTS.fields["duration"].range_by_model
)
REFERENCE2VIDEO_SUBJECTS_ASPECT_RATIO_CHOICES_BY_MODEL: Final = (
    REFERENCE2VIDEO_SUBJECTS.fields["aspect_ratio"].choices_by_model
)
REFERENCE2VIDEO_SUBJECTS_ASPECT_RATIO_PATTERN_BY_MODEL: Final = (
    REFERENCE2VIDEO_SUBJECTS.fields["aspect_ratio"].pattern_by_model
)
REFERENCE2VIDEO_SUBJECTS_RESOLUTION_CHOICES_BY_MODEL: Final = (
    REFERENCE2VIDEO_SUBJECTS.fields["resolution"].choices_by_model
)
REFERENCE2VIDEO_SUBJECTS_MOVEMENT_AMPLITUDE_CHOICES: Final = present(
    REFERENCE2VIDEO_SUBJECTS.fields["movement_amplitude"].choices
)
REFERENCE2VIDEO_SUBJECTS_MOVEMENT_AMPLITUDE_IGNORED_BY: Final = (
    REFERENCE2VIDEO_SUBJECTS.fields["movement_amplitude"].ignored_by
)
REFERENCE2VIDEO_SUBJECTS_PAYLOAD_LENGTH: Final = present(
    REFERENCE2VIDEO_SUBJECTS.fields["payload"].length
)
REFERENCE2VIDEO_SUBJECTS_OFF_PEAK: Final = REFERENCE2VIDEO_SUBJECTS.fields["off_peak"]
REFERENCE2VIDEO_SUBJECTS_RULE_0: Final = REFERENCE2VIDEO_SUBJECTS.rules[0]
REFERENCE2VIDEO_SUBJECTS_RULE_1: Final = REFERENCE2VIDEO_SUBJECTS.rules[1]
REFERENCE2VIDEO_SUBJECTS_RULE_2: Final = REFERENCE2VIDEO_SUBJECTS.rules[2]
REFERENCE2VIDEO_SUBJECTS_RULE_3: Final = REFERENCE2VIDEO_SUBJECTS.rules[3]
REFERENCE2VIDEO_SUBJECTS_RULE_4: Final = REFERENCE2VIDEO_SUBJECTS.rules[4]
REFERENCE2VIDEO_SUBJECTS_SUBJECT_FIELDS: Final = frozenset(
    ["name", "images", "videos", "voice_id"]
)
REFERENCE2VIDEO_SUBJECTS_SUBJECT_KEYS_BOUND: Final = 306
REFERENCE2VIDEO_SUBJECTS_SUBJECT_NAME_LENGTH: Final = present(
    REFERENCE2VIDEO_SUBJECTS.objects["Subject"]["name"].length
)
REFERENCE2VIDEO_SUBJECTS_SUBJECT_IMAGES_COUNT: Final = present(
    REFERENCE2VIDEO_SUBJECTS.objects["Subject"]["images"].count
)
REFERENCE2VIDEO_SUBJECTS_SUBJECT_VIDEOS_COUNT: Final = present(
    REFERENCE2VIDEO_SUBJECTS.objects["Subject"]["videos"].count
)
REFERENCE2VIDEO_SUBJECTS_SUBJECT_VIDEOS_UNSUPPORTED_BY: Final = (
    REFERENCE2VIDEO_SUBJECTS.objects["Subject"]["videos"].unsupported_by
)
REFERENCE2VIDEO_SUBJECTS_SUBJECT_RULE_0: Final = REFERENCE2VIDEO_SUBJECTS.object_rules[
    "Subject"
][0]


def _check_reference2video_subjects_subject(
    source: object, where: str, model: str | None, out: list[Violation]
) -> int:
    """Check one Subject at ``where``; return a bound of its encoded size."""
    if type(source) is not dict and not isinstance(source, Mapping):
        out.append(not_an_object(where, "subjects.type", source))
        return json_bound(source)
    bound = REFERENCE2VIDEO_SUBJECTS_SUBJECT_KEYS_BOUND
    if not REFERENCE2VIDEO_SUBJECTS_SUBJECT_FIELDS.issuperset(source):
        unknown_fields(source, REFERENCE2VIDEO_SUBJECTS_SUBJECT_FIELDS, where, out)
        bound += unknown_bound(source, REFERENCE2VIDEO_SUBJECTS_SUBJECT_FIELDS)
    value = source.get("name", MISSING)
    if value is MISSING:
        out.append(
            required(
                f"{where}.name", "subjects.name.required", REFERENCE2VIDEO_SUBJECTS_FORM
            )
        )
    else:
        if type(value) is not str:
            out.append(
                type_error(f"{where}.name", "subjects.name.type", "a string", value)
            )
            bound += json_bound(value)
        else:
            if (
                not REFERENCE2VIDEO_SUBJECTS_SUBJECT_NAME_LENGTH[0]
                <= len(value)
                <= REFERENCE2VIDEO_SUBJECTS_SUBJECT_NAME_LENGTH[1]
            ):
                out.append(
                    bad_length(
                        f"{where}.name",
                        "subjects.name.length",
                        len(value),
                        REFERENCE2VIDEO_SUBJECTS_SUBJECT_NAME_LENGTH,
                    )
                )
            bound += 6 * len(value)
    value = source.get("images", MISSING)
    if value is not MISSING:
        if type(value) is not list and type(value) is not tuple:
            out.append(
                type_error(
                    f"{where}.images",
                    "subjects.images.type",
                    "an array",
                    value,
                    "vidu.Image.from_path",
                )
            )
            bound += json_bound(value)
        else:
            if (
                not REFERENCE2VIDEO_SUBJECTS_SUBJECT_IMAGES_COUNT[0]
                <= len(value)
                <= REFERENCE2VIDEO_SUBJECTS_SUBJECT_IMAGES_COUNT[1]
            ):
                out.append(
                    bad_count(
                        f"{where}.images",
                        "subjects.images.count",
                        len(value),
                        None,
                        REFERENCE2VIDEO_SUBJECTS_SUBJECT_IMAGES_COUNT,
                    )
                )
            bound += 4 * len(value)
            for i, item in enumerate(value):
                if type(item) is not str:
                    out.append(
                        type_error(
                            f"{where}.images[{i}]",
                            "subjects.images.type",
                            "a string",
                            item,
                            "vidu.Image.from_path",
                        )
                    )
                    bound += json_bound(item)
                    continue
                bound += 6 * len(item)
                if not item.startswith(IMAGE_ASSET_PREFIXES):
                    check_asset(
                        item,
                        IMAGE_ASSET,
                        f"{where}.images[{i}]",
                        "subjects.images",
                        out,
                        "vidu.Image.from_path",
                    )
    value = source.get("videos", MISSING)
    if value is not MISSING:
        if model in REFERENCE2VIDEO_SUBJECTS_SUBJECT_VIDEOS_UNSUPPORTED_BY:
            out.append(
                unsupported(f"{where}.videos", "subjects.videos.unsupported", model)
            )
        if type(value) is not list and type(value) is not tuple:
            out.append(
                type_error(
                    f"{where}.videos",
                    "subjects.videos.type",
                    "an array",
                    value,
                    "vidu.Video.from_path",
                )
            )
            bound += json_bound(value)
        else:
            if (
                not REFERENCE2VIDEO_SUBJECTS_SUBJECT_VIDEOS_COUNT[0]
                <= len(value)
                <= REFERENCE2VIDEO_SUBJECTS_SUBJECT_VIDEOS_COUNT[1]
            ):
                out.append(
                    bad_count(
                        f"{where}.videos",
                        "subjects.videos.count",
                        len(value),
                        None,
                        REFERENCE2VIDEO_SUBJECTS_SUBJECT_VIDEOS_COUNT,
                    )
                )
            bound += 4 * len(value)
            for i, item in enumerate(value):
                if type(item) is not str:
                    out.append(
                        type_error(
                            f"{where}.videos[{i}]",
                            "subjects.videos.type",
                            "a string",
                            item,
                            "vidu.Video.from_path",
                        )
                    )
                    bound += json_bound(item)
                    continue
                bound += 6 * len(item)
                if not item.startswith(VIDEO_ASSET_PREFIXES):
                    check_asset(
                        item,
                        VIDEO_ASSET,
                        f"{where}.videos[{i}]",
                        "subjects.videos",
                        out,
                        "vidu.Video.from_path",
                    )
    value = source.get("voice_id", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(
                type_error(
                    f"{where}.voice_id", "subjects.voice_id.type", "a string", value
                )
            )
            bound += json_bound(value)
        else:
            bound += 6 * len(value)
    if "images" not in source and "videos" not in source:
        out.append(
            broken_rule(
                REFERENCE2VIDEO_SUBJECTS_SUBJECT_RULE_0,
                f"{where}.images",
                model or "any model",
            )
        )

    return bound


def check_reference2video_subjects(
    source: Mapping[Any, Any], out: list[Violation]
) -> None:
    """Check a body of the subjects form (Reference2VideoSubjectsRequest)."""
    bound = REFERENCE2VIDEO_SUBJECTS_KEYS_BOUND
    if not REFERENCE2VIDEO_SUBJECTS_FIELDS.issuperset(source):
        unknown_fields(source, REFERENCE2VIDEO_SUBJECTS_FIELDS, "", out)
        bound += unknown_bound(source, REFERENCE2VIDEO_SUBJECTS_FIELDS)
    value = source.get("model", MISSING)
    if type(value) is str and value in REFERENCE2VIDEO_SUBJECTS_MODELS:
        model: str | None = value
    else:
        model = check_model(
            value,
            "model",
            REFERENCE2VIDEO_SUBJECTS_MODELS,
            KNOWN_MODELS,
            REFERENCE2VIDEO_SUBJECTS_FORM,
            out,
        )
        bound += json_bound(value)
    value = source.get("auto_subjects", MISSING)
    if value is not MISSING and type(value) is not bool:
        out.append(
            type_error("auto_subjects", "auto_subjects.type", "a boolean", value)
        )
        bound += json_bound(value)
    value = source.get("subjects", MISSING)
    if value is not MISSING:
        if type(value) is not list and type(value) is not tuple:
            out.append(type_error("subjects", "subjects.type", "an array", value))
            bound += json_bound(value)
        else:
            if (
                not REFERENCE2VIDEO_SUBJECTS_SUBJECTS_COUNT[0]
                <= len(value)
                <= REFERENCE2VIDEO_SUBJECTS_SUBJECTS_COUNT[1]
            ):
                out.append(
                    bad_count(
                        "subjects",
                        "subjects.count",
                        len(value),
                        None,
                        REFERENCE2VIDEO_SUBJECTS_SUBJECTS_COUNT,
                    )
                )
            bound += 4 * len(value)
            for i, item in enumerate(value):
                bound += _check_reference2video_subjects_subject(
                    item, f"subjects[{i}]", model, out
                )
    value = source.get("prompt", MISSING)
    if value is MISSING:
        out.append(required("prompt", "prompt.required", REFERENCE2VIDEO_SUBJECTS_FORM))
    else:
        if type(value) is not str:
            out.append(type_error("prompt", "prompt.type", "a string", value))
            bound += json_bound(value)
        else:
            if (
                not REFERENCE2VIDEO_SUBJECTS_PROMPT_LENGTH[0]
                <= len(value)
                <= REFERENCE2VIDEO_SUBJECTS_PROMPT_LENGTH[1]
            ):
                out.append(
                    bad_length(
                        "prompt",
                        "prompt.length",
                        len(value),
                        REFERENCE2VIDEO_SUBJECTS_PROMPT_LENGTH,
                    )
                )
            bound += 6 * len(value)
    value = source.get("audio", MISSING)
    if value is MISSING:
        eff_audio = (
            REFERENCE2VIDEO_SUBJECTS_AUDIO_DEFAULT_BY_MODEL.get(
                model, REFERENCE2VIDEO_SUBJECTS_AUDIO.default
            )
            if model
            else REFERENCE2VIDEO_SUBJECTS_AUDIO.default
        )
    else:
        if type(value) is not bool:
            out.append(type_error("audio", "audio.type", "a boolean", value))
            bound += json_bound(value)
            eff_audio = (
                REFERENCE2VIDEO_SUBJECTS_AUDIO_DEFAULT_BY_MODEL.get(
                    model, REFERENCE2VIDEO_SUBJECTS_AUDIO.default
                )
                if model
                else REFERENCE2VIDEO_SUBJECTS_AUDIO.default
            )
        else:
            eff_audio = value
    value = source.get("audio_type", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(type_error("audio_type", "audio_type.type", "a string", value))
            bound += json_bound(value)
        else:
            if (
                REFERENCE2VIDEO_SUBJECTS_AUDIO_TYPE_ALIASES.get(value, value)
                not in REFERENCE2VIDEO_SUBJECTS_AUDIO_TYPE_CHOICES
            ):
                out.append(
                    not_a_choice(
                        "audio_type",
                        "audio_type.choice",
                        value,
                        None,
                        REFERENCE2VIDEO_SUBJECTS_AUDIO_TYPE_CHOICES,
                    )
                )
            bound += 6 * len(value)
    value = source.get("duration", MISSING)
    if value is not MISSING:
        if type(value) is not int:
            out.append(type_error("duration", "duration.type", "an integer", value))
            bound += json_bound(value)
        else:
            bounds = (
                REFERENCE2VIDEO_SUBJECTS_DURATION_RANGE_BY_MODEL.get(model)
                if model
                else None
            )
            if bounds is not None and not bounds[0] <= value <= bounds[1]:
                out.append(
                    out_of_range("duration", "duration.range", value, model, bounds)
                )
            bound += value.bit_length()
    value = source.get("seed", MISSING)
    if value is not MISSING:
        if type(value) is not int:
            out.append(type_error("seed", "seed.type", "an integer", value))
            bound += json_bound(value)
        else:
            bound += value.bit_length()
    value = source.get("aspect_ratio", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(
                type_error("aspect_ratio", "aspect_ratio.type", "a string", value)
            )
            bound += json_bound(value)
        else:
            choices = (
                REFERENCE2VIDEO_SUBJECTS_ASPECT_RATIO_CHOICES_BY_MODEL.get(model)
                if model
                else None
            )
            if choices is not None and value not in choices:
                out.append(
                    not_a_choice(
                        "aspect_ratio", "aspect_ratio.choice", value, model, choices
                    )
                )
            pattern = (
                REFERENCE2VIDEO_SUBJECTS_ASPECT_RATIO_PATTERN_BY_MODEL.get(model)
                if model
                else None
            )
            if pattern is not None and not pattern.matches(value):
                out.append(
                    no_match(
                        "aspect_ratio", "aspect_ratio.pattern", value, model, pattern
                    )
                )
            bound += 6 * len(value)
    value = source.get("resolution", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(type_error("resolution", "resolution.type", "a string", value))
            bound += json_bound(value)
        else:
            choices = (
                REFERENCE2VIDEO_SUBJECTS_RESOLUTION_CHOICES_BY_MODEL.get(model)
                if model
                else None
            )
            if choices is not None and value not in choices:
                out.append(
                    not_a_choice(
                        "resolution", "resolution.choice", value, model, choices
                    )
                )
            bound += 6 * len(value)
    value = source.get("movement_amplitude", MISSING)
    if value is not MISSING:
        if model in REFERENCE2VIDEO_SUBJECTS_MOVEMENT_AMPLITUDE_IGNORED_BY:
            out.append(
                ignored("movement_amplitude", "movement_amplitude.ignored", model)
            )
        if type(value) is not str:
            out.append(
                type_error(
                    "movement_amplitude", "movement_amplitude.type", "a string", value
                )
            )
            bound += json_bound(value)
        else:
            if value not in REFERENCE2VIDEO_SUBJECTS_MOVEMENT_AMPLITUDE_CHOICES:
                out.append(
                    not_a_choice(
                        "movement_amplitude",
                        "movement_amplitude.choice",
                        value,
                        None,
                        REFERENCE2VIDEO_SUBJECTS_MOVEMENT_AMPLITUDE_CHOICES,
                    )
                )
            bound += 6 * len(value)
    value = source.get("payload", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(type_error("payload", "payload.type", "a string", value))
            bound += json_bound(value)
        else:
            if (
                not REFERENCE2VIDEO_SUBJECTS_PAYLOAD_LENGTH[0]
                <= len(value)
                <= REFERENCE2VIDEO_SUBJECTS_PAYLOAD_LENGTH[1]
            ):
                out.append(
                    bad_length(
                        "payload",
                        "payload.length",
                        len(value),
                        REFERENCE2VIDEO_SUBJECTS_PAYLOAD_LENGTH,
                    )
                )
            bound += 6 * len(value)
    value = source.get("off_peak", MISSING)
    if value is MISSING:
        eff_off_peak = REFERENCE2VIDEO_SUBJECTS_OFF_PEAK.default
    else:
        if type(value) is not bool:
            out.append(type_error("off_peak", "off_peak.type", "a boolean", value))
            bound += json_bound(value)
            eff_off_peak = REFERENCE2VIDEO_SUBJECTS_OFF_PEAK.default
        else:
            eff_off_peak = value
    value = source.get("callback_url", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(
                type_error("callback_url", "callback_url.type", "a string", value)
            )
            bound += json_bound(value)
        else:
            bound += 6 * len(value)
    if model is not None:
        total = total_items(source.get("subjects"), "images")
        limit = REFERENCE2VIDEO_SUBJECTS_RULE_0.limit(model)
        if total > limit:
            out.append(
                broken_rule(
                    REFERENCE2VIDEO_SUBJECTS_RULE_0,
                    "subjects",
                    model,
                    max=limit,
                    value=total,
                )
            )
    if model is not None and model in REFERENCE2VIDEO_SUBJECTS_RULE_1.models:
        total = total_items(source.get("subjects"), "videos")
        limit = REFERENCE2VIDEO_SUBJECTS_RULE_1.limit(model)
        if total > limit:
            out.append(
                broken_rule(
                    REFERENCE2VIDEO_SUBJECTS_RULE_1,
                    "subjects",
                    model,
                    max=limit,
                    value=total,
                )
            )
    if (
        model in REFERENCE2VIDEO_SUBJECTS_RULE_2.models
        and eff_off_peak is True
        and eff_audio is False
    ):
        out.append(
            broken_rule(
                REFERENCE2VIDEO_SUBJECTS_RULE_2,
                "off_peak",
                model or "any model",
                by_default(source, {"off_peak": eff_off_peak, "audio": eff_audio}),
            )
        )
    if (
        model in REFERENCE2VIDEO_SUBJECTS_RULE_3.models
        and eff_off_peak is True
        and eff_audio is True
    ):
        out.append(
            broken_rule(
                REFERENCE2VIDEO_SUBJECTS_RULE_3,
                "off_peak",
                model or "any model",
                by_default(source, {"off_peak": eff_off_peak, "audio": eff_audio}),
            )
        )
    if eff_audio is False and "audio_type" in source:
        out.append(
            broken_rule(
                REFERENCE2VIDEO_SUBJECTS_RULE_4,
                "audio_type",
                model or "any model",
                by_default(source, {"audio": eff_audio}),
            )
        )
    if bound > REFERENCE2VIDEO_SUBJECTS_BODY_MAX_BYTES:
        size = oversized_body(source, REFERENCE2VIDEO_SUBJECTS_BODY_MAX_BYTES)
        if size is not None:
            out.append(body_too_large(size, REFERENCE2VIDEO_SUBJECTS_BODY_MAX_BYTES))


# reference2video, the images form (Reference2VideoRequest)

REFERENCE2VIDEO_IMAGES_FIELDS: Final = frozenset(
    [
        "model",
        "images",
        "videos",
        "prompt",
        "duration",
        "seed",
        "aspect_ratio",
        "resolution",
        "movement_amplitude",
        "bgm",
        "payload",
        "off_peak",
        "audio",
        "callback_url",
    ]
)
REFERENCE2VIDEO_IMAGES_MODELS: Final = frozenset(REFERENCE2VIDEO_IMAGES.models)
REFERENCE2VIDEO_IMAGES_FORM: Final = "the images form (Reference2VideoRequest)"
REFERENCE2VIDEO_IMAGES_IMAGES_COUNT: Final = present(
    REFERENCE2VIDEO_IMAGES.fields["images"].count
)
REFERENCE2VIDEO_IMAGES_VIDEOS_COUNT: Final = present(
    REFERENCE2VIDEO_IMAGES.fields["videos"].count
)
REFERENCE2VIDEO_IMAGES_VIDEOS_UNSUPPORTED_BY: Final = REFERENCE2VIDEO_IMAGES.fields[
    "videos"
].unsupported_by
REFERENCE2VIDEO_IMAGES_PROMPT_LENGTH: Final = present(
    REFERENCE2VIDEO_IMAGES.fields["prompt"].length
)
REFERENCE2VIDEO_IMAGES_DURATION: Final = REFERENCE2VIDEO_IMAGES.fields["duration"]
REFERENCE2VIDEO_IMAGES_DURATION_DEFAULT_BY_MODEL: Final = REFERENCE2VIDEO_IMAGES.fields[
    "duration"
].default_by_model
REFERENCE2VIDEO_IMAGES_DURATION_RANGE_BY_MODEL: Final = REFERENCE2VIDEO_IMAGES.fields[
    "duration"
].range_by_model
REFERENCE2VIDEO_IMAGES_ASPECT_RATIO_CHOICES_BY_MODEL: Final = (
    REFERENCE2VIDEO_IMAGES.fields["aspect_ratio"].choices_by_model
)
REFERENCE2VIDEO_IMAGES_RESOLUTION_CHOICES_BY_MODEL: Final = (
    REFERENCE2VIDEO_IMAGES.fields["resolution"].choices_by_model
)
REFERENCE2VIDEO_IMAGES_MOVEMENT_AMPLITUDE_CHOICES: Final = present(
    REFERENCE2VIDEO_IMAGES.fields["movement_amplitude"].choices
)
REFERENCE2VIDEO_IMAGES_MOVEMENT_AMPLITUDE_IGNORED_BY: Final = (
    REFERENCE2VIDEO_IMAGES.fields["movement_amplitude"].ignored_by
)
REFERENCE2VIDEO_IMAGES_BGM: Final = REFERENCE2VIDEO_IMAGES.fields["bgm"]
REFERENCE2VIDEO_IMAGES_BGM_IGNORED_BY: Final = REFERENCE2VIDEO_IMAGES.fields[
    "bgm"
].ignored_by
REFERENCE2VIDEO_IMAGES_PAYLOAD_LENGTH: Final = present(
    REFERENCE2VIDEO_IMAGES.fields["payload"].length
)
REFERENCE2VIDEO_IMAGES_OFF_PEAK: Final = REFERENCE2VIDEO_IMAGES.fields["off_peak"]
REFERENCE2VIDEO_IMAGES_AUDIO: Final = REFERENCE2VIDEO_IMAGES.fields["audio"]
REFERENCE2VIDEO_IMAGES_RULE_0: Final = REFERENCE2VIDEO_IMAGES.rules[0]
REFERENCE2VIDEO_IMAGES_RULE_1: Final = REFERENCE2VIDEO_IMAGES.rules[1]
REFERENCE2VIDEO_IMAGES_RULE_2: Final = REFERENCE2VIDEO_IMAGES.rules[2]
REFERENCE2VIDEO_IMAGES_RULE_3: Final = REFERENCE2VIDEO_IMAGES.rules[3]
REFERENCE2VIDEO_IMAGES_RULE_4: Final = REFERENCE2VIDEO_IMAGES.rules[4]


def check_reference2video_images(
    source: Mapping[Any, Any], out: list[Violation]
) -> None:
    """Check a body of the images form (Reference2VideoRequest)."""
    if not REFERENCE2VIDEO_IMAGES_FIELDS.issuperset(source):
        unknown_fields(source, REFERENCE2VIDEO_IMAGES_FIELDS, "", out)
    value = source.get("model", MISSING)
    if type(value) is str and value in REFERENCE2VIDEO_IMAGES_MODELS:
        model: str | None = value
    else:
        model = check_model(
            value,
            "model",
            REFERENCE2VIDEO_IMAGES_MODELS,
            KNOWN_MODELS,
            REFERENCE2VIDEO_IMAGES_FORM,
            out,
        )
    value = source.get("images", MISSING)
    if value is not MISSING:
        if type(value) is not list and type(value) is not tuple:
            out.append(
                type_error(
                    "images", "images.type", "an array", value, "vidu.Image.from_path"
                )
            )
        else:
            if (
                not REFERENCE2VIDEO_IMAGES_IMAGES_COUNT[0]
                <= len(value)
                <= REFERENCE2VIDEO_IMAGES_IMAGES_COUNT[1]
            ):
                out.append(
                    bad_count(
                        "images",
                        "images.count",
                        len(value),
                        None,
                        REFERENCE2VIDEO_IMAGES_IMAGES_COUNT,
                    )
                )
            for i, item in enumerate(value):
                if type(item) is not str:
                    out.append(
                        type_error(
                            f"images[{i}]",
                            "images.type",
                            "a string",
                            item,
                            "vidu.Image.from_path",
                        )
                    )
                elif not item.startswith(IMAGE_ASSET_PREFIXES):
                    check_asset(
                        item,
                        IMAGE_ASSET_BELOW_10485760,
                        f"images[{i}]",
                        "images",
                        out,
                        "vidu.Image.from_path",
                    )
    value = source.get("videos", MISSING)
    if value is not MISSING:
        if model in REFERENCE2VIDEO_IMAGES_VIDEOS_UNSUPPORTED_BY:
            out.append(unsupported("videos", "videos.unsupported", model))
        if type(value) is not list and type(value) is not tuple:
            out.append(
                type_error(
                    "videos", "videos.type", "an array", value, "vidu.Video.from_path"
                )
            )
        else:
            if (
                not REFERENCE2VIDEO_IMAGES_VIDEOS_COUNT[0]
                <= len(value)
                <= REFERENCE2VIDEO_IMAGES_VIDEOS_COUNT[1]
            ):
                out.append(
                    bad_count(
                        "videos",
                        "videos.count",
                        len(value),
                        None,
                        REFERENCE2VIDEO_IMAGES_VIDEOS_COUNT,
                    )
                )
            for i, item in enumerate(value):
                if type(item) is not str:
                    out.append(
                        type_error(
                            f"videos[{i}]",
                            "videos.type",
                            "a string",
                            item,
                            "vidu.Video.from_path",
                        )
                    )
                elif not item.startswith(VIDEO_ASSET_PREFIXES):
                    check_asset(
                        item,
                        VIDEO_ASSET_BELOW_20971520,
                        f"videos[{i}]",
                        "videos",
                        out,
                        "vidu.Video.from_path",
                    )
    value = source.get("prompt", MISSING)
    if value is MISSING:
        out.append(required("prompt", "prompt.required", REFERENCE2VIDEO_IMAGES_FORM))
    else:
        if type(value) is not str:
            out.append(type_error("prompt", "prompt.type", "a string", value))
        else:
            if (
                not REFERENCE2VIDEO_IMAGES_PROMPT_LENGTH[0]
                <= len(value)
                <= REFERENCE2VIDEO_IMAGES_PROMPT_LENGTH[1]
            ):
                out.append(
                    bad_length(
                        "prompt",
                        "prompt.length",
                        len(value),
                        REFERENCE2VIDEO_IMAGES_PROMPT_LENGTH,
                    )
                )
    value = source.get("duration", MISSING)
    if value is MISSING:
        eff_duration = (
            REFERENCE2VIDEO_IMAGES_DURATION_DEFAULT_BY_MODEL.get(
                model, REFERENCE2VIDEO_IMAGES_DURATION.default
            )
            if model
            else REFERENCE2VIDEO_IMAGES_DURATION.default
        )
    else:
        if type(value) is not int:
            out.append(type_error("duration", "duration.type", "an integer", value))
            eff_duration = (
                REFERENCE2VIDEO_IMAGES_DURATION_DEFAULT_BY_MODEL.get(
                    model, REFERENCE2VIDEO_IMAGES_DURATION.default
                )
                if model
                else REFERENCE2VIDEO_IMAGES_DURATION.default
            )
        else:
            bounds = (
                REFERENCE2VIDEO_IMAGES_DURATION_RANGE_BY_MODEL.get(model)
                if model
                else None
            )
            if bounds is not None and not bounds[0] <= value <= bounds[1]:
                out.append(
                    out_of_range("duration", "duration.range", value, model, bounds)
                )
            eff_duration = value
    value = source.get("seed", MISSING)
    if value is not MISSING and type(value) is not int:
        out.append(type_error("seed", "seed.type", "an integer", value))
    value = source.get("aspect_ratio", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(
                type_error("aspect_ratio", "aspect_ratio.type", "a string", value)
            )
        else:
            choices = (
                REFERENCE2VIDEO_IMAGES_ASPECT_RATIO_CHOICES_BY_MODEL.get(model)
                if model
                else None
            )
            if choices is not None and value not in choices:
                out.append(
                    not_a_choice(
                        "aspect_ratio", "aspect_ratio.choice", value, model, choices
                    )
                )
    value = source.get("resolution", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(type_error("resolution", "resolution.type", "a string", value))
        else:
            choices = (
                REFERENCE2VIDEO_IMAGES_RESOLUTION_CHOICES_BY_MODEL.get(model)
                if model
                else None
            )
            if choices is not None and value not in choices:
                out.append(
                    not_a_choice(
                        "resolution", "resolution.choice", value, model, choices
                    )
                )
    value = source.get("movement_amplitude", MISSING)
    if value is not MISSING:
        if model in REFERENCE2VIDEO_IMAGES_MOVEMENT_AMPLITUDE_IGNORED_BY:
            out.append(
                ignored("movement_amplitude", "movement_amplitude.ignored", model)
            )
        if type(value) is not str:
            out.append(
                type_error(
                    "movement_amplitude", "movement_amplitude.type", "a string", value
                )
            )
        else:
            if value not in REFERENCE2VIDEO_IMAGES_MOVEMENT_AMPLITUDE_CHOICES:
                out.append(
                    not_a_choice(
                        "movement_amplitude",
                        "movement_amplitude.choice",
                        value,
                        None,
                        REFERENCE2VIDEO_IMAGES_MOVEMENT_AMPLITUDE_CHOICES,
                    )
                )
    value = source.get("bgm", MISSING)
    if value is MISSING:
        eff_bgm = REFERENCE2VIDEO_IMAGES_BGM.default
    else:
        if model in REFERENCE2VIDEO_IMAGES_BGM_IGNORED_BY:
            out.append(ignored("bgm", "bgm.ignored", model))
        if type(value) is not bool:
            out.append(type_error("bgm", "bgm.type", "a boolean", value))
            eff_bgm = REFERENCE2VIDEO_IMAGES_BGM.default
        else:
            eff_bgm = value
    value = source.get("payload", MISSING)
    if value is not MISSING:
        if type(value) is not str:
            out.append(type_error("payload", "payload.type", "a string", value))
        else:
            if (
                not REFERENCE2VIDEO_IMAGES_PAYLOAD_LENGTH[0]
                <= len(value)
                <= REFERENCE2VIDEO_IMAGES_PAYLOAD_LENGTH[1]
            ):
                out.append(
                    bad_length(
                        "payload",
                        "payload.length",
                        len(value),
                        REFERENCE2VIDEO_IMAGES_PAYLOAD_LENGTH,
                    )
                )
    value = source.get("off_peak", MISSING)
    if value is MISSING:
        eff_off_peak = REFERENCE2VIDEO_IMAGES_OFF_PEAK.default
    else:
        if type(value) is not bool:
            out.append(type_error("off_peak", "off_peak.type", "a boolean", value))
            eff_off_peak = REFERENCE2VIDEO_IMAGES_OFF_PEAK.default
        else:
            eff_off_peak = value
    value = source.get("audio", MISSING)
    if value is MISSING:
        eff_audio = REFERENCE2VIDEO_IMAGES_AUDIO.default
    else:
        if type(value) is not bool:
            out.append(type_error("audio", "audio.type", "a boolean", value))
            eff_audio = REFERENCE2VIDEO_IMAGES_AUDIO.default
        else:
            eff_audio = value
    value = source.get("callback_url", MISSING)
    if value is not MISSING and type(value) is not str:
        out.append(type_error("callback_url", "callback_url.type", "a string", value))
    if "images" not in source and "videos" not in source:
        out.append(
            broken_rule(REFERENCE2VIDEO_IMAGES_RULE_0, "images", model or "any model")
        )
    if (
        model is not None
        and model in REFERENCE2VIDEO_IMAGES_RULE_1.models
        and "videos" in source
    ):
        total = count_items(source.get("images"))
        limit = REFERENCE2VIDEO_IMAGES_RULE_1.limit(model)
        if total > limit:
            out.append(
                broken_rule(
                    REFERENCE2VIDEO_IMAGES_RULE_1,
                    "images",
                    model,
                    max=limit,
                    value=total,
                )
            )
    if (
        model in REFERENCE2VIDEO_IMAGES_RULE_2.models
        and eff_off_peak is True
        and eff_audio is False
    ):
        out.append(
            broken_rule(
                REFERENCE2VIDEO_IMAGES_RULE_2,
                "off_peak",
                model or "any model",
                by_default(source, {"off_peak": eff_off_peak, "audio": eff_audio}),
            )
        )
    if (
        model in REFERENCE2VIDEO_IMAGES_RULE_3.models
        and eff_off_peak is True
        and eff_audio is True
    ):
        out.append(
            broken_rule(
                REFERENCE2VIDEO_IMAGES_RULE_3,
                "off_peak",
                model or "any model",
                by_default(source, {"off_peak": eff_off_peak, "audio": eff_audio}),
            )
        )
    if (
        model in REFERENCE2VIDEO_IMAGES_RULE_4.models
        and eff_bgm is True
        and eff_duration in (9, 10)
    ):
        out.append(
            broken_rule(
                REFERENCE2VIDEO_IMAGES_RULE_4,
                "bgm",
                model or "any model",
                by_default(source, {"bgm": eff_bgm, "duration": eff_duration}),
            )
        )


OPERATIONS: Final = ["cancel", "reference2video"]
"""The operations that take a body, which :func:`validate_payload` checks."""


def validate_payload(operation_id: str, payload: Mapping[str, Any]) -> list[Violation]:
    """Check a raw JSON body exactly as the service would see it.

    Nothing is coerced: ``"5"`` is not an integer and ``True`` is not a
    number. Unknown fields are reported. Every violation is returned, errors
    and warnings alike; the function never raises for any JSON-like
    ``payload``.

    ``cancel``: any other as the cancel form (CancelRequest).

    ``reference2video``: a body with ``subjects`` is checked as the subjects form (Reference2VideoSubjectsRequest); any other as the images form (Reference2VideoRequest).

    :raises ValueError: ``operation_id`` is not one of :data:`OPERATIONS`.
    """
    out: list[Violation] = []
    if operation_id == "cancel":
        if type(payload) is not dict and not isinstance(payload, Mapping):
            out.append(not_an_object("", "body.type", payload))
        else:
            check_cancel_cancel(payload, out)
        return out
    if operation_id == "reference2video":
        if type(payload) is not dict and not isinstance(payload, Mapping):
            out.append(not_an_object("", "body.type", payload))
        elif "subjects" in payload:
            check_reference2video_subjects(payload, out)
        else:
            check_reference2video_images(payload, out)
        return out
    raise ValueError(
        f"unknown operation {operation_id!r}: known operations are {OPERATIONS}"
    )
