# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Hypothesis strategies for Vidu request bodies, drawn from the spec.

Import it on purpose, in tests: it needs hypothesis
(``pip install 'vidu[testing]'``), which ``import vidu`` does not::

    from hypothesis import given
    from vidu import strategies

    @given(strategies.bodies("reference2video"))
    def test_my_code_takes_every_valid_body(body):
        ...

- :func:`bodies`: bodies every rule of the spec accepts, for every model and
  form: each field within its bounds for the model, assets as URLs, the
  cross-field rules kept; warnings only where the spec's rules say
  (``warnings=False``: none);
- :func:`broken_bodies`: valid bodies with exactly one field broken, each
  with the field and the rule of the error it must cause (:class:`Broken`);
- :func:`requests`: typed requests of a request class, built from such bodies;
- :func:`json_values`: any JSON-like value, for code that must take anything.

The spec's rules are below as data (``SPECS``), read by
:mod:`specgen_runtime.strategies`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, TypeVar

try:
    from hypothesis import strategies as st
except ImportError as error:
    raise ImportError(
        "vidu.strategies needs hypothesis: pip install 'vidu[testing]'"
    ) from error

from specgen_runtime.contract import (
    Condition,
    ContractSpec,
    Field,
    Form,
    Obj,
    Rule,
    Triple,
    build_request,
    expected_for,
)
from specgen_runtime.strategies import Broken, FormStrategies, json_values
from specgen_runtime.violations import validation_mode

from . import models
from .tables import IMAGE_ASSET, VIDEO_ASSET

R = TypeVar("R")

RATIO_PATTERN: Final = "[0-9]{1,5}(\\.[0-9]{1,4})?:[0-9]{1,5}(\\.[0-9]{1,4})?"

