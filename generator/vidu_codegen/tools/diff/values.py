"""Spec values as the diff compares and spells them."""

from __future__ import annotations

from typing import cast

import attrs

from vidu_codegen.resolve import typed
from vidu_codegen.text import spell


def jsonable(value: object) -> object:
    if isinstance(value, tuple | list):
        return [jsonable(v) for v in value]
    return value


def same(old: object, new: object) -> bool:
    return typed(old) == typed(new)


def show(value: object) -> str:
    """A value as the spec would spell it (``none``; a list or ``nothing``)."""
    if value is None:
        return "none"
    if isinstance(value, tuple | list):
        return ", ".join(show(v) for v in value) or "nothing"
    return spell(value)


def code(value: object) -> str:
    return f"`{show(value)}`"


def bounds_text(value: object) -> str:
    if value is None:
        return "`any`"
    low, high = cast(tuple[object, object], value)
    return f"`{show(low)}`" if low == high else f"`{show(low)}..{show(high)}`"


def attributes(node: object) -> list[tuple[str, object]]:
    """``(name, value)`` of each attribute of a spec object (none for others)."""
    cls = type(node)
    if not attrs.has(cls):
        return []
    return [
        (a.name, getattr(node, a.name)) for a in attrs.fields(cls) if a.name != "at"
    ]


def compact(value: object) -> str:
    """A spec value in YAML flow style, for what was added or removed."""
    if attrs.has(type(value)):
        parts = [
            f"{name.rstrip('_')}: {compact(item)}"
            for name, item in attributes(value)
            if item not in (None, {}, [])
        ]
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(compact(v) for v in value) + "]"
    return show(value)
