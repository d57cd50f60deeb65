"""A package generated from another API's spec holds nothing of Vidu's.

The tiny spec (``tests/specs/tiny``) describes a made-up rendering API with no
tasks, no error table, no callbacks and no media assets. The package made from
it must hold only what is rendered for that spec, name no part of the Vidu
API, load no runtime module it does not use, and work: its own documentation
example runs, and its generated contract tests pass.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_codegen

HEADER = "Generated from the spec; do not edit"


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny spec's package, generated once for this module."""
    spec = Path(__file__).resolve().parents[1] / "specs" / "tiny"
    out = tmp_path_factory.mktemp("acme") / "out"
    result = run_codegen("--spec", str(spec), "generate", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _run(code: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(out)}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_only_what_the_spec_needs_is_rendered(acme: Path) -> None:
    assert _files(acme) == [
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


def test_no_file_names_vidu(acme: Path) -> None:
    for name in _files(acme):
        text = (acme / name).read_text(encoding="utf-8")
        assert "vidu" not in text.lower(), name


def test_every_file_says_it_is_generated(acme: Path) -> None:
    for name in _files(acme):
        first = (acme / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert HEADER in first, name


def _examples(docstring: str) -> list[str]:
    """The code blocks (after ``::``) of a reStructuredText docstring."""
    blocks = re.findall(r"::\n\n((?:(?: {4}.*)?\n)+)", docstring + "\n")
    return [textwrap.dedent(block) for block in blocks]


def test_the_package_docstring_example_runs(acme: Path) -> None:
    tree = ast.parse((acme / "acme" / "__init__.py").read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree)
    assert docstring is not None
    examples = _examples(docstring)
    assert len(examples) == 2, docstring
    code = "\n".join(examples) + "\nprint(request.to_json())\n"
    result = _run(code, acme)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'engine': 'fast', 'tags': ['example']}"


def test_the_bundled_packages_docstring_example_runs() -> None:
    import vidu

    examples = _examples(vidu.__doc__ or "")
    assert len(examples) == 2
    result = _run("\n".join(examples), Path(vidu.__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_no_unused_runtime_module_is_loaded(acme: Path) -> None:
    code = (
        "import sys, acme\n"
        "acme.validate_payload('render', {'engine': 'fast', 'tags': ['a']})\n"
        "print(sorted(m for m in sys.modules if m.startswith('specgen_runtime')))\n"
    )
    result = _run(code, acme)
    assert result.returncode == 0, result.stderr
    loaded = ast.literal_eval(result.stdout.strip())
    for unused in ("assets", "client", "cli", "webhooks", "testing"):
        assert f"specgen_runtime.{unused}" not in loaded


def test_its_contract_tests_pass(acme: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(acme)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=acme,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
