# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Contract tests of ``get_credits``, derived from the spec.

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
    Concurrency,
    ContractSpec,
    Form,
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
        "Credits",
        (
            ResponseField(name="concurrency_limit", kind="integer", annotation="int"),
            ResponseField(name="current_concurrency", kind="integer", annotation="int"),
            ResponseField(name="queue_count", kind="integer", annotation="int"),
        ),
        (
            '{"concurrency_limit": 5, "current_concurrency": 2, "queue_count": 0}',
            '{"concurrency_limit": 5, "current_concurrency": 5, "queue_count": 3, "remains": [], "packages": []}',
        ),
    ),
)
SPEC: Final = ContractSpec(
    operation="get_credits",
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
        path="/ent/v2/credits",
    ),
    query=(Query(name="show_detail", py_name="show_detail", kind="boolean"),),
    concurrency=Concurrency(
        limit="concurrency_limit",
        running="current_concurrency",
        queued="queue_count",
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
