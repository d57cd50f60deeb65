"""``vidu-codegen fmt``: canonical layout, idempotent, comments kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from vidu_codegen.load.findings import Finding
from vidu_codegen.tools.fmt import format_text

from tests.conftest import PROJECT, run_codegen

MESSY = """\
# A file in a layout of its own.
forms:
    plain:            # the only form
        fields:
            size:
                type: integer
                by_model:
                    # rows in no particular layout
                    fast: {range: [64, 512], default: 256}
                    fine:   {range: [256, 2048],    default: 1024, note: "a, b | c"}   # why
                    huge-model: {range: [1, 2]}
                    other: {note: 'it''s {braces} and [brackets]', default: 5}
            tags: {type: array, items: {type: string}, count: [1, 4]}
        rules:
        - id: size.max   # a rule
          when: {size: [64, 100]}
          message: "too small on {model}"
errors:
  codes:
    Short: {status: 400, message: short}
    AMuchLongerName: {status: 404, message: "not: found"}
"""

CANONICAL = """\
# A file in a layout of its own.
forms:
  plain:              # the only form
    fields:
      size:
        type: integer
        by_model:
          # rows in no particular layout
          fast:       {range: [64, 512],   default: 256}
          fine:       {range: [256, 2048], default: 1024, note: "a, b | c"}            # why
          huge-model: {range: [1, 2]}
          other:      {note: 'it''s {braces} and [brackets]', default: 5}
      tags: {type: array, items: {type: string}, count: [1, 4]}
    rules:
      - id: size.max     # a rule
        when: {size: [64, 100]}
        message: "too small on {model}"
errors:
  codes:
    Short:           {status: 400, message: short}
    AMuchLongerName: {status: 404, message: "not: found"}
