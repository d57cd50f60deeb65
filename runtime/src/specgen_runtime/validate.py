"""The pieces generated validators are made of: table rows and messages.

Generated code does the fast work inline; it calls into this module only to
describe a problem it found, so building a message costs nothing on a valid
body.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
from collections.abc import Mapping
from typing import Final, TypeVar

from .tables import Pattern, RuleTable
from .violations import Violation, current_mode

T = TypeVar("T")

MISSING: Final = object()
"""Marks a key that is not in the body."""

_JSON_NAMES: Final = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "a boolean",
    list: "an array",
    tuple: "an array",
    dict: "an object",
    type(None): "null",
}


def json_type(value: object) -> str:
    """How JSON would name the type of ``value``."""
    return _JSON_NAMES.get(type(value), type(value).__name__)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


@functools.cache
def _sorted_listing(values: frozenset[object]) -> str:
    return ", ".join(sorted(str(v) for v in values))


def _listed(values: object) -> str:
    if isinstance(values, frozenset):
        return _sorted_listing(values)
    return ", ".join(str(v) for v in values)  # type: ignore[attr-defined]


def _for(model: str | None) -> str:
    return f" for {model}" if model else ""


def type_error(
    field: str, rule: str, expected: str, value: object, reader: str | None = None
) -> Violation:
    """``field`` holds a value of the wrong JSON type.

    A string where an array belongs is said to need a list (one violation,
    not one per character). A local path (``pathlib.Path``) is not sent as a
    file: where an asset belongs, ``reader`` names the call that turns a file
    into one (``vidu.Image.from_path``) and the message says to use it.
    """
    if isinstance(value, os.PathLike):
        shown = repr(os.fspath(value))
        message = f"{field} must be {expected}, got the local path {shown}"
        if reader is not None:
            call = f"{reader}({shown})"
            message += f": use {f'[{call}]' if expected == 'an array' else call}"
        return Violation("error", field, rule, message + " to send the file")
    if expected == "an array" and type(value) is str:
        expected = "an array (a list)"
    return Violation(
        "error", field, rule, f"{field} must be {expected}, got {json_type(value)}"
    )


def required(field: str, rule: str, form: str) -> Violation:
    """A required field is missing."""
    return Violation("error", field, rule, f"{field} is required in {form}")


def _one_typo(value: str, name: str) -> bool:
    """Whether ``name`` is ``value`` with one typo undone: a character added,
    dropped or replaced, or two neighbours swapped (``nmae`` for ``name``)."""
    if value == name or abs(len(value) - len(name)) > 1:
        return False
    if len(value) == len(name):
        diffs = [i for i, (a, b) in enumerate(zip(value, name, strict=True)) if a != b]
        if len(diffs) == 1:
            return True
        first, second = diffs[0], diffs[-1]
        return (
            len(diffs) == 2
            and second == first + 1
            and value[first] == name[second]
            and value[second] == name[first]
        )
    short, long = sorted((value, name), key=len)
    cut = next(
        (i for i, (a, b) in enumerate(zip(short, long, strict=False)) if a != b),
        len(short),
    )
    return short[cut:] == long[cut + 1 :]


_TYPO_MIN = 4
"""Shortest name suggested for a value one typo away: shorter names are
each one typo away from too many values to be a likely meaning."""


@functools.lru_cache(maxsize=256)
def _closest(value: str, known: frozenset[str] | tuple[str, ...]) -> str:
    """``" (did you mean x?)"`` for the known value nearest ``value``, if any
    is near enough to be a likely typo (close by :mod:`difflib`, the same
    but for case, or one typo away, swapped neighbours included); else
    ``""``."""
    names = sorted(known)
    near = difflib.get_close_matches(value, names, n=1, cutoff=0.8)
    if not near:
        folded = {name.lower(): name for name in names}
        near = [folded[value.lower()]] if value.lower() in folded else []
    if not near:
        lowered = value.lower()
        near = [
            name
            for name in names
            if len(name) >= _TYPO_MIN and _one_typo(lowered, name.lower())
        ][:1]
    return f" (did you mean {near[0]}?)" if near else ""


def unknown_field(
    field: str, known: frozenset[str], key: str | None = None
) -> Violation:
    """A key the spec does not define, at ``field`` (its path, which the
    violation carries); the message names the ``key`` alone (by default the
    part of ``field`` after its last dot) and the known key nearest it."""
    name = field.rpartition(".")[2] if key is None else key
    return Violation(
        "error",
        field,
        "unknown_field",
        f"unknown field {name!r}{_closest(name[:100], known)}: known fields are "
        f"{_listed(known)}",
    )


def unknown_fields(
    source: Mapping[object, object],
    known: frozenset[str],
    where: str,
    out: list[Violation],
) -> None:
    """Report each key of ``source`` that is not in ``known``, in the body's
    order (called once a set operation found there is one)."""
    for key in source:
        if key not in known:
            path = f"{where}.{key}" if where else str(key)
            out.append(unknown_field(path, known, str(key)))


def unknown_bound(source: Mapping[object, object], known: frozenset[str]) -> int:
    """The :func:`json_bound` of the members of ``source`` whose key is not in
    ``known``."""
    return sum(
        json_bound(key) + json_bound(value)
        for key, value in source.items()
        if key not in known
    )


def unknown_model(field: str, value: str, known: tuple[str, ...]) -> Violation:
    """A model name the spec does not know at all.

    The message suggests the closest known name, and says how to send a model
    newer than this package (``validation="warn"``), unless requests are
    already checked in ``"warn"`` mode, where the model is sent as given.
    """
    if current_mode() == "warn":
        advice = "; sent as given, since validation is in warn mode"
    else:
        advice = (
            "; for a model newer than this package, pass "
            'validation="warn" (or use validation_mode("warn"))'
        )
    return Violation(
        "error",
        field,
        f"{field}.unknown",
        f"unknown model {value!r}{_closest(value[:100], known)}: known models are "
        f"{_listed(known)}{advice}",
    )


def model_not_in_form(
    field: str, value: str, form: str, allowed: tuple[str, ...] | frozenset[str]
) -> Violation:
    """A known model that this request form does not take."""
    return Violation(
        "error",
        field,
        f"{field}.form",
        f"model {value} is not available with {form}: allowed {_listed(allowed)}",
    )


def not_a_choice(
    field: str, rule: str, value: str, model: str | None, allowed: tuple[str, ...]
) -> Violation:
    """A string outside the allowed values."""
    return Violation(
        "error",
        field,
        rule,
        f"{field} {_shown(value)} is not allowed{_for(model)}"
        f"{_closest(value[:100], allowed)}: allowed {_listed(allowed)}",
    )


def no_match(
    field: str, rule: str, value: str, model: str | None, pattern: Pattern
) -> Violation:
    """A string that does not have the required form."""
    return Violation(
        "error",
        field,
        rule,
        f"{field} {_shown(value)} is not allowed{_for(model)}: "
        f"expected {pattern.describe}",
    )


def out_of_range(
    field: str, rule: str, value: int, model: str | None, bounds: tuple[int, int]
) -> Violation:
    """An integer outside its range."""
    low, high = bounds
    allowed = str(low) if low == high else f"{low}-{high}"
    return Violation(
        "error",
        field,
        rule,
        f"{field} {value} is not allowed{_for(model)}: allowed {allowed}",
    )


def bad_length(
    field: str, rule: str, length: int, bounds: tuple[int, int]
) -> Violation:
    """A string that is too short or too long."""
    low, high = bounds
    if length < low:
        return Violation(
            "error",
            field,
            rule,
            f"{field} must not be empty"
            if low == 1
            else f"{field} has {length} characters: at least {low} required",
        )
    return Violation(
        "error",
        field,
        rule,
        f"{field} has {length} characters: at most {high} allowed",
    )


def bad_count(
    field: str, rule: str, count: int, model: str | None, bounds: tuple[int, int]
) -> Violation:
    """An array with too few or too many items."""
    low, high = bounds
    allowed = str(low) if low == high else f"{low}-{high}"
    noun = "item" if count == 1 else "items"
    return Violation(
        "error",
        field,
        rule,
        f"{field} has {count} {noun}: allowed {allowed}{_for(model)}",
    )


def unsupported(field: str, rule: str, model: str | None) -> Violation:
    """A field the model does not take at all."""
    return Violation("error", field, rule, f"{field} is not supported by {model}")


def ignored(field: str, rule: str, model: str | None) -> Violation:
    """A field the service accepts but ignores for the model."""
    return Violation(
        "warning", field, rule, f"{field} is ignored by {model}: it has no effect"
    )


def broken_rule(
    rule: RuleTable,
    field: str,
    model: str | None,
    defaulted: Mapping[str, object] | None = None,
    **values: object,
) -> Violation:
    """A cross-field rule fired.

    ``defaulted`` holds the fields whose condition held through the model's
    default (they are not in the body), with that default as the tables give
    it; the message says so, so it never claims a default the model does not
    have.
    """
    message = rule.message.format(model=model, **values)
    if defaulted:
        said = ", ".join(
            f"{name} is {json.dumps(value)}" for name, value in defaulted.items()
        )
        message += f" ({said} by default for {model})"
    return Violation(rule.severity, field, rule.id, message)


def by_default(
    source: Mapping[object, object], effective: Mapping[str, object]
) -> dict[str, object]:
    """The fields of ``effective`` (name: effective value) that are not in
    ``source``, so whose value is the model's default."""
    return {name: value for name, value in effective.items() if name not in source}


