"""The generated contract tests notice a change to any rendered module.

Every module of the generated package is changed one small step at a time (a
*mutation*), and each change must make a contract case fail (``CASES`` of
every ``generated/tests/test_*_contract.py``, run with ``contract.run_case``)
or the package fail to import. A mutation is:

* a literal: an int by +1 and by -1, a string by appending ``"x"``, a bool
  by negation;
* a comparison: ``<`` and ``<=``, ``>`` and ``>=``, ``==`` and ``!=``,
  ``in`` and ``not in``, ``is`` and ``is not`` swapped.

The package is imported in process again, under a fresh name, with the
changed module (a ``Variants`` build): only the modules that import it, directly
or through others, are executed anew.

``tables.py`` is mutated in full (its request tables, the error table, the
operations and the callback scheme), and so is every other rendered module:
the validators, models, clients (the asyncio one through its own ``route``,
``query`` and ``environment`` cases), the command line and the fake
server's (run in process as ``python -m`` runs them, which is why
:class:`Variants` gives ``runpy`` a module's code), the batch binding (every
option handed on to the runner) and the Hypothesis strategies (their copy
of the spec compared with the contract's, and a few draws); about a minute
and a half on two cores. ``CONTRACT_MUTATIONS=sample`` tries only a
sample of the other modules' mutations, for a quicker run: every ``n``-th in
source order, ``n`` chosen per module so that it gives at most
:data:`SAMPLE_PER_MODULE`. Cases are tried cheapest first: the
validation cases from the one that caught the previous mutation on (neighbours
tend to be caught by the same case), then the table cases for a value only
they can see, then the few that start a server (routes, query parameters,
pages, concurrency, errors, the fake server, the base URL's environment
variable), again from the one that caught the previous mutation on, and last
the few whose body holds text at the size limit (:data:`HEAVY_TEXT`: sizing
one takes longer than all the other validation cases together). A module
with cases written for it (:data:`AIMED`: the command line, the batch
binding, the strategies) has those tried first on its mutations. Which case
is tried first changes the time taken, never the answer. The mutations are
shared among worker processes (:data:`WORKERS`, forked copies of this one),
each taking short runs of neighbouring mutations in turn.

What is not changed, and why (the equivalent or unobservable mutations):

* docstrings, and prose: a string literal with a space in it (messages,
  labels, the text of an expected type such as ``"an array"``), any part of an
  f-string, ``message=`` of a rule, the ``describe`` text of a pattern and the
  arguments of :data:`TEXT_CALLS`. Words only; never compared by the cases.
* in ``tables.py``, the asset rules (``AssetRules``, their ``attrs.evolve``
  variants and the ``*_PREFIXES``), which ``runtime/tests/test_assets.py``
  checks against real image and video headers; the hosts, the auth header and
  the version, which the client's own tests check.
* ``-1`` on a lower bound of 0 of a length or a count: no string or array is
  shorter than 0, so the change cannot be seen.
* in ``_validators``, the ``*_KEYS_BOUND`` constants (:data:`KEYS_BOUNDS`):
  each bounds the encoded size of a form's or an object's keys and
  punctuation at 6 bytes a character and 40 a key, hundreds of bytes over
  what the keys of any body take, so a byte more or less is still a bound;
  and a bound only decides whether the body is measured exactly (the measure
  decides). The terms the validators add to it for each value are mutated:
  counting a string short is caught by a body one byte over the limit made
  of characters JSON writes in six bytes.
* :data:`EQUIVALENT`: mutations listed one by one with the reason they change
  no behaviour.
* :data:`UNCHECKED`: modules the contract does not cover, with the reason
  (none today).

Some values are not visible through validation at all (a field's ``kind``,
``required`` and defaults where no rule reads them, a rule's ``field``, a
form's names and body limit, the list of known models): the contract compares
those with the spec directly (its ``"table"`` cases). Every other value must be
caught by a case that validates a body, builds a request, reads a response or
talks to a server.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, Final, TypeVar

import pytest

PROJECT = Path(__file__).resolve().parents[2]
GENERATED = PROJECT / "generated"
TESTS = GENERATED / "tests"
CONTRACTS = sorted(TESTS.glob("test_*_contract.py"))

TEXT_KEYWORDS = frozenset({"message", "describe", "summary"})
"""Keyword arguments that hold message text only."""
TEXT_ARGUMENTS = {"Pattern": 1}
"""Positional arguments that hold message text only (``Pattern``'s describe)."""
TABLES_NOT_MUTATED = {
    "VERSION": "the package version: the distribution test checks it",
    "BASE_URL": "the default host: the client's tests check it",
    "HOSTS": "the named hosts: the client's tests check them",
    "AUTH": "the auth header: the client's and fake server's tests check it",
    "TASKS": "the task life cycle: the fake server's and wait() tests check it",
}
"""Tables of ``tables.py`` outside the contract, with the reason."""
KEYWORDS_NOT_MUTATED = {
    "idempotent": "whether a call is retried: the client's retry tests check it",
    "task": "which operation wait() and the fake server use: their tests check it",
}
"""Keywords of ``tables.py`` calls outside the contract, with the reason."""
WHERE_NOT_MUTATED = {
    "CALLBACK.method": "the method of callbacks the fake server sends: its tests",
    "CALLBACK.signature.nonce_header": "not caught yet: the vectors name the"
    " nonce header themselves, and verify() finds a replay without it",
    "OPERATION_INFO['cancel'].has_body": "not caught yet: only whether the fake"
    " server reads the body; the client sends it either way",
    "OPERATION_INFO['reference2video'].has_body": "not caught yet: as above",
    "OPERATION_INFO['list_tasks'].pagination.page_size": "which query parameter"
    " the fake server reads as the page size, and nothing else: the client"
    " sends the page size under its query parameter's own name (the contract's"
    " paging case checks that against a scripted server); the fake server's"
    " listing tests check this one (runtime/tests/test_fake_server_listing.py,"
    " tests/vidu/test_list_tasks.py)",
}
"""Values of ``tables.py`` left out, with the reason (the gaps say so)."""
MODULE_SAMPLE: Final = "CONTRACT_MUTATIONS"
"""Environment variable: ``sample`` tries only a sample of the mutations of
the modules other than ``tables.py`` (every one by default)."""
SAMPLE_PER_MODULE: Final = 40
"""Mutations tried per module other than ``tables.py`` with
``CONTRACT_MUTATIONS=sample``."""
UNCHECKED: dict[str, str] = {}
"""Rendered modules the contract does not cover, with the reason (none: the
asyncio client, the command line, the fake server's command line, the batch
binding and the strategies each have cases of their own; the pytest plugin
has no literal or comparison to change)."""
EQUIVALENT: dict[str, str] = {
    "strategies: R = TypeVar(\"R\"): 'R' -> 'Rx'": "the name of a type"
    " variable, which only type checkers read",
    '_api: API: Final = ApiTables( ... "image": tables.IMAGE_ASSET,:'
    " 'image' -> 'imagex'": "the asset's name, in messages only",
    '_api: API: Final = ApiTables( ... "video": tables.VIDEO_ASSET,:'
    " 'video' -> 'videox'": "the asset's name, in messages only",
    "models: if mode != \"off\":: 'off' -> 'offx'": "enforce() does nothing"
    " in the mode 'off' itself: the test before it only saves listing the"
    " violations",
    '__init__: _EXPORTS: dict[str, tuple[str, str]] = { ... "tables":'
    " (\".tables\", \"\"),: 'tables' -> 'tablesx'": "the key of the public"
    " submodule tables: a name _EXPORTS does not hold is imported on first use"
    " as the submodule of that name, the same module (the changed key only"
    " makes a second name for it)",
    "_validators: bound += 6 * len(value): 6 -> 7": "a larger bound of the"
    " encoded size (6 bytes a character is the most any takes): the bound only"
    " decides whether the body is measured exactly, and the measure decides",
    "_validators: bound += 6 * len(item): 6 -> 7": "as above",
    "_validators: bound += 4 * len(value): 4 -> 5": "as above (4 bytes an item"
    " of an array, for its quotes and comma)",
    "_validators: bound += 4 * len(value): 4 -> 3": "an item of an array takes"
    " at most 3 bytes besides its value (a string's 2 quotes and a comma; an"
    " object's braces are in its keys' bound, any other value's punctuation in"
    " its json_bound): 3 an item is still a bound",
    "_validators: if bound > REFERENCE2VIDEO_SUBJECTS_BODY_MAX_BYTES::"
    " '>' ->  >= ": "a body whose bound is exactly the limit is measured too,"
    " and the measure finds it is not over",
    "_validators: REFERENCE2VIDEO_SUBJECTS_SUBJECT_RULE_0: Final ="
    " REFERENCE2VIDEO_SUBJECTS.object_rules[ ... ][0]: 0 -> -1": "Subject has"
    " one rule: the last is the first",
}
"""Mutations that change no behaviour, with the reason: by line
(``module:line: old -> new``) or, better, by content
(:meth:`Mutation.by_content`: ``module: statement ... line: old -> new``,
which stays when lines move; a failing run prints both)."""
NOT_YET_CAUGHT: dict[str, str] = {}
"""Mutations the contract does not catch yet: gaps to close, not
equivalents. They are skipped; the test fails
on any other survivor. Labels carry line numbers of the generated module:
regenerating code that moves them shows them again as survivors."""
QUERY_ONLY_IN_TABLES: Final = frozenset({"choices"})
"""Attributes of a query parameter that the client does not read (the
values of its enum document it; others are sent too): the ``"table"`` cases
compare them with the spec."""
BOUND_KEYWORDS = frozenset({"length", "count", "count_by_model"})
"""Bounds of a size, which cannot go below 0."""
SEEN_ONLY_IN_TABLES = frozenset(
    {
        "kind",
        "required",
        "default",
        "default_by_model",
        "field",
        "operation",
        "name",
        "request_class",
        "body_max_bytes",
        "KNOWN_MODELS",
    }
)
"""Where a change may be caught by a ``"table"`` case alone."""
KEYS_ONLY_IN_TABLES = frozenset({"fields", "objects"})
"""A form's table of fields is keyed by the fields' names: the rendered
validators read a field's rules from the spec directly, so a renamed key shows
only where the table is read as data (the command line's options and the fake
server, each tested on its own) and in the ``"table"`` cases."""
BEHAVIOURAL = (
    "listed",
    "payload",
    "request",
    "response",
    "example",
    "signature",
    "exports",
    "enum",
    "identity",
    "keywords",
)
"""Cases that run in process, without a server."""
SERVICE = (
    "route",
    "errors",
    "fake",
    "query",
    "paging",
    "concurrency",
    "environment",
    "command line",
    "batch",
    "strategies",
)
"""Cases that start a server, run the command line or the batch runner, or
draw from the strategies: tried last (but see :data:`AIMED`)."""
AIMED: Final[Mapping[str, frozenset[str]]] = {
    "strategies": frozenset({"strategies"}),
    "__main__": frozenset({"command line"}),
    "testing.__main__": frozenset({"command line"}),
    "batch": frozenset({"batch"}),
}
"""The kinds of case written for a rendered module, tried first on its
mutations (most of which no other case can see)."""
HEAVY_TEXT: Final = 1 << 21
"""Characters of text in a case's body past which the case is tried after
the others: the bodies at the 20 MiB limit (of plain text, or of characters
JSON writes in six bytes) take tens of milliseconds each to size, the others
well under one."""


@dataclasses.dataclass(frozen=True)
class Mutation:
    """One literal of ``tables.py`` and the value it is changed to."""

    where: str
    attribute: str
    start: int
    end: int
    old: object
    new: object
    text: str = ""
    """Where it is, by content: the first line of its statement and, when
    it is on another, its own line (see :meth:`by_content`)."""

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + repr(self.new).encode() + source[self.end :]

    def __str__(self) -> str:
        return f"{self.where}: {self.old!r} -> {self.new!r}"

    def by_content(self) -> str:
        """``module: text: old -> new``: the label with the source text in
        place of the line number, which stays when the lines around move."""
        module = self.where.partition(":")[0]
        return f"{module}: {self.text}: {self.old!r} -> {self.new!r}"

    def listed(self, table: Mapping[str, str]) -> bool:
        """Whether ``table`` lists this mutation by line or by content."""
        return str(self) in table or self.by_content() in table


def _changes(value: object, attribute: str, index: int | None) -> list[object]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        lower_size = attribute in BOUND_KEYWORDS and index == 0 and value == 0
        return [value + 1] if lower_size else [value + 1, value - 1]
    if isinstance(value, str):
        return [value + "x"]
    return []


class _Finder:
    def __init__(self, source: bytes) -> None:
        self.starts = [0]
        for line in source.split(b"\n"):
            self.starts.append(self.starts[-1] + len(line) + 1)
        self.found: list[Mutation] = []

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column

    def walk(
        self, node: ast.AST, where: str, attribute: str, index: int | None
    ) -> None:
        if isinstance(node, ast.Constant):
            assert node.end_lineno is not None
            assert node.end_col_offset is not None
            start = self.offset(node.lineno, node.col_offset)
            end = self.offset(node.end_lineno, node.end_col_offset)
            for new in _changes(node.value, attribute, index):
                self.found.append(
                    Mutation(where, attribute, start, end, node.value, new)
                )
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            for i, arg in enumerate(node.args):
                if TEXT_ARGUMENTS.get(name) != i:
                    self.walk(arg, f"{where}({i})", attribute, None)
            for keyword in node.keywords:
                if keyword.arg in KEYWORDS_NOT_MUTATED:
                    continue
                if f"{where}.{keyword.arg}" in WHERE_NOT_MUTATED:
                    continue
                if keyword.arg is not None and keyword.arg not in TEXT_KEYWORDS:
                    self.walk(
                        keyword.value, f"{where}.{keyword.arg}", keyword.arg, None
                    )
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                label = ast.unparse(key) if key is not None else "**"
                if key is not None:
                    self.walk(key, f"{where} key {label}", attribute, None)
                self.walk(value, f"{where}[{label}]", attribute, None)
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            for i, element in enumerate(node.elts):
                self.walk(element, f"{where}[{i}]", attribute, i)


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def _in_contract(target: str, value: ast.AST) -> bool:
    if target in TABLES_NOT_MUTATED or "_ASSET" in target:
        return False  # see the module docstring
    return not isinstance(value, ast.Constant)  # a docstring


def find_mutations(source: bytes) -> list[Mutation]:
    """Every literal of a table assignment that may be changed."""
    finder = _Finder(source)
    for statement in ast.parse(source).body:
        target: ast.expr
        if isinstance(statement, ast.AnnAssign) and statement.value is not None:
            target, value = statement.target, statement.value
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        else:
            continue  # imports, and docstrings
        if isinstance(target, ast.Name) and _in_contract(target.id, value):
            finder.walk(value, target.id, target.id, None)
    return finder.found


TEXT_CALLS: Final = frozenset({"by_default"})
"""Calls whose arguments only word a message: ``by_default`` names, in a
rule's message, the fields whose default made it fire."""
SWAPS: Final[dict[type[ast.cmpop], str]] = {
    ast.Lt: "<=",
    ast.LtE: "<",
    ast.Gt: ">=",
    ast.GtE: ">",
    ast.Eq: "!=",
    ast.NotEq: "==",
    ast.In: "not in",
    ast.NotIn: "in",
    ast.Is: "is not",
    ast.IsNot: "is",
}
"""Each comparison and the one it is changed to."""
SPELLED: Final[dict[type[ast.cmpop], str]] = {
    op: SWAPS[swapped]
    for op, swapped in (
        (ast.Lt, ast.LtE),
        (ast.LtE, ast.Lt),
        (ast.Gt, ast.GtE),
        (ast.GtE, ast.Gt),
        (ast.Eq, ast.NotEq),
        (ast.NotEq, ast.Eq),
        (ast.In, ast.NotIn),
        (ast.NotIn, ast.In),
        (ast.Is, ast.IsNot),
        (ast.IsNot, ast.Is),
    )
}
"""How each comparison is spelled."""


def _is_prose(value: object) -> bool:
    return isinstance(value, str) and any(c.isspace() for c in value)


def _docstrings(tree: ast.AST) -> set[int]:
    """``id`` of every docstring node (module, class, function, attribute)."""
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for statement in body:
            if isinstance(statement, ast.Expr) and isinstance(
                statement.value, ast.Constant
            ):
                found.add(id(statement.value))
    return found


KEYS_BOUNDS: Final = "_KEYS_BOUND"
"""How the name of a constant of ``_validators`` that bounds the encoded size
of a form's keys ends (see the module docstring)."""


def _statements(tree: ast.AST) -> dict[int, ast.stmt]:
    """The innermost statement of every expression node, by ``id``."""
    found: dict[int, ast.stmt] = {}
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.stmt):
            continue
        for child in ast.iter_child_nodes(statement):
            if not isinstance(child, ast.stmt | ast.excepthandler):
                found.update((id(node), statement) for node in ast.walk(child))
    return found


