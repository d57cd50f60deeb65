"""Formatted files come from the cache only when ruff would give the same.

Ruff treats each file on its own, so the cache keeps each file's formatted
text under the digest of the ruff version, the options, the file's name and
its text (``VIDU_CODEGEN_CACHE_DIR``, here a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from vidu_codegen.python.ruff import RuffFailed, format_python

SOURCES = {
    "pkg/__init__.py": '"""P."""\n\nfrom .b import y\nfrom . import a\n__all__ = ["y", "a"]\n',
    "pkg/a.py": "import sys, os\nimport attrs\nx=[1,2,\n3]\n",
    "README.md": "not python\n",
}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(folder))
    return folder


def _uncached(monkeypatch: pytest.MonkeyPatch, sources: dict[str, str]) -> object:
    with monkeypatch.context() as m:
        m.setenv("VIDU_CODEGEN_CACHE_DIR", "off")
        return format_python(sources)


def test_cached_output_is_what_ruff_gives(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _uncached(monkeypatch, SOURCES)
    assert not isinstance(expected, RuffFailed)
    assert format_python(SOURCES) == expected
    entries = sorted((cache_dir / "ruff").iterdir())
    assert len(entries) == 2
    stamps = [e.stat().st_mtime_ns for e in entries]
    assert format_python(SOURCES) == expected
    assert [e.stat().st_mtime_ns for e in entries] == stamps


def test_a_changed_or_renamed_file_is_formatted_afresh(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    format_python(SOURCES)
    changed = {**SOURCES, "pkg/a.py": "import os\nx=[1,\n2]\n"}
    assert format_python(changed) == _uncached(monkeypatch, changed)
    # the same text under another name: F401 keeps imports in __init__.py only
    text = SOURCES["pkg/__init__.py"]
    renamed = {"pkg/c.py": text}
    result = format_python(renamed)
    assert result == _uncached(monkeypatch, renamed)
    assert result != format_python({"pkg/__init__.py": text})


def test_a_damaged_entry_is_ignored(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = format_python(SOURCES)
    for entry in (cache_dir / "ruff").iterdir():
        data = entry.read_bytes()
        entry.write_bytes(data[:-2] + b"#\n")
    assert format_python(SOURCES) == expected
    for entry in (cache_dir / "ruff").iterdir():
        entry.write_bytes(b"")
    assert format_python(SOURCES) == expected


def test_a_failure_is_not_cached(cache_dir: Path) -> None:
    assert isinstance(format_python({"a.py": "def (:\n"}), RuffFailed)
    assert isinstance(format_python({"a.py": "def (:\n"}), RuffFailed)
    assert not (cache_dir / "ruff").exists() or not any((cache_dir / "ruff").iterdir())
