"""``vidu-codegen fmt``: the canonical layout of spec files.

A file is read and written back with ruamel.yaml's round trip, so comments,
key order, quoting and flow style stay as they are; what changes is layout:

- block mappings indent by 2; a block sequence's ``-`` sits 2 in from its
  key and its items 4 (``indent(mapping=2, sequence=4, offset=2)``);
- lines are never wrapped;
- the rows of a *table* (a block mapping whose values are one-line flow
  mappings: every ``by_model``, and ``errors.codes``) are aligned as columns:
  keys are padded so the ``{`` line up, and the n-th entry of each row is
  padded so the (n+1)-th starts in the same column::

      viduq3:  {choices: [540p, 720p, 1080p], default: 720p}
      viduq1:  {choices: [1080p],             default: 1080p}

Formatting is idempotent: formatting its own output changes nothing. A file
that cannot be parsed is a :class:`~vidu_codegen.load.findings.Finding`, never an
exception, and is left alone.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import ScalarEvent

from vidu_codegen.load.files import read_regular
from vidu_codegen.load.findings import Finding, Pos, display_path
from vidu_codegen.load.yaml import MAX_FILE_BYTES

SUFFIXES = (".yaml", ".yml")
_WIDTH = 1 << 16
_CLOSERS = {"{": "}", "[": "]"}


@attrs.frozen
class Outcome:
    """What formatting did, or would do, to one file."""

    path: Path
    display: str
    changed: bool = False
    problem: Finding | None = None


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _problem(exc: YAMLError, display: str) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    text = str(problem or exc).strip().split(" with value ", 1)[0]
    return Finding(Pos(display, line, col), f"invalid YAML: {text}")


def format_text(text: str, display: str = "<text>") -> str | Finding:
    """The canonical layout of one YAML document, or why it has none."""
    try:
        data = _yaml().load(text)
        if data is None:
            return text
        stream = io.StringIO()
        _yaml().dump(data, stream)
        dumped = _without_document_end(stream.getvalue(), text)
        aligned = align_tables(dumped, _yaml().load(dumped))
        return indent_comments(text, aligned)
    except YAMLError as exc:
        return _problem(exc, display)


_DOCUMENT_END = "\n...\n"
_DOCUMENT_END_LINE = re.compile(r"^\.\.\.(\s|$)", re.MULTILINE)


def _without_document_end(dumped: str, source: str) -> str:
    """``dumped`` without the ``...`` line ruamel.yaml ends a document with
    when its last value is a block scalar keeping its final line breaks
    (``|+``): the end of the file ends the one document as well, and the
    scalar keeps the same text. A ``...`` the source has stays."""
    if dumped.endswith(_DOCUMENT_END) and not _DOCUMENT_END_LINE.search(source):
        return dumped[: -len(_DOCUMENT_END) + 1]
    return dumped


# tables ----------------------------------------------------------------------


def is_table(path: tuple[str, ...]) -> bool:
    """Whether the mapping at ``path`` (keys from the document root) is a table."""
    return (bool(path) and path[-1] == "by_model") or path == ("errors", "codes")


def _tables(node: Any, path: tuple[str, ...] = ()) -> Iterator[CommentedMap]:
    if isinstance(node, CommentedMap):
        if is_table(path) and not node.fa.flow_style():
            yield node
        for key, value in node.items():
            yield from _tables(value, (*path, str(key)))
    elif isinstance(node, CommentedSeq):
        for item in node:
            yield from _tables(item, (*path, "[]"))


def _closing(line: str, start: int) -> int | None:
    """Index of the bracket closing the one at ``start``, if on this line."""
    stack: list[str] = []
    quote: str | None = None
    index = start
    while index < len(line):
        char = line[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if quote is not None:
            if char == quote:
                if quote == "'" and line[index + 1 : index + 2] == "'":
                    index += 1
                else:
                    quote = None
        elif char in "\"'":
            quote = char
        elif char in _CLOSERS:
            stack.append(_CLOSERS[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return index
        index += 1
    return None


def _cells(inner: str) -> list[str]:
    """The top-level ``key: value`` entries of a flow mapping's inside."""
    cells: list[str] = []
    depth, quote, start, index = 0, None, 0, 0
    while index < len(inner):
        char = inner[index]
        if quote == '"' and char == "\\":
            index += 2
            continue
        if quote is not None:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
        elif char == "," and depth == 0:
            cells.append(inner[start:index].strip())
            start = index + 1
        index += 1
    last = inner[start:].strip()
    return [*cells, last] if last or cells else cells


