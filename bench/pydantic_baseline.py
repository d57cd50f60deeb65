"""A pydantic v2 baseline for POST /ent/v2/reference2video bodies.

A compact, independent re-statement of spec/operations/reference2video.yaml,
used by ``bench_validate.py`` to put the cost of ``vidu.validate_payload`` in
perspective. It is a baseline, not a product: it answers "valid or not", with
the same rules as vidu for both body forms, but with pydantic's own messages.

A ``data:`` URI is checked as a user would write it: accepted media type and
``;base64,`` by the pattern, then an after-validator decodes the first
bytes of an image (the PNG signature and its IHDR width and height; JPEG and
WebP by their magic bytes only), checks the minimum size and aspect ratio and
the decoded size against 50 MiB. Where it is knowingly looser than vidu: no
dimensions for JPEG or WebP, videos by their header only, no 20 MiB body
limit. Warnings (fields that the service ignores) are not errors in either
validator.

Fields the spec does not make nullable are not ``Optional``: a JSON ``null``
is a type error, as in vidu. Whether a field was given is read from
``model_fields_set``, so the placeholder defaults below are never checked.
"""

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = ["ImagesBody", "Subject", "SubjectsBody", "validate"]

STRICT: Final = ConfigDict(strict=True, extra="forbid")

Q3: Final = frozenset({"viduq3-turbo", "viduq3"})
"""The q3 models of the subjects form (viduq3-mix does not take subjects)."""
Q2: Final = frozenset({"viduq2-pro", "viduq2"})

DURATION: Final[Mapping[str, tuple[int, int]]] = {
    "viduq3-mix": (1, 16),
    "viduq3-turbo": (3, 16),
    "viduq3": (3, 16),
    "viduq2-pro": (0, 10),
    "viduq2": (1, 10),
    "viduq1": (5, 5),
    "vidu2.0": (4, 4),
}
"""Duration range in seconds; the same rows in both forms."""

_HD = frozenset({"540p", "720p", "1080p"})
RESOLUTION: Final[Mapping[str, frozenset[str]]] = {
    "viduq3-mix": frozenset({"720p", "1080p"}),
    "viduq3-turbo": _HD,
    "viduq3": _HD,
    "viduq2-pro": _HD,
    "viduq2": _HD,
    "viduq1": frozenset({"1080p"}),
    "vidu2.0": frozenset({"360p", "720p"}),
}
"""Resolution choices; the same rows in both forms."""

_BASIC_RATIOS = frozenset({"16:9", "9:16", "1:1"})
IMAGES_ASPECT: Final[Mapping[str, frozenset[str]]] = {
    "viduq3-mix": _BASIC_RATIOS,
    "viduq3-turbo": _BASIC_RATIOS,
    "viduq3": _BASIC_RATIOS,
    "viduq2-pro": _BASIC_RATIOS | {"3:4", "4:3"},
    "viduq2": _BASIC_RATIOS | {"3:4", "4:3"},
    "viduq1": _BASIC_RATIOS,
    "vidu2.0": _BASIC_RATIOS,
}
"""Aspect ratio choices of the images form."""
SUBJECTS_ASPECT: Final[Mapping[str, frozenset[str]]] = {
    "viduq1": _BASIC_RATIOS,
    "vidu2.0": _BASIC_RATIOS,
}
"""Aspect ratio choices of the subjects form; q2 and q3 take any W:H ratio."""
RATIO: Final = re.compile(r"[1-9][0-9]{0,3}:[1-9][0-9]{0,3}")

SubjectsModelName = Literal[
    "viduq3-turbo", "viduq3", "viduq2-pro", "viduq2", "viduq1", "vidu2.0"
]
ImagesModelName = Literal[
    "viduq3-mix", "viduq3-turbo", "viduq3", "viduq2-pro", "viduq2", "viduq1", "vidu2.0"
]
MovementAmplitude = Literal["auto", "small", "medium", "large"]
AudioType = Literal[
    "all",
    "speech_only",
    "sound_effect_only",
    # the vendor page's spellings, accepted as aliases
    "All",
    "Speech_only",
    "Sound-effect_only",
    "sound-effect_only",
]

MAX_IMAGE_BYTES: Final = 50 * 1024 * 1024
MIN_SIDE: Final = 128
MAGIC: Final[Mapping[str, bytes]] = {
    "png": b"\x89PNG\r\n\x1a\n",
    "jpeg": b"\xff\xd8\xff",
    "jpg": b"\xff\xd8\xff",
    "webp": b"RIFF",
}


