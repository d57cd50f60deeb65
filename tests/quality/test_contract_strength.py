"""The generated contract tests notice a change to any value of the tables.

Each literal of the generated ``tables.py`` is changed, one at a time: an int
by +1 and by -1, a string by appending ``"x"``, a bool by negation. The package
is imported in process again, under a fresh name, with the changed tables (a
``Variants`` build), and the contract cases (``CASES`` of every
``generated/tests/test_*_contract.py``, with its ``SPEC``) are run against it
with ``contract.run_case``. Each change must make at least one case fail (or
the package fail to import, as a renamed table key does).

What is not changed, and why:

* docstrings, and the text of messages (``message=`` of a rule, the
  ``describe`` text of a pattern): words only, never compared by the cases.
  Rule ids and severities are changed: the cases compare them exactly.
* everything outside the request tables (the ``FormTable``s with their
  ``FieldTable``s and ``RuleTable``s, the ``Pattern``s, ``KNOWN_MODELS``):
  the asset rules (``AssetRules``, their ``attrs.evolve`` variants with a
  decoded-size limit, the ``*_PREFIXES``), which ``runtime/tests/test_assets.py``
  checks against real image and video headers; and what the client reads
  (hosts, auth, tasks, error codes, callbacks, operation paths), which no
  request body shows and the client's own tests check.
* ``-1`` on a lower bound of 0 of a length or a count: no string or array is
  shorter than 0, so the change cannot be seen (an equivalent mutant).

Some values are not visible through validation at all (a field's ``kind``,
``required`` and defaults where no rule reads them, a rule's ``field``, a
form's names and body limit, the list of known models): the contract compares
those with the spec directly (its ``"table"`` cases). Every other value must be
caught by a case that validates a body, builds a request or reads a response.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]
GENERATED = PROJECT / "generated"
TESTS = GENERATED / "tests"
CONTRACTS = sorted(TESTS.glob("test_*_contract.py"))

TEXT_KEYWORDS = frozenset({"message", "describe"})
"""Keyword arguments that hold message text only."""
TEXT_ARGUMENTS = {"Pattern": 1}
"""Positional arguments that hold message text only (``Pattern``'s describe)."""
CONTRACT_CALLS = frozenset({"FormTable", "Pattern"})
"""Calls whose literals the contract covers (with ``KNOWN_MODELS``)."""
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
BEHAVIOURAL = ("payload", "request", "response")


@dataclasses.dataclass(frozen=True)
class Mutation:
    """One literal of ``tables.py`` and the value it is changed to."""

    where: str
    attribute: str
    start: int
    end: int
    old: object
    new: object

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + repr(self.new).encode() + source[self.end :]

    def __str__(self) -> str:
        return f"{self.where}: {self.old!r} -> {self.new!r}"


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
    if target == "KNOWN_MODELS":
        return True
    return isinstance(value, ast.Call) and _call_name(value) in CONTRACT_CALLS


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


def modules_apart_from_tables(package: Path) -> frozenset[str]:
    """The modules of ``package`` (as names relative to it) that do not read
    its tables: they import neither ``tables`` nor, through other modules of
    the package, anything that does.

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
        found = {"tables"} if dynamic else set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ImportFrom) and node.level:
                anchor = here[: len(here) - node.level + 1]
                target = [*anchor, *(node.module or "").split(".")]
                target = [part for part in target if part]
                found.add(".".join(target))
                found |= {".".join([*target, alias.name]) for alias in node.names}
        imports[name] = found - {name}
    reading = {"tables"}
    while True:
        more = {name for name, found in imports.items() if found & reading} - reading
        if not more:
            return frozenset(imports) - reading
        reading |= more


class Variants(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Builds of the generated package that differ only in ``tables.py``,
    each imported under a fresh name.

    A variant ``<package>_variant_<n>`` is made of the package's own files,
    but for its ``tables.py`` whose source is given. Every module that reads
    the tables (directly or through another module) is executed anew under
    the variant's name; the modules that do not, which would come out the
    same, are shared with the package itself (when it has imported them). The
    compiled code of the unchanged files is reused, as the import system would
    reuse it from ``__pycache__``.
    """

    def __init__(self, package: ModuleType) -> None:
        assert package.__file__ is not None
        self.package = package
        self.root = Path(package.__file__).parent
        self.shared = modules_apart_from_tables(self.root)
        self.count = 0
        self.tables: dict[str, bytes] = {}
        """The ``tables.py`` source of each variant imported now."""
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
        assert module.__spec__ is not None
        assert module.__spec__.origin is not None
        origin = Path(module.__spec__.origin)
        top, _, rest = module.__name__.partition(".")
        if rest == "tables":
            name = f"{top}/tables.py"
            code = compile(self.tables[top], name, "exec", dont_inherit=True)
        else:
            if origin not in self.code:
                source = origin.read_bytes()
                self.code[origin] = compile(source, origin, "exec", dont_inherit=True)
            code = self.code[origin]
        exec(code, module.__dict__)

    def load(self, tables: bytes) -> ModuleType:
        """Import a variant of the package with ``tables`` as its tables."""
        self.count += 1
        name = f"{self.package.__name__}_variant_{self.count}"
        self.tables[name] = tables
        for relative in self.shared:
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
    def loaded(self, tables: bytes) -> Iterator[ModuleType]:
        module = self.load(tables)
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
    behavioural = [(s, case) for s, case in passing if case.kind in BEHAVIOURAL]
    tables = [(s, case) for s, case in passing if case.kind not in BEHAVIOURAL]
    survivors: list[str] = []
    weak: list[str] = []
    counts = {"import": 0, "behaviour": 0, "tables": 0}
    last = 0
    for mutation in found:
        try:
            variant = harness.variants.load(mutation.apply(source))
        except Exception:  # the generated tests fail to import the package
            counts["import"] += 1
            continue
        try:
            only_in_tables = mutation.attribute in SEEN_ONLY_IN_TABLES
            if only_in_tables and harness.catcher(variant, tables, 0) >= 0:
                counts["tables"] += 1
            elif (caught := harness.catcher(variant, behavioural, last)) >= 0:
                counts["behaviour"] += 1
                last = caught
            elif not only_in_tables and harness.catcher(variant, tables, 0) >= 0:
                counts["tables"] += 1
                weak.append(str(mutation))
            else:
                survivors.append(str(mutation))
        finally:
            harness.variants.unload(variant.__name__)
    elapsed = time.perf_counter() - started
    print(
        f"\n{len(found)} mutations of tables.py, {len(passing)} cases: caught "
        f"{counts['behaviour']} by behaviour, {counts['tables']} by the table "
        f"cases, {counts['import']} at import; {len(survivors)} survived "
        f"({elapsed:.1f} s)"
    )
    assert not survivors, "survived:\n" + "\n".join(survivors)
    assert not weak, "caught by the table cases only:\n" + "\n".join(weak)
