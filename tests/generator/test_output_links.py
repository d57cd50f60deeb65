"""``generate --out D`` where D holds a symbolic link leading out of it.

The command refuses in one line naming the link and where it leads, exits 2,
and writes nothing: neither the file the link points at nor the tree.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from vidu_codegen import cli

from tests.conftest import TINY_SPEC


@pytest.fixture
def linked_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The tiny spec's package, with ``acme/tables.py`` a link to a file outside."""
    out = tmp_path / "out"
    assert cli.main(["--spec", str(TINY_SPEC), "generate", "--out", str(out)]) == 0
    capsys.readouterr()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    (out / "acme" / "tables.py").unlink()
    (out / "acme" / "tables.py").symlink_to(outside)
    return out


@pytest.mark.parametrize("check", [False, True], ids=["generate", "check"])
def test_a_link_leading_out_is_one_line_and_status_2(
    linked_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], check: bool
) -> None:
    before = sorted(p.name for p in linked_out.rglob("*"))
    argv = ["--spec", str(TINY_SPEC), "generate", "--out", str(linked_out)]
    status = cli.main(argv + (["--check"] if check else []))
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    link = linked_out / "acme" / "tables.py"
    assert err.splitlines() == [
        f"refusing to write 'acme/tables.py': {link} is a symbolic link to "
        f"{(tmp_path / 'outside.txt').resolve()}, outside {linked_out}; remove "
        "the link or choose another --out; nothing written"
    ]
    assert (tmp_path / "outside.txt").read_text() == "keep me\n"
    assert link.is_symlink()
    assert sorted(p.name for p in linked_out.rglob("*")) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out-")]


def test_a_linked_folder_is_named_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert cli.main(["--spec", str(TINY_SPEC), "generate", "--out", str(out)]) == 0
    capsys.readouterr()
    elsewhere = tmp_path / "elsewhere"
    shutil.move(out / "tests", elsewhere)
    (out / "tests").symlink_to(elsewhere, target_is_directory=True)
    status = cli.main(["--spec", str(TINY_SPEC), "generate", "--out", str(out)])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    assert len(err) == 1
    assert err[0].startswith("refusing to write 'tests/")
    assert f"{out / 'tests'} is a symbolic link to {elsewhere.resolve()}" in err[0]
