"""The command line: one subcommand per operation of the spec.

::

    python -m <package> <operation> --model M --image ./a.png \\
        --image https://example.com/b.png --prompt "..." --wait --download out.mp4
    python -m <package> <get-operation> TASK_ID

A generated package runs :func:`main` with its own client class. Subcommands,
their options and help come from the spec (through the client's
:class:`ApiTables` and the request classes its methods take):
each request field is an option, a list field a repeatable one in the
singular (``--image``), an object field takes JSON or ``key=value,...``.
Local files given for image or video fields are read, checked and sent as
data URIs. ``--dry-run`` prints the checked JSON body (data URIs shortened)
and needs no API key.

Exit status: 0 done, 1 the service or the connection failed (or the task
did), 2 invalid input; every violation is printed on its own line as
``field: message [rule]``.

Before a task is created (which is billed), everything that can be checked
is: the request and its local files, the API key, the wait options and the
``--download`` target (:func:`check_target`). ``--help`` alone is answered
by :mod:`.cli_help` without this module.
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import enum
import errno
import functools
import inspect
import itertools
import json
import logging
import mimetypes
import os
import sys
import textwrap
import time
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

import attrs

from .assets import AssetRules, read_asset
from .batch.cli import add_command as add_batch_command
from .batch.cli import run_command as run_batch_command
from .cli_help import Overview, command_name, global_parser
from .client import BaseClient
from .errors import (
    BaseError,
    DestinationExists,
    InvalidAPIKey,
    LocalFileNotFound,
    LocalNotADirectory,
    LocalPermissionError,
    MissingAPIKey,
)
from .redaction import Secret
from .tables import ApiTables, Operation
from .violations import ValidationError, Violation

__all__ = ["Assets", "CommandLine", "check", "main", "shorten"]

_DATA_URI_SHOWN = 48
"""Characters of a data URI ``--dry-run`` shows."""


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
    """The options of ``operation``: every field of its request classes."""
    found: dict[str, _Option] = {}
    for cls in request_classes(client_class, operation):
        docs = _field_docs(cls)
        for name, hint in typing.get_type_hints(cls).items():
            if name not in found and name not in operation.params:
                found[name] = _option(name, hint, docs.get(name, ""))
    return tuple(found.values())


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
        )

    def build_parser(self) -> argparse.ArgumentParser:
        """The argument parser: global options and one subcommand per operation."""
        api = self.api
        parser, commands = global_parser(self.overview())
        for operation in api.operations.values():
            self._add_operation(commands, operation)
        if any(op.task == "list" for op in api.operations.values()):
            add_batch_command(commands)
        return parser

    def _add_operation(
        self,
        commands: argparse._SubParsersAction[argparse.ArgumentParser],
        operation: Operation,
    ) -> None:
        parser = commands.add_parser(
            _command(operation),
            help=operation.summary,
            description=f"{operation.summary} ({operation.method} {operation.path})",
        )
        parser.set_defaults(operation=operation)
        for param in operation.params:
            single_task_id = operation.task is not None and len(operation.params) == 1
            parser.add_argument(
                f"param_{param}",
                metavar="TASK_ID" if single_task_id else param.upper(),
            )
        found = options(self.client_class, operation)
        for option in found:
            option.add_to(parser)
        if found:
            parser.add_argument(
                "--dry-run",
                action="store_true",
                help="print the checked JSON body and send nothing (no key needed)",
            )
        if operation.task == "create" and self.api.tasks is not None:
            _add_wait_options(parser)

    def main(self, argv: Sequence[str] | None = None) -> int:
        """Run the command line; return the exit status.

        Nothing it prints shows the API key, even one the server echoes back.
        """
        args = self.build_parser().parse_args(argv)
        env = self.api.auth.env
        key = Secret(args.api_key or (os.environ.get(env) if env else None))
        with _logging_to_stderr(self.api.package, args.verbose):
            try:
                return self._run(args, key)
            except ValidationError as exc:
                print_violations(exc.violations, sys.stderr)
                return 2
            except InvalidAPIKey as exc:
                print(f"error: {key.scrub(str(exc))}", file=sys.stderr)
                return 2
            except OSError as exc:  # a local file that cannot be read or written
                print(f"error: {key.scrub(str(exc))}", file=sys.stderr)
                return 1
            except BaseError as exc:
                message = key.scrub(f"{type(exc).__name__}: {exc}")
                print(f"error: {message}", file=sys.stderr)
                return 1
            except ValueError as exc:  # such as a --base-url that is not one
                print(f"error: {key.scrub(str(exc))}", file=sys.stderr)
                return 2
            except KeyboardInterrupt:
                print("interrupted", file=sys.stderr)
                return 130

    def _run(self, args: argparse.Namespace, key: Secret) -> int:
        if getattr(args, "batch", False):
            return run_batch_command(self.client_class, args)
        operation: Operation = args.operation
        download = getattr(args, "download", None)
        if download:
            check_target(download, overwrite=args.overwrite)  # before a task is created
        if getattr(args, "wait", False) or download:
            _check_wait_options(args)
        params = {p: getattr(args, f"param_{p}") for p in operation.params}
        found = options(self.client_class, operation)
        body = None
        if found:
            assets = Assets(_asset_rules(self.api))
            body = assets.load(_fields(args, found))
            check(self.api, operation, body, args.validation, assets)
            if args.dry_run:
                print(json.dumps(shorten(body), indent=2, ensure_ascii=False))
                return 0
        if not key.value:
            env = self.api.auth.env
            raise MissingAPIKey(
                f"pass --api-key or set ${env}" if env else "pass --api-key"
            )
        with self.client_class(
            args.api_key,
            base_url=args.base_url,
            timeout=args.timeout,
            max_retries=args.max_retries,
            validation=args.validation,
        ) as client:
            result = _call(client, operation, params, body)
            self._print_json(result, key)
            if operation.task == "create" and (args.wait or args.download):
                return self._wait_and_download(client, result, args, key)
        return 0

    def _wait_and_download(
        self,
        client: BaseClient[Any],
        created: Any,
        args: argparse.Namespace,
        key: Secret,
    ) -> int:
        """Wait for the task ``created`` is, then download its video if asked."""
        tasks = self.api.require_tasks()
        task_id = getattr(created, tasks.id_field)
        progress = _TaskProgress(task_id, tasks.state_field, sys.stderr)
        creations = client.wait(
            task_id,
            timeout=args.wait_timeout,
            poll_interval=args.poll_interval,
            max_interval=max(args.poll_interval, 15.0),
            on_progress=progress,
        )
        self._print_json(creations, key)
        if args.download:
            if not creations:
                print(
                    "error: the task succeeded with nothing to download",
                    file=sys.stderr,
                )
                return 1
            bar = _ProgressBar(sys.stderr)
            path = client.download(
                creations[0],
                args.download,
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


def main(client_class: type[BaseClient[Any]], argv: Sequence[str] | None = None) -> int:
    """Run the command line of the API ``client_class`` serves."""
    return CommandLine(client_class).main(argv)


def check_target(path: str, *, overwrite: bool) -> None:
    """Refuse a download target that cannot be written, before anything is sent.

    A folder receives a file named after the URL. Otherwise the file must not
    exist (unless ``overwrite``), and its folder must exist, be a folder and be
    writable. Every error names ``path``, as it was given.

    :raises DestinationExists: the file exists and ``overwrite`` is false.
    :raises LocalFileNotFound: its folder does not exist.
    :raises LocalNotADirectory: a part of the path is a regular file.
    :raises LocalPermissionError: the folder may not be written.
    """
    target = Path(path)
    if target.is_dir():
        folder = target
    else:
        if not overwrite and (target.exists() or target.is_symlink()):
            raise DestinationExists(path)
        folder = target.parent
    if not folder.is_dir():
        for above in (folder, *folder.parents):  # as many as the path has parts
            if above.is_dir():
                break
            if above.exists():
                raise LocalNotADirectory(
                    path, f"{above} is a file, not a folder", errno.ENOTDIR
                )
        raise LocalFileNotFound(path, f"there is no folder {folder}", errno.ENOENT)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LocalPermissionError(
            path, f"the folder {folder} may not be written", errno.EACCES
        )


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


def _add_wait_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait", action="store_true", help="wait for the task to end, showing progress"
    )
    parser.add_argument(
        "--download",
        metavar="PATH",
        help="download the video to PATH once done (implies --wait); a folder "
        "keeps the URL's file name",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the file --download names if it exists (default: refuse)",
    )
    parser.add_argument(
        "--wait-timeout", type=float, default=900.0, help="seconds (default 900)"
    )
    parser.add_argument(
        "--poll-interval", type=float, default=2.0, help="seconds (default 2)"
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
) -> None:
    """Check ``body`` as the service would, in validation ``mode``.

    The problems of the files in ``assets`` count too (and stand in for what
    the validator says about the same fields). Warnings (and in ``"warn"``
    mode errors) are printed to stderr.

    :raises ValidationError: ``mode`` is ``"strict"`` and there are errors.
    """
    if mode == "off":
        return
    found = list(assets.problems)
    if operation.id in api.bodied:
        found += [
            v for v in api.validate(operation.id, body) if v.field not in assets.fields
        ]
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
) -> Any:
    """Call the client's method for ``operation``.

    The body was checked already, so the client does not check it again.
    """
    method = getattr(client, _method_name(operation))
    args = [params[p] for p in operation.params]
    if body is None:
        return method(*args)
    return method(*args, validation="off", **body)


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
