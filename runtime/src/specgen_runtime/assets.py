"""Image and video assets in request bodies: URLs and base64 data URIs.

A request carries an image or a video as a string: either a URL, which is
accepted as it is, or a ``data:<mime>;base64,<data>`` URI, whose declared media
type, real format (from its magic bytes), pixel dimensions, aspect ratio and
decoded size are checked against :class:`AssetRules`.

Only the head of a data URI its format needs is ever decoded (see
:func:`check_asset`), so checking a large video costs about as much as
checking a small image. :func:`read_asset` turns a local file into a checked
data URI, sizing the file before reading it.
"""

from __future__ import annotations

import binascii
import errno
import os
import stat
import struct
from collections.abc import Callable, Iterator
from typing import BinaryIO, Literal, NamedTuple

from .errors import LocalFileError, LocalFileTooLarge, LocalIsADirectory
from .tables import AssetRules
from .violations import ValidationError, Violation

__all__ = [
    "AssetRules",
    "Sniffed",
    "check_asset",
    "decoded_length",
    "read_asset",
    "sniff",
]

_FIRST_CHUNK_CHARS = 128
"""Base64 characters decoded first (96 bytes): the whole header of a PNG, GIF,
BMP, WebP or AVI, and the signature of every other format."""
_SHALLOW_LIMIT_CHARS = 4096
"""Base64 characters decoded at most (3 KiB) while the format is unknown or a
header that sits at the start lacks its dimensions."""
_HEAD_LIMIT_CHARS = (1 << 20) // 3 * 4
"""Base64 characters decoded at most (just under 1 MiB of data)."""
_DEEP_FORMATS = frozenset({"jpeg", "mp4", "mov"})
"""Formats whose dimensions may sit behind large metadata."""
_SIZED_FORMATS = frozenset({"png", "gif", "bmp", "webp", "avi"}) | _DEEP_FORMATS
"""Formats whose header gives the pixel dimensions."""
_MAX_DATA_HEADER = 256
"""Characters searched for the comma that ends ``data:<mime>;base64``."""
_MIB = 1 << 20


class Sniffed(NamedTuple):
    """What the first bytes of a file say about it.

    A named tuple: sniffing runs on every data URI a request carries, and
    one is the cheapest immutable record to make.
    """

    format: str | None
    """``"png"``, ``"jpeg"``, ``"webp"``, ``"gif"``, ``"mp4"``, ``"mov"``,
    ``"avi"``, ... or ``None`` when the magic bytes are not recognised."""
    width: int | None
    """Pixels, or ``None`` when not found in the bytes given."""
    height: int | None


_UNKNOWN = Sniffed(None, None, None)
_TWO_BIG_U32 = struct.Struct(">II")


# --- checking ----------------------------------------------------------------


def check_asset(
    value: str,
    rules: AssetRules,
    field: str,
    rule_base: str,
    out: list[Violation],
    reader: str | None = None,
) -> int:
    """Check one asset string against ``rules``, appending violations to ``out``.

    URLs and ``rules.extra_prefixes`` references are accepted unexamined. A data
    URI is checked for its encoding, declared and real format, dimensions, aspect
    ratio and decoded size; every violation found is reported, each with rule
    ``f"{rule_base}.<encoding|format|dimensions|aspect_ratio|size>"``. Never
    raises for a ``str``. ``reader`` names the call that turns a local file
    into a data URI (``vidu.Image.from_path``): a string that is neither a URL
    nor a data URI, such as a file name, is told to use it.

    Returns the decoded size in bytes of a data URI, 0 for anything else.
    """
    found: int | tuple[str, int, Sniffed] | None = None
    if value.startswith("data:"):
        found = _sound_data_uri(value, rules)
        if type(found) is int:
            return found
    elif value.startswith(rules._accepted_prefixes) or _is_url(value, rules):
        return 0
    report = _Report(rules, field, rule_base, out)
    if isinstance(found, tuple):
        return _check_sniffed(report, value, *found)
    return _check_data_uri(report, value, reader)


