"""``vidu-codegen diff`` on query parameters and pagination, classified exactly.

Each case starts from ``tests/specs/diff/base`` with two query parameters
added to its operation, edits a copy, and states the changes reported:
``(kind, field, message)``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vidu_codegen.tools.diff import diff_specs
from vidu_codegen.tools.diff.report import VERSION_BUMP

from tests.tools.test_diff import OP, edited, load

QUERY = """  response: PaintJob
  query:
    sheen: {type: string, summary: How glossy.}
    size: {type: integer, range: [1, 50], summary: Brush size.}
"""

Row = tuple[str, str | None, str]


def _rows(tmp_path: Path, *edits: tuple[str, str]) -> list[Row]:
    old = edited(tmp_path / "old", (OP, "  response: PaintJob\n", QUERY))
    new = edited(
        tmp_path / "new",
        (OP, "  response: PaintJob\n", QUERY),
        *((OP, before, after) for before, after in edits),
    )
    report = diff_specs(load(old), load(new))
    return [
        (c.kind, c.key.field, c.message)
        for c in report.ordered()
        if c.key != VERSION_BUMP
    ]


CASES: list[tuple[str, list[tuple[str, str]], list[Row]]] = [
    (
        "an optional parameter added",
        [
            (
                "    size:",
                "    wet.only: {type: boolean, summary: Wet paint.}\n    size:",
            )
        ],
        [("compatible", "wet.only", "query parameter added (optional)")],
    ),
    (
        "a required parameter added",
        [
            (
                "    size:",
                "    wall: {type: string, required: true, summary: Wall.}\n    size:",
            )
        ],
        [("breaking", "wall", "query parameter added (required)")],
    ),
    (
        "a parameter removed",
        [("    sheen: {type: string, summary: How glossy.}\n", "")],
        [("breaking", "sheen", "query parameter removed: no longer accepted")],
    ),
    (
        "a parameter made required",
        [("sheen: {type: string,", "sheen: {type: string, required: true,")],
        [("breaking", "sheen", "required: now required")],
    ),
    (
        "a range narrowed",
        [("range: [1, 50]", "range: [1, 40]")],
        [("breaking", "size", "range: `1..50` → `1..40` (narrowed)")],
    ),
    (
        "a range widened",
        [("range: [1, 50]", "range: [1, 60]")],
        [("compatible", "size", "range: `1..50` → `1..60` (widened)")],
    ),
    (
        "a parameter turned into a list",
        [("sheen: {type: string,", "sheen: {type: string, repeated: true,")],
        [("breaking", "sheen", "repeated: `false` → `true`")],
    ),
    (
        "a Python name changed",
        [("sheen: {type: string,", "sheen: {type: string, python_name: gloss,")],
        [("breaking", "sheen", "python_name: `sheen` → `gloss`")],
    ),
    (
        "a summary changed",
        [("How glossy.", "How shiny.")],
        [("notable", "sheen", "summary: `How glossy.` → `How shiny.`")],
    ),
]


PAGED = (
    "      job_id: {type: string, summary: Job ID.}\n",
    "      job_id: {type: string, summary: Job ID.}\n"
    "      jobs: {type: array, items: {type: string}, summary: Jobs.}\n"
    "      next: {type: string, summary: Next page.}\n",
)
PAGINATION = (
    "    size: {type: integer, range: [1, 50], summary: Brush size.}\n",
    "    size: {type: integer, range: [1, 50], summary: Brush size.}\n"
    "  pagination: {token: sheen, items: jobs, next_token: next}\n",
)


def test_pagination_added_then_changed(tmp_path: Path) -> None:
    added = _rows(tmp_path / "added", PAGED, PAGINATION)
    assert [row for row in added if row[2].startswith("pagination")] == [
        (
            "breaking",
            None,
            "pagination: `none` → `token: sheen, items: jobs, next_token: next`",
        )
    ]
    old = edited(
        tmp_path / "old",
        (OP, "  response: PaintJob\n", QUERY),
        (OP, *PAGED),
        (OP, *PAGINATION),
    )
    new = edited(
        tmp_path / "new",
        (OP, "  response: PaintJob\n", QUERY),
        (OP, *PAGED),
        (
            OP,
            PAGINATION[0],
            PAGINATION[1].replace("next_token: next", "next_token: job_id"),
        ),
    )
    changes = [
        (c.kind, c.message)
        for c in diff_specs(load(old), load(new)).ordered()
        if c.key != VERSION_BUMP
    ]
    assert changes == [
        (
            "breaking",
            "pagination: `token: sheen, items: jobs, next_token: next` → "
            "`token: sheen, items: jobs, next_token: job_id`",
        )
    ]


@pytest.mark.parametrize(
    ("edits", "expected"),
    [pytest.param(e, x, id=name) for name, e, x in CASES],
)
def test_query_changes_are_classified(
    tmp_path: Path, edits: list[tuple[str, str]], expected: list[Row]
) -> None:
    assert _rows(tmp_path, *edits) == expected