def find_code_mutations(source: bytes, module: str) -> list[Mutation]:
    """Every literal and comparison of a rendered module that may be changed
    (see the module docstring for what is left out)."""
    tree = ast.parse(source)
    finder = _Finder(source)
    lines = source.decode().split("\n")
    statements = _statements(tree)
    skip = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip |= {id(part) for part in ast.walk(node)}
        if isinstance(node, ast.ImportFrom | ast.Import):
            skip |= {id(part) for part in ast.walk(node)}
        if isinstance(node, ast.keyword) and node.arg in TEXT_KEYWORDS:
            skip |= {id(part) for part in ast.walk(node)}
        if isinstance(node, ast.Call) and _call_name(node) in TEXT_CALLS:
            skip |= {id(part) for part in ast.walk(node)}
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(
                isinstance(t, ast.Name) and t.id.endswith(KEYS_BOUNDS) for t in targets
            ):
                skip |= {id(part) for part in ast.walk(node)}

    def text(node: ast.AST, line: int) -> str:
        statement = statements.get(id(node))
        first = statement.lineno if statement is not None else line
        here = lines[line - 1].strip()
        return here if first == line else f"{lines[first - 1].strip()} ... {here}"

    found = []
    for node in ast.walk(tree):
        if id(node) in skip or not hasattr(node, "lineno"):
            continue
        where = f"{module}:{node.lineno}"
        if isinstance(node, ast.Constant) and not _is_prose(node.value):
            if node.value is None or node.value is Ellipsis:
                continue
            start = finder.offset(node.lineno, node.col_offset)
            assert node.end_lineno is not None
            assert node.end_col_offset is not None
            end = finder.offset(node.end_lineno, node.end_col_offset)
            at = text(node, node.lineno)
            for new in _changes(node.value, "", None):
                found.append(Mutation(where, "", start, end, node.value, new, at))
        elif isinstance(node, ast.Compare):
            for left, op, right in zip(
                [node.left, *node.comparators[:-1]],
                node.ops,
                node.comparators,
                strict=True,
            ):
                assert left.end_lineno is not None
                assert left.end_col_offset is not None
                start = finder.offset(left.end_lineno, left.end_col_offset)
                end = finder.offset(right.lineno, right.col_offset)
                new = f" {SWAPS[type(op)]} "
                old = " ".join(source[start:end].decode().split())
                if old != SPELLED[type(op)]:
                    continue  # a parenthesis or a comment in between
                at = text(node, left.end_lineno)
                found.append(Mutation(where, "compare", start, end, old, Ref(new), at))
    return sorted(found, key=lambda m: (m.start, str(m.new)))


