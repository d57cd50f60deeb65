"""Step 1: YAML text to plain data that remembers where each piece came from.

Mappings become :class:`Table` (a ``dict`` that knows the position of itself,
of each key and of each value) and sequences become :class:`Seq` (a ``list``
that knows the position of each item). Scalars become plain ``str``, ``int``,
``float``, ``bool`` or ``None``.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    ScalarEvent,
)
from ruamel.yaml.reader import ReaderError

from vidu_codegen.load.findings import NOWHERE, Finding, Pos

V = TypeVar("V")

MAX_FILE_BYTES = 1024 * 1024
"""Largest spec file read, in bytes."""

MAX_VALUES = 100_000
"""Most values (scalars, mappings, lists) one file may hold once its YAML
aliases are expanded: a few kilobytes of nested aliases can otherwise stand
for billions of values."""

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists in one file."""

MAX_INTEGER_DIGITS = 18
"""Most digits of an integer in a spec (every integer fits in 64 bits)."""

_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
"""Explicit tags a spec may use: YAML's core types (``!!str``) only."""

_INTEGER = re.compile(r"[-+]?(0[xob])?[0-9a-fA-F_]+")
_ALLOWED_CONTROLS = frozenset("\n\t")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be spec text, or ``None``: a control character
    (other than a line break or tab), a lone surrogate, a line or paragraph
    separator."""
    for char in text:
        if char in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            return (
                f"control character U+{ord(char):04X} in text (not allowed in a spec)"
            )
    return None


class Table(dict[str, V]):
    """A mapping read from YAML, with the positions of its parts."""

    pos: Pos = NOWHERE
    key_pos: dict[str, Pos]
    value_pos: dict[str, Pos]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_pos = {}
        self.value_pos = {}

    def where(self, key: str) -> Pos:
        """Position of ``key``'s value, else of the key, else of the mapping."""
        return self.value_pos.get(key) or self.key_pos.get(key) or self.pos

    def where_key(self, key: str) -> Pos:
        """Position of ``key`` itself, else of the mapping."""
        return self.key_pos.get(key) or self.pos


class Seq(list[V]):
    """A sequence read from YAML, with the positions of its items."""

    pos: Pos = NOWHERE
    item_pos: list[Pos]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_pos = []

    def where(self, index: int) -> Pos:
        """Position of item ``index``, else of the sequence."""
        return self.item_pos[index] if index < len(self.item_pos) else self.pos


def _plain(node: Any, file: str) -> Any:
    if isinstance(node, CommentedMap):
        table: Table[Any] = Table()
        table.pos = Pos(file, node.lc.line + 1, node.lc.col + 1)
        for key, value in node.items():
            name = str(key)
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            table.key_pos[name] = Pos(file, kline + 1, kcol + 1)
            table.value_pos[name] = Pos(file, vline + 1, vcol + 1)
            table[name] = _plain(value, file)
        return table
    if isinstance(node, CommentedSeq):
        seq: Seq[Any] = Seq()
        seq.pos = Pos(file, node.lc.line + 1, node.lc.col + 1)
        for index, item in enumerate(node):
            line, col = node.lc.item(index)
            seq.item_pos.append(Pos(file, line + 1, col + 1))
            seq.append(_plain(item, file))
        return seq
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def _pos(display: str, event: Event) -> Pos:
    mark = event.start_mark
    return Pos(display, mark.line + 1, mark.column + 1)


def _scan(text: str, display: str) -> Finding | None:
    """The first bound the YAML ``text`` breaks, from its parse events alone
    (before anything is built): nesting depth, values after alias expansion,
    integer size, explicit tags, control characters."""
    yaml = YAML(typ="rt")
    expanded = 0
    sizes: dict[str, int] = {}
    open_: list[tuple[str | None, int]] = []
    for event in yaml.parse(text):
        if isinstance(event, CollectionEndEvent):
            anchor, start = open_.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start
            continue
        if not isinstance(event, ScalarEvent | AliasEvent | CollectionStartEvent):
            continue
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in _CORE_TAGS and str(tag) != "!":
            shown = str(tag).replace("tag:yaml.org,2002:", "!!")
            return Finding(
                _pos(display, event),
                f"YAML tag {shown} is not allowed (a spec holds plain data)",
            )
        if isinstance(event, AliasEvent):
            expanded += sizes.get(str(event.anchor), 1)
        else:
            expanded += 1
        if expanded > MAX_VALUES:
            return Finding(
                _pos(display, event),
                f"the file holds more than {MAX_VALUES} values once its YAML "
                "aliases are expanded",
            )
        if isinstance(event, CollectionStartEvent):
            anchor = event.anchor
            open_.append((str(anchor) if anchor is not None else None, expanded))
            if len(open_) > MAX_DEPTH:
                return Finding(
                    _pos(display, event),
                    f"nested more than {MAX_DEPTH} levels deep",
                )
        if isinstance(event, ScalarEvent):
            value = event.value
            problem = text_problem(value)
            if problem is not None:
                return Finding(_pos(display, event), problem)
            plain = event.style is None
            digits = len(value.lstrip("+-").replace("_", ""))
            if plain and digits > MAX_INTEGER_DIGITS and _INTEGER.fullmatch(value):
                return Finding(
                    _pos(display, event),
                    f"integer with more than {MAX_INTEGER_DIGITS} digits",
                )
    return None


def _reader_pos(text: str, display: str, offset: int) -> Pos:
    before = text[:offset]
    line = before.count("\n") + 1
    return Pos(display, line, offset - (before.rfind("\n") + 1) + 1)


def load_yaml(path: Path, display: str) -> tuple[Table[Any] | None, list[Finding]]:
    """Read one YAML file; a problem comes back as a finding, never raised.

    The file's size, nesting, alias expansion, integers and tags are bounded
    (see the module's constants) before anything is built from it.
    """
    yaml = YAML(typ="rt")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, [Finding(Pos(display, 1, 1), f"cannot read: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Finding(
                Pos(display, 1, 1),
                f"file is larger than {MAX_FILE_BYTES} bytes (the limit of a spec file)",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, [Finding(Pos(display, 1, 1), "not UTF-8 text")]
    try:
        problem = _scan(text, display)
        if problem is not None:
            return None, [problem]
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(display, mark.line + 1, mark.column + 1) if mark else NOWHERE
        problem_text = (exc.problem or exc.context or "invalid YAML").strip()
        problem_text = problem_text.split(" with value ", 1)[0]
        return None, [Finding(pos, f"invalid YAML: {problem_text}")]
    except ReaderError as exc:
        pos = _reader_pos(text, display, exc.position)
        return None, [
            Finding(
                pos,
                f"control character U+{exc.character:04X} in text (not allowed in a spec)",
            )
        ]
    except (YAMLError, ValueError, RecursionError) as exc:
        return None, [Finding(Pos(display, 1, 1), f"invalid YAML: {exc}")]
    data = _plain(node, display)
    if not isinstance(data, Table):
        return None, [Finding(Pos(display, 1, 1), "a spec file must be a mapping")]
    return data, []
