"""The cattrs converter behind ``to_json`` and ``from_json``.

Requests unstructure to JSON bodies that hold only the fields that were set,
so the service's own defaults apply to the rest. Responses structure
leniently: a value of a type this package does not expect, such as a task
state added after it was generated, is kept as a plain string.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from typing import Any

import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn


def _union_members(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return ()


def _is_open_union(tp: Any) -> bool:
    members = [m for m in _union_members(tp) if m is not type(None)]
    return len(members) > 1 and all(
        m in (str, int, float, bool)
        or (isinstance(m, type) and issubclass(m, enum.Enum))
        for m in members
    )


def _open_union_hook(tp: Any) -> Callable[[Any, Any], Any]:
    members = [m for m in _union_members(tp) if m is not type(None)]
    enums = [m for m in members if isinstance(m, type) and issubclass(m, enum.Enum)]
    plain = tuple(m for m in members if m not in enums)

    def structure(value: Any, _: Any) -> Any:
        if value is None:
            return None
        for member in enums:
            try:
                return member(value)
            except ValueError:
                continue
        if type(value) in plain:
            return value
        raise TypeError(f"expected one of {members}, got {type(value).__name__}")

    return structure


def _open_union_unstructure(_: Any) -> Callable[[Any], Any]:
    def unstructure(value: Any) -> Any:
        return value.value if isinstance(value, enum.Enum) else value

    return unstructure


def make_converter(
    requests: tuple[type, ...], responses: tuple[type, ...]
) -> cattrs.Converter:
    """A converter for these request and response classes."""
    converter = cattrs.Converter()
    converter.register_structure_hook_factory(_is_open_union, _open_union_hook)
    converter.register_unstructure_hook_factory(_is_open_union, _open_union_unstructure)
    known = frozenset(requests) | frozenset(responses)
    converter.register_unstructure_hook_factory(
        lambda cls: cls in known,
        lambda cls: make_dict_unstructure_fn(
            cls, converter, _cattrs_omit_if_default=True
        ),
    )
    converter.register_structure_hook_factory(
        lambda cls: cls in requests,
        lambda cls: make_dict_structure_fn(
            cls, converter, _cattrs_forbid_extra_keys=True
        ),
    )
    return converter
