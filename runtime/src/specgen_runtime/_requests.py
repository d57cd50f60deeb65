"""Building a request body from a typed request or its keyword arguments."""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from typing import Any, Protocol

import attrs

from .errors import PathParameterMismatch
from .tables import Operation
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


def check_request(
    operation: Operation,
    request: object,
    default: type[Request],
    selectors: tuple[tuple[str, type[Request]], ...],
) -> None:
    """Refuse a request of another kind than ``operation`` takes.

    A typed request of another operation (a cancel's request handed to a
    create) would send its fields where they mean nothing; a mapping would
    fail deep inside. Both are refused before anything is sent.

    :raises TypeError: naming the request classes the operation takes (and,
        for a mapping, how to pass it as keyword arguments).
    """
    accepted = tuple(dict.fromkeys((default, *(cls for _, cls in selectors))))
    if isinstance(request, accepted):
        return
    names = " or ".join(cls.__name__ for cls in accepted)
    method = operation.id.replace("-", "_")
    if isinstance(request, Mapping):
        raise TypeError(
            f"{method}() takes a {names}, not a {type(request).__name__}:"
            f" pass its fields as keyword arguments ({method}(**fields)) or"
            f" build one ({accepted[0].__name__}(**fields)); nothing was sent"
        )
    raise TypeError(
        f"{method}() takes a {names}, not a {type(request).__name__}; nothing was sent"
    )


def url_path(operation: Operation, params: Mapping[str, object]) -> str:
    """The path of ``operation`` with ``params`` filled in, each checked.

    A path parameter must be a non-empty string other than ``.`` and ``..``:
    anything else would name another resource (``get_creations("")`` would
    ask for the path without its task id).

    :raises ValueError: naming the operation and the parameter, before
        anything is sent.
    """
    single_task_id = operation.task is not None and len(operation.params) == 1
    for name in operation.params:
        value = params.get(name)
        what = "the task id" if single_task_id else name
        where = f"{{{name}}} in {operation.path}"
        if not isinstance(value, str):
            raise ValueError(
                f"{operation.id}: {what} ({where}) must be a string,"
                f" got {type(value).__name__}"
            )
        if not value:
            raise ValueError(
                f"{operation.id}: {what} is empty ({where}): give the one the"
                " service returned"
            )
        if value in (".", ".."):
            raise ValueError(f"{operation.id}: {what} {value!r} ({where}) is not one")
    return operation.url_path({name: str(params[name]) for name in operation.params})


def check_mirrored(
    operation: Operation, params: Mapping[str, str], body: Mapping[str, Any] | None
) -> None:
    """Refuse a body field that repeats a path parameter with another value.

    A body field with the name of a path parameter (a cancel's ``{"id": ...}``
    beside the ``{id}`` of its path) stands for the same thing: sent with
    another value, the service would act on one of two resources, and which
    is not said. Left out, or equal, it is fine.

    :raises PathParameterMismatch: naming both values, before anything is sent.
    """
    if not body:
        return
    for name in operation.params:
        if name not in body:
            continue
        path_value, body_value = params.get(name), body[name]
        if body_value == path_value:
            continue
        single_task_id = operation.task is not None and len(operation.params) == 1
        what = "the task id" if single_task_id else name
        raise PathParameterMismatch(
            f"{operation.id}: the body's {name} {body_value!r} differs from"
            f" {what} {path_value!r} ({{{name}}} in {operation.path}): nothing"
            f" was sent; leave the body's {name} out (the path carries it) or"
            " give the same value",
            name=name,
            path_value=str(path_value),
            body_value=body_value,
        )