@attrs.frozen
class _Row:
    line: int
    indent: str
    key: str
    cells: list[str]
    comment: str
    comment_col: int


def _row(lines: list[str], table: CommentedMap, key: Any) -> _Row | None:
    value = table[key]
    if not isinstance(value, CommentedMap) or not value.fa.flow_style():
        return None
    kline, kcol = table.lc.key(key)
    vline, vcol = table.lc.value(key)
    line = lines[kline]
    if vline != kline or line[vcol : vcol + 1] != "{" or line[:kcol].strip():
        return None
    end = _closing(line, vcol)
    if end is None:
        return None
    rest = line[end + 1 :]
    comment = rest.strip()
    if comment and not comment.startswith("#"):
        return None
    return _Row(
        line=kline,
        indent=line[:kcol],
        key=line[kcol:vcol].rstrip(),
        cells=_cells(line[vcol + 1 : end]),
        comment=comment,
        comment_col=len(line) - len(rest.lstrip()),
    )


def _columns(row: _Row) -> list[tuple[str, ...]]:
    """The column of each cell: the keys of the row up to and including it.

    Cells line up with the cells of other rows that hold the same keys in the
    same order up to there, so a row of other keys does not widen a column.
    """
    keys = [cell.split(":", 1)[0].strip() for cell in row.cells]
    return [tuple(keys[: index + 1]) for index in range(len(keys))]


def _aligned(rows: list[_Row]) -> dict[int, str]:
    """The new text of each row's line, keyed by line index."""
    key_width = max(len(r.key) for r in rows)
    widths: dict[tuple[str, ...], int] = {}
    for row in rows:
        for column, cell in zip(_columns(row)[:-1], row.cells, strict=False):
            widths[column] = max(widths.get(column, 0), len(cell) + 1)
    out: dict[int, str] = {}
    for row in rows:
        columns = _columns(row)
        parts = [
            f"{cell},".ljust(widths[columns[i]]) if i < len(row.cells) - 1 else cell
            for i, cell in enumerate(row.cells)
        ]
        text = f"{row.indent}{row.key.ljust(key_width)} {{{' '.join(parts)}}}"
        if row.comment:
            text += " " * max(1, row.comment_col - len(text)) + row.comment
        out[row.line] = text
    return out


def align_tables(text: str, data: Any) -> str:
    """``text`` with the rows of every table aligned; ``data`` is it, loaded."""
    lines = text.split("\n")
    for table in _tables(data):
        rows = [r for r in (_row(lines, table, k) for k in table) if r is not None]
        if rows:
            for index, line in _aligned(rows).items():
                lines[index] = line
    return "\n".join(lines)


# comments --------------------------------------------------------------------


def _block_lines(text: str) -> frozenset[int]:
    """Indices of the lines inside block scalars (``|``, ``>``): their text,
    never comments nor lines to re-indent, whatever they look like."""
    inside: set[int] = set()
    for event in YAML(typ="safe", pure=True).parse(text):
        if isinstance(event, ScalarEvent) and event.style in ("|", ">"):
            end = event.end_mark
            last = end.line if end.column > 0 else end.line - 1
            inside.update(range(event.start_mark.line + 1, last + 1))
    return frozenset(inside)


