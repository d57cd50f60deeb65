# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Typed requests and responses of the Vidu API.

Generated from the spec; do not edit. Enum-typed fields also take plain
strings, so a value the service added after this package was generated can
still be sent (in the ``"warn"`` or ``"off"`` validation mode). A list of
objects also takes mappings, built into the objects.

Responses lose nothing the service sends: a field the spec does not know is
kept in ``extra`` (by its JSON name), a value outside an enum as a plain
string, and a value of another type than the spec gives (``5.5`` for an
integer) as sent, with a :class:`ResponseWarning` naming the field.
``to_dict()`` gives it all back as JSON-ready data.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import attrs
from specgen_runtime.assets import read_asset
from specgen_runtime.convert import (
    dump_response,
    make_converter,
    sent_as_list,
    structure_items,
)
from specgen_runtime.tables import AssetRules
from specgen_runtime.violations import Violation, current_mode, enforce

from ._validators import (
    check_cancel_cancel,
    check_reference2video_images,
    check_reference2video_subjects,
)
from .tables import IMAGE_ASSET, VIDEO_ASSET


class Model(enum.StrEnum):
    """A model name the spec knows. Fields typed with it also take plain strings."""

    VIDUQ3_MIX = "viduq3-mix"
    VIDUQ3_TURBO = "viduq3-turbo"
    VIDUQ3 = "viduq3"
    VIDUQ2_PRO = "viduq2-pro"
    VIDUQ2 = "viduq2"
    VIDUQ1 = "viduq1"
    VIDU2_0 = "vidu2.0"


class AspectRatio(enum.StrEnum):
    """Aspect ratio of the output video."""

    RATIO_16_9 = "16:9"
    RATIO_9_16 = "9:16"
    RATIO_1_1 = "1:1"
    RATIO_3_4 = "3:4"
    RATIO_4_3 = "4:3"


class Resolution(enum.StrEnum):
    """Resolution of the output video."""

    R360P = "360p"
    R540P = "540p"
    R720P = "720p"
    R1080P = "1080p"


class MovementAmplitude(enum.StrEnum):
    """Movement amplitude of objects in the frame."""

    AUTO = "auto"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class AudioType(enum.StrEnum):
    """What the generated audio holds."""

    ALL = "all"
    SPEECH_ONLY = "speech_only"
    SOUND_EFFECT_ONLY = "sound_effect_only"


class TaskState(enum.StrEnum):
    """Where a task is in its life."""

    CREATED = "created"
    QUEUEING = "queueing"
    PROCESSING = "processing"
    SUCCESS = "success"
    FAILED = "failed"


class Image:
    """A reference image, as an http(s) URL or a data URI.

    Accepted formats: png, jpeg, webp.
    Also accepted as they are, unexamined: a string starting with
    ``ssupload:`` (a reference the service gave).
    """

    RULES: ClassVar[AssetRules] = IMAGE_ASSET
    """What an image must be; see :mod:`vidu.tables`."""
    DATA_URI_BYTES: ClassVar[int | None] = 10485760
    """The most bytes a file :meth:`from_path` reads may hold: the smallest
    limit the spec's fields set on an image sent as a data URI (none: only
    the image rules' own)."""

    @classmethod
    def from_path(
        cls, path: str | os.PathLike[str], *, max_bytes: int | None = None
    ) -> str:
        """Read a local file, check it, and return it as a ``data:`` URI.

        A file over ``max_bytes`` (default: :attr:`DATA_URI_BYTES`) is
        refused before anything of it is read.

        :raises LocalFileTooLarge: the file is too large for a data URI; its
            message says the size, the limit and what to do instead.
        :raises ValidationError: the file breaks the image rules;
            every violation is listed.
        :raises LocalFileError: the file cannot be read: ``LocalFileNotFound``,
            ``LocalIsADirectory`` and ``LocalPermissionError`` are also the
            built-in errors of their kind (``FileNotFoundError``...).
        """
        limit = cls.DATA_URI_BYTES if max_bytes is None else max_bytes
        return read_asset(path, cls.RULES, os.fspath(path), max_bytes=limit)


