"""The command line: one subcommand per operation of the spec.

::

    python -m <package> <operation> --model M --image ./a.png \\
        --image https://example.com/b.png --prompt "..." --wait --download out.mp4
    python -m <package> <get-operation> TASK_ID [--wait] [--download out/]

A generated package runs :func:`main` with its own client class. Subcommands,
their options and help come from the spec (through the client's
:class:`ApiTables` and the request classes its methods take):
each request field is an option, a list field a repeatable one in the
singular (``--image``), an object field takes JSON or ``key=value,...``.
Local files given for image or video fields are read, checked and sent as
data URIs. ``--dry-run`` prints the checked JSON body, whole, as it would
be sent, and needs no API key. An option's help gives the defaults of every
form of the request and the choices only some models take, from the tables. Query parameters are options too (``--page-size``,
``--created-at-from``; a repeated one such as ``--states`` may be repeated
or take values separated by commas; a boolean is ``--show-detail`` or
``--no-show-detail``). The global options may also follow the operation.

A plain answer is printed as indented JSON. A paged operation prints its
items as JSON Lines (one object a line), reading up to ``--max-pages``
pages (:data:`DEFAULT_MAX_PAGES`) from the first, or from the page its
token option (``--page-token``) names; when more remain, stderr says how
to read on.

Exit status: 0 done, 1 the service or the connection failed (or the task
did), 2 invalid input (a missing API key included), 130 interrupted; every
violation is printed on its own line as ``field: message [rule]``. A key
the service refused (401, 403) adds a hint naming where it came from. Output
that is no longer read (``| head``) ends the command quietly, with status 0.

Before a task is created (which is billed), everything that can be checked
is: the request and its local files, the API key and the client's options
(each named as the option or variable it came from), the wait options and
the ``--download`` target (:func:`check_target`; in a folder the files are
named after the task, :func:`download_targets`, so no name is found taken
after the task ran). A run stopped once its task exists (interrupted, a
wait that ran out, a failed download) prints the task's id and the command
that goes on with it: the task-reading operation with ``--wait`` or
``--download``, never the key. ``--help`` alone is answered by
:mod:`.cli_help` without this module.
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import enum
import functools
import inspect
import itertools
import json
import logging
import math
import mimetypes
import os
import re
import shlex
import sys
import textwrap
import time
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import IO, Any, Literal

import attrs

from ._download import check_target, safe_file_name
from .assets import AssetRules, read_asset
from .batch.cli import add_command as add_batch_command
from .batch.cli import run_command as run_batch_command
from .cli_help import Overview, add_global_options, command_name, global_parser
from .client import BaseClient, _resolve_base_url
from .errors import (
    AuthenticationError,
    BaseError,
    DestinationExists,
    InvalidAPIKey,
    LocalFileError,
    MissingAPIKey,
    PermissionDeniedError,
    TaskFailed,
    WaitTimeout,
)
from .pagination import Page, query_values
from .redaction import Secret, check_key
from .tables import ApiTables, FieldTable, FormTable, Operation, QueryParam
from .violations import ValidationError, Violation

__all__ = [
    "DEFAULT_MAX_PAGES",
    "Assets",
    "CommandLine",
    "check",
    "check_target",
    "download_targets",
    "main",
    "shorten",
]

_DATA_URI_SHOWN = 48
"""Characters of a data URI ``--dry-run`` shows."""

DEFAULT_MAX_PAGES = 10
"""The pages a paged operation reads unless ``--max-pages`` says otherwise."""


# --- the spec, as the command line sees it -----------------------------------------


def _command(operation: Operation) -> str:
    return command_name(operation.id)


def _method_name(operation: Operation) -> str:
    return operation.id.replace("-", "_")


@functools.cache
def request_classes(client_class: type, operation: Operation) -> tuple[type, ...]:
    """The typed request classes of ``operation``, read from the client class."""
    method = getattr(client_class, _method_name(operation), None)
    if method is None:
        return ()
    hint = typing.get_type_hints(method).get("request")
    return tuple(c for c in typing.get_args(hint) if attrs.has(c))


def _asset_rules(api: ApiTables) -> dict[str, AssetRules]:
    """Asset rules by the name of the fields that hold such assets.

    Rules of kind ``image`` apply to the fields ``images`` and ``image``.
    """
    out: dict[str, AssetRules] = {}
    for rules in api.assets.values():
        out[rules.kind] = rules
        out[rules.kind + "s"] = rules
    return out


def _field_docs(cls: type) -> dict[str, str]:
    """The docstrings under the fields of an attrs class (for ``--help``)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return {}
    node = tree.body[0] if tree.body else None
    body = node.body if isinstance(node, ast.ClassDef) else []
    docs: dict[str, str] = {}
    for node, after in itertools.pairwise(body):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = " ".join(after.value.value.split())
    return docs


