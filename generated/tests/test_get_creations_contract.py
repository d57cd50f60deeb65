# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Contract tests of ``get_creations``, derived from the spec.

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
    ContractSpec,
    Form,
    Response,
    ResponseField,
    Route,
    build_cases,
    build_request,
    disallowed_defaults,
    request_case,
    run_case,
    triples,
    uncovered_constraints,
    warned,
)

FORMS: Final[tuple[Form, ...]] = ()
RESPONSES: Final[tuple[Response, ...]] = (
    Response(
        "TaskCreations",
        (
            ResponseField(name="id", kind="string", annotation="str"),
            ResponseField(
                name="state",
                kind="string",
                annotation="TaskState | str",
                enum_values=("created", "queueing", "processing", "success", "failed"),
            ),
            ResponseField(name="err_code", kind="string", annotation="str"),
            ResponseField(name="credits", kind="union", annotation="int | str"),
            ResponseField(name="payload", kind="string", annotation="str"),
            ResponseField(name="bgm", kind="boolean", annotation="bool"),
            ResponseField(name="off_peak", kind="boolean", annotation="bool"),
            ResponseField(
                name="creations",
                kind="array",
                annotation="list[Creation]",
                items_object="Creation",
            ),
        ),
        (
            '{"state": "success", "err_code": "", "credits": 4, "payload": "", "creations": [{"id": "c1", "url": "https://example.com/video.mp4", "cover_url": "https://example.com/cover.jpg", "watermarked_url": "https://example.com/video-watermarked.mp4"}]}',
            '{"id": "t1", "state": "failed", "err_code": "UserCancelled", "credits": 0, "payload": "order-17", "bgm": false, "off_peak": true, "creations": []}',
            '{"id": "t2", "state": "processing", "err_code": "", "credits": "15", "creations": [{"id": "c2", "url": "", "cover_url": "", "watermarked_url": "", "moderation_url": []}], "progress": 0.5}',
            '{"state": "scheduled", "err_code": ""}',
        ),
    ),
    Response(
        "Creation",
        (
            ResponseField(name="id", kind="string", annotation="str"),
            ResponseField(name="url", kind="string", annotation="str", required=True),
            ResponseField(name="cover_url", kind="string", annotation="str"),
            ResponseField(name="watermarked_url", kind="string", annotation="str"),
        ),
    ),
)
SPEC: Final = ContractSpec(
    operation="get_creations",
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
        method="GET",
        path="/ent/v2/tasks/{id}/creations",
        params=("id",),
    ),
    aio=True,
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