def _sound_data_uri(
    value: str, rules: AssetRules
) -> int | tuple[str, int, Sniffed] | None:
    """The decoded size of a data URI that plainly breaks no rule.

    Plainly: ``data:<accepted type>;base64,``, whole quanta, a last quantum
    that decodes, a format and its dimensions read from the first
    :data:`_FIRST_CHUNK_CHARS` characters. This is the check of almost every
    data URI sent, with no report made. A URI plainly well encoded whose
    format, dimensions or size break a rule gives what was read of it (its
    media type, where its payload starts, what it holds), for
    :func:`_check_sniffed` to report; any other, ``None``: the full check
    (:func:`_check_data_uri`) then says what is wrong.
    """
    comma = value.find(",", 5, 5 + _MAX_DATA_HEADER)
    semicolon = comma - 7
    if semicolon <= 5 or not value.startswith(";base64", semicolon):
        return None
    mime = value[5:semicolon]
    declared = rules.formats.get(mime)
    start = comma + 1
    first = start + _FIRST_CHUNK_CHARS
    if declared is None or len(value) < first + 4 or (len(value) - start) % 4:
        return None
    try:
        head = binascii.a2b_base64(value[start:first], strict_mode=True)
        binascii.a2b_base64(value[-4:], strict_mode=True)
    except ValueError:
        return None
    sniffed = sniff(head)
    fmt, width, height = sniffed
    if fmt is None or width is None or height is None or value[first - 1] == "=":
        return None
    if fmt != declared or _too_small(rules, width, height):
        return mime, start, sniffed
    if _off_aspect(rules, width, height):
        return mime, start, sniffed
    size = _decoded_size(value, start)
    return (mime, start, sniffed) if _too_large(rules, size) else size


def _check_sniffed(
    report: _Report, value: str, mime: str, start: int, sniffed: Sniffed
) -> int:
    """Report the format, dimensions and size of a data URI known to be well
    encoded, with an accepted media type ``mime``; return its decoded size."""
    _check_sniffed_format(report, mime, report.rules.formats[mime], sniffed)
    _check_shape(report, sniffed)
    size = _decoded_size(value, start)
    _check_size(report, size)
    return size


def _is_url(value: str, rules: AssetRules) -> bool:
    """Whether ``value`` is a URL of one of ``rules.url_schemes``, whatever the
    case of its scheme (RFC 3986, section 3.1: ``HTTPS://`` is ``https://``)."""
    scheme, colon, rest = value[:16].partition(":")
    return bool(colon) and rest.startswith("//") and scheme.lower() in rules.url_schemes


class _Report:
    """Where the violations about one value go."""

    __slots__ = ("field", "out", "rule_base", "rules")

    def __init__(
        self, rules: AssetRules, field: str, rule_base: str, out: list[Violation]
    ) -> None:
        self.rules = rules
        self.field = field
        self.rule_base = rule_base
        self.out = out

    def add(self, suffix: str, message: str) -> None:
        """Record an error under rule ``<rule_base>.<suffix>``."""
        rule = f"{self.rule_base}.{suffix}"
        self.out.append(Violation("error", self.field, rule, message))


def _check_data_uri(report: _Report, value: str, reader: str | None = None) -> int:
    """Check a value that is not an accepted URL; return its decoded size."""
    rules = report.rules
    if not value.startswith("data:"):
        message = f"{_expected(rules)}, got {_preview(value)}"
        if reader is not None and "://" not in value[:16]:
            message += f"; to send a local file, use {reader}({_preview(value)})"
        report.add("encoding", message)
        return 0
    header = _parse_data_header(value)
    if isinstance(header, str):
        report.add("encoding", f"{header}, got {_preview(value)}")
        return 0
    mime, start = header
    payload_chars = len(value) - start
    if payload_chars == 0:
        report.add("encoding", "data URI has an empty payload")
        return 0
    size = _decoded_size(value, start)
    if payload_chars % 4:
        report.add(
            "encoding",
            f"base64 payload length {payload_chars} is not a multiple of 4"
            " (truncated or unpadded)",
        )
    declared = rules.formats.get(mime)
    if declared is None:
        report.add("format", f"{mime} is not an accepted {_accepted(rules)}")
    sniffed = _sniff_payload(value, start)
    if isinstance(sniffed, str):
        report.add("encoding", sniffed)
    else:
        if sniffed.format != declared:
            _check_sniffed_format(report, mime, declared, sniffed)
        if sniffed.width is not None:
            _check_shape(report, sniffed)
    _check_size(report, size)
    return size


