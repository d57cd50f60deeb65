"""The text the generated package shows its reader says what the code does.

Docstrings of the bundled spec's package: a query parameter names its wire
name only when it differs from the argument; the examples of the package
docstring and of ``strategies`` are written as the code around them is (double
quotes); an asset class names the other references it accepts as they are;
``from_path`` names every error it raises.
"""

from __future__ import annotations

import ast
import re

import pytest
from vidu_codegen.pipeline import load_spec, render_spec
from vidu_codegen.project import packaged_templates

from tests.conftest import PROJECT


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    loaded = load_spec(PROJECT / "spec")
    assert loaded.spec is not None
    return render_spec(loaded.spec, packaged_templates())


def _docstrings(source: str) -> dict[str, str]:
    """Every docstring of ``source``, by the dotted name of its owner."""
    found: dict[str, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = prefix + child.name
                doc = ast.get_docstring(child)
                if doc is not None:
                    found[name] = doc
                visit(child, name + ".")

    tree = ast.parse(source)
    found[""] = ast.get_docstring(tree) or ""
    visit(tree, "")
    return found


@pytest.mark.parametrize("module", ["vidu/client.py", "vidu/async_client.py"])
def test_a_query_parameter_names_its_wire_name_only_when_it_differs(
    files: dict[str, str], module: str
) -> None:
    doc = _docstrings(files[module])
    listing = next(text for name, text in doc.items() if name.endswith(".list_tasks"))
    assert ":param task_ids: Only these tasks." in listing
    assert "``task_ids``" not in listing
    assert ":param created_at_from: ``created_at.from``: " in listing


@pytest.mark.parametrize("module", ["vidu/__init__.py", "vidu/strategies.py"])
def test_examples_in_docstrings_use_double_quotes(
    files: dict[str, str], module: str
) -> None:
    doc = _docstrings(files[module])[""]
    code = [line for line in doc.splitlines() if line.startswith("    ")]
    assert code
    assert [line for line in code if "'" in line] == []
    assert any(re.search(r'"[a-z0-9_]+"', line) for line in code)


def test_the_image_class_names_the_references_it_accepts_as_they_are(
    files: dict[str, str],
) -> None:
    doc = _docstrings(files["vidu/models.py"])
    assert "``ssupload:``" in doc["Image"]
    assert "ssupload" not in doc["Video"]


@pytest.mark.parametrize("asset", ["Image", "Video"])
def test_from_path_names_every_error_it_raises(
    files: dict[str, str], asset: str
) -> None:
    doc = _docstrings(files["vidu/models.py"])[f"{asset}.from_path"]
    raised = re.findall(r":raises (\w+):", doc)
    assert raised == ["LocalFileTooLarge", "ValidationError", "LocalFileError"]
