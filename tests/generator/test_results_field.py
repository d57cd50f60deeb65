"""``tasks.results_field``: the list in a task body that ``wait()`` returns.

Lint checks it names a list field of the body the task-reading operation
answers with, and points at the key when it does not.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import PROJECT, run_codegen

LINE = "  results_field: creations     # in the task body: what wait() returns\n"


@pytest.fixture
def bundled(tmp_path: Path) -> Path:
    """A private copy of the bundled spec, free to break."""
    target = tmp_path / "spec"
    shutil.copytree(PROJECT / "spec", target)
    return target


def _lint(spec: Path, replacement: str) -> tuple[int, str, int]:
    api = spec / "api.yaml"
    text = api.read_text(encoding="utf-8")
    assert LINE in text
    line = text[: text.index(LINE)].count("\n") + 1
    api.write_text(text.replace(LINE, replacement), encoding="utf-8")
    result = run_codegen("--spec", str(spec), "lint")
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout + result.stderr, line


@pytest.mark.parametrize("name", ["payload", "no_such_field"])
def test_a_results_field_that_is_not_a_list_of_the_task_body_is_positioned(
    bundled: Path, name: str
) -> None:
    status, output, line = _lint(bundled, f"  results_field: {name}\n")
    assert status == 2
    assert (
        f"spec/api.yaml:{line}:18: results_field {name!r} is not a list field of"
        " the task body 'TaskCreations'"
    ) in output


def test_no_results_field_lints_clean(bundled: Path) -> None:
    status, output, _ = _lint(bundled, "")
    assert status == 0, output
