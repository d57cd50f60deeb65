"""Keeping the API key out of logs, errors and ``repr``."""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Mapping

from .errors import InvalidAPIKey
from .tables import Auth

REDACTED = "***"
"""What stands in for the key."""


def redact(headers: Mapping[str, str], auth: Auth) -> dict[str, str]:
    """``headers`` with the API key's header (``auth.header``) hidden."""
    secret = auth.header.lower()
    hidden = f"{auth.scheme} {REDACTED}" if auth.scheme else REDACTED
    return {
        name: hidden if name.lower() == secret else value
        for name, value in headers.items()
    }


def check_key(value: str, source: str = "the API key") -> None:
    """Refuse a key that cannot travel in an HTTP header as it is.

    A control character (such as the newline a file read leaves at the end)
    or a space at either end would be refused by the HTTP library with a
    message quoting the whole header; a character outside ASCII would travel
    in an encoding a server may echo back in another, where it could not be
    found and hidden. The message here says where the fault is, never what
    the key is.

    :raises InvalidAPIKey: naming the problem and its position.
    """
    where = f"{source} ({len(value)} characters)"
    for index, char in enumerate(value):
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            raise InvalidAPIKey(
                f"{where} has a control character (U+{code:04X}) at position "
                f"{index + 1}; remove it (a trailing newline from a file?)"
            )
        if code > 0x7E:
            raise InvalidAPIKey(
                f"{where} has a character outside ASCII at position "
                f"{index + 1}; an API key is plain ASCII"
            )
    if value != value.strip():
        raise InvalidAPIKey(f"{where} starts or ends with a space; remove it")