def not_an_object(field: str, rule: str, value: object) -> Violation:
    """The body or an item is not a JSON object."""
    return type_error(field or "body", rule, "an object", value)


def total_items(items: object, key: str) -> int:
    """How many items the arrays under ``key`` of every object in ``items`` hold."""
    total = 0
    if type(items) is list or isinstance(items, tuple):
        for item in items:
            if type(item) is dict or isinstance(item, Mapping):
                inner = item.get(key)
                if type(inner) is list or isinstance(inner, tuple):
                    total += len(inner)
    return total


def body_size(body: Mapping[str, object]) -> int | None:
    """Size in bytes of ``body`` as compact JSON; ``None`` if it is not JSON."""
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return len(text.encode("utf-8", "surrogatepass"))


_UNESCAPED: Final = bytes(b for b in range(0x20, 0x100) if b not in b'"\\')
"""Bytes JSON writes as they are (``ensure_ascii=False``, after UTF-8)."""
_SHORT_ESCAPES: Final = b'"\\\b\f\n\r\t'
"""Bytes JSON escapes in two characters; other control bytes take six."""
_INT_BITS: Final = 10_000
"""Integers with more bits are left to :func:`body_size` (``json`` refuses
to write one of more than 4,300 digits)."""
_WALK_LIMIT: Final = 100_000
"""Values :func:`oversized_body` sizes one by one before it encodes the body."""


