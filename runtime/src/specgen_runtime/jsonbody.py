"""A request body as the bytes sent: compact JSON in UTF-8, a slice at a time.

``json.dumps(body).encode()`` holds three copies of a large string at its
peak: the string in the body, its escaped copy in the JSON text, and the
encoded bytes. A body carrying a data URI of a 9 MB file would take four
times its size to send. :func:`encode_body` keeps a large body as the JSON
text of its small parts and its large strings as they are; the
:class:`JsonBody` it returns knows its exact length in bytes (so it is sent
with a ``Content-Length``, not chunked) and writes its bytes a slice of at
most :data:`CHUNK` bytes at a time, afresh each time it is iterated, so a
request sent again sends the same bytes. Sending costs the body and a slice
or two.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Mapping
from typing import Final, final

from .violations import ValidationError, Violation

__all__ = ["CHUNK", "JsonBody", "encode_body", "encode_json"]

CHUNK: Final = 1 << 18
"""Bytes of a large body handed to the socket at most at a time (256 KiB)."""
SMALL_BODY: Final = 1 << 16
"""A body whose JSON text is shorter than this, with no large string, is
encoded in one go (one bytes object is faster to make and to send)."""
LARGE_STRING: Final = 1 << 16
"""Strings of at least this many characters are set aside from the JSON text
of the rest of the body and written a slice at a time."""
_MAX_DEPTH: Final = 64
"""Containers deeper than this are left to ``json`` as they are."""
_MARK: Final = "\x00specgen-large-string\x00"
"""What stands for a large string in the JSON text of the rest of the body."""
_MARK_JSON: Final = json.dumps(_MARK)
_ESCAPED_SLICE: Final = CHUNK // 6
"""Characters of a string escaped at a time: one may take six bytes
(``\\u001f``), so the slice's bytes fit in :data:`CHUNK`."""
_TEXT_SLICE: Final = CHUNK // 4
"""Characters of JSON text encoded at a time: one takes at most four bytes."""
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
"""A lone surrogate: the one thing in a Python string UTF-8 cannot encode."""


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@final
class JsonBody:
    """A large JSON body to send: its length, and its bytes a slice at a time.

    Iterating it yields the same bytes as ``json.dumps(body,
    ensure_ascii=False, separators=(",", ":")).encode()``, in slices of at
    most :data:`CHUNK` bytes, :attr:`length` in all. Each iteration starts
    afresh, so every attempt at a request sends the whole body. Everything
    is encoded (and sized) when it is made: iterating it raises nothing.
    """

    __slots__ = ("_large", "_texts", "length")

    def __init__(self, texts: list[str], large: list[str]) -> None:
        """``texts``: JSON text, with each of ``large`` (as a JSON string)
        between two of them; ``len(texts) == len(large) + 1``.

        :raises UnicodeEncodeError: a string holds a lone surrogate.
        """
        self._texts = texts
        self._large = large
        self.length: int = sum(map(_text_size, texts)) + sum(map(_string_size, large))
        """Bytes in all: the ``Content-Length`` to send."""

    def __iter__(self) -> Iterator[bytes]:
        """The bytes, in slices of at most :data:`CHUNK` bytes: text written
        as it is (a data URI) is cut to fill each slice, smaller pieces are
        joined up to that size."""
        pending: list[bytes] = []
        size = 0
        for piece in self._pieces():
            if isinstance(piece, bytes):
                if size + len(piece) > CHUNK:
                    yield b"".join(pending)
                    pending, size = [], 0
                pending.append(piece)
                size += len(piece)
                continue
            start = min(CHUNK - size, len(piece)) if size else 0
            if start:  # fill the slice begun
                pending.append(piece[:start].encode("ascii"))
                size += start
                if size == CHUNK:
                    yield b"".join(pending)
                    pending, size = [], 0
            for begin in range(start, len(piece), CHUNK):
                part = piece[begin : begin + CHUNK].encode("ascii")
                if len(part) == CHUNK:
                    yield part
                else:
                    pending, size = [part], len(part)
        if pending:
            yield b"".join(pending)

    def _pieces(self) -> Iterator[bytes | str]:
        """The body in pieces: bytes of at most :data:`CHUNK`, or ASCII text
        of any length that JSON writes as it is."""
        for index, text in enumerate(self._texts):
            if text.isascii():
                yield text
            else:
                yield from _utf8_pieces(text)
            if index < len(self._large):
                yield from _string_pieces(self._large[index])

    def to_bytes(self) -> bytes:
        """All the bytes, written into one buffer of the final size."""
        out = io.BytesIO()
        if self.length:
            out.seek(self.length - 1)  # one buffer of the final size: no growing copies
            out.write(b"\0")
            out.seek(0)
        for part in self:
            out.write(part)
        return out.getvalue()


