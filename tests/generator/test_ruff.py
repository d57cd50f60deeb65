"""Formatting every file in one ruff run gives what one run per file gave."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from vidu_codegen.python.ruff import FIXES, FORMAT, SETTINGS, RuffFailed, format_python

SOURCES = {
    "pkg/__init__.py": '"""P."""\n\nfrom .b import y\nfrom . import a\n__all__ = ["y", "a"]\n',
    "pkg/a.py": "import sys, os\nimport attrs\nimport pkg.b\nx=[1,2,\n3]\n",
    "tests/test_a.py": "import pkg\nimport pytest\nfrom contract import c\n\n"
    "def test(): assert pkg and pytest and c\n",
    "README.md": "not python\n",
}


def _one_by_one(name: str, text: str, cwd: Path) -> str:
    """The file formatted alone, from standard input, as before."""
    for args in (FIXES, FORMAT):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                *args,
                *SETTINGS,
                "--stdin-filename",
                name,
                "-",
            ],
            input=text,
            capture_output=True,
            text=True,
            check=True,
            cwd=cwd,
        )
        text = result.stdout
    return text


@pytest.mark.parametrize("where", ["here", "elsewhere"])
def test_one_run_matches_one_run_per_file(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = tmp_path if where == "here" else Path(os.sep)
    monkeypatch.chdir(cwd)
    formatted = format_python(SOURCES)
    assert not isinstance(formatted, RuffFailed)
    for name, text in SOURCES.items():
        expected = _one_by_one(name, text, cwd) if name.endswith(".py") else text
        assert formatted[name] == expected, name


def test_a_syntax_error_is_a_value() -> None:
    failed = format_python({"a.py": "def (:\n"})
    assert isinstance(failed, RuffFailed)
    assert "a.py" in failed.message
