"""The generated contract tests notice a change to any value of the tables.

Each literal of the generated ``tables.py`` is changed, one at a time: an int
by +1 and by -1, a string by appending ``"x"``, a bool by negation. The package
is copied with the changed tables under a fresh name, imported in process, and
the contract cases (``CASES`` of every ``generated/tests/test_*_contract.py``)
are run against it with their ``run_case``. Each change must make at least one
case fail (or the package fail to import, as a renamed table key does).

What is not changed, and why:

* docstrings, and the text of messages (``message=`` of a rule, the
  ``describe`` text of a pattern): words only, never compared by the cases.
  Rule ids and severities are changed: the cases compare them exactly.
* everything outside the request tables (the ``FormTable``s with their
  ``FieldTable``s and ``RuleTable``s, the ``Pattern``s, ``KNOWN_MODELS``):
  the asset rules (``AssetRules``, their ``attrs.evolve`` variants with a
  decoded-size limit, the ``*_PREFIXES``), which ``tests/test_assets.py``
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
import importlib.util
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parent.parent
GENERATED = PROJECT / "generated"
CONTRACTS = sorted((GENERATED / "tests").glob("test_*_contract.py"))

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


class Variants:
    """Copies of the generated package, each with its own ``tables.py``,
    imported under fresh names."""

    def __init__(self, package: Path, root: Path) -> None:
        self.package = package
        self.root = root
        self.count = 0

    def load(self, tables: bytes) -> ModuleType:
        """Import a copy of the package with ``tables`` as its tables."""
        self.count += 1
        name = f"{self.package.name}_variant_{self.count}"
        target = self.root / name
        shutil.copytree(
            self.package,
            target,
            ignore=shutil.ignore_patterns("__pycache__", "tables.py"),
        )
        (target / "tables.py").write_bytes(tables)
        importlib.invalidate_caches()
        try:
            return importlib.import_module(name)
        except BaseException:
            self.unload(name)
            raise

    def unload(self, name: str) -> None:
        for key in [k for k in sys.modules if k.split(".")[0] == name]:
            del sys.modules[key]
        shutil.rmtree(self.root / name)

    @contextlib.contextmanager
    def loaded(self, tables: bytes) -> Iterator[ModuleType]:
        module = self.load(tables)
        try:
            yield module
        finally:
            self.unload(module.__name__)


def load_contract(path: Path) -> ModuleType:
    name = f"_contract_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclasses.dataclass
class Harness:
    contracts: list[ModuleType]
    package: Path
    variants: Variants

    def failures(self, variant: ModuleType) -> list[str]:
        out: list[str] = []
        for contract in self.contracts:
            for case in contract.CASES:
                out += contract.run_case(variant, case)
        return out

    def catcher(self, variant: ModuleType, cases: Sequence[tuple[Any, Any]]) -> str:
        """The id of the first case that fails, or ``""``."""
        for contract, case in cases:
            if contract.run_case(variant, case):
                return str(case.id)
        return ""


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    packages = sorted(p.parent for p in GENERATED.glob("*/tables.py"))
    assert len(packages) == 1, packages
    assert CONTRACTS, "no generated contract tests"
    root = tmp_path_factory.mktemp("variants")
    sys.path.insert(0, str(root))
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    contracts: list[ModuleType] = []
    try:
        contracts += [load_contract(path) for path in CONTRACTS]
        yield Harness(contracts, packages[0], Variants(packages[0], root))
    finally:
        for contract in contracts:
            del sys.modules[contract.__name__]
        sys.dont_write_bytecode = writes
        sys.path.remove(str(root))


def test_the_cases_pass_on_a_copy_of_the_package(harness: Harness) -> None:
    source = (harness.package / "tables.py").read_bytes()
    with harness.variants.loaded(source) as variant:
        failures = harness.failures(variant)
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


def test_every_change_to_the_tables_is_caught(harness: Harness) -> None:
    started = time.perf_counter()
    source = (harness.package / "tables.py").read_bytes()
    found = find_mutations(source)
    cases = [(c, case) for c in harness.contracts for case in c.CASES]
    with harness.variants.loaded(source) as variant:  # only cases that pass now
        cases = [(c, case) for c, case in cases if not c.run_case(variant, case)]
    behavioural = [(c, case) for c, case in cases if case.kind in BEHAVIOURAL]
    tables = [(c, case) for c, case in cases if case.kind not in BEHAVIOURAL]
    survivors: list[str] = []
    weak: list[str] = []
    counts = {"import": 0, "behaviour": 0, "tables": 0}
    for mutation in found:
        try:
            variant = harness.variants.load(mutation.apply(source))
        except Exception:  # the generated tests fail to import the package
            counts["import"] += 1
            continue
        try:
            if harness.catcher(variant, behavioural):
                counts["behaviour"] += 1
            elif harness.catcher(variant, tables):
                counts["tables"] += 1
                if mutation.attribute not in SEEN_ONLY_IN_TABLES:
                    weak.append(str(mutation))
            else:
                survivors.append(str(mutation))
        finally:
            harness.variants.unload(variant.__name__)
    elapsed = time.perf_counter() - started
    print(
        f"\n{len(found)} mutations of tables.py, {len(cases)} cases: caught "
        f"{counts['behaviour']} by behaviour, {counts['tables']} by the table "
        f"cases only, {counts['import']} at import; {len(survivors)} survived "
        f"({elapsed:.1f} s)"
    )
    assert not survivors, "survived:\n" + "\n".join(survivors)
    assert not weak, "caught by the table cases only:\n" + "\n".join(weak)