@attrs.frozen
class _Lines:
    """A YAML text's lines, and which are comments and which content."""

    lines: list[str]
    comments: list[int]
    content: list[int]

    @classmethod
    def of(cls, text: str) -> _Lines:
        lines = text.split("\n")
        block = _block_lines(text)
        comments, content = [], []
        for index, line in enumerate(lines):
            if index in block or not line.strip():
                continue
            if line.lstrip(" ").startswith("#"):
                comments.append(index)
            else:
                content.append(index)
        return cls(lines, comments, content)

    def anchors(self) -> list[tuple[int, int | None]]:
        """Each full-line comment: its index and the line it is indented like
        (the next line of content, else the previous one, else none)."""
        anchors: list[tuple[int, int | None]] = []
        for index in self.comments:
            after = next((i for i in self.content if i > index), None)
            before = max((i for i in self.content if i < index), default=None)
            indent = _indent(self.lines[index])
            level = [
                i
                for i in (after, before)
                if i is not None and _indent(self.lines[i]) == indent
            ]
            anchors.append((index, level[0] if level else None))
        return anchors


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def indent_comments(source: str, formatted: str) -> str:
    """``formatted`` with each full-line comment indented as it was in
    ``source`` relative to its neighbours: a comment that sat level with
    the line after it (or before it) stays level with that line. The
    lines of block scalars are text, left as they are."""
    old, new = _Lines.of(source), _Lines.of(formatted)
    if len(old.comments) != len(new.comments):
        return formatted
    new_lines = list(new.lines)
    for (old_index, old_anchor), new_index in zip(
        old.anchors(), new.comments, strict=True
    ):
        if old_anchor is None:
            continue
        after = old_anchor > old_index
        near = [i for i in new.content if (i > new_index if after else i < new_index)]
        if near:
            target = near[0] if after else near[-1]
            text = new_lines[new_index].lstrip(" ")
            new_lines[new_index] = " " * _indent(new_lines[target]) + text
    return "\n".join(new_lines)


# files -----------------------------------------------------------------------


def yaml_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named by ``paths``; a directory stands for all below it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()
            )
        else:
            found.append(path)
    return list(dict.fromkeys(found))


def _write_atomically(path: Path, text: str) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(name, path.stat().st_mode & 0o7777)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def format_file(path: Path, display: str, *, write: bool) -> Outcome:
    """Format one file in place (with ``write``), or only tell if it would change."""
    try:
        raw = read_regular(path, MAX_FILE_BYTES)
        if len(raw) > MAX_FILE_BYTES:
            return Outcome(
                path,
                display,
                problem=Finding(
                    Pos(display, 1, 1),
                    f"file is larger than {MAX_FILE_BYTES} bytes (the limit of a spec file)",
                ),
            )
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return Outcome(
            path, display, problem=Finding(Pos(display, 1, 1), f"cannot read: {reason}")
        )
    result = format_text(text, display)
    if isinstance(result, Finding):
        return Outcome(path, display, problem=result)
    if result == text:
        return Outcome(path, display)
    if write:
        _write_atomically(path, result)
    return Outcome(path, display, changed=True)


def run_fmt(
    paths: Sequence[Path],
    *,
    check: bool,
    base: Path | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The ``fmt`` command: 0 canonical (or now formatted), 1 ``--check`` found
    files to reformat, 2 a file could not be read or parsed (left alone)."""
    out = out or sys.stdout
    err = err or sys.stderr
    base = base or Path.cwd()
    outcomes = [
        format_file(p, display_path(p, base), write=not check)
        for p in yaml_files(paths)
    ]
    for outcome in outcomes:
        if outcome.problem is not None:
            print(outcome.problem, file=err)
        elif outcome.changed:
            print(
                f"{'would reformat' if check else 'formatted'} {outcome.display}",
                file=out,
            )
    changed = sum(o.changed for o in outcomes)
    if any(o.problem for o in outcomes):
        return 2
    if check and changed:
        print(
            f"{changed} file(s) not in the canonical layout: run `vidu-codegen fmt`",
            file=out,
        )
        return 1
    print(
        f"{len(outcomes)} file(s) checked, all canonical"
        if not changed
        else f"{changed} of {len(outcomes)} file(s) reformatted",
        file=out,
    )
    return 0
