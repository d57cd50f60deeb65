"""Compiled templates are kept between runs, and never trusted.

The cache (``VIDU_CODEGEN_CACHE_DIR``, here a temporary folder) holds each
template's code under its name and path; an entry is used only when it was
compiled from the template's current text and its digest matches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from vidu_codegen.python import render


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(folder))
    return folder


def _render(templates: Path, name: str = "t.j2") -> str:
    return render.environment(templates).get_template(name).render(x="value")


def _entries(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "templates").rglob("*.code"))


def test_a_template_is_compiled_once_and_then_read_from_the_cache(
    tmp_path: Path, cache_dir: Path
) -> None:
    (tmp_path / "t.j2").write_text("one {{ x }}\n", encoding="utf-8")
    assert _render(tmp_path) == "one value\n"
    (entry,) = _entries(cache_dir)
    stamp = entry.stat().st_mtime_ns
    assert _render(tmp_path) == "one value\n"
    assert entry.stat().st_mtime_ns == stamp


def test_a_changed_template_is_compiled_afresh(tmp_path: Path, cache_dir: Path) -> None:
    (tmp_path / "t.j2").write_text("one {{ x }}\n", encoding="utf-8")
    assert _render(tmp_path) == "one value\n"
    (tmp_path / "t.j2").write_text("two {{ x | py }}\n", encoding="utf-8")
    assert _render(tmp_path) == 'two "value"\n'


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b"",
        lambda b: b[:-5],
        lambda b: b[:100] + bytes([b[100] ^ 0xFF]) + b[101:],
        lambda b: b"0" * 64 + b"garbage",
    ],
    ids=["empty", "truncated", "flipped byte", "wrong digest"],
)
def test_a_damaged_entry_is_ignored_and_replaced(
    tmp_path: Path, cache_dir: Path, damage: Callable[[bytes], bytes]
) -> None:
    (tmp_path / "t.j2").write_text("one {{ x }}\n", encoding="utf-8")
    _render(tmp_path)
    (entry,) = _entries(cache_dir)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    assert _render(tmp_path) == "one value\n"
    assert entry.read_bytes() == good


def test_an_entry_of_another_template_text_is_not_used(
    tmp_path: Path, cache_dir: Path
) -> None:
    """An entry whose digest is right but that was compiled from other text
    (here: copied over from another template) is compiled afresh."""
    (tmp_path / "t.j2").write_text("one {{ x }}\n", encoding="utf-8")
    (tmp_path / "u.j2").write_text("other\n", encoding="utf-8")
    _render(tmp_path)
    _render(tmp_path, "u.j2")
    first, second = _entries(cache_dir)
    second.write_bytes(first.read_bytes())
    first.write_bytes(second.read_bytes())
    assert _render(tmp_path) == "one value\n"
    assert _render(tmp_path, "u.j2") == "other\n"


def test_off_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", "off")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "t.j2").write_text("one {{ x }}\n", encoding="utf-8")
    assert _render(tmp_path) == "one value\n"
    assert not (tmp_path / "home").exists()
    assert not (tmp_path / "xdg").exists()


def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(blocker / "cache"))
    (tmp_path / "t.j2").write_text("one {{ x }}\n", encoding="utf-8")
    assert _render(tmp_path) == "one value\n"
