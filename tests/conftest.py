"""Shared fixtures: paths of the project and a copy of the tiny spec."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
TINY_SPEC = PROJECT / "tests" / "specs" / "tiny"


def run_codegen(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m vidu_codegen`` as a user would, capturing its output."""
    return subprocess.run(
        [sys.executable, "-m", "vidu_codegen", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def tiny_spec(tmp_path: Path) -> Path:
    """A private copy of the tiny spec, free to break."""
    target = tmp_path / "spec"
    shutil.copytree(TINY_SPEC, target)
    return target
