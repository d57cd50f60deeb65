"""The converter behind ``to_json``, ``to_dict`` and ``from_json``.

Requests unstructure to JSON bodies that hold only the fields that were set,
so the service's own defaults apply to the rest. A list of objects in a
request takes mappings too (``subjects=[{"name": "bear", ...}]``): see
:func:`structure_items`.

Responses are read leniently, because the service changes faster than a
generated package: nothing it sends is lost.

- A field the spec does not know is kept in the object's ``extra`` dict
  (``task.extra["new_field"]``) and written back by ``to_dict()``.
- A value outside an enum, such as a task state added after the package was
  generated, is kept as a plain string.
- A value of a type the spec does not give the field (``5.5`` where an
  integer is expected, a number where a list is) is kept exactly as sent,
  and a :class:`ResponseWarning` names the field's path
  (``TaskCreations.creations[0].url``). Nothing is converted: ``5.5`` stays
  ``5.5``, never ``5``.

One thing stops the reading: a field the spec marks ``required`` (the service
always sends it) that is missing or ``null``. Its attribute is typed as
always there, so the body is refused with a :class:`MissingResponseField`
naming the field's path, the body kept on its ``raw`` (the client raises it
as an :class:`~specgen_runtime.errors.UnexpectedResponseError` with the
answer as received; a create's as an ``UnreadableCreateResponse``).
"""

from __future__ import annotations

import enum
import json
import types
import typing
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from .errors import UnexpectedResponseError

__all__ = [
    "EXTRA",
    "MissingResponseField",
    "ResponseWarning",
    "dump_response",
    "make_converter",
    "sent_as_list",
    "structure_items",
]

EXTRA = "extra"
"""The attribute of a response object that holds the fields the spec does
not know, by their JSON name."""

T = TypeVar("T")


class ResponseWarning(UserWarning):
    """A response field holds a value of a type the spec does not give it.

    The value is kept as the service sent it; the message names the field's
    path and what the spec expects there.
    """


class MissingResponseField(UnexpectedResponseError, ValueError):
    """A response lacks a field the spec says the service always sends.

    ``field`` is the field's path (``TaskCreations.creations[0].url``) and
    ``raw`` the body that was read, as JSON. Also a ``ValueError``, as a
    body of the wrong shape always was.
    """

    def __init__(self, message: str, *, field: str, raw: bytes) -> None:
        super().__init__(message, status=200, raw=raw)
        self.field = field


# --- requests --------------------------------------------------------------------


def sent_as_list(value: Sequence[T]) -> list[T]:
    """A request's list field as it is held: a tuple (any sequence but text)
    as a list. A value that is not a sequence at all, or is text, is kept as
    given, for the request's validation to report with its path
    (``images: expected a list``) instead of a ``TypeError`` with none."""
    if isinstance(value, list | str | bytes) or not isinstance(value, Sequence):
        return typing.cast(list[T], value)
    return list(value)


def structure_items(value: Iterable[T | Mapping[str, object]], cls: type[T]) -> list[T]:
    """A request's list of objects, with each mapping in it built into ``cls``.

    A mapping is built only when ``cls`` can hold it (its keys are fields of
    ``cls`` and the required ones are there); any other item, and a value
    that is not a list at all, is kept as given, so that the request's
    validation reports it with its path (``subjects[0].nam: unknown field``)
    instead of a ``TypeError`` with none.
    """
    if not isinstance(value, list | tuple):
        # not what the annotation promises: kept for the validation to report
        return typing.cast(list[T], value)
    fields = attrs.fields_dict(cls)  # type: ignore[arg-type]
    required = {n for n, f in fields.items() if f.default is attrs.NOTHING}
    return [
        cls(**item)
        if isinstance(item, Mapping)
        and all(isinstance(k, str) for k in item)
        and fields.keys() >= item.keys() >= required
        else item
        for item in value
    ]


def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) is list