@dataclasses.dataclass(frozen=True)
class Ref:
    """Source text to insert as it is (a comparison operator)."""

    text: str

    def __repr__(self) -> str:
        return self.text


def rendered_modules(package: Path) -> list[tuple[str, Path]]:
    """``(name relative to the package, path)`` of every module to mutate."""
    out = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        if relative == "tables.py" or relative in UNCHECKED:
            continue
        parts = list(path.relative_to(package).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), path))
    return out


def sample(found: Sequence[Mutation]) -> list[Mutation]:
    """Every mutation; with ``CONTRACT_MUTATIONS=sample``, every ``n``-th,
    at most :data:`SAMPLE_PER_MODULE`."""
    if os.environ.get(MODULE_SAMPLE) != "sample" or len(found) <= SAMPLE_PER_MODULE:
        return list(found)
    step = -(-len(found) // SAMPLE_PER_MODULE)
    return list(found[step // 2 :: step])


def modules_apart_from_tables(package: Path, changed: str = "tables") -> frozenset[str]:
    """The modules of ``package`` (as names relative to it) that do not read
    the module ``changed`` (its tables by default): they import neither it
    nor, through other modules of the package, anything that does.

    A module that imports by a computed name (``importlib``, ``__import__``,
    ``sys.modules``) is counted as reading the tables.
    """
    imports: dict[str, set[str]] = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package).with_suffix("").parts)
        here = parts[:-1]  # the package that relative imports start from
        if parts[-1] == "__init__":
            parts = here
        name = ".".join(parts)
        source = path.read_text(encoding="utf-8")
        dynamic = any(
            word in source for word in ("importlib", "__import__", "sys.modules")
        )
        found = {changed} if dynamic else set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level:
                anchor = here[: len(here) - node.level + 1]
                target = [*anchor, *(node.module or "").split(".")]
                target = [part for part in target if part]
                found.add(".".join(target))
                found |= {".".join([*target, alias.name]) for alias in node.names}
        imports[name] = found - {name}
    reading = {changed}
    while True:
        more = {name for name, found in imports.items() if found & reading} - reading
        if not more:
            return frozenset(imports) - reading
        reading |= more


class Variants(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Builds of the generated package that differ in one module, each
    imported under a fresh name.

    A variant ``<package>_variant_<n>`` is made of the package's own files,
    but for one module (``tables`` unless named) whose source is given. Every
    module that reads it (directly or through another module) is executed
    anew under the variant's name; the modules that do not, which would come
    out the same, are shared with the package itself (when it has imported
    them). The compiled code of the unchanged files is reused, as the import
    system would reuse it from ``__pycache__``.
    """

    def __init__(self, package: ModuleType) -> None:
        assert package.__file__ is not None
        self.package = package
        self.root = Path(package.__file__).parent
        self.shared: dict[str, frozenset[str]] = {}
        self.count = 0
        self.tables: dict[str, tuple[str, bytes]] = {}
        """The changed module and its source, of each variant imported now."""
        self.code: dict[Path, CodeType] = {}

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        top, _, rest = fullname.partition(".")
        if top not in self.tables:
            return None
        where = self.root.joinpath(*rest.split(".")) if rest else self.root
        if (where / "__init__.py").is_file():
            origin, locations = where / "__init__.py", [str(where)]
        elif where.with_suffix(".py").is_file():
            origin, locations = where.with_suffix(".py"), None
        else:
            return None
        return importlib.util.spec_from_file_location(
            fullname, origin, loader=self, submodule_search_locations=locations
        )

    def exec_module(self, module: ModuleType) -> None:
        exec(self.get_code(module.__name__), module.__dict__)

    def get_code(self, fullname: str) -> CodeType:
        """The code of the module ``fullname`` of a variant (``runpy`` runs
        a variant's ``__main__`` with it, as ``python -m`` does)."""
        top, _, rest = fullname.partition(".")
        changed, source = self.tables[top]
        if rest == changed:
            name = f"{top}/{changed.replace('.', '/')}.py"
            return compile(source, name, "exec", dont_inherit=True)
        where = self.root.joinpath(*rest.split(".")) if rest else self.root
        origin = where / "__init__.py" if where.is_dir() else where.with_suffix(".py")
        if origin not in self.code:
            source = origin.read_bytes()
            self.code[origin] = compile(source, origin, "exec", dont_inherit=True)
        return self.code[origin]

    def load(self, source: bytes, changed: str = "tables") -> ModuleType:
        """Import a variant of the package with ``source`` as the module
        ``changed`` (relative to the package, ``"testing"`` for a package)."""
        self.count += 1
        name = f"{self.package.__name__}_variant_{self.count}"
        self.tables[name] = (changed, source)
        if changed not in self.shared:
            self.shared[changed] = modules_apart_from_tables(self.root, changed)
        for relative in self.shared[changed]:
            module = sys.modules.get(f"{self.package.__name__}.{relative}")
            if module is not None:
                sys.modules[f"{name}.{relative}"] = module
        try:
            return importlib.import_module(name)
        except BaseException:
            self.unload(name)
            raise

    def unload(self, name: str) -> None:
        for key in [k for k in sys.modules if k.split(".")[0] == name]:
            del sys.modules[key]
        del self.tables[name]

    @contextlib.contextmanager
    def loaded(self, source: bytes, changed: str = "tables") -> Iterator[ModuleType]:
        module = self.load(source, changed)
        try:
            yield module
        finally:
            self.unload(module.__name__)


def load_contract(path: Path) -> ModuleType:
    """Import a generated contract module from its file, under a private name."""
    name = f"_contract_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


Check = tuple[Any, Any]
"""A contract case with the spec it belongs to: ``(SPEC, case)``."""


WORKERS: Final = min(os.cpu_count() or 1, 4)
"""Processes the mutations are shared among: copies of this one (forked, with
the package and the cases loaded), each taking the next run of neighbouring
mutations as it is done with one."""
RUNS_PER_WORKER: Final = 8
"""Runs the mutations are cut into, per worker: survivors (which every case
is tried on) come in clusters, so runs are short enough to share them out."""
WORKERS_TIMEOUT: Final = 900.0
"""Seconds the workers may take together."""

R = TypeVar("R")
_job: Callable[[range], Any] | None = None
"""What each worker runs (set for the time :func:`in_workers` runs)."""


def _run_job(run: range) -> Any:
    assert _job is not None
    return _job(run)


def in_workers(count: int, job: Callable[[range], R]) -> list[R]:
    """``job`` over ``range(count)`` cut into runs of neighbours, each run in
    one of :data:`WORKERS` worker processes; the results in the order of the
    runs. In this process where there is one processor or no ``fork``."""
    global _job
    size = max(1, -(-count // (WORKERS * RUNS_PER_WORKER)))
    runs = [range(i, min(i + size, count)) for i in range(0, count, size)]
    forks = "fork" in multiprocessing.get_all_start_methods()
    if WORKERS < 2 or len(runs) < 2 or not forks:
        return [job(run) for run in runs]
    _job = job
    try:
        with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
            return pool.map_async(_run_job, runs, chunksize=1).get(WORKERS_TIMEOUT)
    finally:
        _job = None


def _text_in(body: object) -> int:
    """Characters of text in a JSON-like ``body``, counted up to past
    :data:`HEAVY_TEXT`."""
    total, stack = 0, [body]
    while stack and total <= HEAVY_TEXT:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list | tuple):
            stack += item
    return total


def light_first(checks: Sequence[Check]) -> tuple[list[Check], list[Check]]:
    """``checks`` split in two, in order: those whose body is light, then
    those whose body holds more than :data:`HEAVY_TEXT` characters of text."""
    light = [c for c in checks if _text_in(c[1].body) <= HEAVY_TEXT]
    heavy = [c for c in checks if _text_in(c[1].body) > HEAVY_TEXT]
    return light, heavy


@dataclasses.dataclass
class Harness:
    run_case: Callable[[ModuleType, Any, Any], list[str]]
    """``contract.run_case`` of the generated tests."""
    checks: list[Check]
    """Every case of every generated contract module."""
    package: Path
    variants: Variants

    def failures(self, variant: ModuleType) -> list[list[str]]:
        """What each check reports on ``variant`` (empty where it passes)."""
        return [self.run_case(variant, spec, case) for spec, case in self.checks]

    def catcher(self, variant: ModuleType, checks: Sequence[Check], start: int) -> int:
        """The index of a check that fails on ``variant``, or ``-1``.

        Every check is run until one fails, starting at ``start`` and wrapping
        around: which one is tried first changes the time taken, never the
        answer.
        """
        for i in range(len(checks)):
            k = (start + i) % len(checks)
            spec, case = checks[k]
            if self.run_case(variant, spec, case):
                return k
        return -1


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    packages = sorted(p.parent for p in GENERATED.glob("*/tables.py"))
    assert len(packages) == 1, packages
    assert CONTRACTS, "no generated contract tests"
    package = importlib.import_module(packages[0].name)
    assert Path(str(package.__file__)).parent == packages[0]
    variants = Variants(package)
    sys.meta_path.insert(0, variants)
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    added = [f"_contract_{path.stem}" for path in CONTRACTS]
    try:
        contract = importlib.import_module("specgen_runtime.contract")
        modules = [load_contract(path) for path in CONTRACTS]
        checks = [(m.SPEC, case) for m in modules for case in m.CASES]
        yield Harness(contract.run_case, checks, packages[0], variants)
    finally:
        for name in added:
            sys.modules.pop(name, None)
        sys.dont_write_bytecode = writes
        sys.meta_path.remove(variants)


@pytest.fixture(scope="module")
def baseline(harness: Harness) -> list[list[str]]:
    """What each check reports on a variant with the unchanged tables."""
    source = (harness.package / "tables.py").read_bytes()
    with harness.variants.loaded(source) as variant:
        return harness.failures(variant)


def test_the_cases_pass_on_a_copy_of_the_package(baseline: list[list[str]]) -> None:
    failures = [failure for failures in baseline for failure in failures]
    assert not failures, "\n".join(failures[:20])


def test_the_mutations_cover_the_tables(harness: Harness) -> None:
    source = (harness.package / "tables.py").read_bytes()
    found = find_mutations(source)
    attributes = {m.attribute for m in found}
    assert {"kind", "id", "severity"} <= attributes
    assert not [m for m in found if m.attribute in TEXT_KEYWORDS]
    literals = {
        m.start: ast.literal_eval(source[m.start : m.end].decode()) for m in found
    }
    assert all(literals[m.start] == m.old for m in found)


def test_every_change_to_the_tables_is_caught(
    harness: Harness, baseline: list[list[str]]
) -> None:
    """A change is caught by a behavioural case, or by a table case if it is
    of a value that validation does not show.

    For such a value the table cases are tried first (they are quick, and
    whether a behavioural case would catch it too does not matter); for any
    other, a table case counts only after every behavioural case has passed.
    The behavioural cases are tried from the one that caught the previous
    change on: neighbouring literals tend to be caught by the same case.
    """
    started = time.perf_counter()
    source = (harness.package / "tables.py").read_bytes()
    found = find_mutations(source)
    passing = [
        c for c, failed in zip(harness.checks, baseline, strict=True) if not failed
    ]
    behavioural, heavy = light_first(
        [(s, case) for s, case in passing if case.kind in BEHAVIOURAL]
    )
    tables = [(s, case) for s, case in passing if case.kind == "table"]
    service = [(s, case) for s, case in passing if case.kind in SERVICE]

    def job(run: range) -> tuple[dict[str, int], list[str], list[str]]:
        survivors: list[str] = []
        weak: list[str] = []
        counts = {"import": 0, "behaviour": 0, "tables": 0}
        last = last_service = 0
        for mutation in (found[i] for i in run):
            try:
                variant = harness.variants.load(mutation.apply(source))
            except Exception:  # the generated tests fail to import the package
                counts["import"] += 1
                continue
            try:
                only_in_tables = (
                    mutation.attribute in SEEN_ONLY_IN_TABLES
                    or (
                        ".query[" in mutation.where
                        and mutation.attribute in QUERY_ONLY_IN_TABLES
                    )
                    or (
                        " key " in mutation.where
                        and mutation.attribute in KEYS_ONLY_IN_TABLES
                    )
                )
                if only_in_tables and harness.catcher(variant, tables, 0) >= 0:
                    counts["tables"] += 1
                elif (caught := harness.catcher(variant, behavioural, last)) >= 0:
                    counts["behaviour"] += 1
                    last = caught
                elif (caught := harness.catcher(variant, service, last_service)) >= 0:
                    counts["behaviour"] += 1
                    last_service = caught
                elif harness.catcher(variant, heavy, 0) >= 0:
                    counts["behaviour"] += 1
                elif not only_in_tables and harness.catcher(variant, tables, 0) >= 0:
                    counts["tables"] += 1
                    weak.append(str(mutation))
                else:
                    survivors.append(str(mutation))
            finally:
                harness.variants.unload(variant.__name__)
        return counts, survivors, weak

    survivors: list[str] = []
    weak: list[str] = []
    counts = {"import": 0, "behaviour": 0, "tables": 0}
    for run_counts, run_survivors, run_weak in in_workers(len(found), job):
        counts = {k: counts[k] + run_counts[k] for k in counts}
        survivors += run_survivors
        weak += run_weak
    elapsed = time.perf_counter() - started
    print(
        f"\n{len(found)} mutations of tables.py, {len(passing)} cases: caught "
        f"{counts['behaviour']} by behaviour, {counts['tables']} by the table "
        f"cases, {counts['import']} at import; {len(survivors)} survived "
        f"({elapsed:.1f} s)"
    )
    assert not survivors, "survived:\n" + "\n".join(survivors)
    assert not weak, "caught by the table cases only:\n" + "\n".join(weak)


def test_every_change_to_the_other_rendered_modules_is_caught(
    harness: Harness, baseline: list[list[str]]
) -> None:
    """Every mutation of every rendered module but ``tables.py`` (see the
    module docstring) is caught by a case, or at import."""
    started = time.perf_counter()
    passing = [
        c for c, failed in zip(harness.checks, baseline, strict=True) if not failed
    ]
    cheap, heavy = light_first([c for c in passing if c[1].kind not in SERVICE])
    service = [c for c in passing if c[1].kind in SERVICE]
    modules = rendered_modules(harness.package)
    assert {name for name, _ in modules} >= {"", "_validators", "models", "client"}
    mutants: list[tuple[str, bytes, Mutation]] = []
    for name, path in modules:
        source = path.read_bytes()
        for mutation in sample(find_code_mutations(source, name or "__init__")):
            if not mutation.listed(EQUIVALENT) and not mutation.listed(NOT_YET_CAUGHT):
                mutants.append((name, source, mutation))

    def job(run: range) -> tuple[int, list[str]]:
        survivors: list[str] = []
        caught_at_import = 0
        last = last_service = 0
        for name, source, mutation in (mutants[i] for i in run):
            try:
                variant = harness.variants.load(mutation.apply(source), name)
            except Exception:
                caught_at_import += 1
                continue
            aimed = [c for c in passing if c[1].kind in AIMED.get(name, ())]
            try:
                if harness.catcher(variant, aimed, 0) >= 0:
                    pass
                elif (k := harness.catcher(variant, cheap, last)) >= 0:
                    last = k
                elif (k := harness.catcher(variant, service, last_service)) >= 0:
                    last_service = k
                elif harness.catcher(variant, heavy, 0) < 0:
                    survivors.append(f"{mutation}    [{mutation.by_content()}]")
            finally:
                harness.variants.unload(variant.__name__)
        return caught_at_import, survivors

    tried, caught_at_import = len(mutants), 0
    survivors: list[str] = []
    for run_caught, run_survivors in in_workers(len(mutants), job):
        caught_at_import += run_caught
        survivors += run_survivors
    elapsed = time.perf_counter() - started
    print(
        f"\n{tried} mutations of {len(modules)} modules: {caught_at_import} caught"
        f" at import, {len(survivors)} survived ({elapsed:.1f} s)"
    )
    assert not survivors, "survived:\n" + "\n".join(survivors)


def test_every_listed_equivalent_is_a_mutation_found(harness: Harness) -> None:
    """No entry of :data:`EQUIVALENT` or :data:`NOT_YET_CAUGHT` is stale:
    each names a mutation of a rendered module, by line or by content."""
    labels: set[str] = set()
    for name, path in rendered_modules(harness.package):
        for mutation in find_code_mutations(path.read_bytes(), name or "__init__"):
            labels |= {str(mutation), mutation.by_content()}
    stale = sorted(set(EQUIVALENT) - labels) + sorted(set(NOT_YET_CAUGHT) - labels)
    assert not stale, "listed, but no such mutation:\n" + "\n".join(stale)
