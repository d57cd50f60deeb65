"""The bundled spec's provenance: it declares its snapshots, every value quotes
them, and ``docs-check`` on a changed copy of the vendor's page points at
exactly the entry that changed.

The spec directory itself is only read: every new page is a copy in
``tmp_path``, and ``docs-check`` without ``--update`` writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from vidu_codegen.load.sources import check_sources
from vidu_codegen.pipeline import load_spec

from tests.conftest import PROJECT, run_codegen

SPEC = PROJECT / "spec"
PAGE = SPEC / "sources" / "vidu-reference2video.txt"
OP = SPEC / "operations" / "reference2video.yaml"

COVERED_AT_LEAST = 105
"""Constraint-bearing lines of the page the spec quotes (a floor: more is fine)."""

LEFT_UNQUOTED = {
    138: "off-peak tasks can be cancelled: nothing of the request checks it",
    327: "the same sentence in the images form",
}
"""The only constraint-bearing lines of the page no quote covers, and why."""


def docs_check(page: Path) -> tuple[int, dict[str, object]]:
    result = run_codegen(
        "--spec", str(SPEC), "docs-check", str(page), "--format", "json"
    )
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


def page_with(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the snapshot with the first line equal to ``old`` replaced."""
    lines = PAGE.read_text(encoding="utf-8").split("\n")
    index = lines.index(old)
    lines[index] = new
    page = tmp_path / "vidu-reference2video.txt"
    page.write_text("\n".join(lines), encoding="utf-8")
    return page


def position(row_start: str, quote_start: str) -> str:
    """``spec/operations/reference2video.yaml:LINE:COL`` of the quote that
    starts with ``quote_start`` on the only line that starts with ``row_start``."""
    lines = OP.read_text(encoding="utf-8").splitlines()
    (row,) = [n for n, line in enumerate(lines, start=1) if line.startswith(row_start)]
    column = lines[row - 1].index(f'"{quote_start}') + 1
    return f"spec/operations/reference2video.yaml:{row}:{column}"


def test_the_bundled_spec_lints_clean_with_its_snapshots_declared() -> None:
    result = run_codegen("--spec", str(SPEC), "lint")
    assert (result.returncode, result.stdout.strip()) == (0, "spec is valid")
    loaded = load_spec(SPEC)
    assert loaded.spec is not None
    assert not loaded.findings
    assert list(loaded.spec.root.sources)[:2] == ["page", "facts"]
    assert check_sources(loaded.spec, SPEC) == []


def test_docs_check_on_the_snapshot_itself_needs_no_review() -> None:
    status, report = docs_check(PAGE)
    assert status == 0
    assert report["needs_review"] is False
    assert report["identical"] is True
    assert report["changed"] == report["added"] == []
    quotes = report["quotes"]
    assert isinstance(quotes, int)
    assert quotes > 150


def test_one_models_duration_line_flags_exactly_that_entry(tmp_path: Path) -> None:
    old = "- viduq3-mix: Default is 5 seconds, available option: 1-16"
    page = page_with(tmp_path, old, old.replace("1-16", "1-18"))
    status, report = docs_check(page)
    assert status == 1
    changed = report["changed"]
    assert isinstance(changed, list)
    assert len(changed) == 1
    (entry,) = changed
    assert entry["entry"] == "reference2video/images duration viduq3-mix"
    assert entry["at"] == position(
        "          viduq3-mix:   {range: [1, 16]", "viduq3-mix: Default is 5"
    )
    assert entry["section"] == "Images request body"
    assert entry["old_text"] == old.removeprefix("- ")
    assert (
        entry["new_text"] == "viduq3-mix: Default is 5 seconds, available option: 1-18"
    )
    assert entry["old_lines"] == entry["new_lines"] == [271, 271]
    assert report["added"] == []


def test_a_line_both_forms_print_is_flagged_only_in_the_form_it_changed(
    tmp_path: Path,
) -> None:
    # "- viduq2: Default is 5 seconds, available option: 1-10" is line 96 of
    # the subjects form and line 274 of the images form: change the first.
    old = "- viduq2: Default is 5 seconds, available option: 1-10"
    page = page_with(tmp_path, old, old.replace("1-10", "1-12"))
    status, report = docs_check(page)
    assert status == 1
    changed = report["changed"]
    assert isinstance(changed, list)
    assert [(c["entry"], c["old_lines"]) for c in changed] == [
        ("reference2video/subjects duration viduq2", [96, 96])
    ]


def test_coverage_stays_at_least_the_figure_reached() -> None:
    _, report = docs_check(PAGE)
    coverage = report["coverage"]
    assert isinstance(coverage, dict)
    assert coverage["covered"] >= COVERED_AT_LEAST
    uncovered = {item["line"] for item in coverage["uncovered"]}
    assert uncovered <= set(LEFT_UNQUOTED), uncovered - set(LEFT_UNQUOTED)


def test_a_reflowed_page_needs_no_review(tmp_path: Path) -> None:
    text = PAGE.read_text(encoding="utf-8")
    page = tmp_path / "reflowed.txt"
    page.write_text(
        text.replace(" ", "  ").replace("\n- ", "\n\n-\t").replace(", ", ",\n"),
        encoding="utf-8",
    )
    status, report = docs_check(page)
    assert (status, report["identical"], report["needs_review"]) == (0, False, False)


def test_a_new_model_line_is_reported_as_text_no_quote_covers(tmp_path: Path) -> None:
    old = "- viduq3-mix: Default is 5 seconds, available option: 1-16"
    new_line = "- viduq4: Default is 5 seconds, available option: 1-20"
    page = page_with(tmp_path, old, f"{old}\n{new_line}")
    status, report = docs_check(page)
    assert status == 1
    assert report["changed"] == []
    assert report["added"] == [{"line": 272, "text": new_line}]
