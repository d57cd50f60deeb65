"""Step 1: YAML text to plain data that remembers where each piece came from.

Mappings become :class:`Table` (a ``dict`` that knows the position of itself,
of each key and of each value) and sequences become :class:`Seq` (a ``list``
that knows the position of each item). Scalars become plain ``str``, ``int``,
``float``, ``bool`` or ``None``.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any, TypeVar

import attrs
import ruamel.yaml
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

from vidu_codegen import cache
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


# one parse for plain YAML -------------------------------------------------------

_TAG = "tag:yaml.org,2002:"
_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")


class _NotPlain(Exception):
    """The file uses YAML that :func:`_read_plain` leaves to :func:`_read_full`."""


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
        if event.style == ">":
            raise _NotPlain
        if not value.isprintable() and text_problem(value) is not None:
            raise _NotPlain
        digits = len(value.lstrip("+-").replace("_", ""))
        plain = event.style is None
        if plain and digits > MAX_INTEGER_DIGITS and _INTEGER.fullmatch(value):
            raise _NotPlain


def _read_plain(text: str, display: str) -> Table[Any] | None:
    """The file as :func:`_read_full` reads it, built from one parse of it;
    ``None`` when it holds anything else than one mapping of plain data
    (tags, anchors and aliases, merge keys, keys that are not strings, a
    duplicate key, a value past a bound, scalars such as dates or ``0x1F``,
    or invalid YAML), which :func:`_read_full` then reads and reports.

    It parses with ruamel.yaml's safe parser, which gives the round-trip
    parser's events and positions without collecting comments; folded
    scalars (``>``), the one place their values differ, go to
    :func:`_read_full`."""
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


# the cache ------------------------------------------------------------------------

_MARSHAL_VERSION = 4

Encoded = Any
"""A table as kept in the cache: nested tuples of plain values (marshal)."""


@functools.cache
def _reader_digest() -> bytes:
    """What a cached table depends on besides the file: this module's code,
    ruamel.yaml's version, Python's (marshal's format)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"|{ruamel.yaml.__version__}|{sys.version}".encode())
    return digest.digest()


def _cache_entry(raw: bytes) -> Path | None:
    """Where the table read from the file ``raw`` is cached, if anywhere."""
    root = cache.cache_root()
    if root is None:
        return None
    key = hashlib.sha256(_reader_digest() + raw).hexdigest()
    return root / "yaml" / f"{key}.marshal"


def _encode(value: Any) -> Encoded:
    if isinstance(value, Table):
        items = tuple(
            (
                key,
                value.key_pos[key].line,
                value.key_pos[key].col,
                value.value_pos[key].line,
                value.value_pos[key].col,
                _encode(item),
            )
            for key, item in value.items()
        )
        return ("map", value.pos.line, value.pos.col, items)
    if isinstance(value, Seq):
        entries = tuple(
            (pos.line, pos.col, _encode(item))
            for pos, item in zip(value.item_pos, value, strict=True)
        )
        return ("seq", value.pos.line, value.pos.col, entries)
    return value


def _decode(payload: bytes | None, display: str) -> Table[Any] | None:
    """The table a cache entry holds, or ``None`` if it does not hold one."""
    if payload is None:
        return None
    try:
        value = _build(marshal.loads(payload), display, 0)
    except (EOFError, ValueError, TypeError, KeyError, IndexError):
        return None
    return value if isinstance(value, Table) else None


def _build(encoded: Encoded, display: str, depth: int) -> Any:
    if isinstance(encoded, str | int | float | bool) or encoded is None:
        return encoded
    if depth > MAX_DEPTH or not isinstance(encoded, tuple):
        raise ValueError("not a cached table")
    kind, line, col, items = encoded
    if kind == "map":
        table: Table[Any] = Table()
        table.pos = Pos(display, line, col)
        for key, kline, kcol, vline, vcol, item in items:
            if not isinstance(key, str):
                raise TypeError("not a cached table")
            table.key_pos[key] = Pos(display, kline, kcol)
            table.value_pos[key] = Pos(display, vline, vcol)
            table[key] = _build(item, display, depth + 1)
        return table
    if kind == "seq":
        seq: Seq[Any] = Seq()
        seq.pos = Pos(display, line, col)
        for iline, icol, item in items:
            seq.item_pos.append(Pos(display, iline, icol))
            seq.append(_build(item, display, depth + 1))
        return seq
    raise ValueError("not a cached table")


# reading a file ---------------------------------------------------------------------


Loaded = tuple[Table[Any] | None, list[Finding]]
"""A file's table, or ``None`` and the findings that say why not."""


def load_yaml(path: Path, display: str) -> Loaded:
    """Read one YAML file; a problem comes back as a finding, never raised.

    The file's size, nesting, alias expansion, integers and tags are bounded
    (see the module's constants) before anything is built from it. A file
    read before is taken from the cache (:mod:`vidu_codegen.cache`), under
    the digest of its bytes; a file of plain YAML is read in one parse
    (:func:`_read_plain`), any other by :func:`_read_full`: the result, and
    every finding, are the same either way.
    """
    (loaded,) = load_files([(path, display)])
    return loaded


PARALLEL_FILES = 16
"""Fewest files to parse (not in the cache) for which :func:`load_files`
parses in several processes: for fewer, starting them costs more than it
saves."""

MAX_WORKERS = 4
"""Most processes that parse at once."""


@attrs.frozen
class _Read:
    """A file's text, and where its table is cached (if anywhere)."""

    text: str
    entry: Path | None


def _read_text(path: Path, display: str) -> _Read | list[Finding]:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return [Finding(Pos(display, 1, 1), f"cannot read: {exc.strerror}")]
    if len(raw) > MAX_FILE_BYTES:
        return [
            Finding(
                Pos(display, 1, 1),
                f"file is larger than {MAX_FILE_BYTES} bytes (the limit of a spec file)",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return [Finding(Pos(display, 1, 1), "not UTF-8 text")]
    return _Read(text, _cache_entry(raw))


def load_files(files: list[tuple[Path, str]]) -> list[Loaded]:
    """:func:`load_yaml` for each ``(path, display)``, in order.

    When at least :data:`PARALLEL_FILES` files are not in the cache, and the
    system forks processes (Linux), their one-parse reading runs in up to
    :data:`MAX_WORKERS` processes (as many as there are processors); what
    each gives back is checked as a cache entry is.
    """
    results: list[Loaded | None] = []
    pending: dict[int, _Read] = {}
    for index, (path, display) in enumerate(files):
        read = _read_text(path, display)
        if isinstance(read, list):
            results.append((None, read))
            continue
        cached = None
        if read.entry is not None:
            cached = _decode(cache.read_entry(read.entry), display)
        results.append((cached, []) if cached is not None else None)
        if cached is None:
            pending[index] = read
    apart = _parse_apart([read.text for read in pending.values()])
    for number, (index, read) in enumerate(pending.items()):
        display = files[index][1]
        if apart is None:
            table = _read_plain(read.text, display)
        else:
            table = _decode(apart[number], display)
        if table is None:
            full, problems = _read_full(read.text, display)
            if full is None:
                results[index] = (None, problems)
                continue
            table = full
        if read.entry is not None:
            payload = marshal.dumps(_encode(table), _MARSHAL_VERSION)
            cache.write_entry(read.entry, payload)
        results[index] = (table, [])
    return [loaded for loaded in results if loaded is not None]


def _parse_apart(texts: list[str]) -> list[bytes | None] | None:
    """Each text read by :func:`_read_plain` in worker processes, as a cache
    payload (``None`` for a text it leaves to :func:`_read_full`); ``None``
    when there are too few texts, one processor, or no ``fork``."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    if len(texts) < PARALLEL_FILES or workers < 2 or sys.platform != "linux":
        return None
    import concurrent.futures
    import multiprocessing

    context = multiprocessing.get_context("fork")
    try:
        with concurrent.futures.ProcessPoolExecutor(workers, context) as pool:
            chunk = max(1, len(texts) // (workers * 4))
            return list(pool.map(_plain_payload, texts, chunksize=chunk))
    except (OSError, concurrent.futures.process.BrokenProcessPool):
        return None


def _plain_payload(text: str) -> bytes | None:
    """In a worker process: ``text`` read by :func:`_read_plain`, encoded."""
    table = _read_plain(text, "")
    return None if table is None else marshal.dumps(_encode(table), _MARSHAL_VERSION)


def _read_full(text: str, display: str) -> tuple[Table[Any] | None, list[Finding]]:
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
