"""The generator end to end: drift check, determinism, atomic writes, safety."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from vidu_codegen.project import packaged_templates

from tests.conftest import PROJECT, run_codegen

BUILD_OUTPUTS = frozenset({"__pycache__", "build", "dist"})
"""Folders that installing or building a generated tree leaves in it
(``pip install ./generated`` writes ``build/``): not the generator's output."""


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and not any(
            part in BUILD_OUTPUTS or part.startswith(".") or part.endswith(".egg-info")
            for part in p.relative_to(root).parts
        )
    }


def _python_lines(script: str, path: Path) -> list[str]:
    """What ``script`` prints, run in a fresh interpreter with ``path`` importable."""
    run = subprocess.run(
        [sys.executable, "-c", script],
        env={"PYTHONPATH": str(path)},
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.splitlines()


def test_bundled_generated_tree_matches_the_spec() -> None:
    result = run_codegen("generate", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is up to date" in result.stdout


def test_check_names_every_stale_file_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    shutil.copytree(
        PROJECT / "generated", out, ignore=shutil.ignore_patterns("__pycache__")
    )
    (out / "vidu" / "tables.py").write_text("# edited by hand\n")
    (out / "vidu" / "extra.py").write_text("")
    (out / "vidu" / "py.typed").unlink()
    before = _tree(out)
    result = run_codegen("generate", "--check", "--out", str(out))
    assert result.returncode == 1
    assert "stale: changed  vidu/tables.py" in result.stdout
    assert "stale: removed  vidu/extra.py" in result.stdout
    assert "stale: added    vidu/py.typed" in result.stdout
    assert _tree(out) == before


def test_generate_is_deterministic_and_reports_changes(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert run_codegen("generate", "--out", str(first)).returncode == 0
    assert run_codegen("generate", "--out", str(second)).returncode == 0
    assert _tree(first) == _tree(second) == _tree(PROJECT / "generated")
    again = run_codegen("generate", "--out", str(first))
    assert again.stdout.strip() == "nothing changed"
    (first / "vidu" / "models.py").write_text("")
    fixed = run_codegen("generate", "--out", str(first))
    assert fixed.stdout.splitlines() == [
        "changed  vidu/models.py",
        f"1 files changed in {first}",
    ]


def test_a_failing_render_leaves_the_output_untouched(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(packaged_templates(), templates)
    out = tmp_path / "out"
    assert run_codegen("generate", "--out", str(out)).returncode == 0
    before = _tree(out)
    models = templates / "package" / "models.py.j2"
    models.write_text(models.read_text() + "\n{{ no_such_name }}\n")
    result = run_codegen("--templates", str(templates), "generate", "--out", str(out))
    assert result.returncode == 3
    assert "no_such_name" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "templates"]


def test_tiny_spec_generates_a_working_package(tiny_spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_codegen("--spec", str(tiny_spec), "generate", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(_tree(out / "acme")) == [
        "__init__.py",
        "_api.py",
        "_validators.py",
        "models.py",
        "py.typed",
        "strategies.py",
        "tables.py",
    ]
    script = """
import acme
print([v.rule for v in acme.validate_payload("render", {"engine": "fast", "tags": ["a"], "hdr": True, "size": 100})])
print([v.rule for v in acme.validate_payload("render", {"engine": "fine", "tags": [], "style": "oil", "size": 100})])
print(acme.RenderRequest(engine="fine", tags=["x"], style=acme.Style.PAINT).to_json())
print(acme.RenderJob.from_json({"job_id": "j", "cost": "3", "more": 1}).cost)
"""
    lines = _python_lines(script, out)
    assert lines == [
        "['hdr.ignored', 'hdr.size']",
        "['size.range', 'style.choice', 'tags.count']",
        "{'engine': 'fine', 'style': 'paint', 'tags': ['x']}",
        "3",
    ]
    assert "vidu" not in (out / "acme" / "models.py").read_text().lower()


def test_spec_text_cannot_break_or_inject_code(tiny_spec: Path, tmp_path: Path) -> None:
    hostile = 'Ends in a quote" and \\"""; import os; os.system("boom") """ {{ x }} \\n'
    op = tiny_spec / "operations" / "render.yaml"
    text = op.read_text()
    text = text.replace("summary: Edge length in pixels.", f"summary: '{hostile}'")
    text = text.replace(
        'message: "hdr needs a size above 128 on {model}"',
        "message: 'it''s \"quoted\" \\\\ {model}'",
    )
    op.write_text(text)
    out = tmp_path / "out"
    result = run_codegen("--spec", str(tiny_spec), "generate", "--out", str(out))
    assert result.returncode == 0, result.stderr
    script = (
        "import acme, inspect\n"
        "print(repr(acme.tables.RENDER_PLAIN.rules[0].message))\n"
        "print([v.message for v in acme.validate_payload('render', "
        "{'engine': 'fine', 'tags': ['a'], 'hdr': True, 'size': 100})])\n"
    )
    lines = _python_lines(script, out)
    assert lines[0] == repr('it\'s "quoted" \\\\ {model}')
    assert "size 100 is not allowed for fine" in lines[1]
    models = (out / "acme" / "models.py").read_text()
    assert "boom" in models
    compile(models, "models.py", "exec")
