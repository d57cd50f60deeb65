"""A request body as the bytes sent: compact JSON in UTF-8, without extra copies.

``json.dumps(body).encode()`` holds three copies of a large string at its
peak: the string in the body, its escaped copy in the JSON text, and the
encoded bytes. A body carrying a data URI of a 9 MB file would take four
times its size to send. :func:`encode_json` writes the JSON text of every
large string straight into the bytes, a slice at a time, so sending costs the
body and its bytes, and little more.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from typing import Final

__all__ = ["encode_json"]

LARGE_STRING: Final = 1 << 16
"""Strings of at least this many characters are written a slice at a time."""
_SLICE: Final = 1 << 18
"""Characters of a large string encoded at a time."""
_MAX_DEPTH: Final = 64
"""Containers deeper than this are left to ``json`` as they are."""
_MARK: Final = "\x00specgen-large-string\x00"
"""What stands for a large string in the JSON text of the rest of the body."""
_MARK_JSON: Final = json.dumps(_MARK)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def encode_json(body: Mapping[str, object]) -> bytes:
    """``body`` as compact JSON (``ensure_ascii=False``) encoded in UTF-8:
    the same bytes as ``json.dumps(body, ensure_ascii=False,
    separators=(",", ":")).encode()``.

    A body whose strings are all short is encoded just so. Otherwise every
    string of :data:`LARGE_STRING` characters or more is set aside, the rest
    of the body is written as JSON, and each large string is escaped and
    encoded a slice at a time into one buffer, which becomes the result
    without a copy.

    :raises TypeError, ValueError, UnicodeEncodeError: as ``json.dumps`` and
        ``str.encode`` would for the body.
    """
    large: list[str] = []
    skeleton = _set_aside(body, large, 0)
    if not large:
        return _dumps(body).encode()
    parts = _dumps(skeleton).split(_MARK_JSON)
    if len(parts) != len(large) + 1:  # the body holds the mark itself
        return _dumps(body).encode()
    pieces = [part.encode() for part in parts]
    total = sum(map(len, pieces)) + sum(_string_size(text) for text in large)
    out = io.BytesIO()
    out.seek(total - 1)  # one buffer of the final size: no growing copies
    out.write(b"\0")
    out.seek(0)
    for piece, text in zip(pieces, large, strict=False):
        out.write(piece)
        _write_string(out, text)
    out.write(pieces[-1])
    return out.getvalue()


def _set_aside(value: object, large: list[str], depth: int) -> object:
    """``value`` with each large string replaced by :data:`_MARK` (appended
    to ``large`` in the order JSON writes them); containers without one are
    returned as they are."""
    if type(value) is str:
        if len(value) >= LARGE_STRING:
            large.append(value)
            return _MARK
        return value
    if depth >= _MAX_DEPTH:
        return value
    if type(value) is dict:
        found = len(large)
        copy = {k: _set_aside(v, large, depth + 1) for k, v in value.items()}
        return copy if len(large) > found else value
    if type(value) is list or type(value) is tuple:
        found = len(large)
        items = [_set_aside(v, large, depth + 1) for v in value]
        return items if len(large) > found else value
    return value


def _is_plain(text: str) -> bool:
    """Whether JSON writes ``text`` as it is (printable ASCII, no quote or
    backslash)."""
    return (
        text.isascii() and text.isprintable() and '"' not in text and "\\" not in text
    )


def _string_size(text: str) -> int:
    """Bytes of ``text`` as a JSON string in UTF-8, quotes included."""
    if _is_plain(text):
        return len(text) + 2
    slices = range(0, len(text), _SLICE)
    return 2 + sum(len(_dumps(text[i : i + _SLICE])[1:-1].encode()) for i in slices)


def _write_string(out: io.BytesIO, text: str) -> None:
    """Write ``text`` as a JSON string, a slice at a time.

    Escaping is per character (a Python string holds no surrogate pairs to
    split), so the slices' escapes joined are the whole string's.
    """
    plain = _is_plain(text)
    out.write(b'"')
    for start in range(0, len(text), _SLICE):
        piece = text[start : start + _SLICE]
        out.write(piece.encode("ascii") if plain else _dumps(piece)[1:-1].encode())
    out.write(b'"')