SPECS: Final[Mapping[str, ContractSpec]] = {
    "cancel": ContractSpec(
        operation="cancel",
        known_models=(
            "viduq3-mix",
            "viduq3-turbo",
            "viduq3",
            "viduq2-pro",
            "viduq2",
            "viduq1",
            "vidu2.0",
        ),
        forms=(
            Form(
                name="cancel",
                class_name="CancelRequest",
                const="CANCEL_CANCEL",
                fields=(Field(name="id", kind="string"),),
            ),
        ),
        responses=(),
    ),
    "reference2video": ContractSpec(
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
        forms=(
            Form(
                name="subjects",
                class_name="Reference2VideoSubjectsRequest",
                const="REFERENCE2VIDEO_SUBJECTS",
                selected_by="subjects",
                models=(
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
                    Field(name="auto_subjects", kind="boolean", default=False),
                    Field(
                        name="subjects",
                        kind="array",
                        items="object",
                        items_object="Subject",
                        required=True,
                        count=(1, 7),
                    ),
                    Field(
                        name="prompt", kind="string", required=True, length=(1, 5000)
                    ),
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
                                count=(1, 3),
                            ),
                            Field(
                                name="videos",
                                path="subjects.videos",
                                kind="array",
                                items="asset",
                                items_type="string",
                                count=(1, 3),
                                unsupported_by=frozenset(
                                    {
                                        "vidu2.0",
                                        "viduq1",
                                        "viduq2",
                                        "viduq3",
                                        "viduq3-turbo",
                                    }
                                ),
                            ),
                            Field(
                                name="voice_id", path="subjects.voice_id", kind="string"
                            ),
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
                        count=(1, 7),
                    ),
                    Field(
                        name="videos",
                        kind="array",
                        items="asset",
                        items_type="string",
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
                    Field(
                        name="prompt", kind="string", required=True, length=(1, 5000)
                    ),
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
        ),
        responses=(),
    ),
}
"""The spec's rules for each operation that takes a body, as data."""

FORMS: Final[Mapping[str, Mapping[str, FormStrategies]]] = {
    "cancel": {
        "cancel": FormStrategies(
            SPECS["cancel"],
            SPECS["cancel"].form("cancel"),
            {},
        ),
    },
    "reference2video": {
        "subjects": FormStrategies(
            SPECS["reference2video"],
            SPECS["reference2video"].form("subjects"),
            {
                "subjects.images": IMAGE_ASSET,
                "subjects.videos": VIDEO_ASSET,
            },
        ),
        "images": FormStrategies(
            SPECS["reference2video"],
            SPECS["reference2video"].form("images"),
            {
                "images": IMAGE_ASSET,
                "videos": VIDEO_ASSET,
            },
        ),
    },
}
"""The strategies of each form, by operation and form name."""

CLASSES: Final[Mapping[type, FormStrategies]] = {
    models.CancelRequest: FORMS["cancel"]["cancel"],
    models.Reference2VideoSubjectsRequest: FORMS["reference2video"]["subjects"],
    models.Reference2VideoRequest: FORMS["reference2video"]["images"],
}
"""The strategies of each request class."""


def _forms(operation: str, form: str | None, model: str | None) -> list[FormStrategies]:
    """The forms of ``operation`` to draw from: ``form``, or every one that
    takes ``model``."""
    if operation not in FORMS:
        raise ValueError(
            f"unknown operation {operation!r}: operations with a body are "
            f"{', '.join(FORMS)}"
        )
    forms = FORMS[operation]
    if form is not None:
        if form not in forms:
            raise ValueError(
                f"{operation} has no form {form!r}: its forms are {', '.join(forms)}"
            )
        return [forms[form]]
    chosen = [f for f in forms.values() if model is None or model in f.form.models]
    if not chosen:
        raise ValueError(f"no form of {operation} takes model {model!r}")
    return chosen


def bodies(
    operation: str,
    form: str | None = None,
    *,
    model: str | None = None,
    warnings: bool = True,
) -> st.SearchStrategy[dict[str, Any]]:
    """JSON bodies of ``operation`` that break no rule of the spec.

    ``form`` (a form's name) and ``model`` narrow them down; with
    ``warnings=False`` no body draws a warning either.

    :raises ValueError: an unknown operation or form, or a model no form takes.
    """
    return st.one_of(
        [s.bodies(model, warnings=warnings) for s in _forms(operation, form, model)]
    )


def broken_bodies(
    operation: str, form: str | None = None, *, model: str | None = None
) -> st.SearchStrategy[Broken]:
    """Bodies of ``operation`` that break the spec in exactly one field.

    Each :class:`Broken` holds the body, and the field and rule id of the
    error :func:`vidu.validate_payload` must report for it.

    :raises ValueError: an unknown operation or form, or a model no form takes.
    """
    return st.one_of([s.broken_bodies(model) for s in _forms(operation, form, model)])


def requests(
    cls: type[R], *, model: str | None = None, warnings: bool = True
) -> st.SearchStrategy[R]:
    """Typed requests of class ``cls``, built from :func:`bodies`.

    :raises ValueError: ``cls`` is not a request class of this package.
    """
    found = CLASSES.get(cls)
    if found is None:
        raise ValueError(f"{cls.__name__} is not a request class of vidu")
    strategies = found

    def build(body: dict[str, Any]) -> R:
        # The body is valid by construction: build it without checking again.
        with validation_mode("off"):
            request = build_request(models, strategies.form, body)
        if not isinstance(request, cls):
            raise TypeError(f"built a {type(request).__name__}, not a {cls.__name__}")
        return request

    return found.bodies(model, warnings=warnings).map(build)


def payloads(operation: str) -> st.SearchStrategy[Any]:
    """Any JSON-like value, often an object with ``operation``'s field names:
    what :func:`vidu.validate_payload` must take without raising.

    :raises ValueError: an unknown operation.
    """
    forms = _forms(operation, None, None)
    return json_values(sorted(frozenset().union(*(s.names for s in forms))))


def expected(operation: str, body: object) -> tuple[Triple, ...]:
    """The ``(rule, field, severity)`` of every violation the spec implies
    for ``body``, sorted."""
    return expected_for(SPECS[operation], body)


__all__ = [
    "CLASSES",
    "FORMS",
    "SPECS",
    "Broken",
    "bodies",
    "broken_bodies",
    "expected",
    "json_values",
    "payloads",
    "requests",
]
