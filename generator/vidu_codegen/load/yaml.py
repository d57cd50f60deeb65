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
import sys
import unicodedata
from pathlib import Path
from typing import Any, TypeVar

import attrs

from vidu_codegen import cache
from vidu_codegen.load.files import open_regular
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


# the cache ------------------------------------------------------------------------

_MARSHAL_VERSION = 4

Encoded = Any
"""A table as kept in the cache: nested tuples of plain values (marshal)."""


@functools.cache
def _reader_digest() -> bytes:
    """What a cached table depends on besides the file: the code that reads
    it (this module, :mod:`~vidu_codegen.load.reader`, ruamel.yaml's
    ``__init__``, which holds its version) and Python's version (marshal's
    format); found without importing ruamel.yaml."""
    import importlib.util

    digest = hashlib.sha256(sys.version.encode())
    ruamel_spec = importlib.util.find_spec("ruamel.yaml")
    sources = [Path(__file__), Path(__file__).with_name("reader.py")]
    if ruamel_spec is not None and ruamel_spec.origin is not None:
        sources.append(Path(ruamel_spec.origin))
    for source in sources:
        digest.update(source.read_bytes())
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
    """The table a cache entry holds, or ``None`` if it does not hold one or
    holds one the reader would have refused (see :func:`_build`): the file is
    then read afresh, and its findings reported."""
    if payload is None:
        return None
    try:
        value = _build(marshal.loads(payload), display, 0, [0])
    except (EOFError, ValueError, TypeError, KeyError, IndexError):
        return None
    return value if isinstance(value, Table) else None


_LARGEST_INTEGER = 16**MAX_INTEGER_DIGITS
"""An integer of at most :data:`MAX_INTEGER_DIGITS` digits (of any base the
reader takes) is smaller than this."""


def _text(value: str) -> str:
    """``value`` if it may be spec text (:func:`text_problem`), else raise."""
    if not value.isprintable() and text_problem(value) is not None:
        raise ValueError("text the reader refuses")
    return value


def _build(encoded: Encoded, display: str, depth: int, count: list[int]) -> Any:
    """The value ``encoded`` stands for, checked against the bounds the
    reader checks (text without control characters, integers of at most
    :data:`MAX_INTEGER_DIGITS` digits, at most :data:`MAX_VALUES` values
    nested at most :data:`MAX_DEPTH` deep), so a cached table is never one a
    read of the file would not give; ``count`` holds the values built so far.
    """
    count[0] += 1
    if count[0] > MAX_VALUES:
        raise ValueError("more values than a spec file may hold")
    if isinstance(encoded, str):
        return _text(encoded)
    if isinstance(encoded, bool | float) or encoded is None:
        return encoded
    if isinstance(encoded, int):
        if abs(encoded) >= _LARGEST_INTEGER:
            raise ValueError("an integer with more digits than a spec allows")
        return encoded
    if depth >= MAX_DEPTH or not isinstance(encoded, tuple):
        raise ValueError("not a cached table")
    kind, line, col, items = encoded
    if kind == "map":
        table: Table[Any] = Table()
        table.pos = Pos(display, line, col)
        for key, kline, kcol, vline, vcol, item in items:
            if not isinstance(key, str):
                raise TypeError("not a cached table")
            count[0] += 1
            table.key_pos[_text(key)] = Pos(display, kline, kcol)
            table.value_pos[key] = Pos(display, vline, vcol)
            table[key] = _build(item, display, depth + 1, count)
        return table
    if kind == "seq":
        seq: Seq[Any] = Seq()
        seq.pos = Pos(display, line, col)
        for iline, icol, item in items:
            seq.item_pos.append(Pos(display, iline, icol))
            seq.append(_build(item, display, depth + 1, count))
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
    (:func:`~vidu_codegen.load.reader.read_plain`), any other by
    :func:`~vidu_codegen.load.reader.read_full`: the result, and
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
        with open_regular(path) as handle:
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
    if not pending:
        return [loaded for loaded in results if loaded is not None]
    from vidu_codegen.load.reader import read_full, read_plain

    apart = _parse_apart([read.text for read in pending.values()])
    for number, (index, read) in enumerate(pending.items()):
        display = files[index][1]
        if apart is None:
            table = read_plain(read.text, display)
        else:
            table = _decode(apart[number], display)
        if table is None:
            full, problems = read_full(read.text, display)
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
    """Each text read by :func:`read_plain` in worker processes, as a cache
    payload (``None`` for a text it leaves to :func:`read_full`); ``None``
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
    """In a worker process: ``text`` read by :func:`read_plain`, encoded."""
    from vidu_codegen.load.reader import read_plain

    table = read_plain(text, "")
    return None if table is None else marshal.dumps(_encode(table), _MARSHAL_VERSION)