@attrs.frozen
class _Option:
    """One request field as a command-line option."""

    name: str
    kind: Literal["bool", "int", "float", "str", "list", "objects"]
    """How it is given: a flag, a number, a string, or repeated (``list`` of
    strings, ``objects`` as JSON or ``key=value`` pairs)."""
    help: str
    choices: tuple[str, ...] = ()
    item_class: type | None = None
    limits: str = ""
    """Which of the ``choices`` only some models take (from the tables)."""

    @property
    def dest(self) -> str:
        return f"field_{self.name}"

    def flags(self) -> list[str]:
        """``--aspect-ratio``; a list field in the singular first: ``--image``."""
        flag = "--" + self.name.replace("_", "-")
        if self.kind in ("list", "objects") and flag.endswith("s"):
            return [flag[:-1], flag]
        return [flag]

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Add this option to ``parser``."""
        text = self.help
        if self.choices:
            text += f" One of: {', '.join(self.choices)}."
        if self.limits:
            text += f" {self.limits}"
        if self.kind == "bool":
            parser.add_argument(
                *self.flags(),
                dest=self.dest,
                action=argparse.BooleanOptionalAction,
                help=text,
            )
        elif self.kind in ("list", "objects"):
            convert = _object_parser(self.item_class) if self.item_class else str
            if self.item_class:
                text += (
                    " As JSON, or key=value pairs separated by commas, where a"
                    " list field may repeat: name=bear,image=./a.png,image=./b.png."
                )
            metavar = self.flags()[0].removeprefix("--").upper()
            parser.add_argument(
                *self.flags(),
                dest=self.dest,
                action="append",
                type=convert,
                metavar=metavar,
                help=text + " Repeat for more.",
            )
        else:
            convert = {"int": int, "float": float}.get(self.kind, str)
            parser.add_argument(
                *self.flags(),
                dest=self.dest,
                type=convert,
                metavar=self.name.upper(),
                help=text,
            )


def _option(name: str, hint: Any, doc: str) -> _Option:
    """How field ``name`` of type ``hint`` is given on the command line."""
    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    members = [
        m for m in (typing.get_args(hint) if union else (hint,)) if m is not type(None)
    ]
    choices = tuple(
        str(item.value)
        for m in members
        if isinstance(m, type) and issubclass(m, enum.Enum)
        for item in m
    )
    if bool in members:
        return _Option(name, "bool", doc)
    if int in members:
        return _Option(name, "int", doc)
    if float in members:
        return _Option(name, "float", doc)
    for member in members:
        if typing.get_origin(member) is list:
            (item,) = typing.get_args(member) or (str,)
            if attrs.has(item):
                return _Option(name, "objects", doc, item_class=item)
            return _Option(name, "list", doc)
    return _Option(name, "str", doc, choices)


@functools.cache
def options(client_class: type, operation: Operation) -> tuple[_Option, ...]:
    """The options of ``operation``: every field of its request classes.

    Each option's help is the field's description; the defaults and the
    choices limited to some models are read from the tables of every form
    of the request, so that none is left out (see :class:`_FormHelp`).
    """
    found: dict[str, _Option] = {}
    for cls in request_classes(client_class, operation):
        docs = _field_docs(cls)
        for name, hint in typing.get_type_hints(cls).items():
            if name not in found and name not in operation.params:
                found[name] = _option(name, hint, docs.get(name, ""))
    api: ApiTables | None = getattr(client_class, "_api", None)
    forms = [f for f in api.forms if f.operation == operation.id] if api else []
    if api is None or not forms:
        return tuple(found.values())
    helper = _FormHelp(api.models, forms, {n: o.flags()[0] for n, o in found.items()})
    return tuple(
        attrs.evolve(
            option,
            help=helper.help(option.name, option.help),
            limits=helper.limits(option.name, option.choices),
        )
        for option in found.values()
    )


_DEFAULT_SENTENCE = re.compile(r"\s*Default(?: per model)?: .*$")
"""The sentence a field's docstring ends with when it has a default (which
:class:`_FormHelp` says again from the tables of every form)."""


def _spell(value: object) -> str:
    """A value as the spec writes it: text as is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


@attrs.frozen
class _FormHelp:
    """What an option's help says of the defaults and choices in the tables
    of an operation's forms.

    Forms that agree are said once; where they differ, each form is named
    by its own option (``with --subject: ...; with --image: ...``).
    """

    models: tuple[str, ...]
    """Every model, in the spec's order (the order models are listed in)."""
    forms: Sequence[FormTable]
    flags: Mapping[str, str]
    """The option of each field."""

    def _having(self, name: str) -> list[tuple[FormTable, FieldTable]]:
        return [(f, f.fields[name]) for f in self.forms if name in f.fields]

    def _label(self, form: FormTable) -> str:
        """The option only ``form`` has (a required one first): ``--subject``."""
        others = {n for f in self.forms if f is not form for n in f.fields}
        own = [n for n in form.fields if n not in others and n in self.flags]
        own.sort(key=lambda n: not form.fields[n].required)
        return f"with {self.flags[own[0]]}" if own else f"in the {form.name} form"

    def _ordered(self, models: Sequence[str]) -> list[str]:
        known = [m for m in self.models if m in models]
        return known + [m for m in models if m not in known]

    def help(self, name: str, doc: str) -> str:
        """``doc`` with the defaults of every form that has field ``name``."""
        text = _DEFAULT_SENTENCE.sub("", doc)
        having = self._having(name)
        defaults = [(form, _defaults(form, field)) for form, field in having]
        merged: dict[str, object] = {}
        for _, found in defaults:
            for model, value in found.items():
                merged.setdefault(model, value)
        agree = all(
            found == {m: merged[m] for m in _models_of(form) if m in merged}
            for form, found in defaults
        )
        every = {m for form, _ in having for m in _models_of(form)}
        if agree:
            said = self._defaults_text(merged, every)
            parts = [f"Default{said}"] if said else []
        else:
            parts = [
                f"{self._label(form)}, default{said}"
                for form, found in defaults
                if (said := self._defaults_text(found, set(_models_of(form))))
            ]
            parts[:1] = [part[:1].upper() + part[1:] for part in parts[:1]]
        if not parts:
            return text
        return f"{text} {'; '.join(parts)}.".strip()

    def _defaults_text(self, found: Mapping[str, object], every: set[str]) -> str:
        """``: 5`` (the same for every model) or ``per model: a: 5, b: 4``."""
        if not found:
            return ""
        values = list(found.values())
        if set(found) == every and all(v == values[0] for v in values):
            return f": {_spell(values[0])}"
        shown = ", ".join(f"{m}: {_spell(found[m])}" for m in self._ordered([*found]))
        return f" per model: {shown}"

    def limits(self, name: str, choices: Sequence[str]) -> str:
        """Which of ``choices`` only some models take, by form where the
        forms differ: ``Not on every model: 4:3: only on a, b; 1080p: not on c.``"""
        having = [(f, t) for f, t in self._having(name) if f.models]
        said: dict[str, list[str]] = {}
        for choice in choices:
            text = self._limit(choice, having)
            if text:
                said.setdefault(text, []).append(choice)
        if not said:
            return ""
        parts = [f"{', '.join(values)}: {text}" for text, values in said.items()]
        return f"Not on every model: {'; '.join(parts)}."

    def _limit(
        self, choice: str, having: Sequence[tuple[FormTable, FieldTable]]
    ) -> str:
        rows = []
        for form, field in having:
            refused = [m for m in form.models if not _takes(field, m, choice)]
            taken = [m for m in form.models if m not in refused]
            rows.append((form, taken, refused))
        if not any(refused for _, _, refused in rows):
            return ""
        if len({frozenset(refused) for _, _, refused in rows}) == 1:
            return self._models_text(rows[0][1], rows[0][2])
        if len({frozenset(taken) for _, taken, _ in rows}) == 1:
            return f"only on {', '.join(self._ordered(rows[0][1]))}"
        return " and ".join(
            f"{self._models_text(taken, refused)} {self._label(form)}"
            for form, taken, refused in rows
        )

    def _models_text(self, taken: Sequence[str], refused: Sequence[str]) -> str:
        if not refused:
            return "on every model"
        if not taken:
            return "on no model"
        if len(taken) < len(refused):
            return f"only on {', '.join(self._ordered(taken))}"
        return f"not on {', '.join(self._ordered(refused))}"