def _string_size(text: str) -> int:
    """Bytes of ``text`` as a compact JSON string, quotes included.

    Printable ASCII (a data URI, a URL) is counted in place; other text is
    encoded once to count its UTF-8 bytes and escapes.
    """
    if text.isascii() and text.isprintable():
        return len(text) + 2 + text.count('"') + text.count("\\")
    data = text.encode("utf-8", "surrogatepass")
    escaped = data.translate(None, _UNESCAPED)
    short = sum(escaped.count(b) for b in _SHORT_ESCAPES) if escaped else 0
    return len(data) + 2 + short + 5 * (len(escaped) - short)


UNBOUNDED: Final = 1 << 62
"""What :func:`json_bound` gives for a value it does not model: more than any
body limit, so the body is measured exactly."""


def json_bound(value: object) -> int:
    """A cheap upper bound of the bytes ``value`` takes in a compact JSON body
    (UTF-8), with the punctuation around it.

    Nothing is encoded: a string counts 6 bytes a character (the most one
    takes, ``\\u001f``), an integer a byte a bit, a member or item 4 bytes of
    quotes, colon and comma. :data:`UNBOUNDED` when ``value`` holds something
    the bound does not model (a float, a mapping that is not a dict, a key
    that is not a string) or more than :data:`_WALK_LIMIT` containers. The
    generated validators add up the bound of each value as they check it and
    call this only for a value of a type they do not expect. :data:`MISSING`
    (no value) takes nothing.
    """
    if value is MISSING:
        return 0
    total = 4
    pending = [value]
    for _ in range(_WALK_LIMIT):
        if not pending:
            return total
        item = pending.pop()
        kind = type(item)
        if kind is str:
            total += 6 * len(item) + 4  # type: ignore[arg-type]
        elif kind is bool or item is None:
            total += 6
        elif kind is int:
            total += item.bit_length() + 6  # type: ignore[attr-defined]
        elif kind is dict:
            try:
                keys = 6 * sum(map(len, item))  # type: ignore[call-overload]
            except TypeError:  # a key that is not a string
                return UNBOUNDED
            total += keys + 4 * len(item) + 2  # type: ignore[arg-type]
            pending.extend(item.values())  # type: ignore[attr-defined]
        elif kind is list or kind is tuple:
            total += 4 * len(item) + 2  # type: ignore[arg-type]
            pending.extend(item)  # type: ignore[arg-type]
        else:
            return UNBOUNDED
    return UNBOUNDED


