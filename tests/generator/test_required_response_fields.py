"""``required: true`` on a response field: lint asks for its source (in a
spec with ``sources:``) and checks that every example holds it; the
generated class types it as always present."""

from __future__ import annotations

import shutil
from pathlib import Path
from subprocess import CompletedProcess

from tests.conftest import PROJECT, run_codegen

SOURCED = PROJECT / "tests" / "specs" / "sourced"


def _edit(spec: Path, old: str, new: str) -> None:
    path = spec / "operations" / "render.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _lint_sourced(tmp_path: Path, old: str, new: str) -> CompletedProcess[str]:
    """``lint`` of a copy of the sourced spec with ``old`` made ``new``."""
    spec = tmp_path / "spec"
    shutil.copytree(SOURCED, spec)
    _edit(spec, old, new)
    return run_codegen("--spec", str(spec), "lint")


def test_a_required_response_field_needs_a_source_in_a_sourced_spec(
    tmp_path: Path,
) -> None:
    result = _lint_sourced(
        tmp_path,
        "      duration: {type: integer, summary: Duration used.}",
        "      duration: {type: integer, required: true, summary: Duration used.}",
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "spec/operations/render.yaml:64:7: response field duration is required "
        "(the service always sends it): give the source: that says so"
    ) in result.stderr.splitlines(), result.stderr


def test_a_required_response_field_with_its_source_lints_clean(
    tmp_path: Path,
) -> None:
    result = _lint_sourced(
        tmp_path,
        "job_id: {type: string, summary: Job ID., source: Job ID}",
        "job_id: {type: string, required: true, summary: Job ID., source: Job ID}",
    )
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


def test_an_example_without_a_required_field_is_an_error(tiny_spec: Path) -> None:
    _edit(
        tiny_spec,
        "      job_id: {type: string, summary: Job ID.}\n"
        "      cost: {type: [integer, string], summary: Cost.}\n",
        "      job_id: {type: string, required: true, summary: Job ID.}\n"
        "      cost: {type: [integer, string], summary: Cost.}\n"
        "    examples:\n"
        '      - \'{"job_id": "j1", "cost": 1}\'\n'
        '      - \'{"job_id": null, "cost": 1}\'\n',
    )
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert lines[:-1] == [
        "spec/operations/render.yaml:56:9: response RenderJob: example 1 lacks "
        "RenderJob.job_id, which is required"
    ], result.stderr


def test_the_generated_class_types_a_required_field_as_present(
    tiny_spec: Path, tmp_path: Path
) -> None:
    _edit(
        tiny_spec,
        "      job_id: {type: string, summary: Job ID.}",
        "      job_id: {type: string, required: true, summary: Job ID.}",
    )
    out = tmp_path / "out"
    result = run_codegen("--spec", str(tiny_spec), "generate", "--out", str(out))
    assert result.returncode == 0, result.stderr
    models = next(out.rglob("models.py")).read_text(encoding="utf-8")
    assert "    job_id: str\n" in models
    assert "    cost: int | str | None = None\n" in models
    assert "Always sent: ``job_id``." in models