def _models_of(form: FormTable) -> tuple[str, ...]:
    """The models of ``form``; ``("",)`` for a form without models."""
    return form.models or ("",)


def _defaults(form: FormTable, field: FieldTable) -> dict[str, object]:
    """The default of ``field`` on each model of ``form`` that has one
    (``""`` stands for every model of a form without models)."""
    found = {m: field.default_for(m or None) for m in _models_of(form)}
    return {m: value for m, value in found.items() if value is not None}


def _takes(field: FieldTable, model: str, choice: str) -> bool:
    """Whether ``model`` takes ``choice`` for ``field``, by the tables."""
    rows = field.choices_by_model.get(model)
    if rows is not None:
        return choice in rows
    return field.choices is None or choice in field.choices


def _object_parser(cls: type) -> Callable[[str], dict[str, Any]]:
    """Parse ``{"json": ...}`` or ``key=value,key=value`` into an object.

    In the second form a list field may be repeated, in the singular or the
    plural: ``name=bear,image=./bear.png,image=https://...``.
    """
    lists = {
        name
        for name, hint in typing.get_type_hints(cls).items()
        if any(typing.get_origin(m) is list for m in (hint, *typing.get_args(hint)))
    }

    def parse(text: str) -> dict[str, Any]:
        if text.lstrip().startswith("{"):
            try:
                value = json.loads(text)
            except ValueError as exc:
                raise argparse.ArgumentTypeError(f"invalid JSON: {exc}") from exc
            if not isinstance(value, dict):
                raise argparse.ArgumentTypeError("expected a JSON object")
            return value
        out: dict[str, Any] = {}
        for pair in text.split(","):
            key, sep, value = pair.partition("=")
            key = key.strip()
            if not sep or not key:
                raise argparse.ArgumentTypeError(
                    f"expected key=value pairs separated by commas, got {pair!r}"
                )
            plural = key + "s"
            if plural in lists and key not in lists:
                key = plural
            if key in lists:
                out.setdefault(key, []).append(value)
            else:
                out[key] = value
        return out

    parse.__name__ = cls.__name__  # what argparse names in its error messages
    return parse


_PARAM_DOC = re.compile(r":param (\w+):(?: ``[^`]*``:)?(.*)")
"""A ``:param name: ``wire``: text`` line of a client method's docstring."""


@functools.cache
def _param_docs(client_class: type, operation: Operation) -> dict[str, str]:
    """The text under each ``:param`` of the client's method for ``operation``
    (the spec's description of the parameter), on one line."""
    method = getattr(client_class, _method_name(operation), None)
    doc = inspect.getdoc(method) if method is not None else None
    docs: dict[str, str] = {}
    name = None
    for line in (doc or "").splitlines():
        found = _PARAM_DOC.match(line)
        if found:
            name = found[1]
            docs[name] = found[2].strip()
        elif name is not None and line[:1].isspace() and line.strip():
            docs[name] = f"{docs[name]} {line.strip()}".strip()
        else:
            name = None
    return docs


def _comma_separated(text: str) -> list[str]:
    """``a,b`` -> ``["a", "b"]`` (a repeated query option's value)."""
    values = [value.strip() for value in text.split(",")]
    if not all(values):
        raise argparse.ArgumentTypeError(
            f"expected values separated by commas, got {text!r}"
        )
    return values


_comma_separated.__name__ = "list"  # what argparse names in its error messages


def _non_empty(text: str) -> str:
    """A path parameter's value: anything but the empty string."""
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


@attrs.frozen
class _QueryOption:
    """One query parameter as a command-line option."""

    param: QueryParam
    help: str

    @property
    def dest(self) -> str:
        return f"query_{self.param.py_name}"

    @property
    def flag(self) -> str:
        """``--page-size``, ``--states``: the method's keyword, dashed."""
        return "--" + self.param.py_name.replace("_", "-")

    def add_to(self, parser: argparse.ArgumentParser) -> None:
        """Add this option to ``parser``."""
        param = self.param
        text = self.help or f"the {param.name} query parameter."
        if param.choices and not self.help:
            text += f" One of: {', '.join(param.choices)}."
        if param.kind == "boolean":
            parser.add_argument(
                self.flag,
                dest=self.dest,
                action=argparse.BooleanOptionalAction,
                help=text,
            )
            return
        name = param.py_name.upper()
        if param.repeated and name.endswith("S"):
            name = name[:-1]  # one value: --states STATE
        metavar = {"integer": "N", "datetime": "TIME"}.get(param.kind, name)
        if param.repeated:
            parser.add_argument(
                self.flag,
                dest=self.dest,
                action="append",
                type=_comma_separated,
                metavar=metavar,
                required=param.required,
                help=text + " Repeat it, or separate values with commas.",
            )
            return
        parser.add_argument(
            self.flag,
            dest=self.dest,
            type=int if param.kind == "integer" else str,
            metavar=metavar,
            required=param.required,
            help=text,
        )

    def value(self, args: argparse.Namespace) -> object:
        """What was given (``None`` for nothing); a repeated option's lists
        joined into one."""
        given = getattr(args, self.dest)
        if self.param.repeated and given is not None:
            return [value for values in given for value in values]
        return given