"""


def _plain(text: str) -> Any:
    return YAML(typ="safe").load(text)


def _comments(text: str) -> list[str]:
    return re.findall(r"#[^\n]*", text)


def test_layout_is_canonical_and_rows_are_aligned() -> None:
    assert format_text(MESSY) == CANONICAL


def test_formatting_is_idempotent() -> None:
    assert format_text(CANONICAL) == CANONICAL


def test_comments_and_data_are_kept() -> None:
    result = format_text(MESSY)
    assert isinstance(result, str)
    assert [c.strip() for c in _comments(result)] == [
        c.strip() for c in _comments(MESSY)
    ]
    assert _plain(result) == _plain(MESSY)


def test_bundled_and_tiny_specs_stay_the_same_data() -> None:
    paths = sorted((PROJECT / "spec").rglob("*.yaml"))
    paths += sorted((PROJECT / "tests" / "specs").rglob("*.yaml"))
    for path in paths:
        text = path.read_text(encoding="utf-8")
        result = format_text(text, path.name)
        assert isinstance(result, str), result
        assert _plain(result) == _plain(text), path
        assert format_text(result) == result, path
        assert len(_comments(result)) == len(_comments(text)), path


def test_the_bundled_spec_is_canonical() -> None:
    result = run_codegen("fmt", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_invalid_yaml_is_a_finding() -> None:
    result = format_text("a: [1, 2\nb: 3\n", "x.yaml")
    assert isinstance(result, Finding)
    assert str(result).startswith("x.yaml:")
    assert "invalid YAML" in result.message


def test_check_names_files_and_fmt_rewrites_them(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(PROJECT / "tests" / "specs" / "diff" / "base", spec)
    messy = spec / "operations" / "messy.yaml"
    messy.write_text(MESSY)
    canonical_before = (spec / "api.yaml").read_bytes()
    check = run_codegen("fmt", "--check", str(spec), cwd=tmp_path)
    assert check.returncode == 1
    assert "would reformat spec/operations/messy.yaml" in check.stdout
    assert "api.yaml" not in check.stdout
    assert messy.read_text() == MESSY
    fixed = run_codegen("fmt", str(spec), cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert "formatted spec/operations/messy.yaml" in fixed.stdout
    assert messy.read_text() == CANONICAL
    assert (spec / "api.yaml").read_bytes() == canonical_before
    again = run_codegen("fmt", "--check", str(spec), cwd=tmp_path)
    assert again.returncode == 0
    assert sorted(p.name for p in messy.parent.iterdir()) == [
        "messy.yaml",
        "paint.yaml",
    ]


def test_a_file_that_does_not_parse_is_left_alone(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("a: [1, 2\nb: 3\n")
    result = run_codegen("fmt", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("broken.yaml:")
    assert broken.read_text() == "a: [1, 2\nb: 3\n"


BLOCK_HEADERS = ("|", "|-", "|+", ">", ">-", ">+")


def _block_document(header: str, indent: int) -> str:
    """An operation whose summary and note are block scalars, its mappings
    indented by ``indent``. The note ends in one line break, so a ``+``
    (keep) would keep nothing more: fmt writes that header without it."""
    one, two = " " * indent, " " * (2 * indent)
    note = header.rstrip("+")
    return (
        "operation:\n"
        f"{one}id: render   # the id\n"
        f"{one}summary: {header}\n"
        f"{two}Render a picture\n"
        f"{two}from its tags.\n"
        "\n"
        f"{two}  Kept apart: more indented.\n"
        f"{two}Last line.\n"
        "\n"
        f"{one}note: {note}  # why\n"
        f"{two}One\n"
        f"{two}two.\n"
        f"{one}path: /v1/render\n"
    )


@pytest.mark.parametrize("header", BLOCK_HEADERS)
def test_block_scalars_stay_block_scalars(header: str) -> None:
    canonical = _block_document(header, 2)
    assert format_text(canonical) == canonical
    messy = _block_document(header, 4)
    result = format_text(messy)
    assert result == canonical.replace("id: render   #", "id: render     #")
    assert _plain(result) == _plain(messy)
    assert format_text(result) == result
    if header.endswith("+"):
        kept_nothing = messy.replace(f"note: {header[0]}", f"note: {header}")
        assert format_text(kept_nothing) == result


def test_comments_beside_block_scalars_are_indented_and_their_text_is_not() -> None:
    canonical = (
        "operation:\n"
        "  # the id\n"
        "  id: render\n"
        "  summary: |\n"
        "    Literal\n"
        "      # text, not a comment\n"
        "    lines.\n"
        "  # before the list\n"
        "  list:\n"
        "    - >-\n"
        "      folded\n"
        "      item\n"
        "    # after the item\n"
        "    - x\n"
    )
    messy = (
        "operation:\n"
        "    # the id\n"
        "    id: render\n"
        "    summary: |\n"
        "        Literal\n"
        "          # text, not a comment\n"
        "        lines.\n"
        "    # before the list\n"
        "    list:\n"
        "        - >-\n"
        "            folded\n"
        "            item\n"
        "        # after the item\n"
        "        - x\n"
    )
    assert format_text(messy) == canonical
    assert format_text(canonical) == canonical
    assert _plain(canonical) == _plain(messy)


@pytest.mark.parametrize("header", BLOCK_HEADERS)
def test_a_block_scalar_ending_the_file_keeps_its_text_and_no_end_marker(
    header: str,
) -> None:
    text = f"a: 1\nb: {header}\n  last\n  lines\n\n"
    result = format_text(text)
    assert isinstance(result, str)
    assert "..." not in result
    assert result.startswith(f"a: 1\nb: {header[0]}")
    assert _plain(result) == _plain(text)
    assert format_text(result) == result
    marked = text + "...\n"
    assert _plain(format_text(marked)) == _plain(marked)


_names = st.from_regex(r"[a-z][a-z0-9.-]{0,12}", fullmatch=True)
_scalars = st.one_of(
    st.integers(-1000, 10**9),
    st.booleans(),
    st.from_regex(r"[a-z][a-z0-9 ]{0,10}[a-z0-9]", fullmatch=True),
)
_values = st.one_of(_scalars, st.lists(_scalars, max_size=4))
_rows = st.dictionaries(
    _names, st.dictionaries(_names, _values, min_size=1, max_size=4), max_size=6
)


def _flow(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    return str(value)


@settings(max_examples=60, deadline=None)
@given(rows=_rows, spaces=st.lists(st.integers(1, 6), min_size=6, max_size=6))
def test_any_table_formats_idempotently(
    rows: dict[str, dict[str, object]], spaces: list[int]
) -> None:
    lines = ["field:", "  by_model:"]
    for index, (model, row) in enumerate(rows.items()):
        pad = " " * spaces[index % len(spaces)]
        lines.append(f"    {model}:{pad}{_flow(row)}  # row {index}")
    text = "\n".join(lines) + "\n"
    once = format_text(text)
    assert isinstance(once, str)
    assert format_text(once) == once
    assert _plain(once) == _plain(text)
    assert _comments(once) == [f"# row {i}" for i in range(len(rows))]
