# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""The per-model tables of the Vidu API, as data.

Generated from the spec; do not edit. Every value here comes from one place in
the spec, where a note explains any choice made where the vendor's docs are
unclear. The validators read these tables; so can you::

    from vidu import tables
    tables.KNOWN_MODELS
"""

from typing import Final

import attrs
from specgen_runtime.tables import (
    AssetRules,
    Auth,
    BodyShape,
    Callback,
    Concurrency,
    ErrorCode,
    ErrorFields,
    FieldTable,
    FormTable,
    Operation,
    Pagination,
    Pattern,
    QueryParam,
    RuleTable,
    Signature,
    Tasks,
    TaskShapes,
)

VERSION: Final = "0.2.0"
"""The version of this package, from the spec."""

KNOWN_MODELS: Final = (
    "viduq3-mix",
    "viduq3-turbo",
    "viduq3",
    "viduq2-pro",
    "viduq2",
    "viduq1",
    "vidu2.0",
)
"""Every model name the spec knows."""

BASE_URL: Final = "https://api.vidu.com"
"""Where the client sends requests unless told otherwise."""

HOSTS: Final[dict[str, str]] = {
    "international": "https://api.vidu.com",
    "china": "https://api.vidu.cn",
}
"""Every host of the API, by name."""

AUTH: Final = Auth("Authorization", "Token", "VIDU_API_KEY")
"""How requests carry the API key."""

TASKS: Final = Tasks(
    id_field="task_id",
    state_field="state",
    states=("created", "queueing", "processing", "success", "failed"),
    success=frozenset(["success"]),
    failure=frozenset(["failed"]),
    error_code_field="err_code",
    results_field="creations",
    body_id_field="id",
    credits_field="credits",
    pass_through_field="payload",
    shapes=TaskShapes(
        created=BodyShape(
            "CreateTaskResponse",
            (
                "task_id",
                "state",
                "model",
                "prompt",
                "images",
                "videos",
                "duration",
                "seed",
                "aspect_ratio",
                "resolution",
                "bgm",
                "audio",
                "audio_type",
                "movement_amplitude",
                "payload",
                "off_peak",
                "credits",
                "created_at",
            ),
            (
                {
                    "task_id": "your_task_id_here",
                    "state": "created",
                    "model": "viduq3",
                    "prompt": "@1 and @2 are cooking together, and both say they love hot pot.",
                    "duration": 8,
                    "seed": 1234,
                    "resolution": "1080p",
                    "movement_amplitude": "auto",
                    "payload": "",
                    "off_peak": False,
                    "credits": 40,
                    "created_at": "2025-01-01T15:41:31.968916Z",
                },
                {
                    "task_id": "your_task_id_here",
                    "state": "created",
                    "model": "viduq3-mix",
                    "prompt": "Santa Claus and the bear hug by the lakeside.",
                    "images": [
                        "https://example.com/reference2video-1.png",
                        "https://example.com/reference2video-2.png",
                    ],
                    "duration": 5,
                    "seed": 99,
                    "aspect_ratio": "16:9",
                    "resolution": "720p",
                    "bgm": False,
                    "movement_amplitude": "auto",
                    "payload": "",
                    "off_peak": False,
                    "credits": "15",
                    "created_at": "2025-01-01T15:41:31.968916Z",
                },
                {
                    "task_id": "t3",
                    "state": "created",
                    "model": "viduq2-pro",
                    "videos": ["https://example.com/a.mp4"],
                    "aspect_ratio": "2.39:1",
                    "audio": True,
                    "audio_type": "all",
                },
                {
                    "task_id": "t4",
                    "state": "scheduled",
                    "model": "viduq4",
                    "resolution": "4k",
                    "audio_type": "Speech_only",
                    "movement_amplitude": "huge",
                },
            ),
        ),
        body=BodyShape(
            "TaskCreations",
            (
                "id",
                "state",
                "err_code",
                "credits",
                "payload",
                "bgm",
                "off_peak",
                "creations",
            ),
            (
                {
                    "state": "success",
                    "err_code": "",
                    "credits": 4,
                    "payload": "",
                    "creations": [
                        {
                            "id": "c1",
                            "url": "https://example.com/video.mp4",
                            "cover_url": "https://example.com/cover.jpg",
                            "watermarked_url": "https://example.com/video-watermarked.mp4",
                        }
                    ],
                },
                {
                    "id": "t1",
                    "state": "failed",
                    "err_code": "UserCancelled",
                    "credits": 0,
                    "payload": "order-17",
                    "bgm": False,
                    "off_peak": True,
                    "creations": [],
                },
                {
                    "id": "t2",
                    "state": "processing",
                    "err_code": "",
                    "credits": "15",
                    "creations": [
                        {
                            "id": "c2",
                            "url": "",
                            "cover_url": "",
                            "watermarked_url": "",
                            "moderation_url": [],
                        }
                    ],
                },
                {"state": "scheduled", "err_code": ""},
            ),
        ),
        listed=BodyShape(
            "ListedTask",
            (
                "id",
                "state",
                "err_code",
                "credits",
                "payload",
                "model",
                "created_at",
                "creations",
            ),
            (
                {
                    "id": "t1",
                    "state": "success",
                    "err_code": "",
                    "credits": 20,
                    "payload": "order-17",
                    "created_at": "2025-01-01T15:41:31.968916Z",
                    "creations": [
                        {
                            "id": "c1",
                            "url": "https://example.com/video.mp4",
                            "cover_url": "https://example.com/cover.jpg",
                        }
                    ],
                },
                {"id": "t2", "state": "queueing", "err_code": ""},
            ),
        ),
        result=BodyShape(
            "Creation",
            ("id", "url", "cover_url", "watermarked_url"),
            (
                {
                    "id": "c1",
                    "url": "https://example.com/video.mp4",
                    "cover_url": "https://example.com/cover.jpg",
                    "watermarked_url": "https://example.com/video-watermarked.mp4",
                },
                {"id": "c2", "url": "", "cover_url": "", "watermarked_url": ""},
                {
                    "id": "c1",
                    "url": "https://example.com/video.mp4",
                    "cover_url": "https://example.com/cover.jpg",
                },
            ),
        ),
        files={
            "url": "video.mp4",
            "cover_url": "cover.jpg",
            "watermarked_url": "video-watermarked.mp4",
        },
        download="url",
    ),
)
"""Where a task body keeps its id, state, error code and results, and the
shapes of the bodies a task appears in (the spec's response classes and
their examples)."""

ERROR_FIELDS: Final = ErrorFields(
    code="code",
    reason="reason",
    message="message",
    trace_id="metadata.trace_id",
)
"""Where an error body keeps its parts."""

ERROR_CODES: Final = {
    "BadRequest": ErrorCode(400, "bad request"),
    "FieldLacking": ErrorCode(400, "field is missing or empty: {{.fields}}"),
    "FieldUnwanted": ErrorCode(400, "unwanted field: {{.fields}}"),
    "FieldItemCountOutOfRange": ErrorCode(
        400, "field item count out of range: {{.fields}}"
    ),
    "FieldInvalid": ErrorCode(400, "invalid field: {{.fields}}"),
    "PageSizeOutOfRange": ErrorCode(400, "page size out of range"),
    "ImageDownloadFailure": ErrorCode(400, "image download failure"),
    "OperationInProcess": ErrorCode(400, "operation in process, please retry later"),
    "TaskPromptPolicyViolation": ErrorCode(400, "prompt policy violation"),
    "ImageFormatInvalid": ErrorCode(400, "invalid image format"),
    "AuditSubmitIllegal": ErrorCode(400, "submit is illegal"),
    "CreditInsufficient": ErrorCode(400, "insufficient credits"),
    "CreationPolicyViolation": ErrorCode(400, "creation policy violation"),
    "ModelUnavailable": ErrorCode(400, "model unavailable"),
    "UserCancelled": ErrorCode(400, "user cancelled"),
    "ImageCheckBodyJointsFailed": ErrorCode(400, "Image Check Body Joins Failed"),
    "ImageCheckFaceFailed": ErrorCode(400, "Image Check Face Failed"),
    "ImageObjectsUndetected": ErrorCode(
        400, "Image BodyJoins or Face Too Much Occlusion"
    ),
    "Unauthorized": ErrorCode(401, "unauthorized"),
    "Forbidden": ErrorCode(403, "forbidden"),
    "TaskNotFound": ErrorCode(404, "task not found"),
    "CreationNotFound": ErrorCode(404, "creation not found"),
    "NotFound": ErrorCode(404, "not found"),
    "Conflict": ErrorCode(409, "resource conflict"),
    "QuotaExceeded": ErrorCode(429, "quota exceeded"),
    "TooManyRequests": ErrorCode(429, "too many requests"),
    "SystemThrottling": ErrorCode(429, "system is throttling"),
    "Canceled": ErrorCode(499, "request canceled by client"),
    "InternalServiceFailure": ErrorCode(500, "internal service failure"),
}
"""The service's error codes (``reason``), with their HTTP status."""

