"""``vidu-codegen docs-check``: a new copy of the page against the spec's snapshot.

Every case edits a copy of ``tests/specs/sourced`` (a tiny spec quoting its own
tiny page) or of its page, and runs the command as a user would.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from vidu_codegen.tools.docs_check.coverage import constraint_bearing

from tests.conftest import PROJECT, run_codegen

SOURCED = PROJECT / "tests" / "specs" / "sourced"
PAGE = "sources/render-page.txt"
OP = "operations/render.yaml"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    """A private copy of the sourced spec, free to break."""
    target = tmp_path / "spec"
    shutil.copytree(SOURCED, target)
    return target


def page_with(spec: Path, tmp_path: Path, old: str, new: str) -> Path:
    """A new copy of the snapshot with ``old`` replaced by ``new`` (once)."""
    text = (spec / PAGE).read_text(encoding="utf-8")
    assert text.count(old) >= 1
    page = tmp_path / "new-page.txt"
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    return page


def docs_check(spec: Path, page: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = run_codegen(
        "--spec", str(spec), "docs-check", str(page), "--format", "json", *args
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_identical_page_needs_no_review(spec: Path) -> None:
    status, report = docs_check(spec, spec / PAGE)
    assert status == 0
    assert report["needs_review"] is False
    assert report["identical"] is True
    assert report["changed"] == []
    assert report["added"] == []
    assert report["quotes"] == 13


def test_one_models_duration_line_flags_exactly_that_entry(
    spec: Path, tmp_path: Path
) -> None:
    old_line = "- fine: Default is 8 seconds, available option: 4-16"
    page = page_with(spec, tmp_path, old_line, old_line.replace("4-16", "4-32"))
    status, report = docs_check(spec, page)
    assert status == 1
    changed = report["changed"]
    assert isinstance(changed, list)
    assert len(changed) == 1
    (entry,) = changed
    row = line_of(spec / OP, "fine: {range: [4, 16]")
    column = (spec / OP).read_text().splitlines()[row - 1].index('"fine: Default') + 1
    assert entry["entry"] == "render/clip duration fine"
    assert entry["at"] == f"spec/{OP}:{row}:{column}"
    assert entry["old_text"] == "fine: Default is 8 seconds, available option: 4-16"
    assert entry["new_text"] == "fine: Default is 8 seconds, available option: 4-32"
    assert entry["old_lines"] == entry["new_lines"] == [17, 17]
    assert report["added"] == []  # the changed line is reported once, above


def test_the_same_line_in_another_section_is_not_the_quoted_one(
    spec: Path, tmp_path: Path
) -> None:
    """The response section repeats the fast row; changing it there changes no quote."""
    text = (spec / PAGE).read_text(encoding="utf-8")
    head, tail = text.split("Response Body")
    page = tmp_path / "new-page.txt"
    page.write_text(
        head + "Response Body" + tail.replace("option: 1-8", "option: 1-9"),
        encoding="utf-8",
    )
    status, report = docs_check(spec, page)
    assert report["changed"] == []
    # Added, but in a section the spec does not quote: reported as new text.
    added = report["added"]
    assert isinstance(added, list)
    assert [a["line"] for a in added] == [38]
    assert status == 1


def test_a_new_model_line_is_uncovered_text(spec: Path, tmp_path: Path) -> None:
    page = page_with(
        spec,
        tmp_path,
        "- fine: Slow, detailed output\n",
        "- fine: Slow, detailed output\n- ultra: Slowest, 8K output\n",
    )
    status, report = docs_check(spec, page)
    assert status == 1
    assert report["changed"] == []
    assert report["added"] == [{"line": 13, "text": "- ultra: Slowest, 8K output"}]


def test_reflowed_whitespace_only_needs_no_review(spec: Path, tmp_path: Path) -> None:
    text = (spec / PAGE).read_text(encoding="utf-8")
    reflowed = (
        text.replace("Engine name.\nAccepted", "Engine name.    Accepted")
        .replace("Clip length in seconds, with", "Clip length\n  in seconds,\twith")
        .replace("\n", "\r\n")
    )
    page = tmp_path / "reflowed.txt"
    page.write_bytes(reflowed.encode("utf-8"))
    status, report = docs_check(spec, page)
    assert status == 0
    assert report["identical"] is False
    assert report["changed"] == report["added"] == []


def test_markdown_report_names_the_entry_and_both_texts(
    spec: Path, tmp_path: Path
) -> None:
    page = page_with(spec, tmp_path, "available option: 4-16", "available option: 4-32")
    result = run_codegen("--spec", str(spec), "docs-check", str(page))
    assert result.returncode == 1
    assert "### Quotes gone or changed" in result.stdout
    assert (
        "| render/clip duration fine | `spec/operations/render.yaml:" in result.stdout
    )
    assert (
        "“fine: Default is 8 seconds, available option: 4-32” (line 17)"
        in result.stdout
    )
    assert "constraint-bearing lines" in result.stdout


def test_coverage_counts_constraint_bearing_lines(spec: Path) -> None:
    _, report = docs_check(spec, spec / PAGE)
    coverage = report["coverage"]
    assert isinstance(coverage, dict)
    # The response section is `counted: false`: its duration line is not counted.
    assert coverage["uncovered"] == []
    assert (coverage["covered"], coverage["counted"]) == (10, 10)


def test_coverage_lists_the_lines_no_quote_covers(spec: Path) -> None:
    op = spec / OP
    op.write_text(
        op.read_text().replace(
            '  source: "POST https://render.example/v1/render"\n',
            "  source: decided\n  note: the endpoint, as the vendor's client calls it\n",
        )
    )
    _, report = docs_check(spec, spec / PAGE)
    coverage = report["coverage"]
    assert isinstance(coverage, dict)
    assert coverage["uncovered"] == [
        {"line": 2, "text": "POST https://render.example/v1/render"}
    ]
    assert (coverage["covered"], coverage["counted"]) == (9, 10)


def test_update_replaces_the_snapshot_only_when_every_quote_matches(
    spec: Path, tmp_path: Path
) -> None:
    before = (spec / PAGE).read_bytes()
    changed = page_with(
        spec, tmp_path, "available option: 4-16", "available option: 4-32"
    )
    status, _ = docs_check(spec, changed, "--update")
    assert status == 1
    assert (spec / PAGE).read_bytes() == before

    added = page_with(spec, tmp_path, "Job ID\n", "Job ID\nA new line, 42\n")
    status, _ = docs_check(spec, added, "--update")
    assert status == 0
    assert (spec / PAGE).read_bytes() == added.read_bytes()
    assert not [p for p in (spec / "sources").iterdir() if p.name.startswith(".")]


def test_unknown_snapshot_and_unreadable_page_exit_2(
    spec: Path, tmp_path: Path
) -> None:
    result = run_codegen(
        "--spec", str(spec), "docs-check", str(spec / PAGE), "--snapshot", "nope"
    )
    assert result.returncode == 2
    assert "no snapshot 'nope' in the spec; known: page" in result.stderr
    result = run_codegen("--spec", str(spec), "docs-check", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr


def test_a_quote_not_in_the_snapshot_is_a_lint_error_at_its_position(
    spec: Path,
) -> None:
    op = spec / OP
    op.write_text(
        op.read_text().replace("What to draw, 1 to 4 tags", "What to draw, 1 to 5 tags")
    )
    row = line_of(op, "source: What to draw, 1 to 5 tags")
    column = op.read_text().splitlines()[row - 1].index("What to draw") + 1
    result = run_codegen("--spec", str(spec), "lint")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"spec/{OP}:{row}:{column}: the quote does not occur in section "
        "'Request Body' (snapshot 'page'): 'What to draw, 1 to 5 tags'"
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "source: Engine name.",
            "",
            "engine: no `source:`; quote the page it comes from, or write "
            "`source: decided` with a `note:` saying why",
        ),
        (
            "        note: the page names the field but gives it no limit\n",
            "",
            "hdr: `source: decided` needs a `note:`",
        ),
        (
            'source: "fast: Default is 4 seconds, available option: 1-8"',
            'source: {quote: "fast: Default is 4 seconds", section: Response Body}',
            "",
        ),
        (
            'source: "fast: Default is 4 seconds, available option: 1-8"',
            'source: {quote: "fast: Default is 4 seconds", section: Nowhere}',
            "no section 'Nowhere' in `sources:`",
        ),
        (
            "source: Job ID}",
            'source: {quote: "Default is 4 seconds, available option: 1-8"}}',
            "",
        ),
        (
            "source: Clip length in seconds\n",
            "source: [Clip length in seconds, String]\n",
            "the quote occurs 3 times in section 'Request Body': give `occurrence:` "
            "(1 to 3) or quote more words (snapshot 'page'): 'String'",
        ),
        (
            "source: Clip length in seconds\n",
            "source: [Clip length in seconds, {quote: String, occurrence: 4}]\n",
            "occurrence 4 of the quote is not in section 'Request Body' "
            "(it occurs 3 times) (snapshot 'page'): 'String'",
        ),
        (
            'source: "fast: Default is 4 seconds, available option: 1-8"',
            'source: "fast: Default is 4 seconds, available option: 1"',
            "the quote does not occur in section 'Request Body' (snapshot 'page'): "
            "'fast: Default is 4 seconds, available option: 1'",
        ),
    ],
    ids=[
        "missing",
        "decided without note",
        "explicit section",
        "unknown section",
        "inherited section of the response",
        "ambiguous",
        "occurrence out of range",
        "part of a token",
    ],
)
def test_source_problems(spec: Path, old: str, new: str, message: str) -> None:
    op = spec / OP
    text = op.read_text()
    assert old in text
    op.write_text(text.replace(old, new, 1))
    result = run_codegen("--spec", str(spec), "lint")
    if not message:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 2, result.stdout
    assert message in result.stderr


def test_specs_without_snapshots_need_no_sources() -> None:
    result = run_codegen("--spec", str(PROJECT / "tests" / "specs" / "tiny"), "lint")
    assert result.returncode == 0, result.stderr


def test_a_field_name_holding_an_accepted_value_is_no_constraint() -> None:
    values = {"auto", "created"}
    assert not constraint_bearing("auto_subjects", values)
    assert not constraint_bearing("created_at", values)
    assert constraint_bearing("Defaults to auto, accepted value: auto small", values)
    assert constraint_bearing("- created created task successfully", values)
