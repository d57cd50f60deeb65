"""The spec directory as it is at a git revision."""

from __future__ import annotations

import subprocess
from pathlib import Path

import attrs


@attrs.frozen
class Problem:
    """Why a spec could not be read; printed, exit status 2."""

    message: str


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def spec_at_revision(rev: str, spec_dir: Path, into: Path) -> Path | Problem:
    """Write the spec directory as it is at git revision ``rev`` below ``into``
    (its YAML files and the snapshots they quote); return where it is
    (``into`` / the spec's path in the repository)."""
    spec_dir = spec_dir.resolve()
    try:
        top = _git(["rev-parse", "--show-toplevel"], spec_dir)
    except OSError as exc:
        return Problem(f"cannot run git: {exc.strerror}")
    if top.returncode != 0:
        return Problem(f"{spec_dir} is not in a git repository")
    root = Path(top.stdout.decode().strip()).resolve()
    relative = spec_dir.relative_to(root).as_posix()
    listing = _git(["ls-tree", "-r", "-z", "--name-only", rev, "--", relative], root)
    if listing.returncode != 0:
        reason = listing.stderr.decode(errors="replace").strip().splitlines()
        return Problem(
            f"cannot read revision {rev!r}: {reason[-1] if reason else 'git failed'}"
        )
    names = [n for n in listing.stdout.decode().split("\0") if n]
    if not any(n.endswith(".yaml") for n in names):
        return Problem(f"{relative}/ has no spec files at revision {rev!r}")
    for name in names:
        shown = _git(["show", f"{rev}:{name}"], root)
        if shown.returncode != 0:
            return Problem(f"cannot read {rev}:{name}")
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shown.stdout)
    return into / relative
