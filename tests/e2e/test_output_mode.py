"""Regenerating keeps the output folder's mode; a new one gets the umask's.

The new tree is written in a folder beside the output and swapped in with a
rename, so that folder's mode is the one the output ends up with.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from vidu_codegen.python.writer import write_tree

from tests.conftest import TINY_SPEC, run_codegen

FILES = {"pkg/__init__.py": "x = 1\n", "README.md": "text\n"}


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[None]:
    """The umask 027 (no access for others) for one test."""
    previous = os.umask(0o027)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o775, 0o700])
def test_an_existing_output_folder_keeps_its_mode(
    tmp_path: Path, umask: None, mode: int
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(mode)
    (out / "stale.py").write_text("", encoding="utf-8")
    assert write_tree(FILES, out)
    assert _mode(out) == mode
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "pkg"]


def test_a_new_output_folder_and_its_files_follow_the_umask(
    tmp_path: Path, umask: None
) -> None:
    out = tmp_path / "new" / "out"
    assert write_tree(FILES, out)
    assert _mode(out) == 0o750
    assert _mode(out / "pkg") == 0o750
    assert _mode(out / "pkg" / "__init__.py") == 0o640
    assert [p.name for p in out.parent.iterdir()] == ["out"]


def test_generate_over_a_0755_folder_leaves_it_0755(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    out.mkdir()
    out.chmod(0o755)
    result = run_codegen("--spec", str(TINY_SPEC), "generate", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "acme" / "__init__.py").is_file()
    assert _mode(out) == 0o755