def _list_unstructure(converter: cattrs.Converter) -> Callable[[Any], Any]:
    """Lists of a request unstructure item by item, each as what it is; a
    value that is not a list is passed through for validation to report."""

    def unstructure(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [converter.unstructure(item) for item in value]
        return value

    return unstructure


# --- open unions: an enum, or the plain value ------------------------------------


def _union_members(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return ()


def _is_enum(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, enum.Enum)


def _is_open_union(tp: Any) -> bool:
    members = [m for m in _union_members(tp) if m is not type(None)]
    return len(members) > 1 and all(
        m in (str, int, float, bool) or _is_enum(m) for m in members
    )


def _open_union_hook(tp: Any) -> Callable[[Any, Any], Any]:
    members = [m for m in _union_members(tp) if m is not type(None)]
    enums = [m for m in members if _is_enum(m)]
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


# --- responses ---------------------------------------------------------------------

_Path = tuple[object, ...]
"""Where a value is: the class's name, then each key or index below it,
formatted only when there is a problem to report."""

_Read = Callable[[object, _Path, list[str]], object]
"""Reads one value (not ``None``) found at a path; appends what is wrong."""


@attrs.frozen
class _Plan:
    """How to read a value of one type."""

    name: str
    """The type as a message names it: ``an integer``."""
    fits: Callable[[object], bool]
    """Whether a value has this type's shape (its items not looked at)."""
    read: _Read
    """Reads a value that fits."""
    kept: frozenset[type] = frozenset()
    """The types of values that fit and are kept as they are: a shortcut."""


def _keep(value: object, path: _Path, problems: list[str]) -> object:
    return value


_SCALARS: dict[object, tuple[str, frozenset[type]]] = {
    str: ("a string", frozenset({str})),
    int: ("an integer", frozenset({int})),
    float: ("a number", frozenset({int, float})),
    bool: ("a boolean", frozenset({bool})),
}
"""Scalar types, as messages name them, with the JSON types each takes
(``bool`` is not an integer here, whatever Python says)."""


def _where(path: _Path) -> str:
    """``("Task", "creations", 0, "url")`` -> ``Task.creations[0].url``."""
    return "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" if i else str(part)
        for i, part in enumerate(path)
    )


def _got(value: object) -> str:
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{shown} ({type(value).__name__})"


def _read_as(plan: _Plan, value: object, path: _Path, problems: list[str]) -> object:
    """``value`` read by ``plan``, or kept as sent (a problem) if it does not fit."""
    if value is None or type(value) in plan.kept:
        return value
    if plan.fits(value):
        return plan.read(value, path, problems)
    problems.append(
        f"{_where(path)}: expected {plan.name}, got {_got(value)}; kept as sent"
    )
    return value


class _Missing(Exception):
    """A required field is missing (or ``null``) at ``path``; the reading stops."""

    def __init__(self, path: _Path) -> None:
        super().__init__(path)
        self.path = path


def _as_json(data: object) -> bytes:
    """A body as JSON text, for an error's ``raw`` (a value JSON cannot hold
    as its ``repr``)."""
    return json.dumps(data, ensure_ascii=False, default=repr).encode("utf-8")


class _Reader:
    """Reads response bodies into response classes; one plan per type, made once."""

    def __init__(self, responses: Iterable[type]) -> None:
        self.responses = frozenset(responses)
        self._plans: dict[object, _Plan] = {}

    def structure(self, data: object, cls: type[T]) -> T:
        """``data`` as a ``cls``; every problem is a :class:`ResponseWarning`."""
        if not isinstance(data, dict):
            raise TypeError(
                f"{cls.__name__} is read from a JSON object, not {type(data).__name__}"
            )
        problems: list[str] = []
        try:
            value = self._plan(cls).read(data, (cls.__name__,), problems)
        except _Missing as missing:
            where = _where(missing.path)
            raise MissingResponseField(
                f"{where} is missing: the spec says the service always sends "
                "it (the body is on this error's raw)",
                field=where,
                raw=_as_json(data),
            ) from None
        for problem in problems:
            warnings.warn(problem, ResponseWarning, stacklevel=4)
        return typing.cast(T, value)

    def _plan(self, tp: object) -> _Plan:
        plan = self._plans.get(tp)
        if plan is None:
            plan = self._make(tp)
            self._plans[tp] = plan
        return plan

    def _make(self, tp: Any) -> _Plan:
        members = [m for m in _union_members(tp) if m is not type(None)]
        if len(members) == 1:
            return self._plan(members[0])
        if members or _is_enum(tp):
            return self._union(members or [tp])
        scalar = _SCALARS.get(tp)
        if scalar is not None:
            name, accepted = scalar
            return _Plan(name, lambda v: type(v) in accepted, _keep, accepted)
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is list:
            return self._list(args[0] if args else object)
        if origin is dict:
            return self._dict(args[1] if len(args) == 2 else object)
        if tp in self.responses:
            return self._object(tp)
        return _Plan("a value", lambda v: True, _keep)

    def _union(self, members: list[Any]) -> _Plan:
        """An enum member for a value it has; else the first member that fits."""
        enums = [m for m in members if _is_enum(m)]
        plans = [self._plan(m) for m in members if not _is_enum(m)]
        names = [f"one of the {e.__name__} values" for e in enums]
        name = " or ".join(names + [p.name for p in plans])

        def member(value: object) -> object:
            if isinstance(value, str | int | float):
                for kind in enums:
                    found = kind._value2member_map_.get(value)
                    if found is not None:
                        return found
            return None

        def fits(value: object) -> bool:
            return member(value) is not None or any(p.fits(value) for p in plans)

        def read(value: object, path: _Path, problems: list[str]) -> object:
            found = member(value)
            if found is not None:
                return found
            plan = next(p for p in plans if p.fits(value))
            return plan.read(value, path, problems)

        # without enums, a value of a scalar member is kept as it is
        kept = frozenset() if enums else frozenset().union(*(p.kept for p in plans))
        return _Plan(name, fits, read, kept)

    def _list(self, item: object) -> _Plan:
        plan = self._plan(item)

        def read(value: object, path: _Path, problems: list[str]) -> object:
            assert isinstance(value, list)
            return [
                _read_as(plan, v, (*path, i), problems) for i, v in enumerate(value)
            ]

        return _Plan("a list", lambda v: isinstance(v, list), read)

    def _dict(self, item: object) -> _Plan:
        plan = self._plan(item)

        def read(value: object, path: _Path, problems: list[str]) -> object:
            assert isinstance(value, dict)
            return {
                k: _read_as(plan, v, (*path, k), problems) for k, v in value.items()
            }

        return _Plan("an object", lambda v: isinstance(v, dict), read)

    def _object(self, cls: type) -> _Plan:
        fields: dict[str, _Plan] = {}
        required: list[str] = []
        has_extra = False

        def read(value: object, path: _Path, problems: list[str]) -> object:
            assert isinstance(value, dict)
            for name in required:
                if value.get(name) is None:
                    raise _Missing((*path, name))
            known: dict[str, object] = {}
            for key, v in value.items():
                plan = fields.get(key)
                if plan is None:
                    continue
                if v is None or type(v) in plan.kept:
                    known[key] = v  # the common case, without a call
                else:
                    known[key] = _read_as(plan, v, (*path, key), problems)
            if has_extra and len(known) < len(value):
                known[EXTRA] = {k: v for k, v in value.items() if k not in fields}
            return cls(**known)

        plan = _Plan(f"a {cls.__name__} object", lambda v: isinstance(v, dict), read)
        # registered before its fields are planned: a class that holds
        # itself, directly or not, is planned in bounded steps
        self._plans[cls] = plan
        hints = typing.get_type_hints(cls)
        for field in attrs.fields(cls):
            if field.name == EXTRA:
                has_extra = True
            else:
                fields[field.name] = self._plan(hints[field.name])
                if field.default is attrs.NOTHING:
                    required.append(field.name)
        return plan


def _dump(value: object) -> object:
    """A response value as JSON-ready data: objects as dicts without their
    unset fields (their ``extra`` merged in), enum members as their values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    cls: Any = type(value)
    if attrs.has(cls):
        out: dict[str, object] = {}
        for field in attrs.fields(cls):
            item = getattr(value, field.name)
            if field.name == EXTRA:
                out.update((k, _dump(v)) for k, v in item.items() if k not in out)
            elif item is not None:
                out[field.name] = _dump(item)
        return out
    return value


def dump_response(response: object) -> dict[str, Any]:
    """A response object as the JSON object it was read from: the fields that
    were set (values kept as sent), and its ``extra`` fields."""
    out = _dump(response)
    if not isinstance(out, dict):
        raise TypeError(f"{type(response).__name__} is not a response object")
    return out


# --- the converter ---------------------------------------------------------------


def make_converter(
    requests: tuple[type, ...], responses: tuple[type, ...]
) -> cattrs.Converter:
    """A converter for these request and response classes.

    ``converter.structure(data, Response)`` reads leniently (see the module's
    docstring) and ``converter.unstructure(response)`` gives
    :func:`dump_response`.
    """
    converter = cattrs.Converter()
    converter.register_structure_hook_factory(_is_open_union, _open_union_hook)
    converter.register_unstructure_hook_factory(_is_open_union, _open_union_unstructure)
    known_requests = frozenset(requests)
    converter.register_unstructure_hook_factory(
        lambda cls: cls in known_requests,
        lambda cls: make_dict_unstructure_fn(
            cls, converter, _cattrs_omit_if_default=True
        ),
    )
    converter.register_unstructure_hook_factory(
        _is_list,
        lambda _: _list_unstructure(converter),
    )
    converter.register_structure_hook_factory(
        lambda cls: cls in known_requests,
        lambda cls: make_dict_structure_fn(
            cls, converter, _cattrs_forbid_extra_keys=True
        ),
    )
    reader = _Reader(responses)
    known_responses = frozenset(responses)
    converter.register_structure_hook_factory(
        lambda cls: cls in known_responses,
        lambda cls: reader.structure,
    )
    converter.register_unstructure_hook_factory(
        lambda cls: cls in known_responses,
        lambda cls: dump_response,
    )
    return converter
