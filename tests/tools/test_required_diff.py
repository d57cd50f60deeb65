"""``required`` in ``vidu-codegen diff``: which direction is breaking.

A request field (or query parameter) made required refuses calls that left
it out; made optional, every call still passes. A response field is the
other way round for one side and the same for the other: made required, the
client refuses an answer without it (``MissingResponseField``) where it gave
``None``; made optional, its type gains ``None``, and code reading it as
always present no longer type-checks. Both are breaking. Each direction is
diffed both ways here, between two edited copies of the diff test spec.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vidu_codegen.tools.diff import diff_specs
from vidu_codegen.tools.diff.report import VERSION_BUMP

from tests.tools.test_diff import OP, Edit, edited, load

JOB_ID = "      job_id: {type: string, summary: Job ID.}\n"
REQUIRED_JOB_ID = "      job_id: {type: string, required: true, summary: Job ID.}\n"
SEED = "seed: {type: integer,"
REQUIRED_SEED = "seed: {type: integer, required: true,"
WALL = "      wall: {type: string, summary: Which wall.}\n"
REQUIRED_WALL = "      wall: {type: string, required: true, summary: Which wall.}\n"

Seen = tuple[str, str | None, str]


def changes(tmp_path: Path, old: list[Edit], new: list[Edit]) -> list[Seen]:
    """``(kind, field, message)`` of each change from the spec edited by
    ``old`` to the one edited by ``new`` (the version bump left out)."""
    before = load(edited(tmp_path / "old", *old))
    after = load(edited(tmp_path / "new", *new))
    return [
        (c.kind, c.key.field, c.message)
        for c in diff_specs(before, after).ordered()
        if c.key != VERSION_BUMP
    ]


MADE_REQUIRED = "required: now required"
MADE_OPTIONAL = "required: no longer required"
REFUSED = " (an answer without it is refused)"
MAY_BE_NONE = " (it may now be None)"

CASES: list[tuple[str, list[Edit], list[Edit], Seen]] = [
    (
        "response field made required: answers without it are refused",
        [],
        [(OP, JOB_ID, REQUIRED_JOB_ID)],
        ("breaking", "PaintJob.job_id", MADE_REQUIRED + REFUSED),
    ),
    (
        "response field made optional: code reading it may meet None",
        [(OP, JOB_ID, REQUIRED_JOB_ID)],
        [],
        ("breaking", "PaintJob.job_id", MADE_OPTIONAL + MAY_BE_NONE),
    ),
    (
        "response field added as required",
        [],
        [(OP, JOB_ID, JOB_ID + REQUIRED_WALL)],
        ("breaking", "PaintJob.wall", "response field added (required)"),
    ),
    (
        "response field added as optional",
        [],
        [(OP, JOB_ID, JOB_ID + WALL)],
        ("compatible", "PaintJob.wall", "response field added (optional)"),
    ),
    (
        "required response field removed",
        [(OP, JOB_ID, JOB_ID + REQUIRED_WALL)],
        [],
        ("breaking", "PaintJob.wall", "response field removed"),
    ),
    (
        "request field made required: calls without it are refused",
        [],
        [(OP, SEED, REQUIRED_SEED)],
        ("breaking", "seed", MADE_REQUIRED),
    ),
    (
        "request field made optional: every call still passes",
        [(OP, SEED, REQUIRED_SEED)],
        [],
        ("compatible", "seed", MADE_OPTIONAL),
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [pytest.param(old, new, seen, id=name) for name, old, new, seen in CASES],
)
def test_each_direction_of_required_is_classified(
    tmp_path: Path, old: list[Edit], new: list[Edit], expected: Seen
) -> None:
    assert changes(tmp_path, old, new) == [expected]


def test_a_response_field_made_required_fails_the_breaking_check(
    tmp_path: Path,
) -> None:
    from tests.conftest import run_codegen

    old = edited(tmp_path / "old", (OP, JOB_ID, REQUIRED_JOB_ID))
    new = edited(tmp_path / "new")
    result = run_codegen("diff", str(old), str(new), "--fail-on-breaking")
    assert result.returncode == 1, result.stdout + result.stderr
    assert MADE_OPTIONAL + MAY_BE_NONE in result.stdout