class Video:
    """A reference video, as an http(s) URL or a data URI.

    Accepted formats: mp4, mov, avi.
    """

    RULES: ClassVar[AssetRules] = VIDEO_ASSET
    """What a video must be; see :mod:`vidu.tables`."""
    DATA_URI_BYTES: ClassVar[int | None] = 20971520
    """The most bytes a file :meth:`from_path` reads may hold: the smallest
    limit the spec's fields set on a video sent as a data URI (none: only
    the video rules' own)."""

    @classmethod
    def from_path(
        cls, path: str | os.PathLike[str], *, max_bytes: int | None = None
    ) -> str:
        """Read a local file, check it, and return it as a ``data:`` URI.

        A file over ``max_bytes`` (default: :attr:`DATA_URI_BYTES`) is
        refused before anything of it is read.

        :raises LocalFileTooLarge: the file is too large for a data URI; its
            message says the size, the limit and what to do instead.
        :raises ValidationError: the file breaks the video rules;
            every violation is listed.
        :raises LocalFileError: the file cannot be read: ``LocalFileNotFound``,
            ``LocalIsADirectory`` and ``LocalPermissionError`` are also the
            built-in errors of their kind (``FileNotFoundError``...).
        """
        limit = cls.DATA_URI_BYTES if max_bytes is None else max_bytes
        return read_asset(path, cls.RULES, os.fspath(path), max_bytes=limit)


def _optional_list_of_str(value: Sequence[str] | None) -> list[str] | None:
    """The items as a list (a tuple is taken too), or ``None``."""
    return None if value is None else sent_as_list(value)


@attrs.frozen(kw_only=True)
class CancelRequest:
    """Body of a cancel request.

    The body of ``POST /ent/v2/tasks/{id}/cancel``.

    Building one checks it in the current validation mode (see
    :func:`validation_mode`): in ``"strict"`` mode an error raises
    :class:`ValidationError` listing every violation, and a value the
    service ignores is reported as a :class:`ValidationWarning`.
    """

    id: str | None = None
    """Task ID; the path carries it too."""

    def __attrs_post_init__(self) -> None:
        mode = current_mode()
        if mode != "off":
            enforce(self.violations(), mode)

    def violations(self) -> list[Violation]:
        """Every rule this request breaks, errors and warnings."""
        out: list[Violation] = []
        check_cancel_cancel(self.to_json(), out)
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON body: only the fields that were set."""
        body: dict[str, Any] = converter.unstructure(self)
        return body

    def to_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_json`."""
        return self.to_json()


