"""Finding the project from the current directory."""

from __future__ import annotations

import shutil
from pathlib import Path

from vidu_codegen.project import (
    NoProject,
    Project,
    find_project,
    packaged_templates,
)

from tests.conftest import TINY_SPEC, run_codegen


def _project(root: Path, spec: str = "spec") -> Path:
    shutil.copytree(TINY_SPEC, root / spec)
    return root


def test_a_folder_with_spec_api_yaml_is_a_project(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    found = find_project(root)
    assert found == Project(
        root.resolve(),
        root.resolve() / "spec",
        packaged_templates(),
        root.resolve() / "generated",
    )


def test_the_project_is_found_from_a_subfolder(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj")
    deep = root / "a" / "b"
    deep.mkdir(parents=True)
    found = find_project(deep)
    assert isinstance(found, Project)
    assert found.root == root.resolve()
    result = run_codegen("lint", cwd=deep)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "spec is valid\n"


def test_a_pyproject_table_names_the_paths(tmp_path: Path) -> None:
    root = _project(tmp_path / "proj", spec="api-spec")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.vidu-codegen]\n'
        'spec = "api-spec"\nout = "build/client"\n',
        encoding="utf-8",
    )
    (root / "src").mkdir()
    found = find_project(root / "src")
    assert found == Project(
        root.resolve(),
        root.resolve() / "api-spec",
        packaged_templates(),
        root.resolve() / "build" / "client",
    )


def test_a_pyproject_without_the_table_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    found = find_project(tmp_path)
    assert isinstance(found, NoProject)


def test_a_bad_table_is_reported(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.vidu-codegen]\nspecs = "s"\n')
    found = find_project(tmp_path)
    assert isinstance(found, NoProject)
    assert "unknown keys specs" in found.message


def test_no_project_is_one_clear_line(tmp_path: Path) -> None:
    found = find_project(tmp_path)
    assert isinstance(found, NoProject)
    result = run_codegen("lint", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "spec/api.yaml" in lines[0]
    assert "[tool.vidu-codegen]" in lines[0]
    assert "pass --spec" in lines[0]


def test_spec_option_needs_no_project(tmp_path: Path) -> None:
    spec = _project(tmp_path / "elsewhere") / "spec"
    here = tmp_path / "empty"
    here.mkdir()
    result = run_codegen("--spec", str(spec), "lint", cwd=here)
    assert result.returncode == 0, result.stderr


def test_the_packaged_templates_ship_with_the_package() -> None:
    assert (packaged_templates() / "REFERENCE.md.j2").is_file()
