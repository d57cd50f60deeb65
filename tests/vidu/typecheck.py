"""``mypy --strict`` over users' scripts, for the typing tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def strict_errors(folder: Path, scripts: dict[str, str]) -> tuple[list[str], str]:
    """Write ``scripts`` (file name: text) into ``folder`` and check them
    together: the error lines (``file:line: error: ...``) and all mypy said.
    mypy must have run to the end (status 1 with errors, 0 without)."""
    for name, text in scripts.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(folder / "cache"),
            "--no-color-output",
            "--no-error-summary",
            "--hide-error-context",
            *scripts,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    shown = result.stdout + result.stderr
    assert result.returncode == (1 if ": error:" in result.stdout else 0), shown
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    return errors, shown