@functools.cache
def query_options(client_class: type, operation: Operation) -> tuple[_QueryOption, ...]:
    """The options of ``operation``'s query parameters, in the spec's order."""
    docs = _param_docs(client_class, operation)
    return tuple(
        _QueryOption(param, docs.get(param.py_name, "")) for param in operation.query
    )


def _token_flag(client_class: type, operation: Operation) -> str:
    """The option that names the page to start from (``--page-token``)."""
    pagination = operation.pagination
    token = pagination.token if pagination is not None else None
    found = query_options(client_class, operation)
    return next((o.flag for o in found if o.param.name == token), "--page-token")


def _conflict(
    client_class: type,
    operation: Operation,
    found: Sequence[_Option],
    given: Mapping[str, object],
) -> Violation | None:
    """Two options given together that no form of the request has together
    (``--subject`` with ``--image``), in command-line terms."""
    forms = [
        set(typing.get_type_hints(cls))
        for cls in request_classes(client_class, operation)
    ]
    names = [option.name for option in found if option.name in given]
    if len(forms) < 2 or any(form.issuperset(names) for form in forms):
        return None
    flags = {option.name: option.flags()[0] for option in found}
    for first, second in itertools.combinations(names, 2):
        if not any(first in form and second in form for form in forms):
            return Violation(
                "error",
                second,
                f"{second}.combination",
                f"{flags[first]} and {flags[second]} cannot be combined: they "
                "belong to different forms of the request (give one or the other)",
            )
    return None


def _in_cli_terms(
    violations: Sequence[Violation], flags: Mapping[str, str], *, rename: bool
) -> list[Violation]:
    """``violations`` as the command line says them: a missing option is
    ``--model is required``; with ``rename``, a message that starts with the
    field's name starts with its option (``--page-size 0 is outside 1-100``).
    ``flags``: the option of each field."""
    out = []
    for violation in violations:
        flag = flags.get(violation.field)
        if flag is None:
            out.append(violation)
        elif violation.rule == f"{violation.field}.required":
            out.append(violation._replace(message=f"{flag} is required"))
        elif rename and violation.message.startswith(violation.field + " "):
            message = flag + violation.message.removeprefix(violation.field)
            out.append(violation._replace(message=message))
        else:
            out.append(violation)
    return out


@attrs.define
class _Run:
    """How far one run got: what a run stopped midway says."""

    creating: bool = False
    """A create was sent (it may have been answered)."""
    task_id: str | None = None
    """The task the run follows, once it is known to exist."""


