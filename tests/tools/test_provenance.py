"""Provenance outside docs-check: ``diff`` reports changed quotes as notable,
``diff --base`` reads the snapshots at the revision, and ``REFERENCE.md``
shows each value's source."""

from __future__ import annotations

import shutil
from pathlib import Path

from vidu_codegen.load import model as sm
from vidu_codegen.load.sources import Page
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


def lint_findings(spec_dir: Path) -> list[str]:
    result = load_spec(spec_dir)
    return [str(f) for f in result.findings]


def test_a_quote_is_whole_words_and_an_underscore_joins_words() -> None:
    page = Page("auto_subjects\nDefaults to auto, accepted value: auto small")
    assert [page.line_at(s.start) for s in page.find_all("auto")] == [2, 2]
    assert page.find_all("subjects") == []
    assert page.find_all("auto_subjects") != []


def test_a_query_parameters_quote_is_checked_at_its_position(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(SOURCED, spec)
    op = spec / OP
    op.write_text(
        op.read_text().replace(
            "  response: RenderJob\n",
            "  response: RenderJob\n"
            "  query:\n"
            "    quality:\n"
            "      type: integer\n"
            "      summary: How fine.\n"
            "      source: Clip quality, 1 to 4\n"
            "    draft:\n"
            "      type: boolean\n"
            "      summary: A draft.\n",
        )
    )
    assert lint_findings(spec) == [
        f"spec/{OP}:12:15: the quote does not occur in the page "
        "(snapshot 'page'): 'Clip quality, 1 to 4'",
        f"spec/{OP}:14:7: query draft: no `source:`; quote the page it comes "
        "from, or write `source: decided` with a `note:` saying why",
    ]


def test_an_assets_source_names_only_keys_it_gives(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(SOURCED, spec)
    api = spec / "api.yaml"
    api.write_text(
        api.read_text().replace(
            "enums:\n",
            "assets:\n"
            "  picture:\n"
            "    class: Picture\n"
            "    summary: A picture.\n"
            "    formats: {image/png: png}\n"
            "    source:\n"
            "      formats: decided\n"
            "      min_width: What to draw\n"
            "    note: the page names no format\n"
            "\n"
            "enums:\n",
        )
    )
    (finding,) = lint_findings(spec)
    assert finding == (
        "spec/api.yaml:35:7: asset 'picture' gives no 'min_width' to quote "
        "a source for; its sourced keys: formats"
    )