def _parse_data_header(value: str) -> tuple[str, int] | str:
    """Split ``data:<mime>;base64,`` into the lowercased mime and the payload's
    start, or return what is wrong with it."""
    comma = value.find(",", 5, 5 + _MAX_DATA_HEADER)
    if comma < 0:
        return "data URI has no ';base64,' before its payload"
    semicolon = comma - 7
    if (  # the usual data:<mime>;base64, at once
        semicolon > 5
        and value.startswith(";base64", semicolon)
        and value.find(";", 5, semicolon) < 0
    ):
        return value[5:semicolon].lower(), comma + 1
    params = value[5:comma].split(";")
    if len(params) < 2 or params[-1] != "base64":
        return "data URI must be base64-encoded: data:<mime>;base64,<data>"
    if not params[0]:
        return "data URI names no media type: data:<mime>;base64,<data>"
    return params[0].lower(), comma + 1


def _sniff_payload(value: str, start: int) -> Sniffed | str:
    """Decode the head of the base64 payload ``value[start:]`` its format needs
    and sniff it, then decode the last quantum (its padding).

    The first :data:`_FIRST_CHUNK_CHARS` characters hold the header of most
    formats; the head doubles while the format is unknown or its header still
    lacks the dimensions (up to :data:`_SHALLOW_LIMIT_CHARS`, or, for a JPEG
    or MP4/MOV, whose header can sit behind large metadata,
    :data:`_HEAD_LIMIT_CHARS`). Returns what is wrong with the base64 text when
    it is invalid.
    """
    end = len(value)
    usable = start + min((end - start) // 4 * 4, _HEAD_LIMIT_CHARS)
    stop = min(start + _FIRST_CHUNK_CHARS, usable)
    head = _decode_quanta(value[start:stop], final=stop == end)
    if isinstance(head, str):
        return head
    sniffed = sniff(head)
    for _ in range(32):  # doubling from 128 characters reaches 1 MiB in 14 steps
        if stop >= usable or not _needs_more(sniffed, stop - start):
            break
        pos, stop = stop, min(start + 2 * (stop - start), usable)
        decoded = _decode_quanta(value[pos:stop], final=stop == end)
        if isinstance(decoded, str):
            return decoded
        head += decoded
        sniffed = sniff(head)
    if stop < end and (end - start) % 4 == 0:
        tail = _decode_quanta(value[end - 4 :], final=True)
        if isinstance(tail, str):
            return tail
    return sniffed


def _decode_quanta(chunk: str, *, final: bool) -> bytes | str:
    """Strictly decode a whole number of base64 quanta, or say what is wrong."""
    if not final and chunk[-1:] == "=":
        return "base64 payload has '=' padding before its end"
    try:
        return binascii.a2b_base64(chunk, strict_mode=True)
    except ValueError as exc:
        return f"base64 payload is invalid: {exc}"


def _needs_more(sniffed: Sniffed, decoded_chars: int) -> bool:
    """Whether decoding more than ``decoded_chars`` characters of the payload
    may reveal the format or the dimensions."""
    fmt = sniffed.format
    if fmt in _DEEP_FORMATS:
        return sniffed.width is None
    if decoded_chars >= _SHALLOW_LIMIT_CHARS:
        return False
    if fmt is None:
        return True
    return fmt in _SIZED_FORMATS and sniffed.width is None


def _check_sniffed_format(
    report: _Report, mime: str, declared: str | None, sniffed: Sniffed
) -> None:
    """Report data that is not in the declared (accepted) format."""
    if sniffed.format is None:
        kind = report.rules.kind
        message = f"declared {mime} but the data is not a recognised {kind} format"
        report.add("format", message)
    elif declared is not None and sniffed.format != declared:
        report.add("format", f"declared {mime} but the data is {sniffed.format}")


def _too_small(rules: AssetRules, width: int, height: int) -> bool:
    """Whether ``width`` x ``height`` pixels is under the rules' minimum size."""
    return (rules.min_width is not None and width < rules.min_width) or (
        rules.min_height is not None and height < rules.min_height
    )


def _off_aspect(rules: AssetRules, width: int, height: int) -> bool:
    """Whether ``width``:``height`` is outside the rules' aspect ratios."""
    low, high = rules.min_aspect, rules.max_aspect
    return (low is not None and width * low[1] < low[0] * height) or (
        high is not None and width * high[1] > high[0] * height
    )


def _too_large(rules: AssetRules, size: int) -> bool:
    """Whether ``size`` decoded bytes break the rules' limits."""
    most, below = rules.max_file_bytes, rules.decoded_bytes_below
    return (most is not None and size > most) or (below is not None and size >= below)


def _check_shape(report: _Report, sniffed: Sniffed) -> None:
    """Report dimensions or an aspect ratio the rules reject, when known."""
    width, height = sniffed.width, sniffed.height
    if width is None or height is None:
        return
    rules = report.rules
    if _too_small(rules, width, height):
        report.add(
            "dimensions",
            f"{rules.kind} is {width}x{height} pixels: at least "
            f"{_min_size(rules)} required",
        )
    if _off_aspect(rules, width, height):
        report.add(
            "aspect_ratio",
            f"{rules.kind} aspect ratio {width}:{height} is {_aspect_range(rules)}",
        )


def _check_size(report: _Report, size: int) -> None:
    """Report a decoded size above the rules' limits."""
    rules = report.rules
    if not _too_large(rules, size):
        return
    most = rules.max_file_bytes
    if most is not None and size > most:
        report.add(
            "size", f"{rules.kind} is {_bytes(size)}: at most {_bytes(most)} allowed"
        )
    below = rules.decoded_bytes_below
    if below is not None and size >= below:
        report.add(
            "size", f"{rules.kind} is {_bytes(size)}: must be under {_bytes(below)}"
        )


# --- messages ----------------------------------------------------------------


def _expected(rules: AssetRules) -> str:
    """What an asset string must look like, as a sentence start."""
    schemes = rules.url_schemes
    if set(schemes) == {"http", "https"}:
        kinds = ["an http(s) URL"]
    else:
        kinds = [f"a {'/'.join(schemes)} URL"] if schemes else []
    kinds += [f"a {prefix} reference" for prefix in rules.extra_prefixes]
    kinds.append("a data:<mime>;base64, URI")
    listed = ", ".join(kinds[:-1]) + " or " if len(kinds) > 1 else ""
    return f"must be {listed}{kinds[-1]}"


def _accepted(rules: AssetRules) -> str:
    """``"image format: accepted png, jpeg"``: the accepted format names."""
    names = ", ".join(dict.fromkeys(rules.formats.values()))
    return f"{rules.kind} format: accepted {names}"


def _min_size(rules: AssetRules) -> str:
    """``"128x128"``, ``"128 pixels wide"`` or ``"128 pixels high"``."""
    if rules.min_width is not None and rules.min_height is not None:
        return f"{rules.min_width}x{rules.min_height}"
    if rules.min_width is not None:
        return f"{rules.min_width} pixels wide"
    return f"{rules.min_height} pixels high"


def _aspect_range(rules: AssetRules) -> str:
    """``"outside 1:4 to 4:1"``, or the one bound that applies."""
    low, high = rules.min_aspect, rules.max_aspect
    if low is not None and high is not None:
        return f"outside {low[0]}:{low[1]} to {high[0]}:{high[1]}"
    if low is not None:
        return f"below the minimum {low[0]}:{low[1]}"
    assert high is not None
    return f"above the maximum {high[0]}:{high[1]}"


def _bytes(count: int) -> str:
    """``"10,485,760 bytes (10.00 MiB)"``."""
    return f"{count:,} bytes ({count / _MIB:.2f} MiB)"


def _preview(value: str) -> str:
    """The start of a rejected value, quoted, for a message."""
    return repr(value[:40]) + ("..." if len(value) > 40 else "")


# --- sizes and files ---------------------------------------------------------


def decoded_length(b64: str) -> int:
    """The number of bytes ``b64`` decodes to, from its length and ``=`` padding.

    Exact for valid base64, padded or not; nothing is decoded.
    """
    return _decoded_size(b64, 0)


def _decoded_size(text: str, start: int) -> int:
    """:func:`decoded_length` of ``text[start:]``, without copying it."""
    chars = len(text) - start
    if text.endswith("==", start):
        chars -= 2
    elif text.endswith("=", start):
        chars -= 1
    return chars * 3 // 4


def read_asset(
    path: str | os.PathLike[str],
    rules: AssetRules,
    field: str,
    *,
    max_bytes: int | None = None,
) -> str:
    """Read a local file, check it against ``rules``, and return it as a data URI.

    The file is sized with ``stat()`` before anything is read, so a file over
    the rules' size limit (or over :data:`MAX_FILE_BYTES` when the rules set
    none) fails at once, its head read only to report the other violations
    with it. A file over ``max_bytes`` (the most a data URI of the asset may
    hold, as the spec's fields say) is refused before anything of it is
    read, with :class:`LocalFileTooLarge`. The media type comes from the sniffed format: the first type in
    ``rules.formats`` that maps to it. The file is encoded chunk by chunk into
    the one string returned: no more than the data URI and one chunk is held.

    :raises ValidationError: the file breaks the rules; every violation is
        listed, under ``field``, with rules ``f"{rules.kind}.<suffix>"``.
    :raises LocalFileTooLarge: the file is over ``max_bytes``: its message
        names the file, its size, the limit, and what to do instead.
    :raises LocalFileError: the file cannot be read, as the subclass that
        also subclasses the built-in error (``LocalFileNotFound``, a
        ``FileNotFoundError``; ``LocalIsADirectory``, an
        ``IsADirectoryError``; ``LocalPermissionError``, a
        ``PermissionError``); a path that is not a regular file (a FIFO, a
        device) is a plain ``LocalFileError``.
    """
    name = os.fspath(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", name)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "is not a regular file", name)
        if max_bytes is not None and info.st_size > max_bytes:
            raise _too_large_for_data_uri(name, info.st_size, max_bytes, rules)
        with open(path, "rb") as file:
            return _read_checked(file, info.st_size, rules, field, max_bytes)
    except LocalFileError:
        raise
    except OSError as exc:
        if isinstance(exc, IsADirectoryError):
            raise LocalIsADirectory(
                name, "is a folder, not a file", errno.EISDIR, action="read"
            ) from None
        raise LocalFileError.of(name, exc, action="read") from exc


MAX_FILE_BYTES = 1 << 30
"""The largest file :func:`read_asset` reads when the rules set no size limit."""
_READ_CHUNK = 3 << 16
"""Bytes read and encoded at a time (a multiple of 3, so only the last chunk
is padded)."""
_SNIFF_BYTES = _HEAD_LIMIT_CHARS // 4 * 3
"""Bytes of a file's head sniffed at most, as for a data URI."""
_FIRST_READ = 1 << 16
"""Bytes of a file's head read first: every header but a JPEG's or an MP4's
behind large metadata. Reading no more keeps the allocator from moving its
threshold for mapped memory, so the data URI grows in place."""


def _too_large_for_data_uri(
    name: str, size: int, limit: int, rules: AssetRules
) -> LocalFileTooLarge:
    """The error for a file over the ``limit`` of a data URI."""
    most = _size_limit(rules)
    raise_it = (
        f", or pass max_bytes={most} (the {rules.kind} limit) if the field it"
        " goes to takes more"
        if limit < size <= most
        else ""
    )
    return LocalFileTooLarge(
        name,
        f"it is {_bytes(size)}, over the {_bytes(limit)} a data URI of"
        f" {_an(rules.kind)} may hold; nothing was read: upload it and pass its"
        f" URL instead{raise_it}",
        size=size,
        limit=limit,
    )


def _an(kind: str) -> str:
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def _size_limit(rules: AssetRules) -> int:
    """The most bytes a file may hold under ``rules``."""
    limits = [MAX_FILE_BYTES]
    if rules.max_file_bytes is not None:
        limits.append(rules.max_file_bytes)
    if rules.decoded_bytes_below is not None:
        limits.append(rules.decoded_bytes_below - 1)
    return min(limits)


def _read_checked(
    file: BinaryIO,
    size: int,
    rules: AssetRules,
    field: str,
    max_bytes: int | None = None,
) -> str:
    """The data URI of ``file``, of ``size`` bytes by ``stat()``, once checked;
    no more than ``max_bytes`` (and the rules' limit) are read."""
    most = min(size, _SNIFF_BYTES)
    head = file.read(min(most, _FIRST_READ))
    sniffed = sniff(head)
    for _ in range(8):  # doubling 64 KiB reaches the 1 MiB cap in 5 steps
        if len(head) >= most or not _needs_more(sniffed, 0):
            break
        head += file.read(min(len(head), most - len(head)))
        sniffed = sniff(head)
    out: list[Violation] = []
    report = _Report(rules, field, rules.kind, out)
    mime = next((m for m, f in rules.formats.items() if f == sniffed.format), None)
    if sniffed.format is None:
        report.add("format", f"the file is not a recognised {_accepted(rules)}")
    elif mime is None:
        report.add("format", f"{sniffed.format} is not an accepted {_accepted(rules)}")
    _check_shape(report, sniffed)
    _check_size(report, size)
    limit = _size_limit(rules)
    if size > limit and not any(v.rule.endswith(".size") for v in out):
        report.add(
            "size",
            f"{rules.kind} is {_bytes(size)}: at most {_bytes(limit)} is read",
        )
    if out or mime is None:
        raise ValidationError(out)
    del head, sniffed
    file.seek(0)
    if max_bytes is not None:
        limit = min(limit, max_bytes)
    uri = _encode_file(f"data:{mime};base64,", file, limit)
    read = _decoded_size(uri, len(mime) + 13)
    if read != size:  # the file changed while it was read
        _check_size(report, read)
        if not out:
            report.add("size", f"the file changed while it was read ({size} bytes)")
        raise ValidationError(out)
    return uri


def _encode_file(prefix: str, file: BinaryIO, limit: int) -> str:
    """``prefix`` followed by the base64 of ``file``, read in chunks; at most
    ``limit + 1`` bytes are read.

    Appending to a string nothing else refers to grows it in place in
    CPython, so the peak is the result and one chunk, not twice the result.
    """
    uri = prefix
    left = limit + 1
    for _ in range(left // _READ_CHUNK + 2):
        chunk = file.read(min(_READ_CHUNK, left)) if left > 0 else b""
        if not chunk:
            break
        left -= len(chunk)
        uri += binascii.b2a_base64(chunk, newline=False).decode("ascii")
    return uri


# --- sniffing ----------------------------------------------------------------


def sniff(head: bytes) -> Sniffed:
    """Identify a format from its magic bytes and read its pixel dimensions.

    Only ``head`` (the first bytes of a file) is used: dimensions are ``None``
    when they lie beyond it. Never raises; unrecognised bytes give
    ``Sniffed(None, None, None)``.
    """
    for sniffer in _SNIFFERS:
        found = sniffer(head)
        if found is not None:
            return found
    return _UNKNOWN


def _uint(data: bytes, pos: int, size: int, order: Literal["big", "little"]) -> int:
    """The unsigned integer at ``data[pos:pos+size]``, or -1 if cut off."""
    if pos + size > len(data):
        return -1
    return int.from_bytes(data[pos : pos + size], order)


def _sized(fmt: str, width: int, height: int) -> Sniffed:
    """``fmt`` with its dimensions, or without them if either was cut off."""
    if width < 0 or height < 0:
        return Sniffed(fmt, None, None)
    return Sniffed(fmt, width, height)


def _sniff_png(data: bytes) -> Sniffed | None:
    """PNG: width and height lead the IHDR chunk."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return None
    if data[12:16] == b"IHDR" and len(data) >= 24:
        return Sniffed("png", *_TWO_BIG_U32.unpack_from(data, 16))
    if data[12:16] != b"IHDR":
        return Sniffed("png", None, None)
    return _sized("png", _uint(data, 16, 4, "big"), _uint(data, 20, 4, "big"))


def _sniff_gif(data: bytes) -> Sniffed | None:
    """GIF: the logical screen size follows the signature."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    return _sized("gif", _uint(data, 6, 2, "little"), _uint(data, 8, 2, "little"))


def _sniff_bmp(data: bytes) -> Sniffed | None:
    """BMP, recognised by its signature and a known DIB header size."""
    header_size = _uint(data, 14, 4, "little")
    if data[:2] != b"BM" or header_size not in (12, 40, 52, 56, 64, 108, 124):
        return None
    if header_size == 12:
        return _sized("bmp", _uint(data, 18, 2, "little"), _uint(data, 20, 2, "little"))
    if len(data) < 26:
        return Sniffed("bmp", None, None)
    width = int.from_bytes(data[18:22], "little", signed=True)
    height = int.from_bytes(data[22:26], "little", signed=True)  # < 0: top-down
    return _sized("bmp", width, abs(height))


def _sniff_tiff(data: bytes) -> Sniffed | None:
    """TIFF, recognised only (its dimensions lie behind an offset)."""
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed("tiff", None, None)
    return None


def _sniff_matroska(data: bytes) -> Sniffed | None:
    """WebM or Matroska (by the EBML doc type), recognised only."""
    if not data.startswith(b"\x1a\x45\xdf\xa3"):
        return None
    return Sniffed("webm" if b"webm" in data[:64] else "mkv", None, None)


def _sniff_webp(data: bytes) -> Sniffed | None:
    """WebP: the first chunk (VP8, VP8L or VP8X) holds the canvas size."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return None
    chunk, size = data[12:16], len(data)
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a" and size >= 30:
        # 14-bit sizes; the top two bits are a scaling hint.
        width, height = _uint(data, 26, 2, "little"), _uint(data, 28, 2, "little")
        return Sniffed("webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20:21] == b"\x2f" and size >= 25:
        bits = _uint(data, 21, 4, "little")  # 14 bits each of width-1, height-1
        return Sniffed("webp", (bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1)
    if chunk == b"VP8X" and size >= 30:
        width, height = _uint(data, 24, 3, "little"), _uint(data, 27, 3, "little")
        return Sniffed("webp", width + 1, height + 1)
    return Sniffed("webp", None, None)


def _riff_chunks(data: bytes, pos: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """``(fourcc, body start, body end)`` of the RIFF chunks in ``data[pos:end]``."""
    while pos + 8 <= end:
        size = _uint(data, pos + 4, 4, "little")
        body = pos + 8
        yield data[pos : pos + 4], body, min(body + size, end)
        pos = body + size + (size & 1)


def _sniff_avi(data: bytes) -> Sniffed | None:
    """AVI: the main header (avih) in the hdrl list holds the frame size."""
    if data[:4] != b"RIFF" or data[8:12] != b"AVI ":
        return None
    for fourcc, body, end in _riff_chunks(data, 12, len(data)):
        if fourcc == b"LIST" and data[body : body + 4] == b"hdrl":
            for inner, start, stop in _riff_chunks(data, body + 4, end):
                if inner == b"avih" and start + 40 <= stop:
                    width = _uint(data, start + 32, 4, "little")
                    return _sized("avi", width, _uint(data, start + 36, 4, "little"))
    return Sniffed("avi", None, None)


_QUICKTIME_TOP_BOXES = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"})


def _sniff_isobmff(data: bytes) -> Sniffed | None:
    """MP4, MOV (and HEIF/AVIF images): ftyp names the format, tkhd the size."""
    first = data[4:8]
    if first == b"ftyp":
        fmt = _brand_format(data)
        if fmt is None:
            return None
    elif first in _QUICKTIME_TOP_BOXES and _uint(data, 0, 4, "big") >= 8:
        fmt = "mov"
    else:
        return None
    if fmt not in ("mp4", "mov"):
        return Sniffed(fmt, None, None)
    return _track_size(fmt, data)


def _brand_format(data: bytes) -> str | None:
    """The format an ftyp box's major (and, for mif1, compatible) brand names;
    ``None`` when the brands needed are cut off."""
    brand = data[8:12]
    if len(brand) < 4:
        return None
    if brand == b"qt  ":
        return "mov"
    if brand in (b"avif", b"avis"):
        return "avif"
    if brand in _HEIF_BRANDS:
        return "heic"
    if brand in (b"mif1", b"msf1"):
        end = _uint(data, 0, 4, "big")
        if end > len(data):
            return None
        compatible = {data[i : i + 4] for i in range(16, end - 3, 4)}
        return "avif" if b"avif" in compatible else "heic"
    return "mp4"


def _boxes(data: bytes, pos: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """``(type, body start, body end)`` of the ISO BMFF boxes in ``data[pos:end]``.

    A box cut off by ``end`` is yielded with its body truncated.
    """
    while pos + 8 <= end:
        size, header = _uint(data, pos, 4, "big"), 8
        if size == 1:
            size, header = _uint(data, pos + 8, 8, "big"), 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield data[pos + 4 : pos + 8], pos + header, min(pos + size, end)
        pos += size


def _track_size(fmt: str, data: bytes) -> Sniffed:
    """The size of the first visual track: moov / trak / tkhd."""
    for kind, body, end in _boxes(data, 0, len(data)):
        if kind != b"moov":
            continue
        for trak, trak_body, trak_end in _boxes(data, body, end):
            if trak != b"trak":
                continue
            for tkhd, start, stop in _boxes(data, trak_body, trak_end):
                size = _tkhd_size(data, start, stop) if tkhd == b"tkhd" else None
                if size is not None:
                    return Sniffed(fmt, *size)
    return Sniffed(fmt, None, None)


def _tkhd_size(data: bytes, start: int, stop: int) -> tuple[int, int] | None:
    """Width and height (16.16 fixed point) of a tkhd box, if both non-zero."""
    if start >= stop:
        return None
    version = data[start]
    offset = {0: 76, 1: 88}.get(version)
    if offset is None or start + offset + 8 > stop:
        return None
    width = _uint(data, start + offset, 4, "big") >> 16
    height = _uint(data, start + offset + 4, 4, "big") >> 16
    return (width, height) if width and height else None


_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
"""Start-of-frame markers; C4 (DHT), C8 (JPG) and CC (DAC) are not frames."""
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})
"""Markers without a length: TEM, RST0-7 and SOI."""


def _sniff_jpeg(data: bytes) -> Sniffed | None:
    """JPEG: walk the marker segments to the first start-of-frame."""
    if not data.startswith(b"\xff\xd8\xff"):
        return None
    pos, end = 2, len(data)
    while pos < end and data[pos] == 0xFF:
        while pos < end and data[pos] == 0xFF:
            pos += 1
        if pos >= end:
            break
        marker, pos = data[pos], pos + 1
        if marker in _JPEG_STANDALONE:
            continue
        length = _uint(data, pos, 2, "big")
        if marker in (0x00, 0xD9, 0xDA) or length < 2:
            break  # entropy-coded data, the end, or a cut-off or corrupt segment
        if marker in _JPEG_SOF:
            height, width = (
                _uint(data, pos + 3, 2, "big"),
                _uint(data, pos + 5, 2, "big"),
            )
            # A zero height is defined later, by a DNL segment: leave it unknown.
            return _sized("jpeg", width, height if height else -1)
        pos += length
    return Sniffed("jpeg", None, None)


_SNIFFERS: tuple[Callable[[bytes], Sniffed | None], ...] = (
    _sniff_png,
    _sniff_jpeg,
    _sniff_gif,
    _sniff_webp,
    _sniff_avi,
    _sniff_isobmff,
    _sniff_bmp,
    _sniff_tiff,
    _sniff_matroska,
)
