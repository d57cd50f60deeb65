"""Spec text stays inside its cell or paragraph of ``REFERENCE.md``.

A note, summary or name holding blank lines and a heading, a list, a table
row, raw HTML or a fence is shown as text where it belongs: the headings of
the document are those the template writes, every table row has its
columns, and no HTML tag is written.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from vidu_codegen.text import md_cell, md_code, md_text

from tests.e2e.test_reference import reference

HOSTILE = "first line\n\n## Injected\n\n<img src=x onerror=alert(1)>\n- item\n| a | b |"
"""Text that, copied as is, would end its paragraph or cell and start others."""

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _edit(spec: Path, file: str, old: str, new: str) -> None:
    path = spec / file
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar."""
    return (
        '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    )


@pytest.fixture
def hostile_reference(tiny_spec: Path) -> str:
    q = _quoted(HOSTILE)
    _edit(tiny_spec, "api.yaml", "summary: Quick drafts.", f"summary: {q}")
    op = "operations/render.yaml"
    _edit(
        tiny_spec,
        op,
        "  summary: Render a picture.",
        f"  summary: {_quoted('# Top ' + HOSTILE)}",
    )
    _edit(
        tiny_spec,
        op,
        "    summary: Render from tags.",
        f"    summary: {_quoted('1. ' + HOSTILE)}",
    )
    _edit(
        tiny_spec,
        op,
        "        summary: Edge length in pixels.\n",
        f"        summary: Edge length in pixels.\n        note: {q}\n",
    )
    _edit(tiny_spec, op, "      - id: hdr.size", '      - id: "hdr`|<b>x</b>"')
    _edit(
        tiny_spec,
        op,
        "        summary: HDR needs a large canvas.",
        f"        summary: {q}\n        note: {q}",
    )
    _edit(tiny_spec, op, "    summary: The queued job.", "    summary: '---'")
    return reference(tiny_spec)


def test_headings_are_only_the_templates(hostile_reference: str) -> None:
    headings = [line for line in hostile_reference.splitlines() if line.startswith("#")]
    assert headings == [
        "# Acme Render: reference",
        "## Models",
        "## `render`: `POST /v1/render`",
        "### Form `plain` (`RenderRequest`)",
        "### Response `RenderJob`",
    ]


def test_no_html_and_no_block_of_spec_text(hostile_reference: str) -> None:
    lines = hostile_reference.splitlines()
    assert "<img" not in hostile_reference
    assert "| ``hdr`\\|<b>x</b>`` |" in hostile_reference  # a code span: text
    note = "- ``hdr`|<b>x</b>``, all models: first line ## Injected &lt;img"
    assert [line for line in lines if line.startswith(note)]
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile_reference
    assert not [line for line in lines if re.match(r"(- item|---|\| a \|)", line)]
    assert "\\# Top first line ## Injected" in hostile_reference
    assert "1\\. first line ## Injected" in hostile_reference
    assert "\\---" in lines


def test_every_table_row_keeps_its_columns(hostile_reference: str) -> None:
    lines = hostile_reference.splitlines()
    tables: list[list[str]] = []
    for line in lines:
        if line.startswith("|"):
            if not tables or not lines[lines.index(line) - 1].startswith("|"):
                tables.append([])
            tables[-1].append(line)
    assert tables
    for table in tables:
        widths = {len(UNESCAPED_PIPE.findall(row)) for row in table}
        assert len(widths) == 1, table


def test_the_escapes() -> None:
    assert md_cell("a\n\n## b") == "a ## b"
    assert md_cell("<script>") == "&lt;script&gt;"
    assert md_cell("# x") == "\\# x"
    assert md_cell("12) x") == "12\\) x"
    assert md_cell("* x") == "\\* x"
    assert md_cell("~~~") == "\\~~~"
    assert md_cell("a\\|b") == "a\\\\\\|b"
    assert md_cell("C:\\dir") == "C:\\dir"
    assert md_cell("see `a|<b>`") == "see `a\\|<b>`"
    assert md_text("see `a|<b>`") == "see `a|<b>`"
    assert md_cell("\\`<b>`") == "\\\\`&lt;b&gt;`"
    assert md_cell("1.5 and -1") == "1.5 and -1"
    assert md_code("a`b|c") == "``a`b\\|c``"
    assert md_code("`x", cell=False) == "`` `x ``"
    assert md_code("(?P<n>x)") == "`(?P<n>x)`"
