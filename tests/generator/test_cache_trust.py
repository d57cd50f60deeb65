"""A cache entry can never change what the generator does.

Compiled templates are code that runs, and cached spec tables skip the
reader: so an entry is used only when this user's runs wrote it, in a cache
folder (and folders of entries) that belongs to the user and that no one else
may write to, under an HMAC keyed by the secret in the cache's ``key`` file
(the user's alone). A planted entry, even one carrying the right bare
SHA-256, or one copied from another cache, is ignored; a table that breaks
the spec's bounds is read afresh from the file even from an authentic entry;
a user without a home folder runs without a cache.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import marshal
import os
import pwd
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from vidu_codegen import cache
from vidu_codegen.load import reader
from vidu_codegen.load import yaml as y
from vidu_codegen.load.findings import NOWHERE
from vidu_codegen.python import render

from tests.conftest import TINY_SPEC, run_codegen

TEMPLATE = "one {{ x }}\n"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("VIDU_CODEGEN_CACHE_DIR", str(folder))
    return folder


def _bare(payload: bytes) -> bytes:
    """An entry as anyone can make it: the payload's plain SHA-256, then it."""
    return hashlib.sha256(payload).hexdigest().encode() + payload


def _signed(key: bytes, root: Path, entry: Path, payload: bytes) -> bytes:
    """An entry made with ``key``, as the cache at ``root`` makes its own."""
    name = entry.relative_to(root).as_posix().encode() + b"\0"
    code = hmac.new(key, name + payload, hashlib.sha256).hexdigest().encode()
    return code + payload


def _key(root: Path) -> bytes:
    return (root / cache.KEY_FILE).read_bytes()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# compiled templates -----------------------------------------------------------------


def _template_entry(templates: Path) -> tuple[Path, bytes, render.TemplateCache]:
    """Where the template ``t.j2`` is cached, the code a planted entry holds
    (it leaves a file ``ran`` beside the templates, then renders other text),
    and the cache."""
    env = render.environment(templates)
    store = env.bytecode_cache
    assert isinstance(store, render.TemplateCache)
    assert env.loader is not None
    source, filename, _ = env.loader.get_source(env, "t.j2")
    assert filename is not None
    bucket = store.get_bucket(env, "t.j2", filename, source)
    marker = templates / "ran"
    planted = compile(
        f"open({str(marker)!r}, 'w').close()\n"
        + env.compile("PLANTED {{ x }}\n", "t.j2", filename, raw=True),
        filename,
        "exec",
    )
    payload = bucket.checksum.encode() + b"\n" + marshal.dumps(planted)
    return store._path(bucket), payload, store


def _render(templates: Path) -> str:
    return render.environment(templates).get_template("t.j2").render(x="value")


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "t.j2").write_text(TEMPLATE, encoding="utf-8")
    return folder


def test_a_planted_template_entry_never_runs(templates: Path, cache_dir: Path) -> None:
    """Code stored under the template's current checksum, with a right bare
    SHA-256, or signed with another cache's key, is not run: the template is
    compiled afresh and the entry replaced."""
    assert _render(templates) == "one value\n"
    entry, payload, _ = _template_entry(templates)
    good = entry.read_bytes()
    for planted in (_bare(payload), _signed(os.urandom(32), cache_dir, entry, payload)):
        entry.write_bytes(planted)
        assert _render(templates) == "one value\n"
        assert not (templates / "ran").exists()
        assert entry.read_bytes() == good


def test_the_same_entry_signed_with_the_cache_key_is_used(
    templates: Path, cache_dir: Path
) -> None:
    """The control for the test above: the entry it plants is one the cache
    would run had its own key signed it, so only the key keeps it out."""
    _render(templates)
    entry, payload, _ = _template_entry(templates)
    entry.write_bytes(_signed(_key(cache_dir), cache_dir, entry, payload))
    assert _render(templates) == "PLANTED value\n"
    assert (templates / "ran").exists()


def test_an_entry_moved_to_another_name_is_ignored(
    templates: Path, cache_dir: Path
) -> None:
    """An entry's code covers its place in the cache too."""
    _render(templates)
    entry, payload, _ = _template_entry(templates)
    elsewhere = entry.with_name("0" * 40 + ".code")
    elsewhere.write_bytes(_signed(_key(cache_dir), cache_dir, entry, payload))
    assert cache.read_entry(elsewhere) is None
    assert cache.read_entry(entry) is not None


# spec tables ------------------------------------------------------------------------

SPEC = "api:\n  summary: Fine.\n  base_url: https://api.example.com\n"