class _Refused(Exception):
    """The command line stops with ``message`` and exit ``status``."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


# --- the command line ----------------------------------------------------------------


@attrs.frozen
class CommandLine:
    """The command line of one generated package, bound to its client class."""

    client_class: type[BaseClient[Any]]

    @property
    def api(self) -> ApiTables:
        """The tables of the client's API."""
        return self.client_class._api

    @property
    def prog(self) -> str:
        """How the command is run: ``python -m <package>``."""
        return f"python -m {self.api.package}"

    def overview(self) -> Overview:
        """What the top-level help shows (a generated ``__main__`` renders the
        same from the spec, to answer ``--help`` without the client)."""
        api = self.api
        return Overview(
            package=api.package,
            env=api.auth.env,
            hosts=tuple(api.hosts),
            base_url=api.base_url,
            operations=tuple((op.id, op.summary) for op in api.operations.values()),
            batch=any(op.task == "list" for op in api.operations.values()),
            base_url_env=self.client_class._base_url_env,
        )

    def build_parser(self) -> argparse.ArgumentParser:
        """The argument parser: global options and one subcommand per operation.

        Every subcommand takes the global options too, so that they may
        follow the operation (one given there wins).
        """
        api = self.api
        overview = self.overview()
        parser, commands = global_parser(overview)
        for operation in api.operations.values():
            self._add_operation(commands, operation)
        if any(op.task == "list" for op in api.operations.values()):
            add_batch_command(commands)
        for command in commands.choices.values():
            group = command.add_argument_group(
                "global options (also accepted before the operation)"
            )
            taken = command._option_string_actions
            add_global_options(group, overview, again=True, taken=taken)
        return parser

    def _add_operation(
        self,
        commands: argparse._SubParsersAction[argparse.ArgumentParser],
        operation: Operation,
    ) -> None:
        description = f"{operation.summary} ({operation.method} {operation.path})"
        if operation.pagination is not None:
            description += (
                " Prints the items as JSON Lines, one object a line, reading up"
                " to --max-pages pages from the first one, or from the page"
                f" {_token_flag(self.client_class, operation)} names; when more"
                " remain, stderr says how to read on."
            )
        parser = commands.add_parser(
            _command(operation), help=operation.summary, description=description
        )
        parser.set_defaults(operation=operation)
        for param in operation.params:
            single_task_id = operation.task is not None and len(operation.params) == 1
            parser.add_argument(
                f"param_{param}",
                metavar="TASK_ID" if single_task_id else param.upper(),
                type=_non_empty,
                help="the task's id, as its create returned it"
                if single_task_id
                else f"{{{param}}} in {operation.path}",
            )
        for query in query_options(self.client_class, operation):
            query.add_to(parser)
        if operation.pagination is not None:
            parser.add_argument(
                "--max-pages",
                type=int,
                default=DEFAULT_MAX_PAGES,
                metavar="N",
                help=f"the most pages to read (default {DEFAULT_MAX_PAGES})",
            )
        found = options(self.client_class, operation)
        for option in found:
            option.add_to(parser)
        if found:
            parser.add_argument(
                "--dry-run",
                action="store_true",
                help="print the checked JSON body, whole, as it would be sent, and"
                " send nothing (no key needed)",
            )
        if self.api.tasks is not None:
            if operation.task == "create":
                _add_wait_options(parser, created=True)
            elif operation is _task_reader(self.api):
                _add_wait_options(parser, created=False)

    def main(self, argv: Sequence[str] | None = None) -> int:
        """Run the command line; return the exit status.

        Nothing it prints shows the API key, even one the server echoes back.
        A run stopped after its task was created (interrupted, a wait that
        ran out, a download that failed) says the task's id and the command
        that goes on with it.
        """
        args = self.build_parser().parse_args(argv)
        env = self.api.auth.env
        key = Secret(args.api_key or (os.environ.get(env) if env else None))
        run = _Run()
        with _logging_to_stderr(self.api.package, args.verbose):
            try:
                return self._run(args, key, run)
            except BrokenPipeError:  # the reader went away (``| head``)
                _discard_stdout()
                return 0
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                status = 130
                if run.creating and run.task_id is None:
                    self._say_may_exist(key)
            except TaskFailed as exc:
                return self._report(exc, args, key)
            except Exception as exc:
                status = self._report(exc, args, key)
            if run.task_id is not None:
                self._say_how_to_go_on(run.task_id, args, key)
            return status

    def _report(self, exc: Exception, args: argparse.Namespace, key: Secret) -> int:
        """Print what went wrong; the exit status (2: invalid input).

        :raises Exception: ``exc`` again, if it is not the command line's to say.
        """
        if isinstance(exc, ValidationError):
            print_violations(exc.violations, sys.stderr)
            return 2
        if isinstance(exc, DestinationExists):  # appeared while the task ran
            message, status = _exists(str(exc.filename)), 2
        elif isinstance(exc, _Refused):
            message, status = str(exc), exc.status
        elif isinstance(exc, InvalidAPIKey):
            message, status = str(exc), 2
        elif isinstance(exc, OSError):  # a local file that cannot be read or written
            message, status = str(exc), 1
        elif isinstance(exc, BaseError):
            message = f"{type(exc).__name__}: {exc}"
            status = 2 if isinstance(exc, MissingAPIKey) else 1
        elif isinstance(exc, ValueError):
            message, status = str(exc), 2
        else:
            raise exc
        print(f"error: {key.scrub(message)}", file=sys.stderr)
        if isinstance(exc, AuthenticationError | PermissionDeniedError) and not (
            isinstance(exc, MissingAPIKey)
        ):
            print(f"hint: {self._key_hint(exc, args)}", file=sys.stderr)
        return status

    def _key_source(self, args: argparse.Namespace) -> str:
        """Where the key came from: ``--api-key`` or ``$VIDU_API_KEY``."""
        env = self.api.auth.env
        return "--api-key" if args.api_key or not env else f"${env}"

    def _key_hint(self, exc: BaseError, args: argparse.Namespace) -> str:
        """What to check when the service refused the key (never the key)."""
        source = self._key_source(args)
        if isinstance(exc, PermissionDeniedError):
            return (
                f"the API key from {source} may not do this: check that it is"
                " the key of the account meant, for this host (--base-url)"
            )
        return (
            f"the service did not accept the API key from {source}: check it"
            f" ({self._key_ways()})"
        )

    def _key_ways(self) -> str:
        """``set $VIDU_API_KEY or pass --api-key``."""
        env = self.api.auth.env
        return f"set ${env} or pass --api-key" if env else "pass --api-key"

    def _go_on_command(self, task_id: str, args: argparse.Namespace) -> str | None:
        """The command that waits for task ``task_id`` (and downloads what
        the run was to download), or ``None`` if the API cannot read a task.

        It holds no API key: the key is read from where the user keeps it.
        """
        reader = _task_reader(self.api)
        if reader is None:
            return None
        words = [_command(reader), task_id]
        if args.base_url:
            words += ["--base-url", args.base_url]
        download = getattr(args, "download", None)
        if download:
            words += ["--download", download]
            if args.overwrite:
                words.append("--overwrite")
        else:
            words.append("--wait")
        return f"{self.prog} {shlex.join(words)}"

    def _say_how_to_go_on(
        self, task_id: str, args: argparse.Namespace, key: Secret
    ) -> None:
        """Print the id of the task the run was following, and how to go on."""
        command = self._go_on_command(task_id, args)
        lines = [f"task {task_id} goes on (the service keeps it)"]
        if command is not None:
            lines[0] += "; to wait for it and get its results, run:"
            lines.append(f"  {command}")
            if args.api_key:
                lines.append(f"  ({self._key_ways()})")
        print(key.scrub("\n".join(lines)), file=sys.stderr)

    def _say_may_exist(self, key: Secret) -> None:
        """Interrupted while a create was unanswered: a task may exist."""
        message = "the create was sent, unanswered: a task may have been created"
        lister = next(
            (op for op in self.api.operations.values() if op.task == "list"), None
        )
        if lister is not None:
            message += f"; look for it with {self.prog} {_command(lister)}"
        print(key.scrub(message), file=sys.stderr)

    def _run(self, args: argparse.Namespace, key: Secret, run: _Run) -> int:
        if getattr(args, "batch", False):
            return run_batch_command(self.client_class, args)
        operation: Operation = args.operation
        download = getattr(args, "download", None)
        waits = bool(getattr(args, "wait", False) or download)
        if download:
            _check_download(download, overwrite=args.overwrite)  # before a create
        if waits:
            _check_wait_options(args)
        if operation.pagination is not None and args.max_pages < 1:
            raise _Refused(f"--max-pages {args.max_pages}: give 1 or more", 2)
        params = {p: getattr(args, f"param_{p}") for p in operation.params}
        query = self._query(args, operation)
        found = options(self.client_class, operation)
        body = None
        if found:
            assets = Assets(_asset_rules(self.api))
            fields = _fields(args, found)
            body = assets.load(fields)
            conflict = _conflict(self.client_class, operation, found, fields)
            flags = {option.name: option.flags()[0] for option in found}
            check(
                self.api,
                operation,
                body,
                args.validation,
                assets,
                flags=flags,
                conflicts=[conflict] if conflict else [],
            )
            if args.dry_run:  # the body as sent: whole, to be saved and reused
                print(json.dumps(body, indent=2, ensure_ascii=False))
                return 0
        if not key.value:
            env = self.api.auth.env
            raise MissingAPIKey(
                f"pass --api-key or set ${env}" if env else "pass --api-key"
            )
        with client_from_args(self.client_class, args) as client:
            if operation.task == "get" and waits:
                (task_id,) = params.values()
                return self._wait_and_download(client, task_id, args, key, run)
            run.creating = operation.task == "create"
            result = _call(client, operation, params, body, query)
            if isinstance(result, Page):
                return self._print_pages(result, operation, args, key)
            if run.creating and self.api.tasks is not None:
                task_id = getattr(result, self.api.tasks.id_field, None)
                run.task_id = task_id if isinstance(task_id, str) and task_id else None
            self._print_json(result, key)
            if run.creating and waits:
                if run.task_id is None:
                    raise _Refused(
                        "the answer holds no task id: nothing to wait for", 1
                    )
                return self._wait_and_download(client, run.task_id, args, key, run)
        return 0

    def _query(self, args: argparse.Namespace, operation: Operation) -> dict[str, Any]:
        """The query parameters given, by keyword, checked as the client will.

        :raises ValidationError: a value the client would refuse, said in
            command-line terms.
        """
        found = query_options(self.client_class, operation)
        given = {option.param.py_name: option.value(args) for option in found}
        query = {name: value for name, value in given.items() if value is not None}
        try:
            query_values(operation, query)
        except ValidationError as exc:
            flags = {option.param.py_name: option.flag for option in found}
            raise ValidationError(
                _in_cli_terms(exc.violations, flags, rename=True)
            ) from None
        return query

    def _wait_and_download(
        self,
        client: BaseClient[Any],
        task_id: str,
        args: argparse.Namespace,
        key: Secret,
        run: _Run,
    ) -> int:
        """Wait for task ``task_id``, print its results, then download them
        if asked (see :func:`download_targets`)."""
        tasks = self.api.require_tasks()
        progress = _TaskProgress(task_id, tasks.state_field, sys.stderr)

        def on_progress(task: Any) -> None:
            run.task_id = task_id  # it exists: from here on, say how to go on
            progress(task)

        if task_id is None:
            raise ValueError("no task id to wait for: the response carried none")
        try:
            creations = client.wait(
                task_id,
                timeout=args.wait_timeout,
                poll_interval=args.poll_interval,
                max_interval=max(args.poll_interval, 15.0),
                on_progress=on_progress,
            )
        except WaitTimeout as exc:
            raise _Refused(
                f"task {exc.task_id} did not finish within {exc.waited:g} s"
                " (--wait-timeout): it is still running",
                1,
            ) from None
        self._print_json(creations, key)
        if not args.download:
            return 0
        if not creations:
            raise _Refused("the task succeeded with nothing to download", 1)
        targets = download_targets(args.download, task_id, creations)
        if len(targets) < len(creations):
            print(
                f"the task has {len(creations)} results; {args.download} receives"
                " the first (--download FOLDER receives them all)",
                file=sys.stderr,
            )
        for creation, target in zip(creations, targets, strict=False):
            bar = _ProgressBar(sys.stderr)
            path = client.download(
                creation,
                target,
                on_progress=bar,
                overwrite=args.overwrite,
                idle_timeout=args.timeout,
            )
            bar.finish()
            print(f"saved {path}", file=sys.stderr)
        return 0

    def _print_json(self, value: Any, key: Secret) -> None:
        """Print an answer as JSON, data URIs (echoed by a create) shortened
        and the API key hidden."""
        data = shorten(self.api.converter.unstructure(value))
        print(key.scrub(json.dumps(data, indent=2, ensure_ascii=False)))

    def _print_pages(
        self,
        first: Page[Any, Any],
        operation: Operation,
        args: argparse.Namespace,
        key: Secret,
    ) -> int:
        """Print the items of ``first`` and the pages after it, up to
        ``--max-pages`` pages, one JSON object a line; say on stderr how to
        read on if pages remain."""
        page = first
        for _ in range(args.max_pages - 1):
            self._print_items(page, key)
            if not page.has_next_page():
                return 0
            page = page.get_next_page(max_pages=args.max_pages)
        self._print_items(page, key)
        token = page.next_token
        if token is None:
            return 0
        flag = _token_flag(self.client_class, operation)
        print(
            f"more pages remain after {args.max_pages} (--max-pages): read on with"
            f" {flag} {shlex.quote(key.scrub(token))}",
            file=sys.stderr,
        )
        return 0

    def _print_items(self, page: Page[Any, Any], key: Secret) -> None:
        """Print the items of ``page``, one JSON object a line."""
        converter = self.api.converter
        for item in page.items:
            data = shorten(converter.unstructure(item))
            print(key.scrub(json.dumps(data, ensure_ascii=False)))
        sys.stdout.flush()


