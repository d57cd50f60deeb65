# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Validated Python client for the Vidu video-generation API.

Build a typed request and it is checked against the per-model rules before
anything is sent::

    import vidu

    request = vidu.Reference2VideoRequest(
        model="viduq3-mix",
        images=["https://example.com/a.png"],
        prompt="example",
    )
    request.to_json()

Or check a raw JSON body exactly as the service would see it::

    vidu.validate_payload(
        "reference2video",
        {"model": "viduq3-mix", "images": ["https://example.com/a.png"], "prompt": "example"},
    )
"""

import importlib
import importlib.util

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from specgen_runtime.async_client import AsyncPage
    from specgen_runtime.batch import BatchUnsupported
    from specgen_runtime.client import RawResponse
    from specgen_runtime.convert import MissingResponseField, ResponseWarning
    from specgen_runtime.errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ClientClosed,
        ClientError,
        ConflictError,
        DestinationExists,
        IncompleteDownload,
        InvalidAPIKey,
        LocalFileError,
        LocalFileNotFound,
        LocalFileTooLarge,
        LocalIsADirectory,
        LocalNotADirectory,
        LocalPermissionError,
        MissingAPIKey,
        NotFoundError,
        PageLimitExceeded,
        PaginationLoop,
        PathParameterMismatch,
        PermissionDeniedError,
        RateLimitError,
        RequestMayHaveSucceeded,
        ResponseTooLarge,
        ServerError,
        TaskFailed,
        UnexpectedResponseError,
        UnreadableCreateResponse,
        WaitTimeout,
    )
    from specgen_runtime.errors import ClientError as ViduError
    from specgen_runtime.pagination import Page
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

    # submodules, each loaded when first named
    from . import batch as batch
    from . import strategies as strategies
    from . import tables
    from . import testing as testing
    from . import webhooks as webhooks
    from ._validators import OPERATIONS, validate_payload
    from .async_client import AsyncClient, OrphanedCreate
    from .client import Client
    from .models import (
        AspectRatio,
        AudioType,
        CancelRequest,
        CancelResponse,
        CreateTaskResponse,
        Creation,
        Credits,
        Image,
        ListedCreation,
        ListedTask,
        Model,
        MovementAmplitude,
        Reference2VideoRequest,
        Reference2VideoSubjectsRequest,
        Resolution,
        Subject,
        TaskCreations,
        TaskList,
        TaskState,
        Video,
        converter,
    )

__version__ = "0.2.0"
"""This package's version (the spec's ``api.version``)."""

_EXPORTS: dict[str, tuple[str, str]] = {
    "ClientError": ("specgen_runtime.errors", "ClientError"),
    "ViduError": ("specgen_runtime.errors", "ClientError"),
    "APIConnectionError": ("specgen_runtime.errors", "APIConnectionError"),
    "APIError": ("specgen_runtime.errors", "APIError"),
    "APITimeoutError": ("specgen_runtime.errors", "APITimeoutError"),
    "AuthenticationError": ("specgen_runtime.errors", "AuthenticationError"),
    "BadRequestError": ("specgen_runtime.errors", "BadRequestError"),
    "ClientClosed": ("specgen_runtime.errors", "ClientClosed"),
    "ConflictError": ("specgen_runtime.errors", "ConflictError"),
    "DestinationExists": ("specgen_runtime.errors", "DestinationExists"),
    "IncompleteDownload": ("specgen_runtime.errors", "IncompleteDownload"),
    "InvalidAPIKey": ("specgen_runtime.errors", "InvalidAPIKey"),
    "LocalFileError": ("specgen_runtime.errors", "LocalFileError"),
    "LocalFileNotFound": ("specgen_runtime.errors", "LocalFileNotFound"),
    "LocalFileTooLarge": ("specgen_runtime.errors", "LocalFileTooLarge"),
    "LocalIsADirectory": ("specgen_runtime.errors", "LocalIsADirectory"),
    "LocalNotADirectory": ("specgen_runtime.errors", "LocalNotADirectory"),
    "LocalPermissionError": ("specgen_runtime.errors", "LocalPermissionError"),
    "MissingAPIKey": ("specgen_runtime.errors", "MissingAPIKey"),
    "NotFoundError": ("specgen_runtime.errors", "NotFoundError"),
    "PageLimitExceeded": ("specgen_runtime.errors", "PageLimitExceeded"),
    "PaginationLoop": ("specgen_runtime.errors", "PaginationLoop"),
    "PathParameterMismatch": ("specgen_runtime.errors", "PathParameterMismatch"),
    "PermissionDeniedError": ("specgen_runtime.errors", "PermissionDeniedError"),
    "RateLimitError": ("specgen_runtime.errors", "RateLimitError"),
    "RequestMayHaveSucceeded": ("specgen_runtime.errors", "RequestMayHaveSucceeded"),
    "ResponseTooLarge": ("specgen_runtime.errors", "ResponseTooLarge"),
    "ServerError": ("specgen_runtime.errors", "ServerError"),
    "TaskFailed": ("specgen_runtime.errors", "TaskFailed"),
    "UnexpectedResponseError": ("specgen_runtime.errors", "UnexpectedResponseError"),
    "UnreadableCreateResponse": ("specgen_runtime.errors", "UnreadableCreateResponse"),
    "WaitTimeout": ("specgen_runtime.errors", "WaitTimeout"),
    "MissingResponseField": ("specgen_runtime.convert", "MissingResponseField"),
    "ResponseWarning": ("specgen_runtime.convert", "ResponseWarning"),
    "BatchUnsupported": ("specgen_runtime.batch", "BatchUnsupported"),
    "RetryPolicy": ("specgen_runtime.retry", "RetryPolicy"),
    "Page": ("specgen_runtime.pagination", "Page"),
    "RawResponse": ("specgen_runtime.client", "RawResponse"),
    "Client": (".client", "Client"),
    "AsyncClient": (".async_client", "AsyncClient"),
    "AsyncPage": ("specgen_runtime.async_client", "AsyncPage"),
    "OrphanedCreate": (".async_client", "OrphanedCreate"),
    "Mode": ("specgen_runtime.violations", "Mode"),
    "Severity": ("specgen_runtime.violations", "Severity"),
    "ValidationError": ("specgen_runtime.violations", "ValidationError"),
    "ValidationWarning": ("specgen_runtime.violations", "ValidationWarning"),
    "Violation": ("specgen_runtime.violations", "Violation"),
    "current_mode": ("specgen_runtime.violations", "current_mode"),
    "validation_mode": ("specgen_runtime.violations", "validation_mode"),
    "tables": (".tables", ""),
    "OPERATIONS": ("._validators", "OPERATIONS"),
    "validate_payload": ("._validators", "validate_payload"),
    "AspectRatio": (".models", "AspectRatio"),
    "AudioType": (".models", "AudioType"),
    "CancelRequest": (".models", "CancelRequest"),
    "CancelResponse": (".models", "CancelResponse"),
    "CreateTaskResponse": (".models", "CreateTaskResponse"),
    "Creation": (".models", "Creation"),
    "Credits": (".models", "Credits"),
    "Image": (".models", "Image"),
    "ListedCreation": (".models", "ListedCreation"),
    "ListedTask": (".models", "ListedTask"),
    "Model": (".models", "Model"),
    "MovementAmplitude": (".models", "MovementAmplitude"),
    "Reference2VideoRequest": (".models", "Reference2VideoRequest"),
    "Reference2VideoSubjectsRequest": (".models", "Reference2VideoSubjectsRequest"),
    "Resolution": (".models", "Resolution"),
    "Subject": (".models", "Subject"),
    "TaskCreations": (".models", "TaskCreations"),
    "TaskList": (".models", "TaskList"),
    "TaskState": (".models", "TaskState"),
    "Video": (".models", "Video"),
    "converter": (".models", "converter"),
}
"""Each public name: the module it comes from and its name there (none for a
module). :data:`ViduError` is ``ClientError``, the base class of every
error this package raises."""


if not TYPE_CHECKING:  # type checkers read the imports above, and flag a typo

    def __getattr__(name: str) -> object:
        """Import ``name`` on first use: the HTTP client only for the clients,
        and a public submodule (``batch``, ``webhooks``, ``testing``) when
        first named."""
        try:
            module, attribute = _EXPORTS[name]
        except KeyError:
            if not name.startswith("_") and importlib.util.find_spec(
                f"{__name__}.{name}"
            ):
                return importlib.import_module(f"{__name__}.{name}")
            message = f"module {__name__!r} has no attribute {name!r}"
            raise AttributeError(message) from None
        found = importlib.import_module(module, __name__)
        value = getattr(found, attribute) if attribute else found
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "OPERATIONS",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AspectRatio",
    "AsyncClient",
    "AsyncPage",
    "AudioType",
    "AuthenticationError",
    "BadRequestError",
    "BatchUnsupported",
    "CancelRequest",
    "CancelResponse",
    "Client",
    "ClientClosed",
    "ClientError",
    "ConflictError",
    "CreateTaskResponse",
    "Creation",
    "Credits",
    "DestinationExists",
    "Image",
    "IncompleteDownload",
    "InvalidAPIKey",
    "ListedCreation",
    "ListedTask",
    "LocalFileError",
    "LocalFileNotFound",
    "LocalFileTooLarge",
    "LocalIsADirectory",
    "LocalNotADirectory",
    "LocalPermissionError",
    "MissingAPIKey",
    "MissingResponseField",
    "Mode",
    "Model",
    "MovementAmplitude",
    "NotFoundError",
    "OrphanedCreate",
    "Page",
    "PageLimitExceeded",
    "PaginationLoop",
    "PathParameterMismatch",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "Reference2VideoRequest",
    "Reference2VideoSubjectsRequest",
    "RequestMayHaveSucceeded",
    "Resolution",
    "ResponseTooLarge",
    "ResponseWarning",
    "RetryPolicy",
    "ServerError",
    "Severity",
    "Subject",
    "TaskCreations",
    "TaskFailed",
    "TaskList",
    "TaskState",
    "UnexpectedResponseError",
    "UnreadableCreateResponse",
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
