"""Building a request body from a typed request or its keyword arguments."""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from .violations import Violation


class Request(Protocol):
    """What the client asks of a typed request."""

    def violations(self) -> list[Violation]: ...

    def to_json(self) -> dict[str, Any]: ...


@functools.cache
def _item_classes(cls: type) -> dict[str, type]:
    """Fields of ``cls`` typed as lists of attrs classes, with that class."""
    out: dict[str, type] = {}
    for name, hint in typing.get_type_hints(cls).items():
        for member in (hint, *typing.get_args(hint)):
            args = typing.get_args(member)
            is_list = typing.get_origin(member) is list
            if is_list and len(args) == 1 and attrs.has(args[0]):
                out[name] = args[0]
    return out


def with_items(cls: type, fields: Mapping[str, object]) -> dict[str, object]:
    """``fields`` with mappings in list-of-object fields built into objects."""
    out = dict(fields)
    for name, item_cls in _item_classes(cls).items():
        value = out.get(name)
        if isinstance(value, list | tuple):
            out[name] = [
                item_cls(**item) if isinstance(item, Mapping) else item
                for item in value
            ]
    return out


def select(
    fields: Mapping[str, object],
    default: type[Request],
    selectors: tuple[tuple[str, type[Request]], ...],
) -> type[Request]:
    """The request class for ``fields``: the first whose selector key is set."""
    for key, cls in selectors:
        if key in fields:
            return cls
    return default
