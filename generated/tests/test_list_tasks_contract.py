# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Contract tests of ``list_tasks``, derived from the spec.

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
    Paging,
    Query,
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
        "TaskList",
        (
            ResponseField(
                name="tasks",
                kind="array",
                annotation="list[ListedTask]",
                items_object="ListedTask",
            ),
            ResponseField(name="next_page_token", kind="string", annotation="str"),
        ),
        (
            '{"tasks": [{"id": "t1", "state": "success", "err_code": "", "credits": 20, "payload": "order-17", "created_at": "2025-01-01T15:41:31.968916Z", "creations": [{"id": "c1", "url": "https://example.com/video.mp4", "cover_url": "https://example.com/cover.jpg"}]}], "next_page_token": "p2"}',
            '{"tasks": [{"id": "t2", "state": "queueing", "err_code": ""}], "next_page_token": ""}',
            '{"tasks": []}',
        ),
    ),
    Response(
        "ListedTask",
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
            ResponseField(name="model", kind="string", annotation="str"),
            ResponseField(name="created_at", kind="string", annotation="str"),
            ResponseField(
                name="creations",
                kind="array",
                annotation="list[ListedCreation]",
                items_object="ListedCreation",
            ),
        ),
    ),
    Response(
        "ListedCreation",
        (
            ResponseField(name="id", kind="string", annotation="str"),
            ResponseField(name="url", kind="string", annotation="str"),
            ResponseField(name="cover_url", kind="string", annotation="str"),
        ),
    ),
)
SPEC: Final = ContractSpec(
    operation="list_tasks",
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
        path="/ent/v2/tasks",
    ),
    query=(
        Query(name="created_at.from", py_name="created_at_from", kind="datetime"),
        Query(name="created_at.to", py_name="created_at_to", kind="datetime"),
        Query(name="task_ids", py_name="task_ids", kind="string", repeated=True),
        Query(name="templates", py_name="templates", kind="string", repeated=True),
        Query(
            name="model_versions",
            py_name="model_versions",
            kind="string",
            repeated=True,
        ),
        Query(
            name="resolutions",
            py_name="resolutions",
            kind="string",
            repeated=True,
            choices=("360p", "540p", "720p", "1080p"),
        ),
        Query(
            name="states",
            py_name="states",
            kind="string",
            repeated=True,
            choices=("created", "queueing", "processing", "success", "failed"),
        ),
        Query(name="pager.pagesz", py_name="page_size", kind="integer", range=(1, 100)),
        Query(name="pager.page_token", py_name="page_token", kind="string"),
    ),
    paging=Paging(
        token="pager.page_token",
        items="tasks",
        next_token="next_page_token",
        page_size="pager.pagesz",
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