def main(client_class: type[BaseClient[Any]], argv: Sequence[str] | None = None) -> int:
    """Run the command line of the API ``client_class`` serves."""
    return CommandLine(client_class).main(argv)


def client_from_args(
    client_class: type[BaseClient[Any]], args: argparse.Namespace
) -> BaseClient[Any]:
    """The client the command line's options describe (``--api-key``,
    ``--base-url``, ``--timeout``, ``--max-retries``, ``--validation``), for an
    operation or a batch.

    :raises _Refused: an option the client would refuse, named as the option
        (or the environment variable) it came from; exit status 2.
    """
    _check_client_options(client_class, args)
    return client_class(
        args.api_key,
        base_url=args.base_url,
        timeout=args.timeout,
        max_retries=args.max_retries,
        validation=args.validation,
    )


def _check_client_options(
    client_class: type[BaseClient[Any]], args: argparse.Namespace
) -> None:
    """Refuse what the client would refuse, saying it as the option it came
    from: ``--timeout 0``, ``--max-retries -1``, ``$<BASE_URL_ENV> europe``.

    :raises _Refused: with exit status 2 (invalid input).
    """
    api = client_class._api
    env = api.auth.env
    key = args.api_key or (os.environ.get(env) if env else None)
    if key:
        check_key(key, "--api-key" if args.api_key or not env else f"${env}")
    if not (args.timeout > 0 and math.isfinite(args.timeout)):
        raise _Refused(
            f"--timeout {args.timeout:g}: give a positive number of seconds", 2
        )
    if args.max_retries < 0:
        raise _Refused(
            f"--max-retries {args.max_retries}: give 0 (send each call once) or more",
            2,
        )
    base_url, source = args.base_url, "--base-url"
    base_url_env = client_class._base_url_env
    if base_url is None and base_url_env:
        base_url, source = os.environ.get(base_url_env) or None, f"${base_url_env}"
    if base_url is not None:
        try:
            _resolve_base_url(api, base_url)
        except ValueError:
            hosts = ", ".join(api.hosts) or "none"
            raise _Refused(
                f"{source} {base_url!r} is neither an http(s) URL nor a host name"
                f" (known hosts: {hosts})",
                2,
            ) from None


