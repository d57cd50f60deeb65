"""Validated Python client for the Vidu video-generation API.

Generated from the spec; do not edit. Build a typed request and it is checked
against the per-model rules before anything is sent::

    import vidu

    request = vidu.Reference2VideoRequest(
        model="viduq3-mix",
        images=["https://example.com/a.png"],
        prompt="A bear hugs Santa Claus by the lake.",
    )
    request.to_json()

Or check a raw JSON body exactly as the service would see it::

    vidu.validate_payload("reference2video", {"model": "viduq3-mix"})
"""

from . import tables
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestMayHaveSucceeded,
    ServerError,
    TaskFailed,
    UnexpectedResponseError,
    ViduError,
    WaitTimeout,
)
from ._retry import RetryPolicy
from ._validators import OPERATIONS, validate_payload
from ._violations import (
    Mode,
    Severity,
    ValidationError,
    ValidationWarning,
    Violation,
    current_mode,
    validation_mode,
)
from .client import Client
from .models import (
    AspectRatio,
    AudioType,
    CancelRequest,
    CancelResponse,
    CreateTaskResponse,
    Creation,
    Image,
    Model,
    MovementAmplitude,
    Reference2VideoRequest,
    Reference2VideoSubjectsRequest,
    Resolution,
    Subject,
    TaskCreations,
    TaskState,
    Video,
    converter,
)

__all__ = [
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AspectRatio",
    "AudioType",
    "AuthenticationError",
    "BadRequestError",
    "CancelRequest",
    "CancelResponse",
    "Client",
    "ConflictError",
    "CreateTaskResponse",
    "Creation",
    "Image",
    "Mode",
    "Model",
    "MovementAmplitude",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "Reference2VideoRequest",
    "Reference2VideoSubjectsRequest",
    "RequestMayHaveSucceeded",
    "Resolution",
    "RetryPolicy",
    "ServerError",
    "Severity",
    "Subject",
    "TaskCreations",
    "TaskFailed",
    "TaskState",
    "UnexpectedResponseError",
    "ValidationError",
    "ValidationWarning",
    "Video",
    "ViduError",
    "Violation",
    "WaitTimeout",
    "converter",
    "current_mode",
    "tables",
    "validate_payload",
    "validation_mode",
]
