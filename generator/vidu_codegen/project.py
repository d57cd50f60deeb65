"""Where the spec, the templates and the output are: found from a directory.

From the current directory up, the first folder that holds either a
``pyproject.toml`` with a ``[tool.vidu-codegen]`` table or a ``spec/api.yaml``
is the project. The table's keys ``spec``, ``templates`` and ``out`` are paths
relative to the ``pyproject.toml``; left out, they are ``spec/``, the
templates shipped with this package, and ``generated/``. Nothing depends on
where the generator itself is installed, so an installed generator serves
whichever checkout it is run in.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import attrs

TABLE = "vidu-codegen"
"""The ``[tool.<TABLE>]`` of ``pyproject.toml`` that marks a project."""

KEYS = ("spec", "templates", "out")
DEFAULT_SPEC = "spec"
DEFAULT_OUT = "generated"
ROOT_FILE = "api.yaml"


def packaged_templates() -> Path:
    """The templates shipped inside this package."""
    return Path(__file__).resolve().parent / "templates"


@attrs.frozen
class Project:
    """The paths the generator works with."""

    root: Path
    spec: Path
    templates: Path
    out: Path


@attrs.frozen
class NoProject:
    """Why no project was found, as one line."""

    message: str


def _table(pyproject: Path) -> dict[str, object] | NoProject | None:
    """The ``[tool.vidu-codegen]`` table of ``pyproject`` (``None``: it has none)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return NoProject(f"{pyproject}: cannot read: {exc}")
    tool = data.get("tool")
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        return NoProject(f"{pyproject}: [tool.{TABLE}] is not a table")
    return table


def _from_table(root: Path, table: dict[str, object]) -> Project | NoProject:
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        return NoProject(
            f"{root / 'pyproject.toml'}: [tool.{TABLE}] has unknown keys "
            f"{', '.join(unknown)} (known: {', '.join(KEYS)})"
        )
    paths: dict[str, Path | None] = {}
    for key in KEYS:
        value = table.get(key)
        if value is not None and not isinstance(value, str):
            return NoProject(
                f"{root / 'pyproject.toml'}: [tool.{TABLE}] {key} must be a path"
            )
        paths[key] = root / value if value is not None else None
    return Project(
        root=root,
        spec=paths["spec"] or root / DEFAULT_SPEC,
        templates=paths["templates"] or packaged_templates(),
        out=paths["out"] or root / DEFAULT_OUT,
    )


def find_project(start: Path) -> Project | NoProject:
    """The project ``start`` is in (see the module's docstring)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _table(pyproject)
            if table is not None:
                return (
                    table
                    if isinstance(table, NoProject)
                    else _from_table(folder, table)
                )
        if (folder / DEFAULT_SPEC / ROOT_FILE).is_file():
            return _from_table(folder, {})
    return NoProject(
        f"no project found: neither {DEFAULT_SPEC}/{ROOT_FILE} nor a pyproject.toml "
        f"with [tool.{TABLE}] in {start} or any folder above it; pass --spec"
    )
