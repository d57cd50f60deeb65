"""The contract of one operation: an independent reading of its spec.

The generated ``test_*_contract.py`` modules print the spec's view of each
operation as data, a :class:`ContractSpec`; everything here is plain Python
that names no field, model or value of any particular API. From a spec,
:func:`build_cases` makes the contract cases, and :func:`run_case` runs one of
them against a build of the package (it returns failure descriptions, empty
when the case passes), so a harness can run the cases against a modified
package without pytest. Every case compares the exact multiset of
``(rule, field, severity)`` the package reports with the one the spec implies.

The generated test modules import it as :mod:`specgen_runtime.contract`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import email.utils
import enum
import functools
import http.server
import importlib
import importlib.util
import inspect
import io
import json
import os
import pathlib
import pkgutil
import random
import re
import runpy
import socketserver
import sys
import tempfile
import threading
import urllib.parse
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import ModuleType
from typing import Any, Final, TypeAlias

import attrs
import urllib3

from . import cli_help, patterns
from .testing import _responses as testing_responses

Triple: TypeAlias = tuple[str, str, str]
"""``(rule, field, severity)`` of one violation."""
Changes: TypeAlias = list[tuple[str, Any]]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()
"""A key that is not in the body (as a change: remove the key)."""


# The spec's view of an operation.


@dataclasses.dataclass(frozen=True, kw_only=True)
class Field:
    """One field as the spec defines it (the keys of ``FieldTable``).

    ``py_name`` (the attribute of the typed request) and ``path`` (the start
    of the field's rule ids) are the field's ``name`` unless given.
    """

    name: str
    py_name: str = ""
    path: str = ""
    kind: str
    is_model: bool = False
    enum_values: tuple[str, ...] = ()
    items: str | None = None
    items_type: str | None = None
    items_object: str | None = None
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] | None = None
    aliases: Mapping[str, str] = dataclasses.field(default_factory=dict)
    range: tuple[int, int] | None = None
    length: tuple[int, int] | None = None
    count: tuple[int, int] | None = None
    default_by_model: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    choices_by_model: Mapping[str, tuple[str, ...]] = dataclasses.field(
        default_factory=dict
    )
    pattern_by_model: Mapping[str, str] = dataclasses.field(default_factory=dict)
    range_by_model: Mapping[str, tuple[int, int]] = dataclasses.field(
        default_factory=dict
    )
    count_by_model: Mapping[str, tuple[int, int]] = dataclasses.field(
        default_factory=dict
    )
    ignored_by: frozenset[str] = frozenset()
    unsupported_by: frozenset[str] = frozenset()
    reader: str | None = None
    """For a field of assets (``items="asset"``): the call that turns a local
    file into one (``<package>.Image.from_path``), which a message about a
    local file tells the user to make."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "py_name", self.py_name or self.name)
        object.__setattr__(self, "path", self.path or self.name)

    def default_for(self, model: str | None) -> Any:
        if model is not None and model in self.default_by_model:
            return self.default_by_model[model]
        return self.default


@dataclasses.dataclass(frozen=True)
class Condition:
    """Holds when ``field`` is sent (``present=True``) or not
    (``present=False``), or when its value is one of ``values``."""

    field: str
    present: bool | None = None
    values: tuple[Any, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rule:
    id: str
    severity: str
    field: str
    models: tuple[str, ...] = ()
    conditions: tuple[Condition, ...] = ()
    total: str | None = None
    total_key: str | None = None
    max: int | None = None
    max_by_model: Mapping[str, int] = dataclasses.field(default_factory=dict)

    def limit(self, model: str | None) -> int:
        if model is not None and model in self.max_by_model:
            return self.max_by_model[model]
        return self.max or 0


@dataclasses.dataclass(frozen=True, kw_only=True)
class Obj:
    name: str
    class_name: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Form:
    name: str
    class_name: str
    const: str
    selected_by: str | None = None
    models: tuple[str, ...] = ()
    model_field: str | None = None
    fields: tuple[Field, ...]
    objects: Mapping[str, Obj] = dataclasses.field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    body_max_bytes: int | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResponseField:
    name: str
    py_name: str = ""
    kind: str
    annotation: str
    enum_values: tuple[str, ...] = ()
    items_type: str | None = None
    items_object: str | None = None
    required: bool = False
    """The service always sends it: every body a case reads holds it."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "py_name", self.py_name or self.name)


@dataclasses.dataclass(frozen=True)
class Response:
    class_name: str
    fields: tuple[ResponseField, ...]
    examples: tuple[str, ...] = ()
    """Bodies the service may answer with (JSON text), each read by a case."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Route:
    """How the client sends the operation: what the server must receive."""

    method: str
    path: str
    """The path template, ``{name}`` for each path parameter."""
    params: tuple[str, ...] = ()
    """Path parameters in order, as the client's method takes them."""
    task: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ErrorCode:
    reason: str
    status: int
    message: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Errors:
    """The spec's error table and where an error body keeps its parts."""

    code: str
    reason: str
    message: str
    trace_id: str
    codes: tuple[ErrorCode, ...]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Vector:
    """A callback request and the signature the spec says it carries."""

    key: str
    method: str
    url: str
    headers: Mapping[str, str]
    signature_header: str
    signature: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Identity:
    """Who the package says it is: the API's name, the package's name and
    version, and the user agent its client sends."""

    name: str
    package: str
    version: str
    user_agent: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Query:
    """One query parameter as the spec defines it: ``name`` on the wire
    (it may be dotted), ``py_name`` the client method's keyword argument."""

    name: str
    py_name: str
    kind: str = "string"
    """``string``, ``integer``, ``boolean`` or ``datetime``."""
    required: bool = False
    repeated: bool = False
    """Takes a list, sent as one ``name=value`` pair per item."""
    choices: tuple[str, ...] | None = None
    """The values of its enum (documentation: others are sent too)."""
    range: tuple[int, int] | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Paging:
    """How a list operation pages: ``token`` and ``page_size`` are query
    parameters (wire names), ``items`` and ``next_token`` fields of the
    answer."""

    token: str
    items: str
    next_token: str
    page_size: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Concurrency:
    """The fields of an answer that report the account's concurrency."""

    limit: str
    running: str
    queued: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class CommandLine:
    """What ``python -m <package> --help`` lists, as the spec says it."""

    package: str
    key_env: str | None
    """The environment variable holding the API key."""
    hosts: tuple[str, ...]
    """The names of the API's hosts."""
    base_url: str
    operations: tuple[tuple[str, str], ...]
    """Each operation's id and summary, in the spec's order."""
    batch: bool = False
    """Whether the ``batch`` subcommand is offered (the spec lists tasks)."""
    base_url_env: str | None = None
    call: str | None = None
    """An operation the command line can call with no argument (no path
    parameter, no body, no required query parameter), if there is one."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ContractSpec:
    """The spec's view of one operation."""

    operation: str
    known_models: tuple[str, ...]
    """Every model name the spec knows (of any operation)."""
    forms: tuple[Form, ...]
    responses: tuple[Response, ...]
    route: Route | None = None
    errors: Errors | None = None
    """The API-wide error table (in the contract of one operation only)."""
    vectors: tuple[Vector, ...] = ()
    """The callback signature's test vectors (likewise)."""
    exports: tuple[str, ...] | None = None
    """The package's ``__all__`` (likewise)."""
    enums: Mapping[str, Mapping[str, str]] | None = None
    """Each enum class of the package: member name to value (likewise)."""
    identity: Identity | None = None
    """The package's name, version and user agent (likewise)."""
    query: tuple[Query, ...] = ()
    """The operation's query parameters, in the spec's order."""
    paging: Paging | None = None
    concurrency: Concurrency | None = None
    base_url_env: str | None = None
    """The environment variable the client reads its base URL from, when
    none is given (in the contract of one operation only)."""
    aio: bool = False
    """The package has an asyncio client (``AsyncClient``): the cases that
    talk to a server run through it as well."""
    command_line: CommandLine | None = None
    """The package's command line (in the contract of one operation only)."""
    batch: bool = False
    """The package binds the batch runner, ``<package>.batch`` (likewise)."""
    strategies: bool = False
    """The package has Hypothesis strategies of the operation's bodies
    (``<package>.strategies``)."""
    local_files: Mapping[str, int | None] | None = None
    """Each asset class's limit on the file its ``from_path`` reads: the
    smallest of the spec's limits on that asset sent as a data URI, ``None``
    where the spec sets none (in the contract of one operation only)."""

    def form(self, name: str) -> Form:
        return next(form for form in self.forms if form.name == name)

    def response(self, class_name: str | None) -> Response | None:
        """The response class ``class_name`` of the operation, if it is one."""
        return next((r for r in self.responses if r.class_name == class_name), None)


@dataclasses.dataclass(frozen=True)
class Case:
    """One contract case.

    ``kind`` says how :func:`run_case` runs it: ``"payload"`` (validate the
    raw ``body``; ``expected`` is the sorted tuple of triples), ``"request"``
    (build the typed request from ``body`` in every validation mode),
    ``"response"`` (read ``body``; ``expected`` maps attributes to values) or
    ``"table"`` (``expected`` is the value at ``path`` in the tables).
    ``form`` names the form (the response class of a ``"response"`` case,
    the enum class of an ``"enum"`` case). ``says`` maps a field of a
    ``"payload"`` case to the call (``<package>.Image.from_path``) that each
    of its type and encoding errors must tell the user to make, and that the
    package must have.
    """

    id: str
    body: Any
    expected: Any
    kind: str = "payload"
    form: str = ""
    model: str | None = None
    path: tuple[str | int, ...] = ()
    says: Mapping[str, str] = dataclasses.field(default_factory=dict)
    aio: bool = False
    """Run through the asyncio client (``AsyncClient``), not ``Client``."""


# What the spec implies for a body: an independent reading of the rules.

WRONG_TYPES: Final[Mapping[str, tuple[Any, ...]]] = {
    "string": (5, None),
    "integer": ("5", True, 5.5, None),
    "number": ("1.5", True, None),
    "boolean": (1, "true", None),
    "array": ("x", None),
}
"""Values of another JSON type than each kind's (``None`` is JSON null)."""
UNKNOWN_KEY: Final = "zz_unknown_key"
UNKNOWN_MODEL: Final = "zz-unknown-model"
LOCAL_FILE: Final = "zz-local-file.png"
"""A local file's name, sent where an asset belongs."""
SIX_BYTES: Final = "\x01"
"""A character JSON writes in six bytes (``\\u0001``), the most any takes."""


def hit(rule: str, field: str, severity: str = "error") -> Triple:
    return (rule, field, severity)


def type_ok(kind: str | None, value: Any) -> bool:
    """Whether ``value`` has the JSON type ``kind`` (nothing is coerced)."""
    if kind == "string":
        return type(value) is str
    if kind == "integer":
        return type(value) is int
    if kind == "number":
        return type(value) is int or type(value) is float
    if kind == "boolean":
        return type(value) is bool
    if kind == "array":
        return type(value) is list or type(value) is tuple
    return True


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same type (so ``True`` is not ``1``)."""
    return type(a) is type(b) and a == b


def one_of(value: Any, values: Sequence[Any]) -> bool:
    return any(same_value(value, v) for v in values)


def for_model(rows: Mapping[str, Any], model: str | None) -> Any:
    """The row of ``model``, or ``None``."""
    return rows.get(model) if model is not None else None


def ranges(f: Field, model: str | None) -> list[tuple[int, int]]:
    row = for_model(f.range_by_model, model)
    return [b for b in (f.range, row) if b is not None]


def counts(f: Field, model: str | None) -> list[tuple[int, int]]:
    row = for_model(f.count_by_model, model)
    return [b for b in (f.count, row) if b is not None]


def find(fields: Sequence[Field], name: str) -> Field:
    return next(f for f in fields if f.name == name)


def models_of(form: Form) -> tuple[str | None, ...]:
    """The form's models; a form without models is checked with none."""
    return form.models or (None,)


def presence_hits(f: Field, model: str | None, path: str) -> list[Triple]:
    """What sending the field at all causes for ``model``."""
    out = []
    if model is not None and model in f.unsupported_by:
        out.append(hit(f"{f.path}.unsupported", path))
    if model is not None and model in f.ignored_by:
        out.append(hit(f"{f.path}.ignored", path, "warning"))
    return out


def field_hits(
    form: Form, f: Field, model: str | None, value: Any, path: str
) -> list[Triple]:
    """The violations of one field's value (its presence aside)."""
    rb = f.path
    if not type_ok(f.kind, value):
        return [hit(f"{rb}.type", path)]
    out: list[Triple] = []
    if f.kind == "string":
        if f.length is not None and not f.length[0] <= len(value) <= f.length[1]:
            out.append(hit(f"{rb}.length", path))
        if f.choices is not None and f.aliases.get(value, value) not in f.choices:
            out.append(hit(f"{rb}.choice", path))
        own = for_model(f.choices_by_model, model)
        if own is not None and value not in own:
            out.append(hit(f"{rb}.choice", path))
        pattern = for_model(f.pattern_by_model, model)
        if pattern is not None and not patterns.fullmatch(re.compile(pattern), value):
            out.append(hit(f"{rb}.pattern", path))
    elif f.kind == "integer":
        for low, high in ranges(f, model):
            if not low <= value <= high:
                out.append(hit(f"{rb}.range", path))
    elif f.kind == "array":
        for low, high in counts(f, model):
            if not low <= len(value) <= high:
                out.append(hit(f"{rb}.count", path))
        for i, item in enumerate(value):
            where = f"{path}[{i}]"
            if f.items == "object":
                obj = form.objects[str(f.items_object)]
                out += object_hits(form, obj, f, model, item, where)
            elif not type_ok(f.items_type, item):
                out.append(hit(f"{rb}.type", where))
            elif f.items == "asset" and not is_reference(item):
                out.append(hit(f"{rb}.encoding", where))
    return out


def is_reference(value: str) -> bool:
    """Whether an asset string may be a URL, a data URI or another reference
    the service takes. Only the strings the cases send where no asset can be
    are judged (:data:`LOCAL_FILE`, text of :data:`SIX_BYTES`): each is an
    ``.encoding`` error. What a data URI holds is the asset tests' matter."""
    return value != LOCAL_FILE and not value.startswith(SIX_BYTES)


def object_hits(
    form: Form, obj: Obj, owner: Field, model: str | None, item: Any, where: str
) -> list[Triple]:
    if not isinstance(item, Mapping):
        return [hit(f"{owner.path}.type", where)]
    names = {f.name for f in obj.fields}
    out = [hit("unknown_field", f"{where}.{key}") for key in item if key not in names]
    for f in obj.fields:
        path = f"{where}.{f.name}"
        if f.name in item:
            out += presence_hits(f, model, path)
            out += field_hits(form, f, model, item[f.name], path)
        elif f.required:
            out.append(hit(f"{f.path}.required", path))
    out += rule_hits(obj.fields, obj.rules, model, item, f"{where}.")
    return out


def effective(f: Field, model: str | None, source: Mapping[str, Any]) -> Any:
    """The value the service works with: the one sent, else the default."""
    value = source.get(f.name, MISSING)
    if value is not MISSING and type_ok(f.kind, value):
        return f.aliases.get(value, value) if type(value) is str else value
    return f.default_for(model)


def holds(
    c: Condition, fields: Sequence[Field], model: str | None, source: Mapping[str, Any]
) -> bool:
    if c.present is not None:
        return (c.field in source) is c.present
    value = effective(find(fields, c.field), model, source)
    if any(type(v) is bool for v in c.values):
        return any(value is v for v in c.values)
    return type(value) is not bool and value in c.values


def total(source: Mapping[str, Any], rule: Rule) -> int:
    items = source.get(str(rule.total))
    if not isinstance(items, list | tuple):
        return 0
    if rule.total_key is None:
        return len(items)
    key = rule.total_key
    return sum(
        len(item[key])
        for item in items
        if isinstance(item, Mapping) and isinstance(item.get(key), list | tuple)
    )


def rule_hits(
    fields: Sequence[Field],
    rules: Sequence[Rule],
    model: str | None,
    source: Mapping[str, Any],
    prefix: str,
) -> list[Triple]:
    """The cross-field rules that fire for ``source``."""
    out = []
    for rule in rules:
        if rule.total is not None and model is None:
            continue
        if rule.models and model not in rule.models:
            continue
        if not all(holds(c, fields, model, source) for c in rule.conditions):
            continue
        if rule.total is not None and total(source, rule) <= rule.limit(model):
            continue
        out.append(hit(rule.id, prefix + rule.field, rule.severity))
    return out


def form_for(spec: ContractSpec, body: Mapping[str, Any]) -> Form:
    """The form the body is checked as: the first whose selector it has."""
    for form in spec.forms:
        if form.selected_by is not None and form.selected_by in body:
            return form
    return next(form for form in spec.forms if form.selected_by is None)


def model_of(
    spec: ContractSpec, form: Form, body: Mapping[str, Any], out: list[Triple]
) -> str | None:
    """The body's model if the form takes it; else ``None``, and what is wrong
    with the model goes to ``out``."""
    if form.model_field is None:
        return None
    mf = find(form.fields, form.model_field)
    value = body.get(mf.name, MISSING)
    if type(value) is str:
        if value in form.models:
            return value
        known = value in spec.known_models
        out.append(hit(f"{mf.path}.form" if known else f"{mf.path}.unknown", mf.name))
    elif value is MISSING:
        out.append(hit(f"{mf.path}.required", mf.name))
    else:
        out.append(hit(f"{mf.path}.type", mf.name))
    return None


def expected_for(spec: ContractSpec, body: Any) -> tuple[Triple, ...]:
    """Every violation the spec implies for a raw body, sorted."""
    if not isinstance(body, Mapping):
        return (hit("body.type", "body"),)
    form = form_for(spec, body)
    names = {f.name for f in form.fields}
    out = [hit("unknown_field", str(key)) for key in body if key not in names]
    model = model_of(spec, form, body, out)
    for f in form.fields:
        if f.is_model:
            continue
        if f.name in body:
            out += presence_hits(f, model, f.name)
            out += field_hits(form, f, model, body[f.name], f.name)
        elif f.required:
            out.append(hit(f"{f.path}.required", f.name))
    out += rule_hits(form.fields, form.rules, model, body, "")
    if form.body_max_bytes is not None:
        size = encoded_size(body)
        if size is not None and size > form.body_max_bytes:
            out.append(hit("body.size", "body"))
    return tuple(sorted(out))


def encoded_size(body: Mapping[str, Any]) -> int | None:
    """Bytes of ``body`` as the client sends it: compact JSON in UTF-8;
    ``None`` for a body that is not JSON (a local path in it), which has no
    size to report."""
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    except TypeError:
        return None
    return len(text.encode("utf-8", "surrogatepass"))


# Values to try, and bodies built from them.


@functools.cache
def text(length: int) -> str:
    return "x" * length


def unique(values: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if not one_of(value, out):
            out.append(value)
    return out


def string_candidates(f: Field, model: str | None) -> list[Any]:
    """The default, every choice of any model, the enum's values, the
    aliases, near misses of a pattern, boundary lengths, made-up text."""
    values: list[Any] = [f.default_for(model), *(f.choices or ())]
    values += for_model(f.choices_by_model, model) or ()
    for choices in f.choices_by_model.values():
        values += choices
    values += [*f.enum_values, *f.aliases]
    pattern = for_model(f.pattern_by_model, model)
    if pattern is not None:
        compiled = re.compile(pattern)
        matching = [
            v for v in values if type(v) is str and patterns.fullmatch(compiled, v)
        ]
        values += [v + "x" for v in matching[:1]] + ["x" + v for v in matching[:1]]
        values.append("")
    if f.length is not None:
        low, high = f.length
        values += [text(low), text(high), text(high + 1)]
        if low > 0:
            values.append(text(low - 1))
    values += ["x", "zz-unlisted"]
    return [v for v in unique(values) if type(v) is str]


def integer_candidates(f: Field, model: str | None) -> list[Any]:
    """The default and each bound, one inside and one outside; with no
    bound for the model, values beyond every other model's bounds."""
    values: list[Any] = [f.default_for(model)]
    bounds = ranges(f, model)
    for low, high in bounds:
        values += [low, high, low - 1, high + 1]
    if not bounds:
        others = [*f.range_by_model.values(), *([f.range] if f.range else [])]
        if others:
            values += [min(b[0] for b in others) - 1, max(b[1] for b in others) + 1]
        values.append(0)
    return [v for v in unique(values) if type(v) is int]


def array_sizes(f: Field, model: str | None) -> list[int]:
    """One item (or the least allowed) first, then each bound of the count,
    one inside and one outside."""
    bounds = counts(f, model)
    sizes = [max([1, *(low for low, _ in bounds)])]
    for low, high in bounds:
        sizes += [low, high, low - 1, high + 1]
    return [n for n in unique(sizes) if n >= 0]


def items(form: Form, f: Field, model: str | None, n: int) -> list[Any]:
    """``n`` valid items: minimal objects, https URLs for assets, scalars."""
    if f.items == "object":
        item = minimal_object(form, form.objects[str(f.items_object)], model)
        return [item] * n
    if f.items_type == "integer":
        return list(range(n))
    if f.items_type == "number":
        return [0.5] * n
    if f.items_type == "boolean":
        return [True] * n
    return [f"https://example.com/{f.path}/{i}" for i in range(n)]


def candidates(form: Form, f: Field, model: str | None) -> list[Any]:
    """Values of the right JSON type to send for ``f``, valid or not."""
    default = f.default_for(model)
    if f.kind == "string":
        return string_candidates(f, model)
    if f.kind == "integer":
        return integer_candidates(f, model)
    if f.kind == "number":
        return [v for v in unique([default, 0.5, 1]) if type_ok("number", v)]
    if f.kind == "boolean":
        return [v for v in unique([default, False, True]) if v is not None]
    if f.kind == "array":
        return [items(form, f, model, n) for n in array_sizes(f, model)]
    return []


def valid_value(form: Form, f: Field, model: str | None) -> Any:
    """The first value of ``f`` that the spec allows for ``model``."""
    values = candidates(form, f, model)
    for value in values:
        if not field_hits(form, f, model, value, f.name):
            return value
    return values[0] if values else "x"


def other_value(form: Form, f: Field, model: str | None, values: Sequence[Any]) -> Any:
    """A valid value of ``f`` outside ``values`` (any other if none is)."""
    others = [v for v in candidates(form, f, model) if not one_of(v, values)]
    for value in others:
        if not field_hits(form, f, model, value, f.name):
            return value
    return others[0] if others else MISSING


def satisfy_presence_rules(
    form: Form,
    fields: Sequence[Field],
    rules: Sequence[Rule],
    model: str | None,
    source: dict[str, Any],
) -> None:
    """Add a field where a "one of these is needed" rule would fire."""
    for rule in rules:
        needs = rule.total is None and all(c.present is False for c in rule.conditions)
        if not needs or not rule_hits(fields, [rule], model, source, ""):
            continue
        for c in rule.conditions:
            f = find(fields, c.field)
            if model not in f.unsupported_by:
                source[c.field] = valid_value(form, f, model)
                break


def minimal_object(form: Form, obj: Obj, model: str | None) -> dict[str, Any]:
    item = {f.name: valid_value(form, f, model) for f in obj.fields if f.required}
    satisfy_presence_rules(form, obj.fields, obj.rules, model, item)
    return item


def minimal_body(form: Form, model: str | None) -> dict[str, Any]:
    """The model, the required fields, and what a presence rule needs."""
    body: dict[str, Any] = {}
    for f in form.fields:
        if f.is_model:
            body[f.name] = model
        elif f.required or f.name == form.selected_by:
            body[f.name] = valid_value(form, f, model)
    satisfy_presence_rules(form, form.fields, form.rules, model, body)
    return body


def edit(
    body: Mapping[str, Any], array: str | None, changes: Changes
) -> dict[str, Any]:
    """A copy of ``body`` with ``changes`` made to it, or to the first item
    of its ``array``; a change to ``MISSING`` removes the key."""
    out = dict(body)
    target = out
    if array is not None:
        target = dict(out[array][0])
        out[array] = [target, *out[array][1:]]
    for name, value in changes:
        if value is MISSING:
            target.pop(name, None)
        else:
            target[name] = value
    return out


def met_change(
    form: Form,
    fields: Sequence[Field],
    model: str | None,
    source: Mapping[str, Any],
    c: Condition,
    index: int = 0,
) -> tuple[str, Any]:
    """The change that makes condition ``c`` hold (with its ``index``-th value)."""
    if c.present is True:
        value = source.get(c.field, MISSING)
        if value is MISSING:
            value = valid_value(form, find(fields, c.field), model)
        return c.field, value
    if c.present is False:
        return c.field, MISSING
    return c.field, c.values[index]


def unmet_change(
    form: Form, fields: Sequence[Field], model: str | None, c: Condition
) -> tuple[str, Any]:
    """The change that makes condition ``c`` fail, with a valid value."""
    f = find(fields, c.field)
    if c.present is True:
        return c.field, MISSING
    if c.present is False:
        return c.field, valid_value(form, f, model)
    return c.field, other_value(form, f, model, c.values)


def filled_total(
    form: Form, f: Field, key: str | None, model: str | None, n: int
) -> Any:
    """A value of ``f`` holding ``n`` items in all: in ``f`` itself, or in
    the ``key`` arrays of as few of its objects as their counts allow."""
    if key is None:
        return items(form, f, model, n)
    if n < 1 or f.items != "object":
        return None
    obj = form.objects[str(f.items_object)]
    inner = find(obj.fields, key)
    cap = max(1, min((high for _, high in counts(inner, model)), default=n))
    sizes = [cap] * (n // cap) + ([n % cap] if n % cap else [])
    item = minimal_object(form, obj, model)
    return [{**item, key: items(form, inner, model, size)} for size in sizes]


def short(value: Any) -> str:
    if type(value) is str and len(value) > 24:
        return f"{value[:1]!r}*{len(value)}"
    if type(value) is list:
        return f"[{len(value)} items]"
    return repr(value)


def field_slots(form: Form) -> Iterator[tuple[str | None, Field]]:
    """Every field of the form and of its objects; ``array`` names the
    top-level array whose first item holds the field."""
    for f in form.fields:
        if not f.is_model:
            yield None, f
    for f in form.fields:
        if f.items == "object":
            for inner in form.objects[str(f.items_object)].fields:
                yield f.name, inner


def slot_path(array: str | None, f: Field) -> str:
    return f.name if array is None else f"{array}[0].{f.name}"


# The cases.


class Builder:
    """Collects the cases of one spec, keeping their ids unique."""

    def __init__(self, spec: ContractSpec) -> None:
        self.spec = spec
        self.cases: list[Case] = []
        self.ids: set[str] = set()

    def add(self, case: Case) -> None:
        case_id, n = case.id, 1
        while case_id in self.ids:
            n += 1
            case_id = f"{case.id} #{n}"
        self.ids.add(case_id)
        self.cases.append(dataclasses.replace(case, id=case_id))

    def payload(self, form: Form, model: str | None, label: str, body: Any) -> None:
        """A raw body, expecting what the spec implies for it."""
        case_id = f"{form.name}/{model}/{label}"
        expected = expected_for(self.spec, body)
        self.add(Case(case_id, body, expected, "payload", form.name, model))

    def request(self, form: Form, model: str | None, label: str, body: Any) -> None:
        """A typed request built from ``body``."""
        case_id = f"{form.name}/{model}/request {label}"
        expected = expected_for(self.spec, body)
        self.add(Case(case_id, body, expected, "request", form.name, model))


def field_cases(
    b: Builder, form: Form, model: str | None, base: dict[str, Any]
) -> None:
    """Each field: every candidate value, values of other JSON types, a
    wrong item, the field left out, and its default sent explicitly."""
    for array, f in field_slots(form):
        if array is not None and array not in base:
            continue
        where = slot_path(array, f)
        for value in candidates(form, f, model):
            body = edit(base, array, [(f.name, value)])
            b.payload(form, model, f"{where}={short(value)}", body)
        for value in WRONG_TYPES.get(f.kind, ()):
            body = edit(base, array, [(f.name, value)])
            b.payload(form, model, f"{where}={value!r} (type)", body)
        if f.kind == "array" and f.items is not None:
            bad = "x" if f.items == "object" else 5
            least = max([1, *(low for low, _ in counts(f, model))])
            good = items(form, f, model, least)
            body = edit(base, array, [(f.name, [bad, *good[1:]])])
            b.payload(form, model, f"{where}[0]={bad!r} (type)", body)
        if f.required and f.name != form.selected_by:
            body = edit(base, array, [(f.name, MISSING)])
            b.payload(form, model, f"{where} left out", body)
        default = f.default_for(model)
        if default is not None:
            body = edit(base, array, [(f.name, default)])
            b.payload(form, model, f"{where}={default!r} (default)", body)


def rule_cases(b: Builder, form: Form, model: str | None, base: dict[str, Any]) -> None:
    """Each rule: bodies where it fires, and near-identical ones where one
    condition fails or is left to its default; totals at the limit and one
    over it, for every limit any model of the form has."""
    scopes: list[tuple[str, str | None, Sequence[Field], Rule]] = [
        (f"rule {rule.id} [{i}]", None, form.fields, rule)
        for i, rule in enumerate(form.rules)
    ]
    for f in form.fields:
        if f.items == "object" and f.name in base:
            obj = form.objects[str(f.items_object)]
            scopes += [
                (f"rule {rule.id} [{f.name}[0], {i}]", f.name, obj.fields, rule)
                for i, rule in enumerate(obj.rules)
            ]
    for name, array, fields, rule in scopes:
        source = base if array is None else base[array][0]
        conds = rule.conditions
        fire = [met_change(form, fields, model, source, c) for c in conds]
        variants: list[tuple[str, Changes]] = []
        for i, c in enumerate(conds):
            before, after = fire[:i], fire[i + 1 :]
            for k in range(1, len(c.values)):
                again = met_change(form, fields, model, source, c, k)
                variants.append(
                    (f"{c.field}={c.values[k]!r}", [*before, again, *after])
                )
            unmet = unmet_change(form, fields, model, c)
            variants.append((f"not {c.field}", [*before, unmet, *after]))
            if c.present is None:
                left_out = (c.field, MISSING)
                variants.append((f"{c.field} left out", [*before, left_out, *after]))
        valued = [(c.field, MISSING) for c in conds if c.present is None]
        if len(valued) > 1:
            variants.append(("all left out", [*fire, *valued]))
        if rule.total is None:
            b.payload(form, model, f"{name} fires", edit(base, array, fire))
            for label, changes in variants:
                b.payload(form, model, f"{name} {label}", edit(base, array, changes))
            continue
        counted = find(fields, rule.total)
        limits = {rule.limit(m) for m in models_of(form)}
        for n in sorted({n for limit in limits for n in (limit, limit + 1)}):
            filled = filled_total(form, counted, rule.total_key, model, n)
            if filled is None:
                continue
            change = (counted.name, filled)
            at = f"{name} total={n}"
            b.payload(form, model, at, edit(base, array, [*fire, change]))
            for label, changes in variants:
                body = edit(base, array, [*changes, change])
                b.payload(form, model, f"{at} {label}", body)


def model_cases(b: Builder, form: Form) -> None:
    """An unknown model, each known model the form does not take, a model of
    another JSON type (an array holding a model too), no model; a typed
    request with a value of another JSON type; unknown keys; other forms'
    fields."""
    forms = b.spec.forms
    first = models_of(form)[0]
    base = minimal_body(form, first)
    if form.model_field is not None:
        mf = find(form.fields, form.model_field)
        outside = [m for m in b.spec.known_models if m not in form.models]
        wrong = [*WRONG_TYPES[mf.kind], [first]]
        for value in [UNKNOWN_MODEL, *outside, *wrong, MISSING]:
            body = edit(base, None, [(mf.name, value)])
            b.payload(form, first, f"{mf.name}={value!r}", body)
        body = edit(base, None, [(mf.name, UNKNOWN_MODEL)])
        b.request(form, first, UNKNOWN_MODEL, body)
    typed = next(
        (
            f
            for f in form.fields
            if not f.is_model
            and f.items is None
            and not f.enum_values
            and f.name != form.selected_by
            and f.kind in WRONG_TYPES
        ),
        None,
    )
    if typed is not None:
        value = WRONG_TYPES[typed.kind][0]
        body = edit(base, None, [(typed.name, value)])
        b.request(form, first, f"{typed.name}={value!r} (type)", body)
    b.payload(form, first, "unknown key", edit(base, None, [(UNKNOWN_KEY, 1)]))
    for array, _ in field_slots(form):
        if array is not None and array in base:
            body = edit(base, array, [(UNKNOWN_KEY, 1)])
            b.payload(form, first, f"{array}[0] unknown key", body)
            break
    names = {f.name for f in form.fields} | {other.selected_by for other in forms}
    for other in forms:
        for f in other.fields:
            if f.name not in names:
                value = valid_value(other, f, models_of(other)[0])
                body = edit(base, None, [(f.name, value)])
                b.payload(form, first, f"{f.name} of the {other.name} form", body)
                names.add(f.name)


def local_file_cases(b: Builder, form: Form) -> None:
    """Each field of assets given a local file, as a path object (for the
    array and for an item) and by its name (for an item): an error with the
    field's rule, whose message names the call that sends the file."""
    model = models_of(form)[0]
    base = minimal_body(form, model)
    path = pathlib.PurePosixPath(LOCAL_FILE)
    for array, f in field_slots(form):
        if f.items != "asset" or (array is not None and array not in base):
            continue
        where = slot_path(array, f)
        for label, value, at in (
            ("a path", path, where),
            ("[a path]", [path], f"{where}[0]"),
            (f"[{LOCAL_FILE!r}]", [LOCAL_FILE], f"{where}[0]"),
        ):
            body = edit(base, array, [(f.name, value)])
            case_id = f"{form.name}/{model}/{where}={label} (local file)"
            expected = expected_for(b.spec, body)
            says = {at: f.reader} if f.reader is not None else {}
            b.add(Case(case_id, body, expected, "payload", form.name, model, says=says))


SPREAD: Final = 1 << 13
"""Characters of each string in the body one byte over a form's size limit
(:func:`size_cases`)."""


def size_cases(b: Builder, form: Form) -> None:
    """A body one byte over the form's size limit, made of characters JSON
    writes in six bytes and spread over every string of the body (each holds
    :data:`SPREAD` of them, the first top-level one the rest): its size is
    reported, however the package bounds it before measuring. A package that
    counts any one string short (five bytes a character, say) misses it."""
    limit = form.body_max_bytes
    if limit is None:
        return
    model = models_of(form)[0]
    body = minimal_body(form, model)
    fill = SIX_BYTES * SPREAD
    pad: Field | None = None
    for array, f in field_slots(form):
        if array is not None and array not in body:
            continue
        if f.kind == "string":
            body = edit(body, array, [(f.name, fill)])
            pad = f if pad is None and array is None else pad
        elif f.kind == "array" and f.items != "object" and f.items_type == "string":
            body = edit(body, array, [(f.name, [fill])])
    size = encoded_size(body)
    if pad is None or size is None or size > limit:
        return  # no string to fill, or a limit below even this body
    more, rest = divmod(limit + 1 - size, 6)
    body = edit(body, None, [(pad.name, fill + SIX_BYTES * more + "x" * rest)])
    b.payload(form, model, f"body of {limit + 1} bytes in every string", body)


def structurable(case: Case) -> bool:
    """Whether a typed request can be built from the case's body: no
    unknown keys, nothing required left out, every value of its JSON type."""
    return isinstance(case.body, Mapping) and not any(
        rule == "unknown_field" or rule.endswith((".type", ".required"))
        for rule, _, _ in case.expected
    )


def request_cases(
    b: Builder, form: Form, model: str | None, base: dict[str, Any]
) -> None:
    """The typed request: a minimal one, one with a wrong value in every
    field it can have one in, and one that only draws warnings."""
    b.request(form, model, "minimal", base)
    changes: Changes = []
    for f in form.fields:
        if f.is_model or f.items == "object" or f.name == form.selected_by:
            continue
        for value in candidates(form, f, model):
            if field_hits(form, f, model, value, f.name):
                changes.append((f.name, value))
                break
    if changes:
        b.request(form, model, "all wrong", edit(base, None, changes))
    for case in b.cases:
        severities = {t[2] for t in case.expected}
        mine = case.kind == "payload" and case.form == form.name and case.model == model
        if mine and severities == {"warning"} and structurable(case):
            b.request(form, model, case.id.rsplit("/", 1)[1], case.body)
            break


SAMPLES: Final[Mapping[str, Any]] = {
    "string": "7",
    "integer": 7,
    "number": 1.5,
    "boolean": True,
}
ANNOTATION_KINDS: Final = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
}


def response_body(
    spec: ContractSpec, response: Response
) -> tuple[dict[str, Any], list[tuple[ResponseField, Any]]]:
    """A value for every field (objects of arrays filled in too), and the
    other values each union field can hold."""
    body: dict[str, Any] = {}
    unions: list[tuple[ResponseField, Any]] = []
    for f in response.fields:
        inner = spec.response(f.items_object)
        if f.kind == "union":
            kinds = [ANNOTATION_KINDS[t] for t in f.annotation.split(" | ")]
            unions += [(f, SAMPLES[k]) for k in kinds[1:] if k in SAMPLES]
            body[f.name] = SAMPLES[kinds[0]]
        elif f.enum_values:
            body[f.name] = f.enum_values[-1]
        elif f.kind == "array" and inner is not None:
            body[f.name] = [response_body(spec, inner)[0]]
        elif f.kind == "array":
            body[f.name] = [SAMPLES.get(str(f.items_type), "7")]
        else:
            body[f.name] = SAMPLES[f.kind]
    return body, unions


def response_cases(b: Builder) -> None:
    """Every field read back with unknown keys around it, each type of a
    union kept as sent, an enum value the spec does not list kept as text."""
    for response in b.spec.responses:
        cls = response.class_name
        body, unions = response_body(b.spec, response)
        expected = {f.py_name: body[f.name] for f in response.fields}
        every = {**body, UNKNOWN_KEY: {"a": [1]}}
        b.add(Case(f"response {cls} every field", every, expected, "response", cls))
        always = {f.name: body[f.name] for f in response.fields if f.required}
        for f, value in unions:
            one = {**always, f.name: value, UNKNOWN_KEY: 1}
            label = f"response {cls} {f.name}={value!r}"
            b.add(Case(label, one, {f.py_name: value}, "response", cls))
        for f in response.fields:
            if f.enum_values:
                one = {**always, f.name: "zz-unlisted"}
                label = f"response {cls} {f.name} unlisted"
                b.add(Case(label, one, {f.py_name: "zz-unlisted"}, "response", cls))


ASYNCIO: Final = {False: "", True: " (asyncio)"}
"""What a case's id ends with, by whether it runs through the asyncio client."""


def service_cases(b: Builder) -> None:
    """The operation as sent on the wire, the response examples, the error
    table, the callback signature's vectors and the package's exports; what
    talks to a server, through the asyncio client too when there is one."""
    spec = b.spec
    clients = (False, True) if spec.aio else (False,)
    for response in spec.responses:
        for i, text in enumerate(response.examples):
            label = f"response {response.class_name} example {i}"
            b.add(Case(label, json.loads(text), None, "example", response.class_name))
    if spec.route is not None:
        route = spec.route
        label = f"route {route.method} {route.path}"
        for form in [form.name for form in spec.forms] or [""]:
            at = f"{label} {form}".rstrip()
            for aio in clients:
                b.add(Case(at + ASYNCIO[aio], None, route, "route", form, aio=aio))
    if spec.errors is not None:
        b.add(Case("errors as the client reads them", None, spec.errors, "errors"))
        b.add(Case("errors as the fake server sends them", None, spec.errors, "fake"))
    for i, vector in enumerate(spec.vectors):
        b.add(Case(f"callback signature vector {i}", None, vector, "signature"))
    if spec.exports is not None:
        b.add(Case("exports", None, spec.exports, "exports"))
    for name, limit in (spec.local_files or {}).items():
        if limit is not None:
            b.add(
                Case(f"{name}.from_path at its limit", None, limit, "local file", name)
            )
    label = f"{spec.operation} in OPERATIONS"
    b.add(Case(label, None, bool(spec.forms), "listed"))
    for name, members in (spec.enums or {}).items():
        b.add(Case(f"enum {name}", None, members, "enum", name))
    if spec.identity is not None:
        b.add(Case("identity", None, spec.identity, "identity"))
    classes = [form.class_name for form in spec.forms]
    classes += [o.class_name for form in spec.forms for o in form.objects.values()]
    classes += [r.class_name for r in spec.responses]
    if classes:
        b.add(Case(f"keywords of {spec.operation}", None, tuple(classes), "keywords"))
    if spec.query and spec.route is not None:
        label = f"query of {spec.operation}"
        for aio in clients:
            b.add(Case(label + ASYNCIO[aio], None, spec.query, "query", aio=aio))
    if spec.paging is not None and spec.route is not None:
        b.add(Case(f"pages of {spec.operation}", None, spec.paging, "paging"))
    if spec.concurrency is not None and spec.route is not None:
        label = f"concurrency of {spec.operation}"
        b.add(Case(label, None, spec.concurrency, "concurrency"))
    if spec.base_url_env is not None and spec.route is not None:
        label = f"base URL from ${spec.base_url_env}"
        name = spec.base_url_env
        for aio in clients:
            b.add(Case(label + ASYNCIO[aio], None, name, "environment", aio=aio))
    if spec.command_line is not None:
        line = spec.command_line
        b.add(Case(f"python -m {line.package}", None, line, "command line"))
    if spec.strategies and spec.forms:
        b.add(Case(f"strategies of {spec.operation}", None, None, "strategies"))
    if spec.batch:
        label = "batch.run hands on every option"
        b.add(Case(label, None, spec.base_url_env, "batch"))


QUERY_TABLE_ATTRIBUTES: Final = ("kind", "required", "choices")
"""Query parameter attributes the client does not show (a string's kind
sends it as it is; choices document the parameter)."""
TABLE_ATTRIBUTES: Final = ("kind", "required", "default", "default_by_model")
"""Field attributes that validation does not show (a default shows only
through a rule that reads it): these are compared with the spec directly."""


def table_cases(b: Builder) -> None:
    """What the published tables hold that validation does not show."""

    def table(path: tuple[str | int, ...], value: Any, form: str = "") -> None:
        label = ".".join(str(part) for part in path)
        b.add(Case(f"tables {label}", None, value, "table", form, path=path))

    table(("KNOWN_MODELS",), b.spec.known_models)
    for form in b.spec.forms:
        c, name = form.const, form.name
        table((c, "operation"), b.spec.operation, name)
        table((c, "name"), name, name)
        table((c, "request_class"), form.class_name, name)
        table((c, "body_max_bytes"), form.body_max_bytes, name)
        for f in form.fields:
            for attr in TABLE_ATTRIBUTES:
                table((c, "fields", f.name, attr), getattr(f, attr), name)
        for obj in form.objects.values():
            for f in obj.fields:
                for attr in TABLE_ATTRIBUTES:
                    path = (c, "objects", obj.name, f.name, attr)
                    table(path, getattr(f, attr), name)
            for i, rule in enumerate(obj.rules):
                table((c, "object_rules", obj.name, i, "field"), rule.field, name)
        for i, rule in enumerate(form.rules):
            table((c, "rules", i, "field"), rule.field, name)
    for i, q in enumerate(b.spec.query):
        for attr in QUERY_TABLE_ATTRIBUTES:
            where = ("OPERATION_INFO", b.spec.operation, "query", i, attr)
            table(where, getattr(q, attr))


def build_cases(spec: ContractSpec) -> list[Case]:
    """Every contract case of the operation ``spec`` describes."""
    b = Builder(spec)
    for form in spec.forms:
        for model in models_of(form):
            base = minimal_body(form, model)
            minimal = f"{form.name}/{model}/minimal"  # expecting no violation
            b.add(Case(minimal, base, (), "payload", form.name, model))
            field_cases(b, form, model, base)
            rule_cases(b, form, model, base)
            request_cases(b, form, model, base)
        model_cases(b, form)
        local_file_cases(b, form)
        size_cases(b, form)
    if spec.forms:
        b.payload(form_for(spec, {}), None, "body not an object", [])
    response_cases(b)
    service_cases(b)
    table_cases(b)
    return b.cases


# Running a case against a build of the package.


def triples(violations: Iterable[Any]) -> tuple[Triple, ...]:
    return tuple(sorted((v.rule, v.field, v.severity) for v in violations))


def diff(expected: Sequence[Triple], got: Sequence[Triple]) -> str:
    missing = sorted((Counter(expected) - Counter(got)).elements())
    extra = sorted((Counter(got) - Counter(expected)).elements())
    return f"missing {missing}, unexpected {extra}"


def request_kwargs(
    module: ModuleType, form: Form, body: Mapping[str, Any]
) -> dict[str, Any]:
    """The keyword arguments of the typed request for ``body``."""
    kwargs: dict[str, Any] = {}
    for key, value in body.items():
        f = find(form.fields, key)
        if f.items == "object":
            obj = form.objects[str(f.items_object)]
            cls = getattr(module, obj.class_name)
            value = [
                cls(**{find(obj.fields, k).py_name: v for k, v in item.items()})
                for item in value
            ]
        kwargs[f.py_name] = value
    return kwargs


def build_request(module: ModuleType, form: Form, body: Mapping[str, Any]) -> Any:
    """The typed request of ``form`` for ``body``, built in ``module``."""
    return getattr(module, form.class_name)(**request_kwargs(module, form, body))


@functools.cache
def _building_lines() -> frozenset[int]:
    """The lines of this module that build a typed request or its objects:
    where a warning of the request's validation must point."""
    lines: set[int] = set()
    for function in (request_kwargs, build_request):
        source, first = inspect.getsourcelines(function)
        lines.update(range(first, first + len(source)))
    return frozenset(lines)


def warned(
    module: ModuleType, caught: Sequence[warnings.WarningMessage]
) -> tuple[Triple, ...]:
    """The violations in the ``ValidationWarning``s among ``caught``."""
    return triples(
        w.message.violation
        for w in caught
        if isinstance(w.message, module.ValidationWarning)
    )


def _run_payload(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    found = module.validate_payload(spec.operation, case.body)
    failures = [
        f"not a Violation: {v!r}" for v in found if not isinstance(v, module.Violation)
    ]
    if triples(found) != case.expected:
        failures.append(diff(case.expected, triples(found)))
    for field, call in case.says.items():
        messages = [
            v.message
            for v in found
            if v.field == field and v.rule.endswith((".type", ".encoding"))
        ]
        if not messages or any(f"{call}(" not in m for m in messages):
            failures.append(f"{field}: {messages} do not say to use {call}()")
        if not callable(_named(module, call)):
            failures.append(f"{call}, named in messages, is not in the package")
    return failures


def _named(module: ModuleType, dotted: str) -> object:
    """What ``<package>.a.b`` names in the package ``module`` (which may be
    imported under another name), or ``None``."""
    found: object = module
    for part in dotted.split(".")[1:]:
        found = getattr(found, part, None)
    return found


def _run_request(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """Strict mode raises on errors and warns otherwise; "warn" mode warns
    of everything, each warning pointing at the line that built the request;
    "off" says nothing; ``violations()`` always lists all."""
    form = spec.form(case.form)
    expected: tuple[Triple, ...] = case.expected
    errors = any(t[2] == "error" for t in expected)
    failures = []
    request: Any = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            request = build_request(module, form, case.body)
        except module.ValidationError as exc:
            if not errors or triples(exc.violations) != expected:
                raised = diff(expected, triples(exc.violations))
                failures.append(f"strict: raised {raised}")
        else:
            if errors:
                failures.append("strict: no ValidationError")
    if len(warned(module, caught)) != len(caught):
        failures.append(f"strict: other warnings {[str(w.message) for w in caught]}")
    if warned(module, caught) != (() if errors else expected):
        failures.append(f"strict: warnings {diff(expected, warned(module, caught))}")
    if request is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", module.ValidationWarning)
            failures += _check_built(module, form, request, case.body, expected)
    for mode in ("warn", "off"):
        with (
            warnings.catch_warnings(record=True) as caught,
            module.validation_mode(mode),
        ):
            warnings.simplefilter("always")
            try:
                built = build_request(module, form, case.body)
            except Exception as exc:
                failures.append(f"{mode}: raised {exc!r}")
                continue
        want = expected if mode == "warn" else ()
        if warned(module, caught) != want or len(caught) != len(want):
            failures.append(f"{mode}: warnings {diff(want, warned(module, caught))}")
        elsewhere = {
            (w.filename, w.lineno)
            for w in caught
            if w.filename != __file__ or w.lineno not in _building_lines()
        }
        if elsewhere:
            failures.append(f"{mode}: warnings point into {sorted(elsewhere)}")
        if triples(built.violations()) != expected:
            listed = diff(expected, triples(built.violations()))
            failures.append(f"{mode}: violations() {listed}")
    return failures


def _check_built(
    module: ModuleType,
    form: Form,
    request: Any,
    body: Mapping[str, Any],
    expected: Sequence[Triple],
) -> list[str]:
    """A request built without errors: its JSON is exactly the body, it
    survives a round trip, and what was left out stays unset."""
    failures = []
    sent = request.to_json()
    if sent != body:
        failures.append(f"to_json() gave {sent!r}, not the body {body!r}")
    cls = type(request)
    again = module.converter.structure(module.converter.unstructure(request), cls)
    if again != request:
        failures.append(f"round trip gave {again!r}")
    unset = [
        f.py_name
        for f in form.fields
        if f.name not in body and getattr(request, f.py_name) is not None
    ]
    if unset:
        failures.append(f"fields left out are not None: {unset}")
    if triples(request.violations()) != tuple(expected):
        failures.append(f"violations() {diff(expected, triples(request.violations()))}")
    return failures


def _run_response(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """Each attribute holds what was sent: the same JSON, and for a plain
    value the same type (an enum member stands for its text)."""
    result = getattr(module, case.form).from_json(dict(case.body))
    failures = []
    for name, value in case.expected.items():
        actual = getattr(result, name)
        plain = module.converter.unstructure(actual)
        scalar = not isinstance(value, list | dict)
        same_type = type(actual) is type(value) or isinstance(actual, enum.Enum)
        if plain != value or (scalar and not same_type):
            failures.append(f"{name}: {actual!r}, expected {value!r}")
    return failures


def _run_table(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    value: Any = module.tables
    for part in case.path:
        if isinstance(part, int) or isinstance(value, Mapping):
            value = value[part]
        else:
            value = getattr(value, part)
    if not _same(value, case.expected):
        return [f"tables: {value!r}, the spec says {case.expected!r}"]
    return []


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return same_value(a, b)


def _run_example(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """A response example is read: every known field holds what was sent,
    every other is unset, and a value outside an enum is kept as text."""
    response = next(r for r in spec.responses if r.class_name == case.form)
    result = getattr(module, case.form).from_json(dict(case.body))
    return _compare_read(module, spec, response, result, case.body, case.form)


def _compare_read(
    module: ModuleType,
    spec: ContractSpec,
    response: Response,
    result: Any,
    body: Mapping[str, Any],
    where: str,
) -> list[str]:
    failures = []
    for f in response.fields:
        actual = getattr(result, f.py_name)
        here = f"{where}.{f.name}"
        if f.name not in body:
            if actual is not None:
                failures.append(f"{here}: {actual!r}, but the body has no {f.name}")
            continue
        value = body[f.name]
        inner = next(
            (r for r in spec.responses if r.class_name == f.items_object), None
        )
        if inner is not None and isinstance(value, list):
            if not isinstance(actual, list) or len(actual) != len(value):
                failures.append(f"{here}: {actual!r}, expected {len(value)} items")
                continue
            for i, (item, sent) in enumerate(zip(actual, value, strict=True)):
                failures += _compare_read(
                    module, spec, inner, item, sent, f"{here}[{i}]"
                )
            continue
        plain = module.converter.unstructure(actual)
        scalar = not isinstance(value, list | dict)
        same_type = type(actual) is type(value) or isinstance(actual, enum.Enum)
        if plain != value or (scalar and not same_type):
            failures.append(f"{here}: {actual!r}, expected {value!r}")
    return failures


ERROR_CLASSES: Final = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    429: "RateLimitError",
}
"""The exception class the client raises for an HTTP status (5xx:
``ServerError``, any other: ``APIError``), as its documentation says."""


def error_class_name(status: int) -> str:
    if status >= 500:
        return "ServerError"
    return ERROR_CLASSES.get(status, "APIError")


def _put(body: dict[str, Any], dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[last] = value


def _get(body: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        body = body.get(part) if isinstance(body, Mapping) else None
    return body


class _Scripted(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next of the server's scripted answers."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go as two writes
    server: _ScriptedServer

    def do_GET(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1 << 20))
        self.server.seen.append((self.command, self.path))
        status, body = self.server.answers.pop(0) if self.server.answers else (500, b"")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ScriptedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Scripted)
        self.answers: list[tuple[int, bytes]] = []
        self.seen: list[tuple[str, str]] = []

    def server_bind(self) -> None:  # no host-name lookup
        socketserver.TCPServer.server_bind(self)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextlib.contextmanager
def _scripted() -> Iterator[_ScriptedServer]:
    server = _ScriptedServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _getter(module: ModuleType, client: Any) -> Callable[[], Any]:
    """A call of the operation that reads a task, else of the first operation."""
    info = module.tables.OPERATION_INFO
    op = next((o for o in info.values() if o.task == "get"), next(iter(info.values())))
    method = getattr(client, op.id)
    return lambda: method(*["t-1"] * len(op.params))


def _run_errors(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """Each error of the table, answered in the spec's error-body layout,
    raises the class its status calls for, with its reason, message and
    trace id."""
    errors: Errors = case.expected
    failures = []
    with _scripted() as server:
        for i, code in enumerate(errors.codes):
            body: dict[str, Any] = {}
            _put(body, errors.code, code.status)
            _put(body, errors.reason, code.reason)
            _put(body, errors.message, code.message)
            _put(body, errors.trace_id, f"trace-{i}")
            server.answers.append((code.status, json.dumps(body).encode()))
        client = module.Client("k", base_url=server.url, max_retries=0, timeout=10)
        call = _getter(module, client)
        for i, code in enumerate(errors.codes):
            try:
                call()
            except module.APIError as exc:
                got = (type(exc).__name__, exc.status, exc.reason, exc.message)
                want = (error_class_name(code.status), code.status, code.reason)
                if got[:3] != want or code.message not in str(got[3]):
                    failures.append(f"{code.reason}: raised {got}, expected {want}")
                if exc.trace_id != f"trace-{i}":
                    failures.append(f"{code.reason}: trace_id {exc.trace_id!r}")
            except Exception as exc:
                failures.append(f"{code.reason}: raised {exc!r}")
            else:
                failures.append(f"{code.reason}: nothing raised")
    return failures


def _run_fake(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The fake server answers each error of the table with the table's status
    and message, each part at the spec's place in the error body."""
    errors: Errors = case.expected
    failures = []
    api = importlib.import_module(f"{module.__name__}._api").API
    bodies = testing_responses.ErrorBodies(api.errors)
    testing = importlib.import_module(f"{module.__name__}.testing")
    with testing.FakeServer() as server, urllib3.PoolManager() as http:
        getter = next(
            (o for o in module.tables.OPERATION_INFO.values() if o.task == "get"),
            None,
        )
        for code in errors.codes:
            status, _ = bodies.body(code.reason)
            if status != code.status:
                failures.append(f"{code.reason}: status {status}, not {code.status}")
            if getter is None:
                continue
            server.inject(getter.id, reason=code.reason, status=code.status)
            url = server.url + getter.url_path(dict.fromkeys(getter.params, "t-1"))
            auth = module.tables.AUTH
            reply = http.request(
                getter.method, url, headers={auth.header: auth.value(server.api_key)}
            )
            sent = json.loads(reply.data)
            got = (
                reply.status,
                _get(sent, errors.code),
                _get(sent, errors.reason),
                _get(sent, errors.message),
            )
            message = code.message.replace("{{.fields}}", "")  # no fields named
            want = (code.status, code.status, code.reason, message)
            if got != want or not _get(sent, errors.trace_id):
                failures.append(f"{code.reason}: answered {sent}, expected {want}")
    return failures


class _Blocking:
    """An asyncio client (or its raw-response view) called as a blocking
    one: each coroutine method runs to its end on ``runner``'s event loop."""

    def __init__(self, target: Any, runner: asyncio.Runner) -> None:
        self._target = target
        self._runner = runner

    @property
    def with_raw_response(self) -> _Blocking:
        return _Blocking(self._target.with_raw_response, self._runner)

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._target, name)
        if not inspect.iscoroutinefunction(found):
            return found
        return lambda *args, **kwargs: self._runner.run(found(*args, **kwargs))


@contextlib.contextmanager
def _client(module: ModuleType, aio: bool, *args: Any, **kwargs: Any) -> Iterator[Any]:
    """``module.Client(*args, **kwargs)``; with ``aio``, the package's
    ``AsyncClient`` made with the same arguments, called as a blocking
    client (:class:`_Blocking`). Closed at the end."""
    if not aio:
        with module.Client(*args, **kwargs) as client:
            yield client
        return
    with asyncio.Runner() as runner:
        made = module.AsyncClient(*args, **kwargs)
        try:
            yield _Blocking(made, runner)
        finally:
            runner.run(made.aclose())


def _run_route(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The client (and its raw-response view; the asyncio client's for an
    ``aio`` case) sends the operation with the spec's method and path, each
    path parameter in its place, and a body exactly when the operation takes
    one: the case's form, built from keyword arguments alone, arrives as
    sent, with the package's user agent (the blocking client's, which the
    asyncio one sends through); the fake server counts it under the
    operation's id."""
    route: Route = case.expected
    values, fields, path = _arguments(spec, route, case.form)
    testing = importlib.import_module(f"{module.__name__}.testing")
    with testing.FakeServer() as server:
        with _client(
            module,
            case.aio,
            server.api_key,
            base_url=server.url,
            max_retries=0,
            timeout=10,
        ) as client:
            for view in (client, client.with_raw_response):
                _send(module, getattr(view, spec.operation), values, fields)
            agent = getattr(client, "user_agent", None)
        sent = [(r.method, r.path, r.body is not None) for r in server.requests]
        bodies = [r.body for r in server.requests if r.body is not None]
        counted = server.received[spec.operation]
    want = [(route.method, path, bool(spec.forms))] * 2
    failures = []
    if sent != want:
        failures.append(f"sent {sent}, expected {want}")
    if case.form and bodies != [fields] * 2:
        failures.append(f"sent the bodies {bodies}, expected {[fields] * 2}")
    if counted != 2:
        failures.append(f"the fake server counted {counted} {spec.operation}")
    if not case.aio and spec.identity is not None and agent != spec.identity.user_agent:
        failures.append(f"user agent {agent!r}, expected {spec.identity.user_agent!r}")
    return failures


def _arguments(
    spec: ContractSpec, route: Route, form_name: str
) -> tuple[list[str], dict[str, Any], str]:
    """The path parameters and fields (of the form ``form_name``, if any) of a
    call of the operation, and the path it is sent to."""
    values = [f"p{i}-x" for i in range(len(route.params))]
    path = route.path
    for name, value in zip(route.params, values, strict=True):
        path = path.replace("{" + name + "}", value)
    fields: dict[str, Any] = {}
    if form_name:
        form = spec.form(form_name)
        fields = minimal_body(form, models_of(form)[0])
    return values, fields, path


def _send(
    module: ModuleType,
    method: Callable[..., Any],
    values: Sequence[str],
    fields: Mapping[str, Any],
) -> None:
    """Call ``method``: an unknown task is an error, and the request was sent
    all the same."""
    with contextlib.suppress(module.APIError):
        method(*values, **fields)


@contextlib.contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """The environment variable ``name`` set to ``value`` (unset for
    ``None``), then as it was."""
    before = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def _run_environment(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """A client made without ``base_url`` sends to the URL the spec's
    environment variable holds; one given ``base_url`` sends there, whatever
    the variable says."""
    name: str = case.expected
    assert spec.route is not None
    form = spec.forms[0].name if spec.forms else ""
    values, fields, path = _arguments(spec, spec.route, form)
    testing = importlib.import_module(f"{module.__name__}.testing")
    failures = []
    with testing.FakeServer() as server, contextlib.ExitStack() as clients:
        with _environment(name, server.url):
            made = _client(module, case.aio, server.api_key, max_retries=0, timeout=10)
            client = clients.enter_context(made)
        _send(module, getattr(client, spec.operation), values, fields)
        with _environment(name, server.url + "/zz-elsewhere"):
            made = _client(
                module,
                case.aio,
                server.api_key,
                base_url=server.url,
                max_retries=0,
                timeout=10,
            )
            given = clients.enter_context(made)
        _send(module, getattr(given, spec.operation), values, fields)
        sent = [r.path for r in server.requests]
    if sent != [path] * 2:
        failures.append(f"${name} set: sent {sent}, expected {[path] * 2}")
    return failures


def _run_listed(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The operation is among those ``validate_payload`` checks (the
    package's ``OPERATIONS``) exactly when it takes a body."""
    listed = spec.operation in module.OPERATIONS
    if listed is case.expected:
        return []
    return [f"{spec.operation} in OPERATIONS is {listed}, expected {case.expected}"]


QUERY_TIME: Final = "2025-01-02T03:04:05Z"
"""A date-time value every ``datetime`` parameter takes as it is."""


def query_sent(q: Query) -> list[tuple[Any, list[str]]]:
    """Values of ``q`` the client takes, each with the texts it sends (one
    ``name=text`` pair each, in order)."""
    if q.kind == "boolean":
        return [(True, ["true"]), (False, ["false"])]
    if q.kind == "integer":
        low, high = q.range if q.range is not None else (7, 7)
        ones: list[tuple[Any, str]] = [(low, str(low)), (high, str(high))]
    elif q.kind == "datetime":
        aware = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
        ones = [(QUERY_TIME, QUERY_TIME), (aware, QUERY_TIME)]
    else:
        words = list(q.choices or ("v-1", "v-2"))
        ones = [(words[0], words[0]), (words[-1], words[-1])]
    if not q.repeated:
        return [(value, [text]) for value, text in ones]
    return [
        ([value for value, _ in ones], [text for _, text in ones]),
        ([ones[0][0]], [ones[0][1]]),
    ]


def query_refused(q: Query) -> list[tuple[Any, str]]:
    """Values of ``q`` the client refuses, each with the rule it breaks."""
    wrong: list[tuple[Any, str]]
    if q.kind == "boolean":
        wrong = [("true", "type"), (1, "type")]
    elif q.kind == "integer":
        wrong = [("5", "type"), (True, "type")]
        if q.range is not None:
            wrong += [(q.range[0] - 1, "range"), (q.range[1] + 1, "range")]
    elif q.kind == "datetime":
        wrong = [(5, "type"), (datetime.datetime(2025, 1, 2), "timezone")]
        wrong += [("2025-01-02", "format")]
    else:
        wrong = [(5, "type")]
        if q.choices:
            wrong += [("v-1", "choices")]
    if q.repeated:
        wrong = [([value], rule) for value, rule in wrong]
    return wrong


def _pairs(target: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(target.partition("?")[2], keep_blank_values=True)


def _run_query(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """Each query parameter, given a valid value, arrives under its name
    (dotted as the spec writes it, a list as one pair per item, a boolean as
    ``true``/``false``), through the client and its raw-response view; an
    invalid value is a ``ValidationError`` naming the parameter, and nothing
    is sent."""
    params: tuple[Query, ...] = case.expected
    route = spec.route
    args = [f"p{i}-x" for i in range(len(route.params if route else ()))]
    fields: dict[str, Any] = {}
    if spec.forms:
        form = spec.forms[0]
        fields = minimal_body(form, models_of(form)[0])
    required = {q.py_name: query_sent(q)[0] for q in params if q.required}
    failures = []
    testing = importlib.import_module(f"{module.__name__}.testing")
    with (
        testing.FakeServer() as server,
        _client(
            module,
            case.aio,
            server.api_key,
            base_url=server.url,
            max_retries=0,
            timeout=10,
        ) as client,
    ):
        methods = [
            getattr(client, spec.operation),
            getattr(client.with_raw_response, spec.operation),
        ]
        for q in params:
            for value, texts in query_sent(q):
                given = {k: v for k, (v, _) in required.items()}
                given[q.py_name] = value
                want = []
                for other in params:
                    if other.py_name in given:
                        sent = texts if other is q else required[other.py_name][1]
                        want += [(other.name, text) for text in sent]
                for method in methods:
                    before = len(server.requests)
                    with contextlib.suppress(module.APIError):
                        method(*args, **fields, **given)
                    got = [_pairs(r.path) for r in server.requests[before:]]
                    if got != [want]:
                        failures.append(f"{q.py_name}={value!r} sent {got}, not {want}")
            for value, rule in query_refused(q):
                given = {k: v for k, (v, _) in required.items()}
                given[q.py_name] = value
                expected = [hit(f"{q.py_name}.{rule}", q.py_name)]
                before = len(server.requests)
                try:
                    methods[0](*args, **fields, **given)
                except module.ValidationError as exc:
                    if list(triples(exc.violations)) != expected:
                        failures.append(
                            f"{q.py_name}={value!r}: {diff(expected, triples(exc.violations))}"
                        )
                except Exception as exc:
                    failures.append(f"{q.py_name}={value!r} raised {exc!r}")
                else:
                    failures.append(f"{q.py_name}={value!r} was not refused")
                if len(server.requests) != before:
                    failures.append(f"{q.py_name}={value!r} was sent")
    return failures


PAGE_ITEMS: Final = ((0, 1), (2, 3), (4,))
"""The items of each page the paging case's server answers with."""


def _run_paging(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """Iterating over a list reads every item of every page, asking for each
    page after the first with the token the one before named, and the page
    size on every request."""
    paging: Paging = case.expected
    by_name = {q.name: q for q in spec.query}
    size = by_name.get(paging.page_size or "")
    items = [[{"zz_item": i} for i in page] for page in PAGE_ITEMS]
    tokens = [f"tok-{i}" for i in range(1, len(items))] + [""]
    failures = []
    with _scripted() as server:
        for page, token in zip(items, tokens, strict=True):
            answer = {paging.items: page, paging.next_token: token}
            server.answers.append((200, json.dumps(answer).encode()))
        client = module.Client("k", base_url=server.url, max_retries=0, timeout=10)
        given = {} if size is None else {size.py_name: 2}
        first = getattr(client, spec.operation)(**given)
        read = [item.to_dict() for item in first.auto_paging_iter(max_pages=10)]
        seen = [(method, sorted(_pairs(target))) for method, target in server.seen]
    if read != [item for page in items for item in page]:
        failures.append(f"read {read}, expected {items}")
    want = []
    base = [] if size is None else [(size.name, "2")]
    for token in ["", *tokens[:-1]]:
        pairs = base + ([(paging.token, token)] if token else [])
        want.append((spec.route.method if spec.route else "GET", sorted(pairs)))
    if seen != want:
        failures.append(f"asked {seen}, expected {want}")
    return failures


def _run_concurrency(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The fake server reports the account's concurrency under the spec's
    names, and the client's answer reads each of them."""
    fields: Concurrency = case.expected
    testing = importlib.import_module(f"{module.__name__}.testing")
    with testing.FakeServer(concurrency_limit=3) as server:
        client = module.Client(
            server.api_key, base_url=server.url, max_retries=0, timeout=10
        )
        raw = getattr(client.with_raw_response, spec.operation)()
        read = raw.parse()
    want = {fields.limit: 3, fields.running: 0, fields.queued: 0}
    failures = []
    sent = json.loads(raw.body)
    if sent != want:
        failures.append(f"the fake server answered {sent}, expected {want}")
    names = {
        f.name: f.py_name for r in spec.responses for f in r.fields if f.name in want
    }
    got = {name: getattr(read, names.get(name, name), None) for name in want}
    if got != want:
        failures.append(f"the client read {got}, expected {want}")
    return failures


def _run_signature(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The vector's signature is computed, and verified at its date; a changed
    signature is refused."""
    v: Vector = case.expected
    hooks = importlib.import_module(f"{module.__name__}.webhooks")
    failures = []
    signed = hooks.sign(v.method, v.url, v.headers, v.key)
    if signed != v.signature:
        failures.append(f"sign() gave {signed!r}, expected {v.signature!r}")
    headers = {**v.headers, v.signature_header: v.signature}
    now = email.utils.parsedate_to_datetime(next(iter(v.headers.values())))
    try:
        hooks.verify(v.method, v.url, headers, v.key, now=now)
    except hooks.WebhookVerificationError as exc:
        failures.append(f"verify() refused the vector: {exc}")
    nonces = hooks.NonceCache()
    try:
        hooks.verify(v.method, v.url, headers, v.key, now=now, nonces=nonces)
        hooks.verify(v.method, v.url, headers, v.key, now=now, nonces=nonces)
    except hooks.WebhookVerificationError:
        pass
    else:
        failures.append("verify() took the same nonce twice")
    wrong = {**headers, v.signature_header: "A" + v.signature[1:]}
    try:
        hooks.verify(v.method, v.url, wrong, v.key, now=now)
    except hooks.WebhookVerificationError:
        pass
    else:
        failures.append("verify() took a changed signature")
    return failures


def _run_keywords(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The request, object and response classes take keyword arguments only."""
    failures = []
    for name in case.expected:
        found = inspect.signature(getattr(module, name)).parameters.values()
        positional = [p.name for p in found if p.kind is not p.KEYWORD_ONLY]
        if positional:
            failures.append(f"{name} takes {positional} by position")
    return failures


def _first_uses(module: ModuleType, names: Sequence[str]) -> list[str]:
    """Each of ``names`` is imported on first use (the package's
    ``__getattr__``), so that importing the package imports nothing else,
    and what its first use gives is what the package holds now (asked again,
    though bound since). A private name (one ``_`` first) is not: a private
    submodule is not imported by naming it."""
    lazy: Callable[[str], object] | None = getattr(module, "__getattr__", None)
    if lazy is None:
        return [f"{module.__name__} imports nothing on first use"] if names else []
    failures = []
    for n in names:
        try:
            value = lazy(n)
        except (AttributeError, ImportError) as exc:
            failures.append(f"{n} is not imported on first use: {exc}")
            continue
        if value is not getattr(module, n, None):
            failures.append(f"{n} on first use is {value!r}")
    private = sorted(
        found.name
        for found in pkgutil.iter_modules(getattr(module, "__path__", ()))
        if found.name.startswith("_") and not found.name.startswith("__")
    )
    for n in private[:1]:
        try:
            value = lazy(n)
        except AttributeError:
            continue
        failures.append(f"the private {n} is imported on first use: {value!r}")
    return failures


EXPORTING: Final = (
    "",
    ".testing",
    ".webhooks",
    ".client",
    ".async_client",
    ".batch",
    ".strategies",
)
"""The package and the submodules whose ``__all__`` the exports case reads
(each one the package has; ``strategies`` where Hypothesis is installed)."""


def _run_exports(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """Every name the spec's package exports is in ``__all__`` and defined
    (and what its first use would import is what it is), and so is every
    name in the ``__all__`` of the package and of its ``testing``,
    ``webhooks``, ``client``, ``async_client``, ``batch`` and
    ``strategies`` modules (this one where Hypothesis is installed)."""
    names: tuple[str, ...] = case.expected
    failures = []
    unlisted = [n for n in names if n not in module.__all__]
    if unlisted:
        failures.append(f"not in __all__: {unlisted}")
    missing = [n for n in names if not hasattr(module, n)]
    if missing:
        failures.append(f"not defined: {missing}")
    failures += _first_uses(module, names)
    for sub in EXPORTING:
        try:
            found = importlib.import_module(module.__name__ + sub)
        except ImportError:
            continue
        undefined = [n for n in getattr(found, "__all__", ()) if not hasattr(found, n)]
        if undefined:
            failures.append(f"{found.__name__}.__all__ names undefined {undefined}")
    return failures


def _run_local_file(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """``<Asset>.from_path`` refuses a file one byte over the spec's limit
    by its size (``LocalFileTooLarge``) and takes one of exactly the limit,
    or over it when ``max_bytes`` allows (both then fail the asset's own
    rules: they hold zeros, which no format starts with). The files are
    sparse: they take no room on the disk."""
    limit: int = case.expected
    reader = getattr(module, case.form).from_path
    too_large = module.LocalFileTooLarge
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder, "zeros")
        for size, max_bytes, refused in (
            (limit + 1, None, True),
            (limit, None, False),
            (limit + 1, limit + 1, False),
        ):
            with path.open("wb") as file:
                file.truncate(size)
            try:
                reader(path) if max_bytes is None else reader(path, max_bytes=max_bytes)
            except too_large:
                if not refused:
                    failures.append(f"{size} bytes (max_bytes={max_bytes}) refused")
                continue
            except module.ValidationError:  # the asset's own rules, after reading
                pass
            if refused:
                failures.append(f"{size} bytes over the limit {limit} read")
    return failures


def _run_enum(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The package's enum class holds exactly the spec's members, in order."""
    members: Mapping[str, str] = case.expected
    found = getattr(module, case.form, None)
    if found is None:
        return [f"{module.__name__} has no enum {case.form}"]
    got = {member.name: member.value for member in found}
    if list(got.items()) != list(members.items()):
        return [f"{case.form} holds {got}, expected {dict(members)}"]
    return []


def _run_identity(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The package's tables name the API, the package and its version as the
    spec does, and so does the user agent its client sends."""
    want: Identity = case.expected
    api = importlib.import_module(f"{module.__name__}._api").API
    got = Identity(
        name=api.name,
        package=api.package,
        version=module.__version__,
        user_agent=api.user_agent,
    )
    return [] if got == want else [f"the package says {got}, expected {want}"]


@contextlib.contextmanager
def _not_importable(name: str) -> Iterator[None]:
    """The module ``name`` cannot be imported (importing it raises
    ``ImportError``), then is as it was."""
    before = sys.modules.get(name)
    sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if before is None:
            del sys.modules[name]
        else:
            sys.modules[name] = before


@dataclasses.dataclass(frozen=True)
class _Ran:
    """How ``python -m`` ended: the exit status (``None`` if it did not
    exit) and what it printed."""

    status: object
    out: str
    err: str


def _run_as_main(package: str, argv: Sequence[str]) -> _Ran:
    """Run ``python -m <package> <argv>`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    before = sys.argv
    sys.argv = [package, *argv]
    status: object = None
    try:
        with (
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
            warnings.catch_warnings(),
        ):
            # runpy warns when the module was imported before: it runs anew
            warnings.simplefilter("ignore", RuntimeWarning)
            runpy.run_module(package, run_name="__main__", alter_sys=False)
    except SystemExit as exc:
        status = exc.code
    finally:
        sys.argv = before
    return _Ran(status, out.getvalue(), err.getvalue())


def _run_command_line(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """``python -m <package> --help`` prints the overview the spec implies
    (the runtime's help of the spec's package, key variable, hosts, base URL,
    operations and ``batch``) without loading the full command line; each
    operation's ``--help`` names its subcommand; ``python -m
    <package>.testing --help`` answers; and an operation that takes no
    argument is called with the key and the base URL from the spec's
    environment variables, its answer printed as JSON."""
    line: CommandLine = case.expected
    overview = cli_help.Overview(
        package=line.package,
        env=line.key_env,
        hosts=line.hosts,
        base_url=line.base_url,
        operations=line.operations,
        batch=line.batch,
        base_url_env=line.base_url_env,
    )
    want = io.StringIO()
    cli_help.answer_without_client(overview, ["--help"], want)
    failures = []
    name = module.__name__
    with _not_importable(f"{cli_help.__package__}.cli"):
        ran = _run_as_main(name, ["--help"])
    if ran != _Ran(0, want.getvalue(), ""):
        failures.append(f"--help: {ran}")
    for operation, _ in line.operations:
        command = cli_help.command_name(operation)
        ran = _run_as_main(name, [command, "--help"])
        if ran.status != 0 or f"python -m {line.package} {command}" not in ran.out:
            failures.append(f"{command} --help: {ran}")
    ran = _run_as_main(f"{name}.testing", ["--help"])
    if ran.status != 0 or f"python -m {line.package}.testing" not in ran.out:
        failures.append(f"testing --help: {ran}")
    if line.call is not None:
        failures += _called(module, line, line.call)
    return failures


def _called(module: ModuleType, line: CommandLine, operation: str) -> list[str]:
    """``python -m <package> <operation>``, against the fake server: its
    answer printed as JSON, and the key nowhere."""
    testing = importlib.import_module(f"{module.__name__}.testing")
    argv = [cli_help.command_name(operation)]
    with testing.FakeServer() as server, contextlib.ExitStack() as stack:
        if line.key_env is None:
            argv = ["--api-key", server.api_key, *argv]
        else:
            stack.enter_context(_environment(line.key_env, server.api_key))
        if line.base_url_env is None:
            argv = ["--base-url", server.url, *argv]
        else:
            stack.enter_context(_environment(line.base_url_env, server.url))
        ran = _run_as_main(module.__name__, argv)
        received = server.received[operation]
        key = server.api_key
    failures = []
    try:
        json.loads(ran.out)
    except ValueError:
        failures.append(f"{operation}: {ran}, not JSON")
    if ran.status != 0 or received != 1:
        failures.append(f"{operation}: {ran}, the fake server received {received}")
    if key in ran.out + ran.err:
        failures.append(f"{operation}: the key was printed")
    return failures


BATCH_REFUSED: Final[Mapping[str, object]] = {
    "concurrency": 0,
    "workers": 0,
    "download_attempts": 0,
    "settle": -1.0,
    "window_margin": -1.0,
    "attempt_time": -1.0,
    "poll_interval": 0.0,
    "tick": 0.0,
}
"""Values the batch runner's ``Options`` refuses (``ValueError``)."""
BATCH_TAKEN: Final[Mapping[str, object]] = {
    "max_line_bytes": 1 << 16,
    "marker_field": "note",
}
"""Values other than the default (``None``, which ``batch.run`` leaves out)
that the runner takes."""
NOT_A_URL: Final = "zz not a url"
"""A base URL every client refuses."""


def _run_batch(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """``<package>.batch.run`` takes each field of the runtime's batch
    ``Options`` by keyword and hands it on: a value the runner refuses is
    refused (``ValueError``), any other is taken and the run goes on to read
    the manifest (a line that is not JSON: ``ManifestError``). The client
    given is the one used: the base URL's variable (``case.expected``, if
    the spec has one) holds no URL, which a client made from the environment
    would refuse."""
    from .batch import runner

    base_url_env: str | None = case.expected
    batch = importlib.import_module(f"{module.__name__}.batch")
    failures = []
    with (
        tempfile.TemporaryDirectory() as folder,
        contextlib.ExitStack() as stack,
        # never reached: the manifest is refused before anything is sent
        module.Client("k", base_url="http://127.0.0.1:9", max_retries=0) as client,
    ):
        if base_url_env is not None:
            stack.enter_context(_environment(base_url_env, NOT_A_URL))
        manifest = pathlib.Path(folder, "jobs.jsonl")
        manifest.write_text("not json\n", encoding="utf-8")
        fields: Sequence[attrs.Attribute[Any]] = attrs.fields(runner.Options)
        for i, field in enumerate(fields):
            value = {**BATCH_TAKEN, **BATCH_REFUSED}.get(field.name, field.default)
            if value is None:
                failures.append(
                    f"{field.name}: no value to pass (add it to BATCH_TAKEN)"
                )
                continue
            want = ValueError if field.name in BATCH_REFUSED else batch.ManifestError
            out = pathlib.Path(folder, f"out-{i}")
            try:
                batch.run(
                    manifest,
                    out,
                    client=client,
                    stream=io.StringIO(),
                    **{field.name: value},
                )
            except want:
                continue
            except Exception as exc:
                failures.append(f"{field.name}={value!r} raised {exc!r}")
            else:
                failures.append(f"{field.name}={value!r} ran the manifest")
    return failures


def _readers_aside(form: Form) -> Form:
    """``form`` without the readers of its asset fields (which the
    strategies' copy of the spec does not hold: they only word messages)."""

    def plain(fields: tuple[Field, ...]) -> tuple[Field, ...]:
        return tuple(dataclasses.replace(f, reader=None) for f in fields)

    objects = {
        name: dataclasses.replace(obj, fields=plain(obj.fields))
        for name, obj in form.objects.items()
    }
    return dataclasses.replace(form, fields=plain(form.fields), objects=objects)


def _draw(strategy: Any) -> Any:
    """One value of the Hypothesis ``strategy``, the same on every run."""
    import hypothesis  # not a dependency: the strategies' cases need it

    quick = hypothesis.settings(
        database=None,
        deadline=None,
        max_examples=5,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    return hypothesis.find(
        strategy, lambda _: True, settings=quick, random=random.Random(0)
    )


def _run_strategies(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """The package's strategies hold the operation's spec (its forms, each
    with the paths of its asset fields, and the known models), by operation,
    form and request class; ``bodies`` and ``requests`` take every form,
    model and request class of it, refuse what is not one, and draw what the
    package accepts (a body of the model asked for; a request of the class
    asked for); ``warnings`` is on by default. Nothing to check where
    Hypothesis, which the module needs, is not installed."""
    if importlib.util.find_spec("hypothesis") is None:
        return []
    found = importlib.import_module(f"{module.__name__}.strategies")
    op = spec.operation
    forms = [_readers_aside(form) for form in spec.forms]
    failures = []
    held = found.SPECS[op]
    if [*map(_readers_aside, held.forms)] != forms:
        failures.append(f"SPECS[{op!r}] holds the forms {held.forms}")
    if (held.operation, held.known_models) != (op, spec.known_models):
        failures.append(f"SPECS[{op!r}] is of {held.operation}, {held.known_models}")
    by_name = found.FORMS[op]
    if list(by_name) != [form.name for form in forms]:
        failures.append(f"FORMS[{op!r}] holds the forms {list(by_name)}")
    for form, source in zip(forms, spec.forms, strict=True):
        made = by_name.get(form.name)
        assets = {f.path for _, f in field_slots(form) if f.items == "asset"}
        if made is None or _readers_aside(made.form) != form:
            failures.append(f"FORMS[{op!r}][{form.name!r}] is {made}")
        elif set(made.assets) != assets:
            failures.append(f"{form.name}: assets at {sorted(made.assets)}")
        cls = getattr(module, source.class_name)
        if _readers_aside(found.CLASSES[cls].form) != form:
            failures.append(f"CLASSES[{source.class_name}] is not {form.name}")
        request = _draw(found.requests(cls))
        if type(request) is not cls or not _accepted(module, request.violations()):
            failures.append(f"requests({source.class_name}) drew {request!r}")
        found.bodies(op, form.name)
        for model in form.models[:1]:
            body = _draw(found.bodies(op, model=model))
            accepted = _accepted(module, module.validate_payload(op, body))
            if body.get(form.model_field) != model or not accepted:
                failures.append(f"bodies({op!r}, model={model!r}) drew {body}")
    refused: list[dict[str, str]] = [
        {"operation": f"{op}-zz"},
        {"operation": op, "form": "zz-form"},
        {"operation": op, "model": UNKNOWN_MODEL},
    ]
    for given in refused:
        try:
            found.bodies(**given)
        except ValueError:
            continue
        failures.append(f"bodies(**{given}) was not refused")
    for function in (found.bodies, found.requests):
        default = inspect.signature(function).parameters["warnings"].default
        if default is not True:
            failures.append(f"{function.__name__}(warnings={default!r}) by default")
    return failures


def _accepted(module: ModuleType, violations: Iterable[Any]) -> bool:
    """Whether ``violations`` hold no error."""
    return not [v for v in violations if v.severity == "error"]


RUNNERS: Final[Mapping[str, Callable[[ModuleType, ContractSpec, Case], list[str]]]] = {
    "payload": _run_payload,
    "request": _run_request,
    "response": _run_response,
    "example": _run_example,
    "route": _run_route,
    "errors": _run_errors,
    "fake": _run_fake,
    "signature": _run_signature,
    "exports": _run_exports,
    "local file": _run_local_file,
    "enum": _run_enum,
    "identity": _run_identity,
    "keywords": _run_keywords,
    "query": _run_query,
    "paging": _run_paging,
    "concurrency": _run_concurrency,
    "environment": _run_environment,
    "command line": _run_command_line,
    "batch": _run_batch,
    "strategies": _run_strategies,
    "listed": _run_listed,
    "table": _run_table,
}


def run_case(module: ModuleType, spec: ContractSpec, case: Case) -> list[str]:
    """Run ``case`` of ``spec`` against the package ``module``; describe
    each failure (none when the case passes)."""
    try:
        failures = RUNNERS[case.kind](module, spec, case)
    except Exception as exc:
        failures = [f"raised {exc!r}"]
    return [f"{case.id}: {failure}" for failure in failures]


# What the tests check beyond the cases.


def request_case(cases: Iterable[Case], *, errors: bool) -> Case | None:
    """The first request case expecting errors (or only warnings), if any."""
    for case in cases:
        severities = {t[2] for t in case.expected} if case.kind == "request" else set()
        if severities and ("error" in severities) is errors:
            return case
    return None


def disallowed_defaults(spec: ContractSpec) -> list[str]:
    """Every default of a field that the spec's own constraints refuse."""
    wrong = []
    for form in spec.forms:
        for model in models_of(form):
            for array, f in field_slots(form):
                default = f.default_for(model)
                path = slot_path(array, f)
                if default is not None and field_hits(form, f, model, default, path):
                    wrong.append(f"{form.name}/{model}/{path}={default!r}")
    return wrong


def uncovered_constraints(
    spec: ContractSpec, cases: Iterable[Case]
) -> set[tuple[str, str | None, str]]:
    """``(form, model, rule)`` of every constraint no payload case breaks:
    each constraint of a field and each rule, for every model it applies
    to, and each error of the model field (for the form's first model)."""
    seen = {
        (c.form, c.model, t[0])
        for c in cases
        if c.kind == "payload"
        for t in c.expected
    }
    needed = set()
    for form in spec.forms:
        for model in models_of(form):
            for _, f in field_slots(form):
                checks = {
                    "type": True,
                    "required": f.required and f.name != form.selected_by,
                    "range": bool(ranges(f, model)),
                    "count": bool(counts(f, model)),
                    "length": f.length is not None,
                    "choice": f.choices is not None
                    or bool(for_model(f.choices_by_model, model)),
                    "pattern": for_model(f.pattern_by_model, model) is not None,
                    "unsupported": model in f.unsupported_by,
                    "ignored": model in f.ignored_by,
                }
                needed |= {
                    (form.name, model, f"{f.path}.{k}")
                    for k, on in checks.items()
                    if on
                }
            rules = [*form.rules, *(r for o in form.objects.values() for r in o.rules)]
            needed |= {
                (form.name, model, r.id)
                for r in rules
                if not r.models or model in r.models
            }
        if form.model_field is not None:
            errors = ["unknown", "type", "required"]
            errors += ["form"] if set(spec.known_models) - set(form.models) else []
            first = models_of(form)[0]
            needed |= {(form.name, first, f"{form.model_field}.{e}") for e in errors}
    return needed - seen
