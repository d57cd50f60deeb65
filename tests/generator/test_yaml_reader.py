"""The spec reader's fast paths give exactly what the full loader gives.

``load_yaml`` reads a file of plain YAML in one parse (``read_plain``) and
keeps what it read in the cache, under the digest of the file's bytes; any
other file goes to ``read_full`` (ruamel.yaml's round-trip loader). Here
every spec file of the project and a corpus of tricky YAML go both ways, and
the tables, values, types and every position must be the same; the cache
is tried too: a damaged entry is ignored, a changed file is read afresh.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from vidu_codegen.load import reader
from vidu_codegen.load import yaml as y

ROOT = Path(__file__).resolve().parents[2]


def shape(value: Any) -> Any:
    """Everything a reader gives, positions and types included, as plain data."""
    if isinstance(value, y.Table):
        return (
            "map",
            value.pos,
            [
                (k, type(k), value.key_pos[k], value.value_pos[k], shape(v))
                for k, v in value.items()
            ],
            sorted(value.key_pos) == sorted(value) == sorted(value.value_pos),
        )
    if isinstance(value, y.Seq):
        return ("seq", value.pos, value.item_pos, [shape(v) for v in value])
    return (type(value), repr(value))


def spec_files() -> list[Path]:
    found = sorted(ROOT.glob("spec/**/*.yaml")) + sorted(
        ROOT.glob("tests/specs/**/*.yaml")
    )
    assert found
    return found


@pytest.mark.parametrize("path", spec_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_project_specs_read_in_one_parse_as_the_full_loader_reads_them(
    path: Path,
) -> None:
    text = path.read_text(encoding="utf-8")
    full, problems = reader.read_full(text, "f.yaml")
    plain = reader.read_plain(text, "f.yaml")
    assert problems == []
    assert plain is not None, "a spec file in the canonical layout is plain YAML"
    assert shape(plain) == shape(full)


PLAIN = [
    "a: 1\nb: -2\nc: 0\nd: -0\ne: 1.5\nf: -0.25\ng: true\nh: False\ni: TRUE\n",
    "a: null\nb: ~\nc:\nd: Null\ne: ''\nf: \"\"\n",
    "a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\n",
    "a: '1'\nb: \"true\"\nc: 'null'\nd: \"1.5\"\ne: '0x1F'\n",
    "a: [1, two, 3.0, [x, {y: z}], {}]\nb: {c: [], d: {e: f}}\n",
    "a:\n- 1\n- - 2\n  - 3\n- k: v\n  l: w\n-\n- ''\n",
    "a: |\n  line one\n  line two\nb: |-\n  kept\nc: |+\n  kept\n\nd: >\n  single line\n",
    "a: >-\n  folded\n  over lines\n",
    "'quoted key': 1\n\"double key\": 2\nplain key: 3\n",
    "a: \"esc \\t \\u00e9 \\\" \\\\ end\"\nb: 'it''s'\nc: caf\u00e9 \u4e2d\u6587\n",
    "# comment\na: 1 # trailing\n\n# between\nb:\n  # inside\n  c: 2\n",
    'a: multi\n  line\n  plain\nb: "multi\n  line quoted"\n',
    "--- \na: 1\n...\n",
    "a: 12345678901234567890 words\nb: '123456789012345678901'\n",
    "a: 0o17\nb: 0x1F\nc: 1_000\nd: +5\ne: 010\nf: 1e3\ng: .inf\nh: -.inf\ni: .nan\n",
    "a: 2024-01-01\nb: 2024-01-01 10:00:00\nc: 1:20\n",
    "1: a\ntrue: b\nnull: c\n1.5: d\n",
    "a: &x {b: 1}\nc: *x\n",
    "base: &b {x: 1}\nmine:\n  <<: *b\n  y: 2\n",
    "a: !!str 5\nb: !!int '7'\n",
    "a: 1\na: 2\n",
    "? [a, b]\n: c\n",
    "? |\n  block key\n: v\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: 1\n---\nb: 2\n",
    "- just\n- a list\n",
    "just a scalar\n",
    "",
    "a: [unclosed\n",
    "a: b: c\n",
    'a: "\\x07 bell"\n',
    "a: >\n  folded\n  over lines\n",
    "a:\n"
    + "".join("  " * i + f"k{i}:\n" for i in range(1, 40))
    + "  " * 40
    + "v: 1\n",
    "a: 1234567890123456789\n",
    "a: '\u2028'\n",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
    "\ufeffa: 1\nb: 2\n",
    "a:\tb\nc: d\t\n",
    "a: |  # comment after the indicator\n  text\n  # not a comment\nb: 1\n",
    "a: {b: 1,\n  c: [2,\n   3], d: }\ne: [ , ]\n",
    "a: {b: 1,\n  c: [2,\n   3], d: }\n",
    "? plain key\n: value\n? other\n",
    "a: 'x: y'\nb: \"# not a comment\"\nc: x#y\nd: x #y\n",
    "a: text\n   continued # comment\nb: 1\n",
    "a:\n  b: 1\n # odd indent comment\n  c: 2\n",
    "a: - x\n",
    "a:\n- b\n  - c\n",
    "a: 1\n  b: 2\n",
    "a: [1, 2]]\n",
    'a: "unterminated\n',
    "a: @at\n",
    "a: `tick\n",
    "a: |\n  \tindented tab\n",
    "a: |2\n    two more\n",
    "a: >\n  one line\n",
    "key with spaces  : v\n",
    "a: [x, y]  # flow then comment\nb: {c: d}   \n",
    'a: "\\N\\_\\L\\P"\n',
    'a: "\\e\\0"\n',
    "a: 0\nb: 00\nc: -00\nd: 1.0\ne: 1.\nf: .5\ng: -1.50\n",
    "a: True\nb: tRUE\nc: NULL\nd: nULL\n",
    "...\n",
    "---\n---\n",
    "a: !  x\n",
    "a: &anchor\n  b: 1\n",
    "a: b\n...\n---\nc: d\n",
]


BLOCK_SCALARS = [
    f"a: {style}{chomp}\n  one\n  two\n\n  three\n    more\n  four\n\n\nb: {style}{chomp}\n  end\n"
    for style in "|>"
    for chomp in ("", "-", "+", "2", "2-", "+2")
] + [
    "a: >\n\n  leading blank\n  line\n",
    "a:\n  - >-\n    item\n    folded\n  - |+\n    kept\n\n",
    "a: >+\n  last\n  of the file\n\n\n",
]
"""Literal and folded block scalars with every chomping indicator: plain
YAML, read in one parse."""

PLAIN += BLOCK_SCALARS


@pytest.mark.parametrize("text", BLOCK_SCALARS)
def test_block_scalars_read_in_one_parse_as_the_full_loader_reads_them(
    text: str,
) -> None:
    full, problems = reader.read_full(text, "f.yaml")
    plain = reader.read_plain(text, "f.yaml")
    assert problems == []
    assert plain is not None
    assert shape(plain) == shape(full)
    assert plain == YAML(typ="safe", pure=True).load(text)


@pytest.mark.parametrize("text", PLAIN)
def test_each_construct_reads_the_same_or_goes_to_the_full_loader(text: str) -> None:
    full, problems = reader.read_full(text, "f.yaml")
    plain = reader.read_plain(text, "f.yaml")
    if plain is not None:
        assert problems == []
        assert shape(plain) == shape(full)
    else:
        assert full is None or problems == []


@pytest.mark.parametrize("text", PLAIN)
def test_load_yaml_gives_the_same_findings_and_tables_cached_or_not(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    full, problems = reader.read_full(text, "f.yaml")
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", "off")
    uncached = y.load_yaml(path, "f.yaml")
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    first = y.load_yaml(path, "f.yaml")
    again = y.load_yaml(path, "f.yaml")
    for table, findings in (uncached, first, again):
        assert findings == problems
        assert shape(table) == shape(full)


def test_a_damaged_or_foreign_cache_entry_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "f.yaml"
    path.write_text("a: [1, 2]\nb: {c: d}\n", encoding="utf-8")
    expected = shape(y.load_yaml(path, "f.yaml")[0])
    (entry,) = (tmp_path / "cache" / "yaml").iterdir()
    good = entry.read_bytes()
    for damaged in (
        b"",
        good[:-3],
        good[:64] + b"x" + good[65:],
        good[:70] + bytes([good[70] ^ 1]) + good[71:],
        b"0" * 64 + b"not marshal",
    ):
        entry.write_bytes(damaged)
        table, findings = y.load_yaml(path, "f.yaml")
        assert findings == []
        assert shape(table) == expected
    # an entry whose digest is right but whose payload is not a table
    entry.write_bytes(_entry(b"\xe9"))  # marshal of nothing it can build
    assert shape(y.load_yaml(path, "f.yaml")[0]) == expected


def test_a_changed_file_is_read_afresh(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert y.load_yaml(path, "f.yaml")[0] == {"a": 1}
    path.write_text("a: 2\n", encoding="utf-8")
    assert y.load_yaml(path, "f.yaml")[0] == {"a": 2}
    path.write_text("a: 2\na: 3\n", encoding="utf-8")
    table, findings = y.load_yaml(path, "f.yaml")
    assert table is None
    assert [f.message for f in findings] == ['invalid YAML: found duplicate key "a"']


def _entry(payload: bytes) -> bytes:
    import hashlib

    return hashlib.sha256(payload).hexdigest().encode() + payload


def test_many_files_read_in_worker_processes_give_what_one_by_one_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``PARALLEL_FILES`` files to parse, the parsing runs in worker
    processes (when there are processors to run them): each file's table or
    findings are what reading it alone gives."""
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", "off")
    files = []
    for index, text in enumerate(PLAIN * 2):
        path = tmp_path / f"f{index}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append((path, f"spec/f{index}.yaml"))
    files.append((tmp_path / "missing.yaml", "spec/missing.yaml"))
    assert len(files) >= y.PARALLEL_FILES
    together = y.load_files(files)
    monkeypatch.setattr(y, "PARALLEL_FILES", len(files) + 1)
    alone = [y.load_yaml(path, display) for path, display in files]
    assert len(together) == len(alone) == len(files)
    for (table, findings), (expected, problems) in zip(together, alone, strict=True):
        assert findings == problems
        assert shape(table) == shape(expected)
