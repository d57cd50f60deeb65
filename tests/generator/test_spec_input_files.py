"""What the spec reads from disk: regular files only, and bounded snapshots.

A spec arrives in pull requests and lint's messages are public, so a snapshot
that is a symbolic link (to ``.git/config``, say), a FIFO, or a path through a
linked directory is an error at its ``file:``, and never read. ``sources:``
holds at most ``MAX_SNAPSHOTS`` snapshots of ``MAX_SNAPSHOTS_BYTES`` together.
The same rules hold for the shared :func:`open_regular`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from vidu_codegen.load.files import NotRegularFile, open_regular, read_regular
from vidu_codegen.load.sources import (
    MAX_SNAPSHOT_BYTES,
    MAX_SNAPSHOTS,
    MAX_SNAPSHOTS_BYTES,
)

from tests.conftest import PROJECT, run_codegen

SOURCED = PROJECT / "tests" / "specs" / "sourced"
PAGE = "sources/render-page.txt"
SECRET = "extraheader = AUTHORIZATION: basic c2VjcmV0LXRva2Vu"


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    target = tmp_path / "spec"
    shutil.copytree(SOURCED, target)
    return target


def lint(spec: Path) -> list[str]:
    """The findings of ``vidu-codegen lint`` (which must fail cleanly)."""
    result = run_codegen("--spec", str(spec), "lint")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stdout + result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("spec/")]


def position(spec: Path, text: str, file: str = "api.yaml") -> str:
    """``spec/<file>:line:col`` of the first occurrence of ``text``."""
    lines = (spec / file).read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines, start=1) if text in line)
    return f"spec/{file}:{row}:{lines[row - 1].index(text) + 1}"


def secret_file(tmp_path: Path) -> Path:
    secret = tmp_path / "config"
    secret.write_text(f"[http]\n\t{SECRET}\n", encoding="utf-8")
    return secret


def add_snapshots(spec: Path, lines: list[str]) -> None:
    """Append snapshot entries after the spec's own (it stays the default)."""
    api = spec / "api.yaml"
    text = api.read_text(encoding="utf-8")
    text = text.replace(
        "\nmodels:\n", "".join(f"  {x}\n" for x in lines) + "\nmodels:\n"
    )
    api.write_text(text, encoding="utf-8")


# symbolic links and special files ------------------------------------------------


def test_a_snapshot_linked_elsewhere_is_refused_at_its_file(
    spec: Path, tmp_path: Path
) -> None:
    (spec / PAGE).unlink()
    (spec / PAGE).symlink_to(secret_file(tmp_path))
    assert lint(spec) == [
        f"{position(spec, PAGE)}: file '{PAGE}' is a symbolic link: "
        "the spec reads regular files only"
    ]


def test_a_snapshot_through_a_linked_directory_is_refused(
    spec: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (spec / "sources").rename(elsewhere)
    (spec / "sources").symlink_to(elsewhere, target_is_directory=True)
    assert lint(spec) == [
        f"{position(spec, PAGE)}: file '{PAGE}': 'sources' is a symbolic link: "
        "the spec reads regular files only"
    ]


def test_a_fifo_snapshot_is_refused_without_waiting_for_a_writer(spec: Path) -> None:
    (spec / PAGE).unlink()
    os.mkfifo(spec / PAGE)
    assert lint(spec) == [
        f"{position(spec, PAGE)}: file '{PAGE}' is a FIFO: "
        "the spec reads regular files only"
    ]


def test_two_snapshots_of_one_linked_file_give_one_finding(
    spec: Path, tmp_path: Path
) -> None:
    """The file is read (here: refused) once, and reported at its first snapshot."""
    (spec / PAGE).unlink()
    (spec / PAGE).symlink_to(secret_file(tmp_path))
    add_snapshots(spec, [f"again: {{file: {PAGE}, summary: The same page.}}"])
    assert lint(spec) == [
        f"{position(spec, PAGE)}: file '{PAGE}' is a symbolic link: "
        "the spec reads regular files only"
    ]


@pytest.mark.parametrize("name", ["api.yaml", "operations/render.yaml"])
def test_a_spec_file_that_is_a_symbolic_link_is_not_read(
    tiny_spec: Path, tmp_path: Path, name: str
) -> None:
    """A linked spec file is refused at its first position, its target unread."""
    target = tmp_path / "elsewhere.yaml"
    target.write_bytes((tiny_spec / name).read_bytes())
    (tiny_spec / name).unlink()
    (tiny_spec / name).symlink_to(target)
    assert lint(tiny_spec) == [
        f"spec/{name}:1:1: cannot read: a symbolic link, not a regular file "
        "(the spec reads regular files only)"
    ]


def test_open_regular_reads_a_regular_file_only(tmp_path: Path) -> None:
    page = tmp_path / "dir" / "page.txt"
    page.parent.mkdir()
    page.write_bytes(b"0123456789")
    assert read_regular(page, 4) == b"01234"
    assert read_regular(page, 100, root=tmp_path) == b"0123456789"
    (tmp_path / "link.txt").symlink_to(page)
    (tmp_path / "linked").symlink_to(page.parent, target_is_directory=True)
    os.mkfifo(tmp_path / "fifo")
    refused = {
        tmp_path / "link.txt": "link.txt is a symbolic link",
        tmp_path
        / "linked"
        / "page.txt": "linked/page.txt: 'linked' is a symbolic link",
        tmp_path / "fifo": "fifo is a FIFO",
        tmp_path / "dir": "dir is a directory",
    }
    for path, message in refused.items():
        name = path.relative_to(tmp_path).as_posix()
        with pytest.raises(NotRegularFile) as caught:
            open_regular(path, root=tmp_path)
        assert caught.value.message(name) == (
            f"{message}: the spec reads regular files only"
        )
    # Without a root only the last component is checked.
    with pytest.raises(NotRegularFile):
        open_regular(tmp_path / "link.txt")
    with open_regular(tmp_path / "linked" / "page.txt") as handle:
        assert handle.read() == b"0123456789"
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "missing.txt", root=tmp_path)