@attrs.frozen(kw_only=True)
class Subject:
    """A named subject."""

    name: str
    """Subject name; use it in the prompt as @name."""
    images: list[str] | None = attrs.field(
        default=None, converter=_optional_list_of_str
    )
    """Reference images of the subject, at most 3."""
    videos: list[str] | None = attrs.field(
        default=None, converter=_optional_list_of_str
    )
    """Reference videos of the subject (viduq2-pro only)."""
    voice_id: str | None = None
    """Voice of the subject; chosen automatically when left out."""

    def to_json(self) -> dict[str, Any]:
        """This object as JSON: only the fields that were set."""
        body: dict[str, Any] = converter.unstructure(self)
        return body

    def to_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_json`."""
        return self.to_json()


def _items_of_reference2video_subjects_subject(
    value: Sequence[Subject | Mapping[str, object]],
) -> list[Subject]:
    """The items, each mapping built into a :class:`Subject`.

    A mapping that does not fit one (an unknown or a missing field) is kept,
    for the request's validation to report with its path.
    """
    return structure_items(value, Subject)


@attrs.frozen(kw_only=True)
class Reference2VideoSubjectsRequest:
    """Named subjects, each with reference images, referred to in the prompt as @name.

    The body of ``POST /ent/v2/reference2video`` with ``subjects``.
    Models: viduq3-turbo, viduq3, viduq2-pro, viduq2, viduq1, vidu2.0.

    Building one checks it in the current validation mode (see
    :func:`validation_mode`): in ``"strict"`` mode an error raises
    :class:`ValidationError` listing every violation, and a value the
    service ignores is reported as a :class:`ValidationWarning`.
    """

    model: Model | str
    """Model name."""
    subjects: list[Subject] = attrs.field(
        converter=_items_of_reference2video_subjects_subject
    )
    """The subjects, at most 7."""
    prompt: str
    """Text prompt; refer to a subject as @name."""
    auto_subjects: bool | None = None
    """Use the intelligent subject library. Default: false."""
    audio: bool | None = None
    """Output video with generated speech and background music. Default per model: viduq3-turbo: true, viduq3: true, viduq2-pro: false, viduq2: false, viduq1: false, vidu2.0: false."""
    audio_type: AudioType | str | None = None
    """What the audio holds; used when audio is true. Default: all."""
    duration: int | None = None
    """Video duration in seconds. Default per model: viduq3-turbo: 5, viduq3: 5, viduq2-pro: 5, viduq2: 5, viduq1: 5, vidu2.0: 4."""
    seed: int | None = None
    """Random seed; a random one when left out."""
    aspect_ratio: AspectRatio | str | None = None
    """Aspect ratio of the output video. Default: 16:9."""
    resolution: Resolution | str | None = None
    """Resolution of the output video. Default per model: viduq3-turbo: 720p, viduq3: 720p, viduq2-pro: 720p, viduq2: 720p, viduq1: 1080p, vidu2.0: 360p."""
    movement_amplitude: MovementAmplitude | str | None = None
    """Movement amplitude of objects in the frame. Default: auto."""
    payload: str | None = None
    """Passed through unchanged and returned with the task."""
    off_peak: bool | None = None
    """Off-peak mode; cheaper, done within 48 hours. Default: false."""
    callback_url: str | None = None
    """URL that receives a POST whenever the task's state changes."""

    def __attrs_post_init__(self) -> None:
        mode = current_mode()
        if mode != "off":
            enforce(self.violations(), mode)

    def violations(self) -> list[Violation]:
        """Every rule this request breaks, errors and warnings."""
        out: list[Violation] = []
        check_reference2video_subjects(self.to_json(), out)
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON body: only the fields that were set."""
        body: dict[str, Any] = converter.unstructure(self)
        return body

    def to_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_json`."""
        return self.to_json()


@attrs.frozen(kw_only=True)
class Reference2VideoRequest:
    """Unnamed reference images, or reference videos on viduq2-pro.

    The body of ``POST /ent/v2/reference2video``.
    Models: viduq3-mix, viduq3-turbo, viduq3, viduq2-pro, viduq2, viduq1, vidu2.0.

    Building one checks it in the current validation mode (see
    :func:`validation_mode`): in ``"strict"`` mode an error raises
    :class:`ValidationError` listing every violation, and a value the
    service ignores is reported as a :class:`ValidationWarning`.
    """

    model: Model | str
    """Model name."""
    prompt: str
    """Text prompt."""
    images: list[str] | None = attrs.field(
        default=None, converter=_optional_list_of_str
    )
    """Reference images, 1 to 7."""
    videos: list[str] | None = attrs.field(
        default=None, converter=_optional_list_of_str
    )
    """Reference videos, at most 2 (viduq2-pro only)."""
    duration: int | None = None
    """Video duration in seconds. Default per model: viduq3-mix: 5, viduq3-turbo: 5, viduq3: 5, viduq2-pro: 5, viduq2: 5, viduq1: 5, vidu2.0: 4."""
    seed: int | None = None
    """Random seed; a random one when left out."""
    aspect_ratio: AspectRatio | str | None = None
    """Aspect ratio of the output video. Default: 16:9."""
    resolution: Resolution | str | None = None
    """Resolution of the output video. Default per model: viduq3-mix: 720p, viduq3-turbo: 720p, viduq3: 720p, viduq2-pro: 720p, viduq2: 720p, viduq1: 1080p, vidu2.0: 360p."""
    movement_amplitude: MovementAmplitude | str | None = None
    """Movement amplitude of objects in the frame. Default: auto."""
    bgm: bool | None = None
    """Add background music chosen to fit the video. Default: false."""
    payload: str | None = None
    """Passed through unchanged and returned with the task."""
    off_peak: bool | None = None
    """Off-peak mode; cheaper, done within 48 hours. Default: false."""
    audio: bool | None = None
    """Output video with generated speech."""
    callback_url: str | None = None
    """URL that receives a POST whenever the task's state changes."""

    def __attrs_post_init__(self) -> None:
        mode = current_mode()
        if mode != "off":
            enforce(self.violations(), mode)

    def violations(self) -> list[Violation]:
        """Every rule this request breaks, errors and warnings."""
        out: list[Violation] = []
        check_reference2video_images(self.to_json(), out)
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON body: only the fields that were set."""
        body: dict[str, Any] = converter.unstructure(self)
        return body

    def to_dict(self) -> dict[str, Any]:
        """The same as :meth:`to_json`."""
        return self.to_json()


@attrs.frozen(kw_only=True)
class CancelResponse:
    """The empty object the service answers a successful cancel with.

    Every field may be missing: the service's versions differ in what they
    send. Fields the spec does not know are kept in :attr:`extra`.
    """

    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CancelResponse:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


@attrs.frozen(kw_only=True)
class Credits:
    """The account's concurrency, as the credits endpoint reports it.

    Every field may be missing: the service's versions differ in what they
    send. Fields the spec does not know are kept in :attr:`extra`.
    """

    concurrency_limit: int | None = None
    """Tasks that may run at once (5 by default, per organisation)."""
    current_concurrency: int | None = None
    """Tasks running now."""
    queue_count: int | None = None
    """Tasks waiting in the queue."""
    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Credits:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


@attrs.frozen(kw_only=True)
class TaskCreations:
    """A task's state and results; also the body of a callback.

    Every field may be missing: the service's versions differ in what they
    send. Fields the spec does not know are kept in :attr:`extra`.
    """

    id: str | None = None
    """ID of the task."""
    state: TaskState | str | None = None
    """State of the task."""
    err_code: str | None = None
    """Error code when the task failed; empty otherwise."""
    credits: int | str | None = None
    """Credits charged for the task."""
    payload: str | None = None
    """The payload given at creation."""
    bgm: bool | None = None
    """Whether background music was added."""
    off_peak: bool | None = None
    """Whether off-peak mode was used."""
    creations: list[Creation] | None = None
    """The results, normally one."""
    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskCreations:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


@attrs.frozen(kw_only=True)
class Creation:
    """One result. Its URLs are short-lived (24 hours, one hour on older pages): download promptly.

    Always sent: ``url``. An answer without it
    raises :class:`UnexpectedResponseError` naming the field, with the body
    on its ``raw``. Every other field may be missing: the service's
    versions differ in what they send. Fields the spec does not know are
    kept in :attr:`extra`.
    """

    id: str | None = None
    """ID of the creation."""
    url: str
    """URL of the video, without watermark."""
    cover_url: str | None = None
    """URL of the cover image."""
    watermarked_url: str | None = None
    """URL of the watermarked video."""
    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Creation:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


@attrs.frozen(kw_only=True)
class TaskList:
    """One page of the task list.

    Every field may be missing: the service's versions differ in what they
    send. Fields the spec does not know are kept in :attr:`extra`.
    """

    tasks: list[ListedTask] | None = None
    """The tasks of this page."""
    next_page_token: str | None = None
    """The token of the next page; empty or absent on the last page."""
    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskList:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


@attrs.frozen(kw_only=True)
class ListedTask:
    """A task as the list shows it: read like the get-creations body, with its creation time.

    Every field may be missing: the service's versions differ in what they
    send. Fields the spec does not know are kept in :attr:`extra`.
    """

    id: str | None = None
    """Task ID."""
    state: TaskState | str | None = None
    """State of the task."""
    err_code: str | None = None
    """Error code when the task failed; empty otherwise."""
    credits: int | str | None = None
    """Credits charged for the task."""
    payload: str | None = None
    """The payload given at creation, when the list carries it."""
    model: str | None = None
    """Model the task was created with."""
    created_at: str | None = None
    """When the task was created (RFC 3339)."""
    creations: list[ListedCreation] | None = None
    """The results, once the task succeeded."""
    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListedTask:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


@attrs.frozen(kw_only=True)
class ListedCreation:
    """One result of a listed task.

    Every field may be missing: the service's versions differ in what they
    send. Fields the spec does not know are kept in :attr:`extra`.
    """

    id: str | None = None
    """Creation ID."""
    url: str | None = None
    """URL of the video, without watermark."""
    cover_url: str | None = None
    """URL of the cover image."""
    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ListedCreation:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


@attrs.frozen(kw_only=True)
class CreateTaskResponse:
    """The task that was created.

    Always sent: ``task_id``, ``state``. An answer without one of them
    raises :class:`UnexpectedResponseError` naming the field, with the body
    on its ``raw``. Every other field may be missing: the service's
    versions differ in what they send. Fields the spec does not know are
    kept in :attr:`extra`.
    """

    task_id: str
    """Task ID."""
    state: TaskState | str
    """State of the task."""
    model: Model | str | None = None
    """Model used."""
    prompt: str | None = None
    """Text prompt used."""
    images: list[str] | None = None
    """Images used."""
    videos: list[str] | None = None
    """Videos used."""
    duration: int | None = None
    """Video duration used."""
    seed: int | None = None
    """Random seed used."""
    aspect_ratio: AspectRatio | str | None = None
    """Aspect ratio used."""
    resolution: Resolution | str | None = None
    """Resolution used."""
    bgm: bool | None = None
    """Whether background music was added."""
    audio: bool | None = None
    """Whether audio was generated."""
    audio_type: AudioType | str | None = None
    """Audio type used."""
    movement_amplitude: MovementAmplitude | str | None = None
    """Movement amplitude used."""
    payload: str | None = None
    """The payload passed through."""
    off_peak: bool | None = None
    """Whether off-peak mode was used."""
    credits: int | str | None = None
    """Credits used."""
    created_at: str | None = None
    """Task creation time, RFC 3339."""
    extra: dict[str, object] = attrs.field(factory=dict)
    """The fields the service sent that the spec does not know, by JSON name."""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CreateTaskResponse:
        """Read a response body; nothing in it is lost.

        A value of another type than the spec gives its field is kept as
        sent, with a :class:`ResponseWarning` naming the field.
        """
        return converter.structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The body this was read from: the fields that were set, and :attr:`extra`."""
        return dump_response(self)

    def to_json(self) -> dict[str, Any]:
        """The same as :meth:`to_dict`, named as the requests name it."""
        return dump_response(self)


CallbackBody = TaskCreations
"""The class of the body the service sends to a task's callback URL."""


converter = make_converter(
    requests=(
        CancelRequest,
        Reference2VideoSubjectsRequest,
        Reference2VideoRequest,
        Subject,
    ),
    responses=(
        CancelResponse,
        Credits,
        TaskCreations,
        Creation,
        TaskList,
        ListedTask,
        ListedCreation,
        CreateTaskResponse,
    ),
)
"""The cattrs converter for every class here, in both directions."""