def _task_reader(api: ApiTables) -> Operation | None:
    """The operation that reads one task by its id (``get-creations``)."""
    return next(
        (
            op
            for op in api.operations.values()
            if op.task == "get" and len(op.params) == 1
        ),
        None,
    )


def _is_folder(path: str) -> bool:
    """Whether ``--download PATH`` names a folder: one that exists, or a
    path that ends in a separator."""
    return path.endswith(("/", os.sep)) or Path(path).is_dir()


_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,16}")
"""A file name suffix kept from a result's URL (``.mp4``)."""


def download_targets(path: str, task_id: str, creations: Sequence[Any]) -> list[str]:
    """Where ``--download PATH`` puts the results of task ``task_id``.

    A file receives the first result. A folder receives every result, each
    named after the task and the suffix of its URL's file name:
    ``<task_id>.mp4``, then ``<task_id>-2.mp4``, ... A name no earlier task
    can have taken, and one known before the task is created, so that the
    folder can be checked first (a name from the URL, which every task may
    share, would be found taken only once the task had run, and been paid).
    """
    if not _is_folder(path):
        return [path]
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", task_id).lstrip(".")[:100] or "task"
    targets = []
    for number, creation in enumerate(creations, start=1):
        url = creation if isinstance(creation, str) else getattr(creation, "url", "")
        suffix = PurePosixPath(safe_file_name(str(url or ""))).suffix
        suffix = suffix if _SUFFIX.fullmatch(suffix) else ""
        name = stem if number == 1 else f"{stem}-{number}"
        targets.append(str(Path(path) / f"{name}{suffix}"))
    return targets


def _check_download(path: str, *, overwrite: bool) -> None:
    """Refuse a ``--download`` target that cannot be written (see
    :func:`check_target`), in command-line terms: a file that exists, a
    folder that does not (for a path ending in a separator) or may not be
    written.

    :raises _Refused: with exit status 2 (invalid input).
    """
    if _is_folder(path) and not Path(path).is_dir():
        raise _Refused(
            f"--download: there is no folder {path}: create it first, or choose"
            " another path",
            2,
        )
    try:
        check_target(path, overwrite=overwrite)
    except DestinationExists:
        raise _Refused(_exists(path), 2) from None
    except LocalFileError as exc:
        raise _Refused(f"--download: {exc}", 2) from None


def _exists(path: str) -> str:
    return f"--download: {path} exists: pass --overwrite to replace it"


def _discard_stdout() -> None:
    """Send what is left of stdout nowhere: its reader is gone, and the
    flush at exit would fail again."""
    with contextlib.suppress(OSError, ValueError):  # not a file (a test's capture)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _check_wait_options(args: argparse.Namespace) -> None:
    """Refuse wait options ``wait()`` would refuse, before a task is created.

    :raises ValueError: naming the option.
    """
    if not args.wait_timeout > 0:
        raise ValueError(
            f"--wait-timeout {args.wait_timeout:g}: give a positive number"
        )
    if not args.poll_interval > 0:
        raise ValueError(
            f"--poll-interval {args.poll_interval:g}: give a positive number"
        )


def _add_wait_options(parser: argparse.ArgumentParser, *, created: bool) -> None:
    """``--wait``, ``--download`` and their options; ``created``: for the
    operation that creates a task (else, the one that reads a task)."""
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait for the task to end, showing its progress, then print its"
        " results" + ("" if created else " (instead of the task as it is now)"),
    )
    parser.add_argument(
        "--download",
        metavar="PATH",
        help="once the task succeeded, download its results to PATH (implies"
        " --wait). A file receives the first result; it must not exist, unless"
        " --overwrite. A folder (one that exists, or PATH ending in /) receives"
        " every result, named after the task: TASK_ID.EXT, TASK_ID-2.EXT, ...,"
        " with the extension of the result's URL, so that no earlier download"
        " is in the way. PATH is checked before "
        + ("the task is created." if created else "waiting."),
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a file --download would write if it exists (default: refuse)",
    )
    parser.add_argument(
        "--wait-timeout",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="how long to wait for the task to end (default 900); the task goes"
        " on after it, and the command that waits again is printed",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="seconds between reads of the task's state at first, growing to"
        " 15 (default 2)",
    )


def _fields(args: argparse.Namespace, found: Sequence[_Option]) -> dict[str, Any]:
    """The request fields given on the command line (unset ones left out)."""
    values = {option.name: getattr(args, option.dest) for option in found}
    return {name: value for name, value in values.items() if value is not None}


