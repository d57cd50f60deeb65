"""Opening spec input: regular files only, never through a symbolic link.

A spec arrives in pull requests, and what the tools read from it can end up
in public output (a lint message, the docs-check report). A symbolic link
named ``sources/page.txt`` that points at ``../../.git/config`` would copy
that file there, and a FIFO or a device would block or never end. So every
spec file, snapshot and new page is opened with ``O_NOFOLLOW`` (and without
waiting, for a FIFO) and read only when the opened file is a regular one.
Given ``root``, every directory between ``root`` and the file is opened the
same way, so a linked directory is refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePath
from typing import BinaryIO

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


class NotRegularFile(OSError):
    """A path that names something other than a regular file (or passes
    through a symbolic link): the spec reads regular files only."""

    def __init__(self, path: PurePath, kind: str, directory: str | None = None) -> None:
        self.kind = kind
        self.directory = directory
        """The linked directory on the way to the file, if it is one."""
        super().__init__(
            errno.ELOOP if kind == "a symbolic link" else errno.EINVAL,
            f"{kind}, not a regular file (the spec reads regular files only)",
            str(path),
        )

    def message(self, name: str) -> str:
        """``<name> is <kind>: the spec reads regular files only`` (of a
        linked directory: ``<name>: '<directory>' is a symbolic link: …``)."""
        if self.directory is not None:
            name = f"{name}: {self.directory!r}"
        return f"{name} is {self.kind}: the spec reads regular files only"


_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _open_at(
    name: str,
    shown: PurePath,
    flags: int,
    dir_fd: int | None,
    directory: str | None = None,
) -> int:
    """``os.open`` of one component, a symbolic link refused by name
    (``directory``: the component is a directory on the way, so named)."""
    try:
        return os.open(name, flags | _CLOEXEC, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
            try:
                mode = os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode
            except OSError:
                raise exc from None
            if stat.S_ISLNK(mode):
                raise NotRegularFile(shown, "a symbolic link", directory) from None
        raise


def open_regular(path: Path, *, root: Path | None = None) -> BinaryIO:
    """``path`` opened for reading in binary, if it is a regular file.

    The last component is opened with ``O_NOFOLLOW`` and the opened file
    checked with ``fstat``; with ``root`` (a directory ``path`` is inside),
    each directory between them is opened without following links too.
    Raises :class:`NotRegularFile`, or ``OSError`` as ``open`` does.
    """
    dir_fd: int | None = None
    name = str(path)
    try:
        if root is not None:
            parts = path.relative_to(root).parts
            if not parts:
                raise NotRegularFile(path, "a directory")
            dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | _CLOEXEC)
            shown = PurePath(root)
            for index, part in enumerate(parts[:-1]):
                shown = shown / part
                flags = _FLAGS | os.O_DIRECTORY
                on_the_way = PurePath(*parts[: index + 1]).as_posix()
                inner = _open_at(part, shown, flags, dir_fd, on_the_way)
                os.close(dir_fd)
                dir_fd = inner
            name = parts[-1]
        fd = _open_at(name, path, _FLAGS, dir_fd)
    finally:
        if dir_fd is not None:
            os.close(dir_fd)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(path, _kind(mode))
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int, *, root: Path | None = None) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path`` (one more
    than ``limit`` tells the caller the file is over it); see
    :func:`open_regular`."""
    with open_regular(path, root=root) as handle:
        return handle.read(limit + 1)
