"""``generated/REFERENCE.md``: the spec's constraints as tables.

The references of the tiny spec and of the diff tests' base spec are compared
with golden files in ``tests/golden/``; run with
``UPDATE_GOLDEN=1`` to rewrite it after a deliberate template change.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from vidu_codegen.pipeline import load_spec, render_spec
from vidu_codegen.project import packaged_templates
from vidu_codegen.python.render import HEADER, tidy_markdown
from vidu_codegen.text import md_cell

from tests.conftest import PROJECT

GOLDEN = PROJECT / "tests" / "golden"
SPECS = {
    "tiny": PROJECT / "tests" / "specs" / "tiny",
    "paint": PROJECT / "tests" / "specs" / "diff" / "base",
}


def reference(spec_dir: Path) -> str:
    loaded = load_spec(spec_dir)
    assert loaded.spec is not None, "\n".join(map(str, loaded.findings))
    return render_spec(loaded.spec, packaged_templates())["REFERENCE.md"]


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split(" | ")]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_reference_matches_the_golden_file(name: str) -> None:
    text = reference(SPECS[name])
    golden = GOLDEN / f"{name}-REFERENCE.md"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            "golden",
            "rendered",
        )
    )
    assert text == expected, diff


def test_one_value_changed_is_one_cell_changed(tiny_spec: Path) -> None:
    before = reference(tiny_spec)
    path = tiny_spec / "operations" / "render.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("range: [256, 2048]", "range: [256, 4096]"))
    after = reference(tiny_spec)
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == 1
    old_cells, new_cells = (_cells(line) for line in changed[0])
    differing = [(o, n) for o, n in zip(old_cells, new_cells, strict=True) if o != n]
    assert differing == [("256..2048", "256..4096")]


def test_the_bundled_reference_is_generated() -> None:
    text = (PROJECT / "generated" / "REFERENCE.md").read_text(encoding="utf-8")
    first, second = text.splitlines()[:2]
    assert first == f"<!-- {HEADER} -->"
    assert second.startswith("# ")
    assert "| Model |" in text


def test_cells_cannot_break_the_table() -> None:
    assert md_cell("a | b\nc") == "a \\| b c"
    assert md_cell(None) == ""
    assert md_cell(True) == "true"
    assert md_cell(("16:9", "1:1")) == "16:9, 1:1"
    assert md_cell(frozenset({"b", "a"})) == "a, b"


def test_markdown_is_tidied() -> None:
    assert tidy_markdown("\n# T\n\n\n\nx\n\n") == "# T\n\nx\n"
