"""The output manifest: every template listed, every listed one present."""

from __future__ import annotations

from pathlib import Path

import pytest
from vidu_codegen.load import model as sm
from vidu_codegen.pipeline import load_spec, render_spec
from vidu_codegen.project import packaged_templates
from vidu_codegen.python.manifest import MACROS, MANIFEST, unlisted
from vidu_codegen.python.render import HEADER, RenderError, header

from tests.conftest import TINY_SPEC


def _templates(root: Path) -> Path:
    """Templates for exactly the manifest, each a small valid file."""
    for output in MANIFEST:
        path = root / output.template
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "# {{ pkg.package }}\n" if output.target.endswith(".md") else ""
        if output.target.endswith(".py"):
            body = "import os\nX = {{ pkg.package | py }}\n"
        path.write_text(body, encoding="utf-8")
    for macro in MACROS:
        (root / macro).parent.mkdir(parents=True, exist_ok=True)
        (root / macro).write_text("{% macro m() %}{% endmacro %}\n")
    return root


def _spec() -> sm.Spec:
    loaded = load_spec(TINY_SPEC)
    assert loaded.spec is not None, loaded.findings
    return loaded.spec


def test_a_template_the_manifest_does_not_list_is_an_error(tmp_path: Path) -> None:
    templates = _templates(tmp_path / "t")
    (templates / "package" / "extra.py.j2").write_text("")
    assert unlisted(templates) == [
        "package/extra.py.j2: a template the manifest does not list"
    ]
    with pytest.raises(RenderError, match=r"package/extra\.py\.j2"):
        render_spec(_spec(), templates)


def test_a_listed_template_that_is_missing_is_an_error(tmp_path: Path) -> None:
    templates = _templates(tmp_path / "t")
    (templates / "package" / "_api.py.j2").unlink()
    assert unlisted(templates) == [
        f"package/_api.py.j2: listed in the manifest but not in {templates}"
    ]
    with pytest.raises(RenderError):
        render_spec(_spec(), templates)


def test_outputs_follow_the_manifest_and_the_spec(tmp_path: Path) -> None:
    files = render_spec(_spec(), _templates(tmp_path / "t"))
    assert sorted(files) == [
        "REFERENCE.md",
        "acme/__init__.py",
        "acme/_api.py",
        "acme/_validators.py",
        "acme/models.py",
        "acme/py.typed",
        "acme/strategies.py",
        "acme/tables.py",
        "pyproject.toml",
        "tests/test_properties.py",
        "tests/test_render_contract.py",
    ]
    assert files["acme/models.py"] == f'# {HEADER}\nX = "acme"\n'
    assert files["REFERENCE.md"] == f"<!-- {HEADER} -->\n# acme\n"
    assert files["acme/py.typed"] == f"# {HEADER}\n"
    assert "vidu" not in HEADER.lower()


def test_header_by_file_type() -> None:
    assert header("x/REFERENCE.md") == f"<!-- {HEADER} -->\n"
    assert header("pyproject.toml") == f"# {HEADER}\n"


def test_the_packaged_templates_match_the_manifest() -> None:
    assert unlisted(packaged_templates()) == []


def test_hidden_files_and_caches_are_not_templates(tmp_path: Path) -> None:
    templates = _templates(tmp_path / "t")
    (templates / ".swap.j2").write_text("")
    (templates / "__pycache__").mkdir()
    (templates / "__pycache__" / "x.pyc").write_text("")
    assert unlisted(templates) == []


def test_macro_libraries_are_listed_but_make_no_file(tmp_path: Path) -> None:
    templates = _templates(tmp_path / "t")
    files = render_spec(_spec(), templates)
    assert not any(name.endswith(".j2") or "_validators/" in name for name in files)
    (templates / MACROS[0]).unlink()
    assert unlisted(templates) == [
        f"{MACROS[0]}: listed in the manifest but not in {templates}"
    ]
