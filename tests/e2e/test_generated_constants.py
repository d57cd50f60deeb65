"""Every module constant a generated package defines is used.

The templates render a constant only where the package reads it, so a
generated ``_validators.py``, ``models.py`` or ``tables.py`` holds no dead
names. The rule, checked by walking each module's syntax tree:

- a module-level name (``NAME = ...`` or ``NAME: Final = ...``, dunders
  aside) is used when some module of the package loads it (``NAME``),
  reads it as an attribute (``module.NAME``) or names it in a string (the
  lazy exports and ``__all__`` of ``__init__.py``), anywhere but in its
  own assignment;
- ``tables.py`` is public data (``from vidu import tables``), so a table
  there also counts as used when it is documented: a docstring follows its
  assignment, as :mod:`vidu.tables` documents every table it offers.

The bundled package is checked as it is generated, and the tiny spec's and
the diff tests' base spec's packages as they render, since each spec leaves
different parts of the templates out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from vidu_codegen.pipeline import load_spec, render_spec
from vidu_codegen.project import packaged_templates

from tests.conftest import PROJECT

CHECKED = ("_validators.py", "models.py", "tables.py")
"""The modules whose constants are checked."""

DOCUMENTED_ARE_USED = ("tables.py",)
"""The modules of public data: a documented constant there is used."""

SPECS = {
    "tiny": PROJECT / "tests" / "specs" / "tiny",
    "paint": PROJECT / "tests" / "specs" / "diff" / "base",
}


def _bundled() -> dict[str, str]:
    package = PROJECT / "generated" / "vidu"
    return {
        path.relative_to(package).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(package.rglob("*.py"))
    }


def _rendered(spec_dir: Path) -> dict[str, str]:
    loaded = load_spec(spec_dir)
    assert loaded.spec is not None, "\n".join(map(str, loaded.findings))
    files = render_spec(loaded.spec, packaged_templates())
    package = next(
        name.split("/", 1)[0] for name in files if name.endswith("/__init__.py")
    )
    return {
        name.removeprefix(package + "/"): text
        for name, text in files.items()
        if name.startswith(package + "/") and name.endswith(".py")
    }


def _constants(tree: ast.Module) -> dict[str, bool]:
    """Each module-level constant, with whether a docstring follows it."""
    found: dict[str, bool] = {}
    body = tree.body
    for index, statement in enumerate(body):
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets = [statement.target]
        else:
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        documented = (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        )
        for target in targets:
            if isinstance(target, ast.Name) and not target.id.startswith("__"):
                found[target.id] = documented
    return found


def _uses(tree: ast.Module) -> set[str]:
    """The names a module loads, reads as attributes or spells in strings."""
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            used.add(node.value)
    return used


def unused_constants(files: dict[str, str]) -> list[str]:
    """``module: NAME`` for every constant of :data:`CHECKED` nothing uses."""
    trees = {name: ast.parse(text, name) for name, text in files.items()}
    used: set[str] = set()
    for tree in trees.values():
        used |= _uses(tree)
    unused = []
    for module in CHECKED:
        if module not in trees:
            continue
        for name, documented in _constants(trees[module]).items():
            if name in used or (documented and module in DOCUMENTED_ARE_USED):
                continue
            unused.append(f"{module}: {name}")
    return unused


def test_the_bundled_package_has_no_unused_constant() -> None:
    files = _bundled()
    assert set(CHECKED) <= set(files)
    assert unused_constants(files) == []


@pytest.mark.parametrize("name", sorted(SPECS))
def test_another_specs_package_has_no_unused_constant(name: str) -> None:
    files = _rendered(SPECS[name])
    assert "_validators.py" in files
    assert unused_constants(files) == []


def test_an_unused_constant_is_found() -> None:
    files = {
        "_validators.py": 'A: Final = 1\nB: Final = A + 1\n"""B, documented."""\n',
        "models.py": "converter = make()\n",
        "tables.py": 'T: Final = 2\n"""Public data."""\nU: Final = 3\n',
        "__init__.py": 'LAZY = {"converter": ("models", "converter")}\n',
    }
    assert unused_constants(files) == ["_validators.py: B", "tables.py: U"]
