"""``docs-check`` against hostile pages: linked files refused, output bounded.

The report is posted on pull requests, so a page that is a symbolic link is
never read (its target could be ``.git/config``), and however big or strange
the new page, the report stays small: each quoted text is cut at
``MAX_CELL_CHARS`` with its line range, the Markdown at ``MAX_REPORT_CHARS``
with a closing line saying what was left out, each JSON list at
``MAX_JSON_ROWS`` rows.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import pytest
from vidu_codegen.tools.docs_check.report import (
    MAX_CELL_CHARS,
    MAX_JSON_ROWS,
    MAX_REPORT_CHARS,
)

from tests.conftest import PROJECT, run_codegen

SOURCED = PROJECT / "tests" / "specs" / "sourced"
PAGE = "sources/render-page.txt"
SECRET = "extraheader = AUTHORIZATION: basic c2VjcmV0LXRva2Vu"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    target = tmp_path / "spec"
    shutil.copytree(SOURCED, target)
    return target


def secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "config"
    secret.write_text(f"[http]\n\t{SECRET}\n", encoding="utf-8")
    return secret


def test_a_new_page_that_is_a_symbolic_link_is_not_read(
    spec: Path, tmp_path: Path
) -> None:
    page = tmp_path / "new-page.txt"
    page.symlink_to(secret_file(tmp_path))
    result = run_codegen("--spec", str(spec), "docs-check", str(page))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"{page} is a symbolic link: the spec reads regular files only\n"
    )
    assert SECRET not in result.stderr


def test_a_snapshot_that_is_a_symbolic_link_is_not_read(
    spec: Path, tmp_path: Path
) -> None:
    """Lint refuses it first, at its position; docs-check stops there."""
    page = tmp_path / "new-page.txt"
    shutil.copy(spec / PAGE, page)
    (spec / PAGE).unlink()
    (spec / PAGE).symlink_to(secret_file(tmp_path))
    result = run_codegen("--spec", str(spec), "docs-check", str(page))
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"file '{PAGE}' is a symbolic link: the spec reads regular files only" in (
        result.stderr
    )
    assert SECRET not in result.stderr
    # --update never writes through it either.
    result = run_codegen("--spec", str(spec), "docs-check", str(page), "--update")
    assert result.returncode == 2
    assert SECRET in secret_file(tmp_path).read_text(encoding="utf-8")


def test_a_changed_quote_shows_at_most_a_cell_of_the_new_text(
    spec: Path, tmp_path: Path
) -> None:
    """A page of one huge line: the quote's new text is cut, its lines given."""
    text = (spec / PAGE).read_text(encoding="utf-8")
    old = "- fine: Default is 8 seconds, available option: 4-16"
    rng = random.Random(7)
    noise = " ".join(f"w{rng.randrange(10**9)}" for _ in range(20_000))
    page = tmp_path / "new-page.txt"
    page.write_text(text.replace(old, f"- fine: {noise}", 1), encoding="utf-8")
    line = text.splitlines().index(old) + 1

    result = run_codegen("--spec", str(spec), "docs-check", str(page))
    assert result.returncode == 1, result.stderr
    row = next(r for r in result.stdout.splitlines() if "clip duration fine" in r)
    cells = row.split(" | ")
    new_cell = cells[3]
    shown = new_cell[1 : new_cell.index("”")]
    assert len(shown) == MAX_CELL_CHARS
    assert shown.startswith("fine: w")
    assert shown.endswith("…")
    assert new_cell.endswith(f"(line {line})")
    assert len(result.stdout) < 10_000

    result = run_codegen(
        "--spec", str(spec), "docs-check", str(page), "--format", "json"
    )
    changed = json.loads(result.stdout)["changed"]
    (entry,) = [c for c in changed if c["entry"] == "render/clip duration fine"]
    assert len(entry["new_text"]) == MAX_CELL_CHARS
    assert entry["new_lines"] == [line, line]


def test_a_big_hostile_page_gives_a_bounded_report(spec: Path, tmp_path: Path) -> None:
    """Thousands of long added lines: the Markdown stops at its cap and says
    how much it left out; JSON lists stop at theirs, counting the rest."""
    text = (spec / PAGE).read_text(encoding="utf-8")
    rng = random.Random(11)
    added_count = 3 * MAX_JSON_ROWS
    added = "".join(
        f"New line {n}: "
        + " ".join(f"t{rng.randrange(10**9)}" for _ in range(60))
        + "\n"
        for n in range(added_count)
    )
    page = tmp_path / "new-page.txt"
    page.write_text(text + added, encoding="utf-8")
    assert page.stat().st_size > 2_000_000

    result = run_codegen("--spec", str(spec), "docs-check", str(page))
    assert result.returncode == 1, result.stderr
    report = result.stdout
    assert len(report) <= MAX_REPORT_CHARS
    rows = [r for r in report.splitlines() if r.startswith("| ") and "New line" in r]
    assert 0 < len(rows) < added_count
    assert all(len(r) < MAX_CELL_CHARS + 40 for r in rows)
    assert report.endswith(
        f"_The report stops at {MAX_REPORT_CHARS} characters: "
        f"{added_count - len(rows)} added lines left out "
        "(`docs-check --format json` lists them)._\n"
    )
    assert "### Coverage" in report

    result = run_codegen(
        "--spec", str(spec), "docs-check", str(page), "--format", "json"
    )
    document = json.loads(result.stdout)
    assert len(document["added"]) == MAX_JSON_ROWS
    assert document["left_out"] == {"added": added_count - MAX_JSON_ROWS}
    assert all(len(a["text"]) <= MAX_CELL_CHARS for a in document["added"])
    assert len(result.stdout) < MAX_JSON_ROWS * (MAX_CELL_CHARS + 100) + 10_000