def _yaml_file(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "api.yaml"
    path.write_text(SPEC, encoding="utf-8")
    entry = y._cache_entry(path.read_bytes())
    assert entry is not None
    return path, entry


def _table_payload(table: Any) -> bytes:
    return marshal.dumps(y._encode(table), 4)


def test_a_planted_spec_table_is_ignored(tmp_path: Path, cache_dir: Path) -> None:
    path, entry = _yaml_file(tmp_path)
    expected = reader.read_plain(SPEC, "api.yaml")
    poisoned = reader.read_plain(SPEC, "api.yaml")
    assert expected is not None
    assert poisoned is not None
    poisoned["api"]["summary"] = 'Poisoned \x1b[2J\x00 """ end'
    poisoned["api"]["base_url"] = "http://attacker.invalid"
    payload = _table_payload(poisoned)
    y.load_yaml(path, "api.yaml")
    for planted in (_bare(payload), _signed(os.urandom(32), cache_dir, entry, payload)):
        entry.write_bytes(planted)
        table, findings = y.load_yaml(path, "api.yaml")
        assert findings == []
        assert table == expected
        assert cache.read_entry(entry) == _table_payload(expected)


@pytest.mark.parametrize(
    "value",
    [
        "text\x00with a NUL",
        "a line\u2028separator",
        "\ud800",
        10**30,
        -(16**y.MAX_INTEGER_DIGITS),
        list(range(y.MAX_VALUES)),
    ],
    ids=["NUL", "line separator", "surrogate", "huge", "huge negative", "many"],
)
def test_an_authentic_table_past_a_bound_is_read_afresh(
    tmp_path: Path, cache_dir: Path, value: object
) -> None:
    """The reader's bounds hold for a table from the cache too: one that
    breaks them (here: signed with the cache's own key) is not used."""
    path, entry = _yaml_file(tmp_path)
    expected, _ = y.load_yaml(path, "api.yaml")
    table = reader.read_plain(SPEC, "api.yaml")
    assert table is not None
    table["api"]["summary"] = value
    if isinstance(value, list):
        seq: y.Seq[Any] = y.Seq(value)
        seq.item_pos = [NOWHERE] * len(value)
        table["api"]["summary"] = seq
    entry.write_bytes(_signed(_key(cache_dir), cache_dir, entry, _table_payload(table)))
    assert y.load_yaml(path, "api.yaml") == (expected, [])


def test_a_key_past_a_bound_or_a_table_too_deep_is_read_afresh(
    tmp_path: Path, cache_dir: Path
) -> None:
    path, entry = _yaml_file(tmp_path)
    expected, _ = y.load_yaml(path, "api.yaml")
    key = _key(cache_dir)
    table = reader.read_plain(SPEC, "api.yaml")
    assert table is not None
    table["api"]["bad\x07key"] = 1
    table["api"].key_pos["bad\x07key"] = table["api"].value_pos["bad\x07key"] = NOWHERE
    for payload in (_table_payload(table), marshal.dumps(_encode_deep(y.MAX_DEPTH), 4)):
        entry.write_bytes(_signed(key, cache_dir, entry, payload))
        assert y.load_yaml(path, "api.yaml") == (expected, [])
    # the deepest table the reader takes is taken from the cache as well
    entry.write_bytes(
        _signed(key, cache_dir, entry, marshal.dumps(_encode_deep(y.MAX_DEPTH - 1), 4))
    )
    deep, findings = y.load_yaml(path, "api.yaml")
    assert findings == []
    assert deep != expected


def _encode_deep(levels: int) -> Any:
    """A cached table of ``levels`` + 1 mappings, one in another."""
    encoded: Any = 1
    for _ in range(levels + 1):
        encoded = ("map", 1, 1, (("a", 1, 1, 1, 4, encoded),))
    return encoded


# whose cache ------------------------------------------------------------------------


def test_a_new_cache_is_the_users_alone(templates: Path, cache_dir: Path) -> None:
    _render(templates)
    assert _mode(cache_dir) == 0o700
    folders = [p for p in cache_dir.rglob("*") if p.is_dir()]
    assert folders
    assert all(_mode(p) == 0o700 for p in folders)
    assert _mode(cache_dir / cache.KEY_FILE) == 0o600
    assert len(_key(cache_dir)) == cache.KEY_BYTES


def test_a_cache_others_may_write_to_is_not_used(
    templates: Path, tmp_path: Path, cache_dir: Path
) -> None:
    """Entries signed with the cache's own key, in a folder the group may
    write to, are neither read nor written."""
    assert _render(templates) == "one value\n"
    entry, payload, _ = _template_entry(templates)
    entry.write_bytes(_signed(_key(cache_dir), cache_dir, entry, payload))
    path, yaml_entry = _yaml_file(tmp_path)
    for mode in (0o770, 0o707, 0o777):
        cache_dir.chmod(mode)
        assert cache.cache_root() is None
        assert render.environment(templates).bytecode_cache is None
        assert _render(templates) == "one value\n"
        assert not (templates / "ran").exists()
        y.load_yaml(path, "api.yaml")
        assert not yaml_entry.exists()
    cache_dir.chmod(0o755)  # others may read it: that is fine
    assert cache.cache_root() == cache_dir


def test_a_refused_cache_says_why_once_at_debug_level(
    cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache_dir.mkdir()
    cache_dir.chmod(0o777)
    with caplog.at_level(logging.DEBUG, logger="vidu_codegen.cache"):
        assert cache.cache_root() is None
        assert cache.cache_root() is None
    assert [r.getMessage() for r in caplog.records] == [
        f"cache {cache_dir} not used: not a folder of this user's alone"
    ]


def test_a_folder_of_entries_others_may_write_to_is_not_used(
    templates: Path, cache_dir: Path
) -> None:
    assert _render(templates) == "one value\n"
    entry, payload, _ = _template_entry(templates)
    entry.write_bytes(_signed(_key(cache_dir), cache_dir, entry, payload))
    entry.parent.parent.chmod(0o777)
    assert _render(templates) == "one value\n"
    assert not (templates / "ran").exists()
    entry.unlink()
    _render(templates)
    assert not entry.exists()


def test_a_key_others_may_read_or_that_is_not_a_file_turns_the_cache_off(
    tmp_path: Path, cache_dir: Path
) -> None:
    assert cache.cache_root() == cache_dir
    key = cache_dir / cache.KEY_FILE
    key.chmod(0o644)
    assert cache.cache_root() is None
    key.chmod(0o600)
    key.write_bytes(b"short")
    assert cache.cache_root() is None
    key.unlink()
    outside = tmp_path / "elsewhere"
    outside.write_bytes(os.urandom(cache.KEY_BYTES))
    outside.chmod(0o600)
    key.symlink_to(outside)
    assert cache.cache_root() is None
    key.unlink()
    assert cache.cache_root() == cache_dir  # a missing key is made afresh
    assert _key(cache_dir) != outside.read_bytes()


@pytest.mark.skipif(os.getuid() != 0, reason="giving a folder away needs root")
def test_a_cache_of_another_user_is_not_used(cache_dir: Path) -> None:
    cache_dir.mkdir(mode=0o700)
    os.chown(cache_dir, 4242, -1)
    assert cache.cache_root() is None
    os.chown(cache_dir, 0, -1)
    assert cache.cache_root() == cache_dir
    os.chown(cache_dir / cache.KEY_FILE, 4242, -1)
    assert cache.cache_root() is None


def test_no_home_means_no_cache(
    templates: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No ``HOME`` and no passwd entry (a container's user): the generator
    runs, without a cache."""
    for name in ("HOME", "XDG_CACHE_HOME", "VIDU_CODEGEN_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)

    def no_entry(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_entry)
    assert cache.cache_root() is None
    assert _render(templates) == "one value\n"
    path = tmp_path / "api.yaml"
    path.write_text(SPEC, encoding="utf-8")
    assert y.load_yaml(path, "api.yaml")[1] == []
    from vidu_codegen.cli import main

    assert main(["--spec", str(TINY_SPEC), "lint"]) == 0


# the whole generator ----------------------------------------------------------------


def test_generate_ignores_every_planted_entry(tmp_path: Path, cache_dir: Path) -> None:
    """Every entry of a full run replaced by one with a right bare SHA-256 of
    other content: the next run writes the same files, byte for byte."""
    spec = tmp_path / "spec"
    shutil.copytree(TINY_SPEC, spec)
    first = tmp_path / "first"
    assert (
        run_codegen("--spec", str(spec), "generate", "--out", str(first)).returncode
        == 0
    )
    entries = [p for p in cache_dir.rglob("*") if p.is_file() and p.name != "key"]
    assert {p.parent.name for p in entries} >= {"yaml", "ruff"}
    assert any(p.suffix == ".code" for p in entries)
    for entry in entries:
        payload = entry.read_bytes()[64:]
        entry.write_bytes(_bare(payload.replace(b"acme", b"evil")))
    second = tmp_path / "second"
    result = run_codegen("--spec", str(spec), "generate", "--out", str(second))
    assert result.returncode == 0, result.stderr
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(
        p.relative_to(second) for p in second.rglob("*") if p.is_file()
    )
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