class Secret:
    """The API key, kept out of every ``repr``.

    Every key is hidden, whatever its length. A key of at least
    :attr:`MIN_SCRUBBED` characters is hidden wherever it appears; a
    shorter one (which a real service never issues, but a test may use)
    where it stands alone, not inside a longer word or token: ``"k"`` is
    hidden in ``{"key": "k"}`` but leaves ``"tasks"`` as it is, so an answer
    stays readable.
    """

    __slots__ = ("__weakref__", "_escaped", "value")

    MIN_SCRUBBED = 6
    """The shortest key hidden wherever it appears, even inside a word."""

    def __init__(self, value: str | None) -> None:
        self.value = value or None
        self._escaped: tuple[re.Pattern[str], re.Pattern[bytes]] | None = None

    def __repr__(self) -> str:
        return "<set>" if self.value else "<missing>"

    def _searched(self) -> str | None:
        """The key, if it is long enough to be searched for inside words."""
        value = self.value
        return value if value and len(value) >= self.MIN_SCRUBBED else None

    def _patterns(self, value: str) -> tuple[re.Pattern[str], re.Pattern[bytes]]:
        """The key as JSON text may spell it: each character as it is or
        as an escape (``\\u0073``, ``\\/``), for text and for bytes; a short
        key only where it stands alone."""
        if self._escaped is None:
            pattern = "".join(_json_spellings(char) for char in value)
            if len(value) < self.MIN_SCRUBBED:
                pattern = f"{_NOT_AFTER_WORD}(?:{pattern}){_NOT_BEFORE_WORD}"
            self._escaped = (re.compile(pattern), re.compile(pattern.encode()))
        return self._escaped

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the key hidden, JSON-escaped
        ones included (a body echoing ``"\\u0073k-..."``)."""
        value = self.value
        if not value:
            return text
        if len(value) < self.MIN_SCRUBBED:
            return self._patterns(value)[0].sub(REDACTED, text)
        text = text.replace(value, REDACTED)
        if "\\" in text:
            text = self._patterns(value)[0].sub(REDACTED, text)
        return text

    def scrub_bytes(self, raw: bytes) -> bytes:
        """``raw`` with every occurrence of the key hidden: its UTF-8 bytes,
        and, in a body with a backslash, the key as JSON text may spell it
        with escapes."""
        value = self.value
        if not value:
            return raw
        if len(value) < self.MIN_SCRUBBED:
            return self._patterns(value)[1].sub(REDACTED.encode(), raw)
        raw = raw.replace(value.encode(), REDACTED.encode())
        if b"\\" in raw:
            raw = self._patterns(value)[1].sub(REDACTED.encode(), raw)
        return raw

    def scrub_json(self, value: object) -> object:
        """A decoded JSON value with the key hidden in every string and key.

        The value must be nested no deeper than the recursion limit allows
        (the client refuses deeper answers before they get here).
        """
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {
                self.scrub(str(key)): self.scrub_json(item)
                for key, item in value.items()
            }
        return value

    def scrub_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        """``headers`` with lower-case names, the key hidden in names and values.

        Every line counts: a name sent on several lines (each an item of
        ``headers.items()``, as urllib3 gives them) keeps all its values,
        joined with ``", "`` as HTTP reads them. The key is also hidden
        where a server split it over several lines: wherever it appears in
        the lines' text joined in order (names and values, values alone, or
        names alone), each part of it becomes ``***``.
        """
        lines = [(str(name), str(value)) for name, value in headers.items()]
        key = self._searched()
        if key:
            lines = _hide_split(key, lines)
        out: dict[str, str] = {}
        for name, value in lines:
            lower = name.lower()
            out[lower] = f"{out[lower]}, {value}" if lower in out else value
        return {name: self.scrub(value) for name, value in out.items()}


URLLIB3_LOGGERS = (
    "urllib3",
    "urllib3.connection",
    "urllib3.connectionpool",
    "urllib3.poolmanager",
    "urllib3.response",
    "urllib3.util.retry",
)
"""The loggers urllib3 writes to (each needs the filter: a logger's filters
see only the records logged on it, not those of its children)."""


class _HideKeys(logging.Filter):
    """Hides the key of every client in use in the records of urllib3's
    loggers, which log URLs and header lines as a server sent them (a
    redirect's ``Location`` echoing the key, say). Removes no record."""

    def __init__(self) -> None:
        super().__init__("")
        self._keys: weakref.WeakSet[Secret] = weakref.WeakSet()
        self._lock = threading.Lock()

    def add(self, key: Secret) -> None:
        with self._lock:
            self._keys.add(key)

    def discard(self, key: Secret) -> None:
        with self._lock:
            self._keys.discard(key)

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            keys = list(self._keys)
        if not keys:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot be formatted: logging says so
            return True
        hidden = message
        for key in keys:
            hidden = key.scrub(hidden)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return True


_HIDE_KEYS = _HideKeys()


def hide_in_urllib3_logs(key: Secret) -> None:
    """Hide ``key`` in every record of urllib3's loggers from now on, until
    :func:`stop_hiding_in_urllib3_logs` (a client's ``close()``) or until
    the key is garbage: a client installs it when made."""
    if not key.value:
        return
    _HIDE_KEYS.add(key)
    for name in URLLIB3_LOGGERS:
        logger = logging.getLogger(name)
        if _HIDE_KEYS not in logger.filters:
            logger.addFilter(_HIDE_KEYS)


def stop_hiding_in_urllib3_logs(key: Secret) -> None:
    """Stop looking for ``key`` in urllib3's records (its client closed)."""
    _HIDE_KEYS.discard(key)


_NOT_AFTER_WORD = r"(?<![A-Za-z0-9_\-])"
_NOT_BEFORE_WORD = r"(?![A-Za-z0-9_\-])"
"""Where a short key must stand: not right after nor right before a letter,
digit, ``_`` or ``-`` (the characters keys and words are made of)."""

_SHORT_ESCAPES = {"/": "\\/", '"': '\\"', "\\": "\\\\"}
"""The two-character JSON escapes of characters an API key may hold."""


def _json_spellings(char: str) -> str:
    """A regular expression for ``char`` (ASCII) as JSON text may write it:
    itself, ``\\uXXXX`` in either case, or its short escape."""
    code = f"{ord(char):04x}"
    hex_digits = "".join(
        f"[{digit}{digit.upper()}]" if digit.isalpha() else digit for digit in code
    )
    options = [re.escape(char), r"\\u" + hex_digits]
    if char in _SHORT_ESCAPES:
        options.append(re.escape(_SHORT_ESCAPES[char]))
    return "(?:" + "|".join(options) + ")"


def _hide_split(key: str, lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``lines`` with every character that is part of ``key`` in their joined
    text (in order: names and values, values alone, names alone) hidden, a
    run of hidden characters in one name or value becoming one ``***``."""
    names = [name for name, _ in lines]
    values = [value for _, value in lines]
    interleaved = [text for line in lines for text in line]
    if not any(key in "".join(texts) for texts in (interleaved, values, names)):
        return lines
    marks = [bytearray(len(text)) for text in interleaved]
    _mark(key, interleaved, marks)
    _mark(key, values, marks[1::2])
    _mark(key, names, marks[0::2])
    shown = [_masked(text, mark) for text, mark in zip(interleaved, marks, strict=True)]
    return list(zip(shown[0::2], shown[1::2], strict=True))


def _mark(key: str, texts: list[str], marks: list[bytearray]) -> None:
    """Mark in ``marks`` (one per text) the characters of every occurrence of
    ``key`` in ``texts`` joined."""
    joined = "".join(texts)
    starts: list[int] = []
    offset = 0
    for text in texts:
        starts.append(offset)
        offset += len(text)
    found = joined.find(key)
    for _ in range(len(joined) // len(key) + 1):
        if found < 0:
            return
        end = found + len(key)
        for index, start in enumerate(starts):
            stop = start + len(texts[index])
            if stop <= found or start >= end:
                continue
            for position in range(max(found, start), min(end, stop)):
                marks[index][position - start] = 1
        found = joined.find(key, end)


def _masked(text: str, mark: bytearray) -> str:
    """``text`` with each run of marked characters replaced by ``***``."""
    if not any(mark):
        return text
    out: list[str] = []
    previous = 0
    for char, hidden in zip(text, mark, strict=True):
        if not hidden:
            out.append(char)
        elif not previous:
            out.append(REDACTED)
        previous = hidden
    return "".join(out)
