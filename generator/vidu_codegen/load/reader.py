"""Step 1, from text: YAML parsed with ruamel.yaml into tables.

:func:`read_plain` reads a file of plain YAML (the spec's canonical layout)
from one parse of it; :func:`read_full` reads any YAML with ruamel.yaml's
round-trip loader and reports, with its position, whatever keeps it from
being a spec file. Both give the same tables and positions for a file both
read. :mod:`vidu_codegen.load.yaml` imports this module only for a file it
does not have in its cache.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError

from vidu_codegen.load.findings import NOWHERE, Finding, Pos
from vidu_codegen.load.yaml import (
    MAX_DEPTH,
    MAX_INTEGER_DIGITS,
    MAX_VALUES,
    Seq,
    Table,
    text_problem,
)

_CORE_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq")
)
"""Explicit tags a spec may use: YAML's core types (``!!str``) only."""

_INTEGER = re.compile(r"[-+]?(0[xob])?[0-9a-fA-F_]+")


def _key_value_lines(node: CommentedMap, key: Any) -> list[int]:
    """The 0-based line and column of ``key`` and of its value, also for a key
    merged in with ``<<`` (its place in the mapping it comes from)."""
    data = node.lc.data
    if key in data:
        return list(data[key])
    for source in getattr(node, "merge", ()):
        if isinstance(source, CommentedMap) and key in source:
            return _key_value_lines(source, key)
    return [node.lc.line, node.lc.col, node.lc.line, node.lc.col]


def _plain(node: Any, file: str) -> Any:
    if isinstance(node, CommentedMap):
        table: Table[Any] = Table()
        table.pos = Pos(file, node.lc.line + 1, node.lc.col + 1)
        for key, value in node.items():
            name = str(key)
            kline, kcol, vline, vcol = _key_value_lines(node, key)
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


_FOLD_MARK = "\a"
"""What ruamel.yaml's round-trip scanner puts where a folded (``>``) block
scalar folds a line break (its constructor takes them out again)."""


def _event_text(event: ScalarEvent) -> str:
    """The text a scalar event stands for. In a folded block scalar every
    U+0007 is a fold mark of the round-trip scanner, never the file's: a
    block scalar cannot hold a control character (the reader refuses one
    before the scanner sees it) nor escape one."""
    value: str = event.value
    if event.style == ">":
        return value.replace(_FOLD_MARK, "")
    return value


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
            value = _event_text(event)
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


# one parse for plain YAML ---------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")


class _NotPlain(Exception):
    """The file uses YAML that :func:`read_plain` leaves to :func:`read_full`."""


def _scalar(event: ScalarEvent, yaml: YAML) -> str | int | float | bool | None:
    """The value of an untagged scalar, exactly as the round-trip loader and
    :func:`_plain` make it; :class:`_NotPlain` for any it might make otherwise."""
    value: str = event.value
    tag = str(yaml.resolver.resolve(ScalarNode, value, event.implicit))
    if tag == _TAG + "str":
        return value
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if tag == _TAG + "int" and _PLAIN_INT.fullmatch(value):
        return int(value)
    if tag == _TAG + "float" and _PLAIN_FLOAT.fullmatch(value):
        return float(value)
    raise _NotPlain


def _checked(event: Event, count: int, depth: int) -> None:
    """:class:`_NotPlain` for an event :func:`_scan` would stop at, or one the
    plain reader does not take: a tag, an anchor, an alias."""
    if count > MAX_VALUES or depth > MAX_DEPTH:
        raise _NotPlain
    if getattr(event, "tag", None) is not None:
        raise _NotPlain
    if getattr(event, "anchor", None) is not None:
        raise _NotPlain
    if isinstance(event, ScalarEvent):
        value = event.value
        if not value.isprintable() and text_problem(value) is not None:
            raise _NotPlain
        digits = len(value.lstrip("+-").replace("_", ""))
        plain = event.style is None
        if plain and digits > MAX_INTEGER_DIGITS and _INTEGER.fullmatch(value):
            raise _NotPlain


def read_plain(text: str, display: str) -> Table[Any] | None:
    """The file as :func:`read_full` reads it, built from one parse of it;
    ``None`` when it holds anything else than one mapping of plain data
    (tags, anchors and aliases, merge keys, keys that are not strings, a
    duplicate key, a value past a bound, scalars such as dates or ``0x1F``,
    or invalid YAML), which :func:`read_full` then reads and reports.

    It parses with ruamel.yaml's safe parser, which gives the round-trip
    parser's events and positions without collecting comments (and without
    the round-trip scanner's fold marks in folded scalars, see
    :func:`_event_text`)."""
    yaml = YAML(typ="safe", pure=True)
    events = yaml.parse(text)
    root: Table[Any] | None = None
    stack: list[Table[Any] | Seq[Any]] = []
    keys: list[str | None] = []
    count = 0
    try:
        for event in events:
            kind = type(event)
            if kind in (MappingEndEvent, SequenceEndEvent):
                stack.pop()
                keys.pop()
                continue
            if kind is DocumentStartEvent:
                if root is not None or event.version or event.tags:
                    return None
                continue
            if kind in (StreamStartEvent, StreamEndEvent, DocumentEndEvent):
                continue
            if kind is AliasEvent:
                return None
            count += 1
            _checked(event, count, len(stack) + (kind is not ScalarEvent))
            mark = event.start_mark
            pos = Pos(display, mark.line + 1, mark.column + 1)
            if kind is ScalarEvent:
                value: Any = _scalar(event, yaml)
            elif kind is MappingStartEvent:
                value = Table()
                value.pos = pos
            elif kind is SequenceStartEvent:
                value = Seq()
                value.pos = pos
            else:
                return None
            if not stack:
                if not isinstance(value, Table):
                    return None
                root = value
            else:
                parent = stack[-1]
                if isinstance(parent, Seq):
                    parent.item_pos.append(pos)
                    parent.append(value)
                elif (key := keys[-1]) is None:
                    if not isinstance(value, str) or event.style in ("|", ">"):
                        return None
                    if value in parent.key_pos:
                        return None
                    parent.key_pos[value] = pos
                    keys[-1] = value
                else:
                    parent.value_pos[key] = pos
                    parent[key] = value
                    keys[-1] = None
            if kind is not ScalarEvent:
                stack.append(value)
                keys.append(None)
    except (_NotPlain, YAMLError, ValueError, RecursionError):
        return None
    finally:
        events.close()
    return root


# any YAML -----------------------------------------------------------------------


def read_full(text: str, display: str) -> tuple[Table[Any] | None, list[Finding]]:
    """Read any YAML: bounds checked from its parse events (:func:`_scan`),
    then loaded by ruamel.yaml's round-trip loader (for the positions)."""
    yaml = YAML(typ="rt")
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