# limits of `sources:` ------------------------------------------------------------


def test_more_snapshots_than_the_limit_is_an_error_at_the_first_over_it(
    spec: Path,
) -> None:
    for number in range(MAX_SNAPSHOTS):
        (spec / "sources" / f"extra{number}.txt").write_text("Extra page.\n")
    add_snapshots(
        spec,
        [
            f"extra{n}: {{file: sources/extra{n}.txt, summary: Extra.}}"
            for n in range(MAX_SNAPSHOTS)
        ],
    )
    over = f"extra{MAX_SNAPSHOTS - 1}"
    assert lint(spec) == [
        f"{position(spec, over + ':')}: more than {MAX_SNAPSHOTS} snapshots in "
        "`sources:` (the limit of snapshots a spec reads; quote fewer pages, or "
        "raise MAX_SNAPSHOTS in vidu_codegen/load/sources.py)"
    ]


def test_snapshots_over_the_total_size_are_an_error_at_the_one_over_it(
    spec: Path,
) -> None:
    line = "A long page of the vendor's documentation, repeated.\n"
    big = line * ((MAX_SNAPSHOT_BYTES - 1024) // len(line))
    count = MAX_SNAPSHOTS_BYTES // len(big) + 1
    for number in range(count):
        (spec / "sources" / f"big{number}.txt").write_text(big)
    add_snapshots(
        spec,
        [f"big{n}: {{file: sources/big{n}.txt, summary: Big.}}" for n in range(count)],
    )
    last = f"sources/big{count - 1}.txt"
    assert lint(spec) == [
        f"{position(spec, last)}: file '{last}' brings the snapshots to more than "
        f"{MAX_SNAPSHOTS_BYTES} bytes (the limit of all snapshots together; quote "
        "smaller pages, or raise MAX_SNAPSHOTS_BYTES in vidu_codegen/load/sources.py)"
    ]


# api.base_url_env ----------------------------------------------------------------


def test_a_base_url_variable_that_holds_the_key_is_an_error(tiny_spec: Path) -> None:
    api = tiny_spec / "api.yaml"
    text = api.read_text(encoding="utf-8")
    text = text.replace(
        "  base_url: https://render.example\n",
        "  base_url: https://render.example\n  base_url_env: RENDER_KEY\n",
    ).replace("    scheme: Key\n", "    scheme: Key\n    env: RENDER_KEY\n")
    api.write_text(text, encoding="utf-8")
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert result.returncode == 2, result.stdout
    findings = [x for x in result.stderr.splitlines() if x.startswith("spec/")]
    assert findings == [
        "spec/api.yaml:8:17: base_url_env 'RENDER_KEY' is also auth.env: the API key "
        "would be taken for the base URL; name another environment variable"
    ]


def test_a_linked_operations_folder_is_not_read(spec: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(spec / "operations", elsewhere)
    (spec / "operations").symlink_to(elsewhere)
    assert lint(spec) == [
        "spec/operations:1:1: a symbolic link: the spec reads regular files and folders only"
    ]


def test_fmt_neither_reads_nor_writes_through_a_linked_spec_file(
    spec: Path, tmp_path: Path
) -> None:
    target = tmp_path / "render.yaml"
    shutil.move(spec / "operations" / "render.yaml", target)
    (spec / "operations" / "render.yaml").symlink_to(target)
    before = target.read_bytes()
    result = run_codegen("--spec", str(spec), "fmt")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "spec/operations/render.yaml:1:1: cannot read" in result.stderr
    assert target.read_bytes() == before