def oversized_body(body: Mapping[str, object], limit: int) -> int | None:
    """The encoded size of ``body`` in bytes when it is over ``limit``, else
    ``None``.

    The size is that of the body as the client sends it (compact JSON, UTF-8).
    A cheap upper bound (:func:`json_bound`: lengths only) settles almost
    every body; only one whose bound passes ``limit`` is measured exactly,
    still without encoding it: one walk adds up the exact size of each string
    (its UTF-8 bytes, plus what escaping adds), key, number and punctuation,
    in C-speed passes over the strings. Only a body JSON writes in a way the
    walk does not model (floats, keys that are not strings, values that are
    not JSON) or one of more than :data:`_WALK_LIMIT` values is encoded with
    :func:`body_size`.
    """
    if json_bound(body) <= limit:
        return None
    size = 0
    stack: list[object] = [body]
    for _ in range(_WALK_LIMIT):
        if not stack:
            return size if size > limit else None
        value = stack.pop()
        if isinstance(value, str):
            size += _string_size(value)
        elif isinstance(value, bool) or value is None:
            size += 5 if value is False else 4
        elif isinstance(value, int) and value.bit_length() < _INT_BITS:
            size += len(int.__repr__(value))
        elif isinstance(value, Mapping) and all(type(k) is str for k in value):
            size += 2 * len(value) + 1 if value else 2  # braces, colons, commas
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            size += len(value) + 1 if value else 2  # brackets and commas
            stack.extend(value)
        else:
            break
    exact = body_size(body)
    return exact if exact is not None and exact > limit else None


def body_too_large(size: int, limit: int) -> Violation:
    """The encoded body is over the service's limit."""
    return Violation(
        "error",
        "body",
        "body.size",
        f"the request body is {size} bytes: at most {limit} bytes "
        f"({limit / 1048576:g} MiB) allowed",
    )


def count_items(value: object) -> int:
    """Length of ``value`` if it is an array, else 0."""
    return len(value) if isinstance(value, list | tuple) else 0


def check_model(
    value: object,
    field: str,
    form_models: frozenset[str],
    known: tuple[str, ...],
    form: str,
    out: list[Violation],
) -> str | None:
    """Check the model field; return the model when the form takes it."""
    if type(value) is str:
        if value in form_models:
            return value
        if value in known:
            out.append(model_not_in_form(field, value, form, form_models))
        else:
            out.append(unknown_model(field, value, known))
    elif value is MISSING:
        out.append(required(field, f"{field}.required", form))
    else:
        out.append(type_error(field, f"{field}.type", "a string", value))
    return None


def present(value: T | None) -> T:
    """``value``, which the generator knows is set (for the type checker)."""
    if value is None:
        raise LookupError("a table entry the validators rely on is missing")
    return value
