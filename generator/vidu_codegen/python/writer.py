"""Step 6: put the rendered files in place, all or nothing; or report drift.

The new tree is written next to the output directory and swapped in with
renames, so a failed run never leaves a half-written ``generated/``. Every
path is checked first: a relative POSIX path of plain parts that stays inside
the output directory, or nothing is written at all.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path

import attrs

from vidu_codegen.python.render import RenderError

_PLAIN_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}")
"""One part of an output path: no separators, not ``.`` or ``..``, not hidden."""


class UnsafePath(RenderError):
    """An output path that is not a plain relative path inside the output
    directory."""


def check_paths(names: Iterable[str], root: Path) -> None:
    """Refuse any path that is absolute, has an empty, hidden, ``..`` or
    unusual part, or resolves outside ``root``.

    :raises UnsafePath: naming the first such path.
    """
    base = root.resolve()
    for name in names:
        parts = name.split("/")
        plain = all(_PLAIN_PART.fullmatch(p) and p != ".." for p in parts)
        target = (base / name).resolve()
        if plain and (not target.is_relative_to(base) or target == base):
            link = _first_link(base, parts)
            if link is not None:
                raise UnsafePath(
                    f"refusing to write {name!r}: {link} is a symbolic link "
                    f"to {link.resolve()}, outside {root}; remove the link or "
                    "choose another --out"
                )
        if not plain or not target.is_relative_to(base) or target == base:
            raise UnsafePath(
                f"refusing to write {name!r}: not a plain path inside {root}"
            )


def _first_link(base: Path, parts: list[str]) -> Path | None:
    """The first of ``base/parts[0]``, ``base/parts[0]/parts[1]``... that is
    a symbolic link, if any."""
    path = base
    for part in parts:
        path = path / part
        if path.is_symlink():
            return path
    return None


@attrs.frozen
class Changes:
    """How the files on disk differ from the ones rendered."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def lines(self) -> list[str]:
        """One line per file: ``added``, ``changed`` or ``removed`` and its path."""
        out = [f"added    {p}" for p in self.added]
        out += [f"changed  {p}" for p in self.changed]
        out += [f"removed  {p}" for p in self.removed]
        return sorted(out, key=lambda line: line[9:])


def _not_generated(part: str) -> bool:
    """Whether a path part is what tools leave beside generated files: caches,
    hidden files, and the metadata and build folders of an installed package."""
    return (
        part == "__pycache__"
        or part == "build"
        or part.startswith(".")
        or part.endswith(".egg-info")
    )


def _on_disk(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    files = {}
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        skipped = any(_not_generated(p) for p in parts)
        if path.is_file() and not skipped:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def compare(files: dict[str, str], root: Path) -> Changes:
    """What writing ``files`` to ``root`` would change."""
    check_paths(files, root)
    current = _on_disk(root)
    wanted = {name: text.encode("utf-8") for name, text in files.items()}
    return Changes(
        added=tuple(sorted(set(wanted) - set(current))),
        changed=tuple(
            sorted(n for n in wanted if n in current and current[n] != wanted[n])
        ),
        removed=tuple(sorted(set(current) - set(wanted))),
    )


def _keep_tool_folders(root: Path, staging: Path) -> None:
    """Move what tools keep at the top of ``root`` (an editable install's
    ``*.egg-info``, ``build``, hidden folders) into the new tree, so that
    regenerating does not undo an install."""
    if not root.is_dir():
        return
    for entry in root.iterdir():
        if _not_generated(entry.name) and entry.name != "__pycache__":
            os.replace(entry, staging / entry.name)


STAGING_ATTEMPTS = 100
"""Most names tried for the folder the new tree is written in."""


def _staging_folder(root: Path) -> Path:
    """A new empty folder beside ``root`` for the new tree, made as any new
    folder is (its mode from the umask); :func:`write_tree` gives it the
    mode of the ``root`` it replaces, if any."""
    import secrets

    for _ in range(STAGING_ATTEMPTS):
        staging = root.parent / f".{root.name}-new-{secrets.token_hex(8)}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging
    raise FileExistsError(
        f"no free name for a new folder beside {root} after {STAGING_ATTEMPTS} attempts"
    )


def write_tree(files: dict[str, str], root: Path) -> Changes:
    """Make ``root`` hold exactly ``files``, swapping the whole tree in at
    once; a ``root`` that exists keeps its mode, a new one gets the umask's."""
    changes = compare(files, root)
    if not changes:
        return changes
    import shutil  # only when writing: `generate --check` never does

    root.parent.mkdir(parents=True, exist_ok=True)
    staging = _staging_folder(root)
    try:
        for name, text in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        old = root.parent / f".{root.name}-old"
        if old.exists():
            shutil.rmtree(old)
        _keep_tool_folders(root, staging)
        if root.is_dir():
            os.chmod(staging, stat.S_IMODE(root.stat().st_mode))
        if root.exists():
            os.replace(root, old)
        os.replace(staging, root)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changes