def encode_body(body: Mapping[str, object]) -> bytes | JsonBody:
    """``body`` as compact JSON (``ensure_ascii=False``) in UTF-8, to send.

    A body whose strings are all short and whose JSON text is short is
    encoded at once, as ``json.dumps(body, ensure_ascii=False,
    separators=(",", ":")).encode()``. Otherwise every string of
    :data:`LARGE_STRING` characters or more is set aside and the rest of the
    body is written as JSON text: a :class:`JsonBody` of the same bytes.

    :raises ValidationError: a string (or key) holds a lone surrogate, which
        UTF-8 cannot encode; the violation names where.
    :raises TypeError, ValueError: as ``json.dumps`` would for the body.
    """
    try:
        large: list[str] = []
        skeleton = _set_aside(body, large, 0)
        text = _dumps(skeleton)
        if not large:
            return text.encode() if len(text) < SMALL_BODY else JsonBody([text], [])
        texts = text.split(_MARK_JSON)
        if len(texts) != len(large) + 1:  # the body holds the mark itself
            return JsonBody([_dumps(body)], [])
        return JsonBody(texts, large)
    except UnicodeEncodeError as exc:
        # deeper than the walk goes: the place in the text being encoded
        fallback = ("", exc.start, exc.object[exc.start])
        where, index, char = _surrogate_in(body, "", 0) or fallback
        message = (
            f"holds a lone surrogate (\\u{ord(char):04x}) at character {index}, "
            "which UTF-8 cannot encode: the request cannot be sent"
        )
        violation = Violation("error", where, "body.encoding", message)
        raise ValidationError([violation]) from None


def encode_json(body: Mapping[str, object]) -> bytes:
    """The bytes of :func:`encode_body` as one object: the same bytes as
    ``json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()``,
    a large body written into one buffer of the final size, no JSON text of
    its large strings made on the way.

    :raises ValidationError, TypeError, ValueError: as :func:`encode_body`.
    """
    encoded = encode_body(body)
    return encoded if isinstance(encoded, bytes) else encoded.to_bytes()


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


def _surrogate_in(value: object, path: str, depth: int) -> tuple[str, int, str] | None:
    """The path (``subjects[0].images[2]``) of the first string or key of
    ``value`` holding a lone surrogate, the surrogate's index in it, and the
    surrogate."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        return None if found is None else (path, found.start(), found.group())
    if depth >= _MAX_DEPTH:
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = str(key).encode("utf-8", "backslashreplace").decode()
            where = f"{path}.{name}" if path else name
            hit = _surrogate_in(key, where, depth + 1) or _surrogate_in(
                item, where, depth + 1
            )
            if hit is not None:
                return hit
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            hit = _surrogate_in(item, f"{path}[{index}]", depth + 1)
            if hit is not None:
                return hit
    return None


def _is_plain(text: str) -> bool:
    """Whether JSON writes ``text`` as it is (printable ASCII, no quote or
    backslash)."""
    return (
        text.isascii() and text.isprintable() and '"' not in text and "\\" not in text
    )


def _utf8_pieces(text: str) -> Iterator[bytes]:
    """``text`` in UTF-8, a slice of at most :data:`CHUNK` bytes at a time."""
    for start in range(0, len(text), _TEXT_SLICE):
        yield text[start : start + _TEXT_SLICE].encode()


def _string_pieces(text: str) -> Iterator[bytes | str]:
    """``text`` as a JSON string, quotes included: as it is when JSON writes
    it so, else escaped and encoded a slice at a time.

    Escaping is per character (a Python string holds no surrogate pairs to
    split), so the slices' escapes joined are the whole string's.
    """
    yield b'"'
    if _is_plain(text):
        yield text
    else:
        for start in range(0, len(text), _ESCAPED_SLICE):
            yield _dumps(text[start : start + _ESCAPED_SLICE])[1:-1].encode()
    yield b'"'


def _text_size(text: str) -> int:
    """Bytes of ``text`` in UTF-8."""
    if text.isascii():
        return len(text)
    return sum(map(len, _utf8_pieces(text)))


def _string_size(text: str) -> int:
    """Bytes of ``text`` as a JSON string in UTF-8, quotes included."""
    if _is_plain(text):
        return len(text) + 2
    return sum(map(len, _string_pieces(text)))
