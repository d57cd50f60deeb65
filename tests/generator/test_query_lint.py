"""Lint of query parameters, pagination and concurrency counts: each broken
spec with the exact positioned messages it gives.

Each case makes its edits to the tiny spec's operation file and runs
``vidu-codegen lint``: exit status 2, exactly the expected findings, no
traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_codegen

OP = "operations/render.yaml"
RESPONSE = "  response: RenderJob\n"
FIELDS = "      cost: {type: [integer, string], summary: Cost.}\n"
PAGED_FIELDS = (
    FIELDS
    + "      jobs: {type: array, items: {type: string}, summary: Jobs.}\n"
    + "      next: {type: string, summary: Next page.}\n"
)

CASES: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    (
        "code in a query name",
        [
            (
                RESPONSE,
                RESPONSE
                + "  query:\n    'x\"); import os; (\"': {type: string, summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:5: query parameter 'x\"); import os; (\"' must be snake_case words, possibly joined by .: [a-z][a-z0-9]*(_[a-z0-9]+)*(\\.[a-z][a-z0-9]*(_[a-z0-9]+)*)*"
        ],
    ),
    (
        "code in a python_name",
        [
            (
                RESPONSE,
                RESPONSE
                + "  query:\n    x: {type: string, python_name: 'a=1; import os', summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:36: python_name 'a=1; import os' must be snake_case (lower-case words joined by _): [a-z][a-z0-9]*(_[a-z0-9]+)*"
        ],
    ),
    (
        "a dotted name too long",
        [
            (
                RESPONSE,
                RESPONSE
                + "  query:\n    "
                + ".".join(["abcdefghij"] * 7)
                + ": {type: string, summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:5: query parameter '"
            + ".".join(["abcdefghij"] * 7)
            + "' is longer than 64 characters"
        ],
    ),
    (
        "a python name that is a form field too",
        [(RESPONSE, RESPONSE + "  query:\n    size: {type: integer, summary: S.}\n")],
        [
            "spec/operations/render.yaml:8:5: query parameter 'size': its Python name 'size' is a field of form plain too (the method takes both as keywords)"
        ],
    ),
    (
        "dotted name with a capital",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    created.From: {type: string, summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:5: query parameter 'created.From' must be snake_case words, possibly joined by .: [a-z][a-z0-9]*(_[a-z0-9]+)*(\\.[a-z][a-z0-9]*(_[a-z0-9]+)*)*"
        ],
    ),
    (
        "python name from a keyword",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    when.from: {type: string, summary: S.}\n    from: {type: string, summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:9:5: query parameter 'from': its Python name 'from' is a Python keyword; give it a python_name"
        ],
    ),
    (
        "python names collide",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    a.b: {type: string, summary: S.}\n    a_b: {type: string, summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:9:5: python_name 'a_b' is used twice (first at spec/operations/render.yaml:8:5)"
        ],
    ),
    (
        "reserved python name",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    page: {type: integer, python_name: request, summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:40: python_name 'request' is a name the generated code already uses"
        ],
    ),
    (
        "unknown query type",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    page: {type: float, summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:18: type: expected one of 'string', 'integer', 'boolean', 'datetime', got 'float'"
        ],
    ),
    (
        "enum on an integer, range on a string",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    page: {type: integer, enum: Style, summary: S.}\n    tag: {type: string, range: [1, 2], summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:33: query parameter page: only a string parameter can have an enum",
            "spec/operations/render.yaml:9:25: range does not apply to a string query parameter",
        ],
    ),
    (
        "unknown enum, inverted range",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    shade: {type: string, enum: Colour, summary: S.}\n    step: {type: integer, range: [9, 1], summary: S.}\n",
            )
        ],
        [
            "spec/operations/render.yaml:8:33: unknown enum 'Colour'; defined: Style",
            "spec/operations/render.yaml:9:34: range [9, 1] is inverted: min is above max",
        ],
    ),
    (
        "pagination names what does not exist",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    token: {type: string, summary: S.}\n  pagination: {token: cursor, items: jobs, next_token: next}\n",
            )
        ],
        [
            "spec/operations/render.yaml:9:23: pagination token 'cursor' is not a query parameter; query parameters: token",
            "spec/operations/render.yaml:9:38: pagination items 'jobs' is not a field of response RenderJob; fields: job_id, cost",
            "spec/operations/render.yaml:9:56: pagination next_token 'next' is not a field of response RenderJob; fields: job_id, cost",
        ],
    ),
    (
        "pagination of the wrong types",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    token: {type: integer, summary: S.}\n    step: {type: string, required: true, summary: S.}\n  pagination: {token: token, page_size: step, items: cost, next_token: job_id}\n",
            ),
            (
                "      cost: {type: [integer, string], summary: Cost.}\n",
                "      cost: {type: [integer, string], summary: Cost.}\n      jobs: {type: array, items: {type: string}, summary: Jobs.}\n      next: {type: string, summary: Next page.}\n",
            ),
        ],
        [
            "spec/operations/render.yaml:10:23: pagination token 'token' must be a single string query parameter",
            "spec/operations/render.yaml:10:41: pagination page_size 'step' must be a single integer query parameter",
            "spec/operations/render.yaml:10:54: pagination items 'cost' must be an array field of response RenderJob, not integer, string",
        ],
    ),
    (
        "a required page token",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  query:\n    token: {type: string, required: true, summary: S.}\n  pagination: {token: token, items: jobs, next_token: next}\n",
            ),
            (
                "      cost: {type: [integer, string], summary: Cost.}\n",
                "      cost: {type: [integer, string], summary: Cost.}\n      jobs: {type: array, items: {type: string}, summary: Jobs.}\n      next: {type: string, summary: Next page.}\n",
            ),
        ],
        [
            "spec/operations/render.yaml:9:23: pagination token 'token' cannot be required: the first page is asked without it"
        ],
    ),
    (
        "a list without pagination",
        [("  method: POST\n", "  method: POST\n  task: list\n")],
        [
            "spec/operations/render.yaml:4:9: a task: list operation needs pagination (where its items are)"
        ],
    ),
    (
        "concurrency counts that are not integer fields",
        [
            (
                "  response: RenderJob\n",
                "  response: RenderJob\n  concurrency: {limit: cost, running: job_id, queued: waiting}\n",
            )
        ],
        [
            "spec/operations/render.yaml:7:24: concurrency limit 'cost' is not an integer field of response RenderJob; fields: job_id, cost",
            "spec/operations/render.yaml:7:39: concurrency running 'job_id' is not an integer field of response RenderJob; fields: job_id, cost",
            "spec/operations/render.yaml:7:55: concurrency queued 'waiting' is not an integer field of response RenderJob; fields: job_id, cost",
        ],
    ),
]


@pytest.mark.parametrize(
    ("edits", "expected"),
    [pytest.param(e, x, id=name) for name, e, x in CASES],
)
def test_query_and_pagination_problems_are_positioned(
    tiny_spec: Path, edits: list[tuple[str, str]], expected: list[str]
) -> None:
    path = tiny_spec / OP
    text = path.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text)
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[:-1] == expected


def test_a_paged_operation_with_dotted_parameters_lints_clean(tiny_spec: Path) -> None:
    path = tiny_spec / OP
    text = path.read_text()
    text = text.replace(
        RESPONSE,
        RESPONSE
        + "  query:\n"
        + "    created_at.from: {type: datetime, summary: From.}\n"
        + "    from: {type: string, python_name: since, summary: Since.}\n"
        + "    pager.size: {type: integer, range: [1, 100], summary: Size.}\n"
        + "    pager.token: {type: string, summary: Token.}\n"
        + "    states: {type: string, enum: Style, repeated: true, summary: S.}\n"
        + "  pagination: {token: pager.token, page_size: pager.size, items: jobs, next_token: next}\n",
    ).replace(FIELDS, PAGED_FIELDS)
    path.write_text(text)
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert (result.returncode, result.stderr) == (0, "")


def test_an_operation_named_batch_is_refused(tiny_spec: Path) -> None:
    path = tiny_spec / OP
    path.write_text(path.read_text().replace("  id: render\n", "  id: batch\n"))
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "spec/operations/render.yaml:2:7: operation id 'batch' is a name the "
        "generated code already uses"
    )
