"""Block scalars (``|`` and ``>``, with every chomping indicator) in a spec.

Each case writes one field summary of a copy of the tiny spec as a block
scalar: the spec lints clean, the field's summary is the text YAML defines
(read afresh and from the cache), and that text reaches ``REFERENCE.md``
(one table cell) and the request class's docstring. A U+0007 written in the
file is still refused at its place (``test_spec_errors``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vidu_codegen.load import yaml as y
from vidu_codegen.pipeline import load_spec, render_spec

from tests.conftest import PROJECT, run_codegen

OP = "operations/render.yaml"
SUMMARY = "        summary: Edge length in pixels.\n"
LINES = ("Edge length", "in pixels.", "", "Square pictures only.", "")
BODY = "".join(f"{' ' * 10 if line else ''}{line}\n" for line in LINES)
"""A paragraph over two lines, a blank line, a second paragraph and a
trailing blank line, at the block's indentation."""

EXPECTED = {
    "|": "Edge length\nin pixels.\n\nSquare pictures only.\n",
    "|-": "Edge length\nin pixels.\n\nSquare pictures only.",
    "|+": "Edge length\nin pixels.\n\nSquare pictures only.\n\n",
    ">": "Edge length in pixels.\nSquare pictures only.\n",
    ">-": "Edge length in pixels.\nSquare pictures only.",
    ">+": "Edge length in pixels.\nSquare pictures only.\n\n",
}
"""The text YAML 1.2 gives each header for :data:`BODY` (chapter 8.1)."""


def _write(spec: Path, header: str) -> None:
    path = spec / OP
    text = path.read_text(encoding="utf-8")
    assert SUMMARY in text
    block = f"        summary: {header}\n{BODY}"
    path.write_text(text.replace(SUMMARY, block, 1), encoding="utf-8")


def _size_summary(spec: Path) -> str:
    loaded = load_spec(spec)
    assert loaded.findings == ()
    assert loaded.spec is not None
    (operation,) = loaded.spec.operations
    return operation.forms["plain"].fields["size"].summary


@pytest.mark.parametrize("header", sorted(EXPECTED))
def test_a_block_scalar_reads_as_yaml_defines_it(
    header: str, tiny_spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tiny_spec, header)
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert (result.returncode, result.stderr) == (0, "")
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", "off")
    assert _size_summary(tiny_spec) == EXPECTED[header]
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert _size_summary(tiny_spec) == EXPECTED[header]
    assert _size_summary(tiny_spec) == EXPECTED[header]  # from the cache


@pytest.mark.parametrize("header", sorted(EXPECTED))
def test_a_block_scalar_reaches_the_reference_and_the_docstring(
    header: str, tiny_spec: Path
) -> None:
    _write(tiny_spec, header)
    loaded = load_spec(tiny_spec)
    assert loaded.spec is not None
    files = render_spec(
        loaded.spec, PROJECT / "generator" / "vidu_codegen" / "templates"
    )
    words = "Edge length in pixels. Square pictures only."
    cells = [
        line
        for line in files["REFERENCE.md"].splitlines()
        if line.startswith("| `size` |")
    ]
    assert len(cells) == 1
    assert cells[0].endswith(f"| {words} |")
    assert f'    """{words} Default per model:' in files["acme/models.py"]
    assert "\a" not in "".join(files.values())


def test_a_folded_block_in_an_operation_file_reads_in_one_parse() -> None:
    """The one-parse reader takes folded scalars (no fold marks in them) and
    gives what the full loader gives."""
    from vidu_codegen.load import reader

    text = "a: >\n  folded\n  over lines\n\n  kept apart\nb: >-\n  x\n  y\n"
    plain = reader.read_plain(text, "f.yaml")
    full, problems = reader.read_full(text, "f.yaml")
    assert problems == []
    assert plain == full == {"a": "folded over lines\nkept apart\n", "b": "x y"}
    assert isinstance(plain, y.Table)
