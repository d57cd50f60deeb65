# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Contract tests of ``cancel``, derived from the spec.

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
    CommandLine,
    ContractSpec,
    ErrorCode,
    Errors,
    Field,
    Form,
    Identity,
    Response,
    Route,
    Vector,
    build_cases,
    build_request,
    disallowed_defaults,
    request_case,
    run_case,
    triples,
    uncovered_constraints,
    warned,
)

FORMS: Final[tuple[Form, ...]] = (
    Form(
        name="cancel",
        class_name="CancelRequest",
        const="CANCEL_CANCEL",
        fields=(Field(name="id", kind="string"),),
    ),
)
RESPONSES: Final[tuple[Response, ...]] = (Response("CancelResponse", (), ("{}",)),)
ERRORS: Final = Errors(
    code="code",
    reason="reason",
    message="message",
    trace_id="metadata.trace_id",
    codes=(
        ErrorCode(reason="BadRequest", status=400, message="bad request"),
        ErrorCode(
            reason="FieldLacking",
            status=400,
            message="field is missing or empty: {{.fields}}",
        ),
        ErrorCode(
            reason="FieldUnwanted", status=400, message="unwanted field: {{.fields}}"
        ),
        ErrorCode(
            reason="FieldItemCountOutOfRange",
            status=400,
            message="field item count out of range: {{.fields}}",
        ),
        ErrorCode(
            reason="FieldInvalid", status=400, message="invalid field: {{.fields}}"
        ),
        ErrorCode(
            reason="PageSizeOutOfRange", status=400, message="page size out of range"
        ),
        ErrorCode(
            reason="ImageDownloadFailure", status=400, message="image download failure"
        ),
        ErrorCode(
            reason="OperationInProcess",
            status=400,
            message="operation in process, please retry later",
        ),
        ErrorCode(
            reason="TaskPromptPolicyViolation",
            status=400,
            message="prompt policy violation",
        ),
        ErrorCode(
            reason="ImageFormatInvalid", status=400, message="invalid image format"
        ),
        ErrorCode(reason="AuditSubmitIllegal", status=400, message="submit is illegal"),
        ErrorCode(
            reason="CreditInsufficient", status=400, message="insufficient credits"
        ),
        ErrorCode(
            reason="CreationPolicyViolation",
            status=400,
            message="creation policy violation",
        ),
        ErrorCode(reason="ModelUnavailable", status=400, message="model unavailable"),
        ErrorCode(reason="UserCancelled", status=400, message="user cancelled"),
        ErrorCode(
            reason="ImageCheckBodyJointsFailed",
            status=400,
            message="Image Check Body Joins Failed",
        ),
        ErrorCode(
            reason="ImageCheckFaceFailed", status=400, message="Image Check Face Failed"
        ),
        ErrorCode(
            reason="ImageObjectsUndetected",
            status=400,
            message="Image BodyJoins or Face Too Much Occlusion",
        ),
        ErrorCode(reason="Unauthorized", status=401, message="unauthorized"),
        ErrorCode(reason="Forbidden", status=403, message="forbidden"),
        ErrorCode(reason="TaskNotFound", status=404, message="task not found"),
        ErrorCode(reason="CreationNotFound", status=404, message="creation not found"),
        ErrorCode(reason="NotFound", status=404, message="not found"),
        ErrorCode(reason="Conflict", status=409, message="resource conflict"),
        ErrorCode(reason="QuotaExceeded", status=429, message="quota exceeded"),
        ErrorCode(reason="TooManyRequests", status=429, message="too many requests"),
        ErrorCode(
            reason="SystemThrottling", status=429, message="system is throttling"
        ),
        ErrorCode(reason="Canceled", status=499, message="request canceled by client"),
        ErrorCode(
            reason="InternalServiceFailure",
            status=500,
            message="internal service failure",
        ),
    ),
)
# Computed from the docs' worked example (the docs print no signature).
VECTORS: Final = (
    Vector(
        key="your_api_key",
        method="POST",
        url="http://127.0.0.1:8080/vidu/callback?name=james&age=36",
        headers={
            "Date": "Tue, 06 May 2025 12:09:42 GMT",
            "x-request-nonce": "123e4567-e89b-12d3-a456-426614174000",
            "X-HMAC-SIGNED-HEADERS": "Date;x-request-nonce",
            "X-HMAC-ALGORITHM": "hmac-sha256",
            "X-HMAC-ACCESS-KEY": "vidu",
        },
        signature_header="X-HMAC-SIGNATURE",
        signature="me5fyGNWmH9tOAZCBE7EAQrooNkITAisgLb3FrSOWeM=",
    ),
    Vector(
        key="test-secret-key",
        method="POST",
        url="http://127.0.0.1:8080/vidu/callback?name=james&age=36",
        headers={
            "Date": "Tue, 06 May 2025 12:09:42 GMT",
            "x-request-nonce": "123e4567-e89b-12d3-a456-426614174000",
            "X-HMAC-SIGNED-HEADERS": "Date;x-request-nonce",
            "X-HMAC-ALGORITHM": "hmac-sha256",
            "X-HMAC-ACCESS-KEY": "vidu",
        },
        signature_header="X-HMAC-SIGNATURE",
        signature="9JZa1ZLjkWVos5QQzjjviqAsFE1L9yQw/LsnAXZFIjo=",
    ),
    Vector(
        key="your_api_key",
        method="POST",
        url="http://127.0.0.1:8080",
        headers={
            "Date": "Tue, 06 May 2025 12:09:42 GMT",
            "x-request-nonce": "123e4567-e89b-12d3-a456-426614174000",
            "X-HMAC-SIGNED-HEADERS": "Date;x-request-nonce",
            "X-HMAC-ALGORITHM": "hmac-sha256",
            "X-HMAC-ACCESS-KEY": "vidu",
        },
        signature_header="X-HMAC-SIGNATURE",
        signature="sZSJ/bkbkMdEqrQ3KM2iht0D+SpCt3H3S9TYol4VLd4=",
    ),
)
SPEC: Final = ContractSpec(
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
    forms=FORMS,
    responses=RESPONSES,
    route=Route(
        method="POST",
        path="/ent/v2/tasks/{id}/cancel",
        params=("id",),
    ),
    errors=ERRORS,
    vectors=VECTORS,
    exports=(
        "APIConnectionError",
        "APIError",
        "APITimeoutError",
        "AspectRatio",
        "AudioType",
        "AuthenticationError",
        "BadRequestError",
        "BatchUnsupported",
        "CancelRequest",
        "CancelResponse",
        "Client",
        "ClientClosed",
        "ConflictError",
        "converter",
        "CreateTaskResponse",
        "Creation",
        "Credits",
        "current_mode",
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
        "OPERATIONS",
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
        "RetryPolicy",
        "ServerError",
        "Severity",
        "Subject",
        "tables",
        "TaskCreations",
        "TaskFailed",
        "TaskList",
        "TaskState",
        "UnexpectedResponseError",
        "UnreadableCreateResponse",
        "validate_payload",
        "validation_mode",
        "ValidationError",
        "ValidationWarning",
        "Video",
        "ViduError",
        "Violation",
        "WaitTimeout",
    ),
    local_files={
        "Image": 10485760,
        "Video": 20971520,
    },
    enums={
        "Model": {
            "VIDUQ3_MIX": "viduq3-mix",
            "VIDUQ3_TURBO": "viduq3-turbo",
            "VIDUQ3": "viduq3",
            "VIDUQ2_PRO": "viduq2-pro",
            "VIDUQ2": "viduq2",
            "VIDUQ1": "viduq1",
            "VIDU2_0": "vidu2.0",
        },
        "AspectRatio": {
            "RATIO_16_9": "16:9",
            "RATIO_9_16": "9:16",
            "RATIO_1_1": "1:1",
            "RATIO_3_4": "3:4",
            "RATIO_4_3": "4:3",
        },
        "Resolution": {
            "R360P": "360p",
            "R540P": "540p",
            "R720P": "720p",
            "R1080P": "1080p",
        },
        "MovementAmplitude": {
            "AUTO": "auto",
            "SMALL": "small",
            "MEDIUM": "medium",
            "LARGE": "large",
        },
        "AudioType": {
            "ALL": "all",
            "SPEECH_ONLY": "speech_only",
            "SOUND_EFFECT_ONLY": "sound_effect_only",
        },
        "TaskState": {
            "CREATED": "created",
            "QUEUEING": "queueing",
            "PROCESSING": "processing",
            "SUCCESS": "success",
            "FAILED": "failed",
        },
    },
    identity=Identity(
        name="Vidu",
        package="vidu",
        version="0.2.0",
        user_agent="vidu-python/0.2.0",
    ),
    base_url_env="VIDU_BASE_URL",
    command_line=CommandLine(
        package="vidu",
        key_env="VIDU_API_KEY",
        hosts=("international", "china"),
        base_url="https://api.vidu.com",
        operations=(
            ("cancel", "Cancel a task that has not started yet."),
            (
                "get_credits",
                "Get the account's concurrency limit, running tasks and queued tasks.",
            ),
            (
                "get_creations",
                "Get a task's state and, once it succeeded, its creations.",
            ),
            ("list_tasks", "List the account's tasks, filtered, one page at a time."),
            (
                "reference2video",
                "Generate a video that keeps the subjects of reference images or videos.",
            ),
        ),
        batch=True,
        base_url_env="VIDU_BASE_URL",
        call="get_credits",
    ),
    batch=True,
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