CALLBACK: Final = Callback(
    method="POST",
    signature=Signature(
        algorithm="hmac-sha256",
        access_key="vidu",
        date_header="Date",
        nonce_header="x-request-nonce",
        signed_headers_header="X-HMAC-SIGNED-HEADERS",
        signature_header="X-HMAC-SIGNATURE",
        algorithm_header="X-HMAC-ALGORITHM",
        access_key_header="X-HMAC-ACCESS-KEY",
    ),
)
"""How the service signs the callbacks it sends."""

OPERATION_INFO: Final = {
    "cancel": Operation(
        id="cancel",
        method="POST",
        path="/ent/v2/tasks/{id}/cancel",
        summary="Cancel a task that has not started yet.",
        params=("id",),
        task="cancel",
        idempotent=True,
        has_body=True,
    ),
    "get_credits": Operation(
        id="get_credits",
        method="GET",
        path="/ent/v2/credits",
        summary="Get the account's concurrency limit, running tasks and queued tasks.",
        params=(),
        task=None,
        idempotent=True,
        has_body=False,
        query=(
            QueryParam(
                "show_detail",
                "show_detail",
                kind="boolean",
            ),
        ),
        concurrency=Concurrency(
            limit="concurrency_limit",
            running="current_concurrency",
            queued="queue_count",
        ),
    ),
    "get_creations": Operation(
        id="get_creations",
        method="GET",
        path="/ent/v2/tasks/{id}/creations",
        summary="Get a task's state and, once it succeeded, its creations.",
        params=("id",),
        task="get",
        idempotent=True,
        has_body=False,
    ),
    "list_tasks": Operation(
        id="list_tasks",
        method="GET",
        path="/ent/v2/tasks",
        summary="List the account's tasks, filtered, one page at a time.",
        params=(),
        task="list",
        idempotent=True,
        has_body=False,
        query=(
            QueryParam(
                "created_at.from",
                "created_at_from",
                kind="datetime",
            ),
            QueryParam(
                "created_at.to",
                "created_at_to",
                kind="datetime",
            ),
            QueryParam(
                "task_ids",
                "task_ids",
                kind="string",
                repeated=True,
            ),
            QueryParam(
                "templates",
                "templates",
                kind="string",
                repeated=True,
            ),
            QueryParam(
                "model_versions",
                "model_versions",
                kind="string",
                repeated=True,
            ),
            QueryParam(
                "resolutions",
                "resolutions",
                kind="string",
                repeated=True,
                choices=("360p", "540p", "720p", "1080p"),
            ),
            QueryParam(
                "states",
                "states",
                kind="string",
                repeated=True,
                choices=("created", "queueing", "processing", "success", "failed"),
            ),
            QueryParam(
                "pager.pagesz",
                "page_size",
                kind="integer",
                range=(1, 100),
            ),
            QueryParam(
                "pager.page_token",
                "page_token",
                kind="string",
            ),
        ),
        pagination=Pagination(
            token="pager.page_token",
            items="tasks",
            next_token="next_page_token",
            page_size="pager.pagesz",
        ),
    ),
    "reference2video": Operation(
        id="reference2video",
        method="POST",
        path="/ent/v2/reference2video",
        summary="Generate a video that keeps the subjects of reference images or videos.",
        params=(),
        task="create",
        idempotent=False,
        has_body=True,
    ),
}
"""Every operation: method, path, parameters, and whether it may be retried."""