@attrs.define
class Assets:
    """Reads the local files named in asset fields into data URIs.

    A string in a field named after an asset kind (``images``, ``videos``)
    that is neither a URL, a data URI nor another accepted reference is a
    path: the file is read and checked. What is wrong with it is kept in
    :attr:`problems` (the file is still sent, as it is, if the validation
    mode lets it through).
    """

    rules: Mapping[str, AssetRules]
    """Asset rules by the name of the fields that hold such assets."""
    problems: list[Violation] = attrs.field(factory=list)
    """Violations found in the files read."""
    fields: set[str] = attrs.field(factory=set)
    """The body fields whose file had a problem."""

    def load(self, value: Any, field: str = "") -> Any:
        """``value`` (a body or a part at ``field``) with its files read."""
        if isinstance(value, dict):
            return {k: self.load(v, _join(field, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [self.load(v, f"{field}[{i}]") for i, v in enumerate(value)]
        rules = self.rules.get(_leaf(field))
        if rules is None or not isinstance(value, str) or _is_reference(value, rules):
            return value
        return self._read(value, rules, field)

    def _read(self, path: str, rules: AssetRules, field: str) -> str:
        try:
            return read_asset(path, rules, f"{field} ({path})")
        except ValidationError as exc:
            self.problems.extend(exc.violations)
            self.fields.add(field)
            return _data_uri(path)
        except OSError as exc:  # a LocalFileError: "cannot read <path>: <reason>"
            message = str(exc)
            self.problems.append(
                Violation("error", field, f"{rules.kind}.file", message)
            )
            self.fields.add(field)
            return path


def _data_uri(path: str) -> str:
    """A file as a data URI, unchecked (for ``"warn"`` and ``"off"`` modes)."""
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"data:{mime};base64,{data}"


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _leaf(field: str) -> str:
    """``subjects[0].images[1]`` -> ``images``."""
    return field.rsplit(".", 1)[-1].split("[", 1)[0]


def _is_reference(value: str, rules: AssetRules) -> bool:
    schemes = tuple(f"{s}://" for s in rules.url_schemes)
    return value.startswith(("data:", *schemes, *rules.extra_prefixes))


def check(
    api: ApiTables,
    operation: Operation,
    body: Mapping[str, Any],
    mode: str,
    assets: Assets,
    *,
    flags: Mapping[str, str] | None = None,
    conflicts: Sequence[Violation] = (),
) -> None:
    """Check ``body`` as the service would, in validation ``mode``.

    The problems of the files in ``assets`` count too (and stand in for what
    the validator says about the same fields). ``conflicts`` (options that
    cannot be given together) come first and stand in for the validator's
    unknown fields. With ``flags`` (each field's option), a missing field
    is said as the missing option: ``--model is required``. Warnings (and
    in ``"warn"`` mode errors) are printed to stderr.

    :raises ValidationError: ``mode`` is ``"strict"`` and there are errors.
    """
    if mode == "off":
        return
    found = [*conflicts, *assets.problems]
    if operation.id in api.bodied:
        found += [
            v
            for v in api.validate(operation.id, body)
            if v.field not in assets.fields
            and not (conflicts and v.rule == "unknown_field")
        ]
    found = _in_cli_terms(found, flags or {}, rename=False)
    if mode == "strict" and any(v.severity == "error" for v in found):
        raise ValidationError(found)
    for violation in found:
        print(f"warning: {violation}", file=sys.stderr)


def print_violations(violations: Sequence[Violation], stream: IO[str]) -> None:
    """One line per violation: ``field: message [rule]`` (warnings marked)."""
    for violation in violations:
        prefix = "warning: " if violation.severity == "warning" else ""
        print(f"{prefix}{violation}", file=stream)


def shorten(value: Any) -> Any:
    """``value`` with every data URI cut short, for printing."""
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shorten(v) for v in value]
    if (
        isinstance(value, str)
        and value.startswith("data:")
        and len(value) > _DATA_URI_SHOWN
    ):
        hidden = len(value) - _DATA_URI_SHOWN
        return f"{value[:_DATA_URI_SHOWN]}...({hidden} more characters)"
    return value


def _call(
    client: BaseClient[Any],
    operation: Operation,
    params: Mapping[str, str],
    body: Mapping[str, Any] | None,
    query: Mapping[str, Any],
) -> Any:
    """Call the client's method for ``operation``.

    The body was checked already, so the client does not check it again.
    """
    method = getattr(client, _method_name(operation))
    args = [params[p] for p in operation.params]
    if body is None:
        return method(*args, **query)
    return method(*args, validation="off", **body, **query)


# --- progress ----------------------------------------------------------------------------


class _TaskProgress:
    """Prints a task's state each time it changes, with the time elapsed."""

    def __init__(self, task_id: str, state_field: str, stream: IO[str]) -> None:
        self.task_id = task_id
        self.state_field = state_field
        self.stream = stream
        self.start = time.monotonic()

    def __call__(self, task: Any) -> None:
        state = getattr(task, self.state_field, None)
        elapsed = time.monotonic() - self.start
        shown = state.value if isinstance(state, enum.Enum) else state
        print(f"[{elapsed:6.1f} s] task {self.task_id}: {shown}", file=self.stream)
        self.stream.flush()


class _ProgressBar:
    """A one-line text progress bar: ``[#####.....]  50%  1.0 of 2.0 MiB``."""

    WIDTH = 30

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.shown = False

    def __call__(self, done: int, total: int | None) -> None:
        if total:
            filled = min(self.WIDTH * done // total, self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"[{bar}] {100 * done // total:3d}%  {_mib(done)} of {_mib(total)}"
        else:
            line = f"{_mib(done)}"
        self.stream.write(f"\r{line}")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """End the bar's line."""
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _mib(count: int) -> str:
    return f"{count / (1 << 20):.1f} MiB"


@contextlib.contextmanager
def _logging_to_stderr(name: str, enabled: bool) -> Iterator[None]:
    """Log the client's requests (logger ``name``) to stderr, if ``enabled``."""
    if not enabled:
        yield
        return
    logger = logging.getLogger(name)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
