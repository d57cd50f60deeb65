"""The code the project ships is ruff-clean, formatted and ``mypy --strict``.

These run the pinned tools the same way the nox sessions ``lint`` and
``typecheck`` do, so the README's single test command covers them too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT, run_codegen

CHECKED = ["generator", "runtime", "generated", "tests", "bench", "noxfile.py"]


def _run(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def test_ruff_lint_is_clean() -> None:
    result = _run("ruff", "check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = _run("ruff", "format", "--check", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "target",
    [
        "generator/vidu_codegen",
        "runtime/src/specgen_runtime",
        "generated/vidu",
        "generated/tests",
        "bench",
    ],
)
def test_mypy_strict_is_clean(target: str) -> None:
    result = _run("mypy", "--strict", "--no-incremental", target)
    assert result.returncode == 0, result.stdout + result.stderr


def test_packages_of_other_specs_are_mypy_strict(tmp_path: Path) -> None:
    """A spec unlike the bundled one (no hosts, no tasks, no client) still
    gives a package that passes ``mypy --strict``: the tiny spec's package and
    its tests, and the diff tests' base spec's package, in one run."""
    targets = []
    for name, spec, parts in (
        ("tiny", PROJECT / "tests" / "specs" / "tiny", ("acme", "tests")),
        ("paint", PROJECT / "tests" / "specs" / "diff" / "base", ("acme_paint",)),
    ):
        out = tmp_path / name
        made = run_codegen("--spec", str(spec), "generate", "--out", str(out))
        assert made.returncode == 0, made.stdout + made.stderr
        targets += [str(out / part) for part in parts]
    result = _run("mypy", "--strict", "--no-incremental", *targets)
    assert result.returncode == 0, result.stdout + result.stderr