IMAGE_ASSET: Final = AssetRules(
    kind="image",
    formats={
        "image/png": "png",
        "image/jpeg": "jpeg",
        "image/jpg": "jpeg",
        "image/webp": "webp",
    },
    min_width=128,
    min_height=128,
    min_aspect=(1, 4),
    max_aspect=(4, 1),
    max_file_bytes=52428800,
    extra_prefixes=("ssupload:",),
)
"""A reference image, as an http(s) URL or a data URI."""
IMAGE_ASSET_PREFIXES: Final = ("https://", "http://", *IMAGE_ASSET.extra_prefixes)
"""Prefixes of asset references that are accepted without inspection."""

VIDEO_ASSET: Final = AssetRules(
    kind="video",
    formats={
        "video/mp4": "mp4",
        "video/quicktime": "mov",
        "video/x-msvideo": "avi",
        "video/avi": "avi",
    },
    min_width=128,
    min_height=128,
    min_aspect=(1, 4),
    max_aspect=(4, 1),
    max_file_bytes=104857600,
    extra_prefixes=(),
)
"""A reference video, as an http(s) URL or a data URI."""
VIDEO_ASSET_PREFIXES: Final = ("https://", "http://", *VIDEO_ASSET.extra_prefixes)
"""Prefixes of asset references that are accepted without inspection."""