def _check_image(value: str) -> str:
    """A data URI's first bytes: format, PNG size and aspect ratio, decoded size."""
    if not value.startswith("data:"):
        return value
    head, _, b64 = value.partition(";base64,")
    fmt = head.removeprefix("data:image/")
    try:
        start = base64.b64decode(b64[:32], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("data URI is not base64") from None
    if not start.startswith(MAGIC[fmt]):
        raise ValueError(f"data URI does not hold a {fmt} image")
    if fmt == "png":
        width = int.from_bytes(start[16:20], "big")
        height = int.from_bytes(start[20:24], "big")
        if width < MIN_SIDE or height < MIN_SIDE:
            raise ValueError(f"image {width}x{height} is below {MIN_SIDE}x{MIN_SIDE}")
        if not 1 / 4 <= width / height <= 4:
            raise ValueError(f"image aspect ratio {width}:{height} is outside 1:4-4:1")
    if len(b64) * 3 // 4 > MAX_IMAGE_BYTES:
        raise ValueError("image is over 50 MiB")
    return value


ImageRef = Annotated[
    str,
    Field(pattern=r"^(https?://|ssupload:|data:image/(png|jpe?g|webp);base64,)"),
    AfterValidator(_check_image),
]
VideoRef = Annotated[
    str,
    Field(pattern=r"^(https?://|data:video/(mp4|quicktime|x-msvideo|avi);base64,)"),
]
Prompt = Annotated[str, Field(min_length=1, max_length=5000)]
Payload = Annotated[str, Field(max_length=1_048_576)]


def _fail(problems: list[str]) -> None:
    if problems:
        raise ValueError("; ".join(problems))


class Subject(BaseModel):
    """A named subject of the subjects form."""

    model_config = STRICT

    name: Annotated[str, Field(min_length=1, max_length=5000)]
    images: list[ImageRef] = Field(default_factory=list, min_length=1, max_length=3)
    videos: list[VideoRef] = Field(default_factory=list, min_length=1, max_length=2)
    voice_id: str = ""
    # a subject with neither images nor videos is a text subject: a warning in
    # vidu, so valid here


class SubjectsBody(BaseModel):
    """The subjects form: a body with ``subjects``."""

    model_config = STRICT

    model: SubjectsModelName
    auto_subjects: bool = False
    subjects: list[Subject] = Field(min_length=1, max_length=7)
    prompt: Prompt
    audio: bool = False
    audio_type: AudioType = "all"
    duration: int = 0
    seed: int = 0
    aspect_ratio: str = "16:9"
    resolution: str = ""
    movement_amplitude: MovementAmplitude = "auto"
    payload: Payload = ""
    off_peak: bool = False
    callback_url: str = ""

    @model_validator(mode="after")
    def _per_model(self) -> Self:
        model, given, problems = self.model, self.model_fields_set, []
        if "duration" in given:
            low, high = DURATION[model]
            if not low <= self.duration <= high:
                problems.append(f"duration {self.duration} not in {low}-{high}")
        if "aspect_ratio" in given:
            choices = SUBJECTS_ASPECT.get(model)
            if choices is None:
                if RATIO.fullmatch(self.aspect_ratio) is None:
                    problems.append(f"aspect_ratio {self.aspect_ratio!r} is not W:H")
            elif self.aspect_ratio not in choices:
                problems.append(f"aspect_ratio {self.aspect_ratio!r} not allowed")
        if "resolution" in given and self.resolution not in RESOLUTION[model]:
            problems.append(f"resolution {self.resolution!r} not allowed")
        for subject in self.subjects:
            if model != "viduq2-pro" and "videos" in subject.model_fields_set:
                problems.append(f"subject videos are not supported by {model}")
        # images and videos across subjects: warnings in vidu (one reading
        # of the page), so not checked here
        audio = self.audio if "audio" in given else model in Q3
        if self.off_peak and audio != (model in Q3):
            problems.append(f"off_peak needs audio {model in Q3} on {model}")
        _fail(problems)
        return self


class ImagesBody(BaseModel):
    """The images form: any body without ``subjects``."""

    model_config = STRICT

    model: ImagesModelName
    images: list[ImageRef] = Field(default_factory=list, min_length=1, max_length=7)
    videos: list[VideoRef] = Field(default_factory=list, min_length=1, max_length=2)
    prompt: Prompt
    duration: int = 0
    seed: int = 0
    aspect_ratio: str = "16:9"
    resolution: str = ""
    movement_amplitude: MovementAmplitude = "auto"
    bgm: bool = False
    payload: Payload = ""
    off_peak: bool = False
    callback_url: str = ""

    @model_validator(mode="after")
    def _per_model(self) -> Self:
        model, given, problems = self.model, self.model_fields_set, []
        if "duration" in given:
            low, high = DURATION[model]
            if not low <= self.duration <= high:
                problems.append(f"duration {self.duration} not in {low}-{high}")
        if "aspect_ratio" in given and self.aspect_ratio not in IMAGES_ASPECT[model]:
            problems.append(f"aspect_ratio {self.aspect_ratio!r} not allowed")
        if "resolution" in given and self.resolution not in RESOLUTION[model]:
            problems.append(f"resolution {self.resolution!r} not allowed")
        if "videos" in given:
            if model != "viduq2-pro":
                problems.append(f"videos are not supported by {model}")
            elif len(self.images) > 4:
                problems.append("at most 4 images together with videos")
        elif "images" not in given:
            problems.append("images is required (or videos, on viduq2-pro)")
        _fail(problems)
        return self


def validate(body: Mapping[str, Any]) -> SubjectsBody | ImagesBody:
    """Validate ``body``, choosing the form as vidu does; raise if invalid."""
    if "subjects" in body:
        return SubjectsBody.model_validate(body)
    return ImagesBody.model_validate(body)
