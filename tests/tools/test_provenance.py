"""Provenance outside docs-check: ``diff`` reports changed quotes as notable,
``diff --base`` reads the snapshots at the revision, and ``REFERENCE.md``
shows each value's source."""

from __future__ import annotations

import shutil
from pathlib import Path

from vidu_codegen.load import model as sm
from vidu_codegen.pipeline import load_spec, render_spec
from vidu_codegen.project import packaged_templates
from vidu_codegen.tools.diff import diff_specs

from tests.conftest import PROJECT

SOURCED = PROJECT / "tests" / "specs" / "sourced"
OP = "operations/render.yaml"


def loaded(spec_dir: Path) -> sm.Spec:
    result = load_spec(spec_dir)
    assert not result.errors, result.errors
    assert result.spec is not None
    return result.spec


def test_a_changed_quote_is_notable(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(SOURCED, new)
    op = new / OP
    op.write_text(
        op.read_text().replace(
            "source: What to draw, 1 to 4 tags",
            'source: [What to draw, 1 to 4 tags, "Array[String]"]',
        )
    )
    report = diff_specs(loaded(SOURCED), loaded(new))
    assert [(c.kind, c.key.field, c.message) for c in report.changes] == [
        (
            "notable",
            "tags",
            "source: `What to draw, 1 to 4 tags` → "
            "`What to draw, 1 to 4 tags, Array[String]`",
        )
    ]


def test_reference_shows_quotes_and_decisions() -> None:
    files = render_spec(loaded(SOURCED), packaged_templates())
    reference = files["REFERENCE.md"]
    assert (
        "| `duration` fine | “fine: Default is 8 seconds, available option: 4-16” "
        "(Request Body) |" in reference
    )
    assert (
        "| `hdr` | decided: the page names the field but gives it no limit |"
        in reference
    )
    assert (
        "| rule `hdr.duration` | “HDR needs a duration of at least 6 seconds.”"
        in reference
    )
