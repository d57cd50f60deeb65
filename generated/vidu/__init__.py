# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Validated Python client for the Vidu video-generation API.

Build a typed request and it is checked against the per-model rules before
anything is sent::

    import vidu

    request = vidu.Reference2VideoRequest(
        model='viduq3-mix',
        images=["https://example.com/a.png"],
        prompt="example",
    )
    request.to_json()

Or check a raw JSON body exactly as the service would see it::

    vidu.validate_payload(
        'reference2video',
        {'model': 'viduq3-mix', 'images': ["https://example.com/a.png"], 'prompt': "example"},
    )
"""

from specgen_runtime.errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    ConflictError,
    DestinationExists,
    IncompleteDownload,
    InvalidAPIKey,
    LocalFileError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestMayHaveSucceeded,
    ResponseTooLarge,
    ServerError,
    TaskFailed,
    UnexpectedResponseError,
    WaitTimeout,
)
from specgen_runtime.retry import RetryPolicy
from specgen_runtime.violations import (
    Mode,
    Severity,
    ValidationError,
    ValidationWarning,
    Violation,
    current_mode,
    validation_mode,
)

from . import tables
from ._validators import OPERATIONS, validate_payload
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

__version__ = tables.VERSION
"""This package's version (the spec's ``api.version``)."""

ViduError = ClientError
"""The base class of every error this package raises."""

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
    "ClientError",
    "ConflictError",
    "CreateTaskResponse",
    "Creation",
    "DestinationExists",
    "Image",
    "IncompleteDownload",
    "InvalidAPIKey",
    "LocalFileError",
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
    "ResponseTooLarge",
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
    "__version__",
    "converter",
    "current_mode",
    "tables",
    "validate_payload",
    "validation_mode",
]