IMAGE_ASSET_BELOW_10485760: Final = attrs.evolve(
    IMAGE_ASSET, decoded_bytes_below=10485760
)

VIDEO_ASSET_BELOW_20971520: Final = attrs.evolve(
    VIDEO_ASSET, decoded_bytes_below=20971520
)

RATIO_PATTERN: Final = Pattern(
    "[0-9]{1,5}(\\.[0-9]{1,4})?:[0-9]{1,5}(\\.[0-9]{1,4})?",
    "a ratio W:H of two numbers, such as 21:9 or 2.39:1",
)

CANCEL_CANCEL: Final = FormTable(
    operation="cancel",
    name="cancel",
    request_class="CancelRequest",
    models=(),
    fields={
        "id": FieldTable(
            kind="string",
        ),
    },
)
"""Body of a cancel request."""

REFERENCE2VIDEO_SUBJECTS: Final = FormTable(
    operation="reference2video",
    name="subjects",
    request_class="Reference2VideoSubjectsRequest",
    models=("viduq3-turbo", "viduq3", "viduq2-pro", "viduq2", "viduq1", "vidu2.0"),
    fields={
        "model": FieldTable(
            kind="string",
            required=True,
        ),
        "auto_subjects": FieldTable(
            kind="boolean",
            default=False,
        ),
        "subjects": FieldTable(
            kind="array",
            required=True,
            count=(1, 7),
        ),
        "prompt": FieldTable(
            kind="string",
            required=True,
            length=(1, 5000),
        ),
        "audio": FieldTable(
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
        "audio_type": FieldTable(
            kind="string",
            default="all",
            choices=("all", "speech_only", "sound_effect_only"),
            aliases={
                "All": "all",
                "Speech_only": "speech_only",
                "Sound-effect_only": "sound_effect_only",
                "sound-effect_only": "sound_effect_only",
            },
        ),
        "duration": FieldTable(
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
        "seed": FieldTable(
            kind="integer",
        ),
        "aspect_ratio": FieldTable(
            kind="string",
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
        "resolution": FieldTable(
            kind="string",
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
        "movement_amplitude": FieldTable(
            kind="string",
            default="auto",
            choices=("auto", "small", "medium", "large"),
            ignored_by=frozenset({"viduq2", "viduq2-pro", "viduq3", "viduq3-turbo"}),
        ),
        "payload": FieldTable(
            kind="string",
            length=(0, 1048576),
        ),
        "off_peak": FieldTable(
            kind="boolean",
            default=False,
        ),
        "callback_url": FieldTable(
            kind="string",
        ),
    },
    rules=(
        RuleTable(
            id="subjects.images.total",
            severity="warning",
            field="subjects",
            message="{model} may take at most {max} images across all subjects (one reading of the page's limit on images or texts), got {value}",
            max=7,
            max_by_model={"viduq2-pro": 4},
        ),
        RuleTable(
            id="subjects.videos.total",
            severity="warning",
            field="subjects",
            message="{model} may take at most {max} videos across all subjects (one reading of the page's limit on video subjects), got {value}",
            models=frozenset(("viduq2-pro",)),
            max=2,
        ),
        RuleTable(
            id="off_peak.audio",
            severity="error",
            field="off_peak",
            message="off_peak is only available for {model} with audio true",
            models=frozenset(("viduq3-turbo", "viduq3")),
        ),
        RuleTable(
            id="off_peak.audio",
            severity="error",
            field="off_peak",
            message="off_peak is only available for {model} with audio false",
            models=frozenset(("viduq2-pro", "viduq2", "viduq1", "vidu2.0")),
        ),
        RuleTable(
            id="audio_type.ignored",
            severity="warning",
            field="audio_type",
            message="audio_type is ignored when audio is false",
        ),
    ),
    objects={
        "Subject": {
            "name": FieldTable(
                kind="string",
                required=True,
                length=(1, 20971520),
            ),
            "images": FieldTable(
                kind="array",
                count=(1, 3),
            ),
            "videos": FieldTable(
                kind="array",
                count=(1, 3),
                unsupported_by=frozenset(
                    {"vidu2.0", "viduq1", "viduq2", "viduq3", "viduq3-turbo"}
                ),
            ),
            "voice_id": FieldTable(
                kind="string",
            ),
        },
    },
    object_rules={
        "Subject": (
            RuleTable(
                id="subjects.media.required",
                severity="warning",
                field="images",
                message="a subject without images or videos is sent as a text subject, which the page names but does not describe",
            ),
        ),
    },
    body_max_bytes=20971520,
)
"""Named subjects, each with reference images, referred to in the prompt as @name."""

REFERENCE2VIDEO_IMAGES: Final = FormTable(
    operation="reference2video",
    name="images",
    request_class="Reference2VideoRequest",
    models=(
        "viduq3-mix",
        "viduq3-turbo",
        "viduq3",
        "viduq2-pro",
        "viduq2",
        "viduq1",
        "vidu2.0",
    ),
    fields={
        "model": FieldTable(
            kind="string",
            required=True,
        ),
        "images": FieldTable(
            kind="array",
            count=(1, 7),
        ),
        "videos": FieldTable(
            kind="array",
            count=(1, 2),
            unsupported_by=frozenset(
                {"vidu2.0", "viduq1", "viduq2", "viduq3", "viduq3-mix", "viduq3-turbo"}
            ),
        ),
        "prompt": FieldTable(
            kind="string",
            required=True,
            length=(1, 5000),
        ),
        "duration": FieldTable(
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
        "seed": FieldTable(
            kind="integer",
        ),
        "aspect_ratio": FieldTable(
            kind="string",
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
        "resolution": FieldTable(
            kind="string",
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
        "movement_amplitude": FieldTable(
            kind="string",
            default="auto",
            choices=("auto", "small", "medium", "large"),
            ignored_by=frozenset({"viduq2", "viduq2-pro"}),
        ),
        "bgm": FieldTable(
            kind="boolean",
            default=False,
            ignored_by=frozenset({"viduq3", "viduq3-mix", "viduq3-turbo"}),
        ),
        "payload": FieldTable(
            kind="string",
            length=(0, 1048576),
        ),
        "off_peak": FieldTable(
            kind="boolean",
            default=False,
        ),
        "audio": FieldTable(
            kind="boolean",
        ),
        "callback_url": FieldTable(
            kind="string",
        ),
    },
    rules=(
        RuleTable(
            id="images.required",
            severity="error",
            field="images",
            message="images is required for {model} (or videos, on viduq2-pro)",
        ),
        RuleTable(
            id="images.count_with_videos",
            severity="error",
            field="images",
            message="{model} takes at most {max} images together with videos, got {value}",
            models=frozenset(("viduq2-pro",)),
            max=4,
        ),
        RuleTable(
            id="off_peak.audio",
            severity="warning",
            field="off_peak",
            message="off_peak may only be available for {model} with audio true",
            models=frozenset(("viduq3-mix", "viduq3-turbo", "viduq3")),
        ),
        RuleTable(
            id="off_peak.audio",
            severity="warning",
            field="off_peak",
            message="off_peak may only be available for {model} with audio false",
            models=frozenset(("viduq2-pro", "viduq2", "viduq1", "vidu2.0")),
        ),
        RuleTable(
            id="bgm.duration_ignored",
            severity="warning",
            field="bgm",
            message="bgm is ignored by {model} when duration is 9 or 10 seconds",
            models=frozenset(("viduq2-pro", "viduq2")),
        ),
    ),
)
"""Unnamed reference images, or reference videos on viduq2-pro."""
