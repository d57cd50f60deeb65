"""The generator's cache on disk: work that depends only on bytes it can hash.

Three things are kept, each under a key that holds everything its value
depends on, so an entry is either exactly right or never found:

* compiled templates (:class:`vidu_codegen.python.render.TemplateCache`), keyed by the template's name,
  path and source text, in a folder per Jinja2 and Python version and per
  environment settings;
* spec files read into tables (:mod:`vidu_codegen.load.yaml`), keyed by the
  file's bytes and the reader's version;
* Python files formatted by ruff (:mod:`vidu_codegen.python.ruff`), keyed by
  ruff's version, its options and the file's name and text.

Nothing in the cache is trusted unless it can only have been written by this
user's runs:

* the cache folder is used only when it belongs to the current user and
  neither its group nor others may write to it (it is created ``0700``), and
  so is every folder of entries under it; otherwise the cache is off;
* every entry starts with an HMAC-SHA256 of its place in the cache and its
  payload, keyed by a secret of 32 random bytes kept in the file ``key`` at
  the top of the cache (outside every folder of entries), which must belong
  to the user and be readable by no one else. An entry without the right
  code (planted, copied from another cache, damaged, too large) is ignored
  and replaced, exactly as if it were missing; what reads an entry checks it
  again as it decodes it.

Entries are written to a temporary file and renamed, so concurrent runs never
read half an entry. The cache is a user cache directory:
``$VIDU_CODEGEN_CACHE_DIR``, else ``$XDG_CACHE_HOME/vidu-codegen``, else
``~/.cache/vidu-codegen``; setting ``VIDU_CODEGEN_CACHE_DIR`` to ``off`` turns
it off, and so does a user without a home folder. A cache that cannot be
written (a read-only home, a full disk) or is refused only makes runs slower;
why it is refused is logged at debug level (logger ``vidu_codegen.cache``).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
from pathlib import Path

ENV_VAR = "VIDU_CODEGEN_CACHE_DIR"
"""Where the cache lives; ``off`` for no cache."""

MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""Largest cache entry read, in bytes; a larger one is ignored."""

MAX_ENTRIES = 2000
"""Most entries of one kind kept: past this many, the oldest half goes."""

KEY_FILE = "key"
"""The file, at the top of the cache, that holds the key of its entries."""

KEY_BYTES = 32
"""Length of the key, in bytes."""

_DIGEST_BYTES = 64
"""Length of the hex HMAC-SHA256 that starts every entry."""

_ROOTS: set[Path] = set()
"""Every cache folder :func:`cache_root` gave: where entries may be."""

_REFUSED: set[str] = set()
"""Cache folders already logged as refused."""


def cache_root() -> Path | None:
    """The cache directory, or ``None`` when the cache is off: turned off, no
    home folder to put it in, or a folder (or key) that is not the user's
    alone."""
    root = _configured()
    if root is None or _key(root) is None:
        return None
    _ROOTS.add(root)
    return root


def _configured() -> Path | None:
    configured = os.environ.get(ENV_VAR)
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "vidu-codegen"
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):  # no HOME and no passwd entry
        return None
    return home / ".cache" / "vidu-codegen"


def _private(folder: Path) -> os.stat_result | None:
    """The folder's status if it is a folder of the current user's that
    neither its group nor others may write to, else ``None``."""
    try:
        status = os.stat(folder)
    except OSError:
        return None
    if (
        not stat.S_ISDIR(status.st_mode)
        or status.st_uid != os.getuid()
        or status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    ):
        return None
    return status


def _refuse(root: Path, reason: str) -> None:
    if str(root) in _REFUSED:
        return
    _REFUSED.add(str(root))
    import logging  # only to say why: a cache in use never logs

    logging.getLogger(__name__).debug("cache %s not used: %s", root, reason)


def _key(root: Path) -> bytes | None:
    """The key of the cache at ``root`` (made on first use), or ``None`` if
    the folder or its key may be anyone else's."""
    if not hasattr(os, "getuid"):
        return None  # no owners to check
    status = _private(root)
    if status is None and not os.path.lexists(root):
        try:
            root.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return None
        status = _private(root)
    if status is None:
        _refuse(root, "not a folder of this user's alone")
        return None
    key = _read_key(root / KEY_FILE)
    if key is None and not os.path.lexists(root / KEY_FILE):
        _make_key(root)
        key = _read_key(root / KEY_FILE)
    if key is None:
        _refuse(root, f"its {KEY_FILE} is not a file of this user's alone")
    return key


def _read_key(path: Path) -> bytes | None:
    """The key at ``path``, if it is a file of the user's that no one else
    may read or write, holding exactly :data:`KEY_BYTES` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(path, flags)
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if (
            not stat.S_ISREG(status.st_mode)
            or status.st_uid != os.getuid()
            or status.st_mode & 0o077
        ):
            return None
        key = os.read(handle, KEY_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(handle)
    return key if len(key) == KEY_BYTES else None


def _make_key(root: Path) -> None:
    """Put a new random key at ``root``, unless a concurrent run did first."""
    import secrets
    import tempfile

    try:
        handle, temp = tempfile.mkstemp(dir=root, prefix=".key-")  # mode 0600
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        os.link(temp, root / KEY_FILE)  # never replaces a key already there
    except OSError:
        pass
    finally:
        Path(temp).unlink(missing_ok=True)


def _entry_key(path: Path) -> tuple[bytes, bytes] | None:
    """The key of the cache holding the entry ``path`` and the entry's name
    in it, when the entry is in a folder of entries under a cache folder and
    every folder from that one to the entry's is the user's alone."""
    for root in path.parents:
        if root in _ROOTS:
            break
    else:
        return None
    if path.parent == root:
        return None  # entries live in folders of their kind, never beside the key
    folder = path.parent
    while folder != root:
        if _private(folder) is None:
            return None
        folder = folder.parent
    key = _key(root)
    if key is None:
        return None
    return key, path.relative_to(root).as_posix().encode("utf-8", "surrogateescape")


def _code(key: bytes, name: bytes, payload: bytes) -> bytes:
    """The entry's HMAC: over its name in the cache, then its payload."""
    mac = hmac.new(key, name + b"\0", hashlib.sha256)
    mac.update(payload)
    return mac.hexdigest().encode("ascii")


def read_entry(path: Path) -> bytes | None:
    """The payload of the entry at ``path`` if this user's runs wrote it
    there, whole, else ``None``."""
    found = _entry_key(path)
    if found is None:
        return None
    try:
        with path.open("rb") as handle:
            raw = handle.read(_DIGEST_BYTES + MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    if len(raw) > _DIGEST_BYTES + MAX_ENTRY_BYTES:
        return None
    code, payload = raw[:_DIGEST_BYTES], raw[_DIGEST_BYTES:]
    if not hmac.compare_digest(_code(*found, payload), code):
        return None
    return payload


def write_entry(path: Path, payload: bytes) -> None:
    """Store ``payload`` at ``path`` with its HMAC; any failure is ignored,
    and so is a ``path`` outside a cache folder in use."""
    if len(payload) > MAX_ENTRY_BYTES:
        return
    import tempfile  # only when writing: a run that finds everything never does

    try:
        _make_folders(path)
        found = _entry_key(path)
        if found is None:
            return
        _prune(path.parent)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".entry-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_code(*found, payload) + payload)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
        return


def _make_folders(path: Path) -> None:
    """Make the folders from the cache folder holding ``path`` down to its
    own, each ``0700``."""
    for root in path.parents:
        if root in _ROOTS:
            folder = root
            for part in path.parent.relative_to(root).parts:
                folder = folder / part
                folder.mkdir(mode=0o700, exist_ok=True)
            return


def _prune(folder: Path) -> None:
    """Keep a folder of entries under :data:`MAX_ENTRIES`: drop the oldest half."""
    entries = []
    with os.scandir(folder) as scan:
        for index, entry in enumerate(scan):
            if index > 2 * MAX_ENTRIES:
                break
            entries.append(entry)
    if len(entries) < MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for entry in entries[: len(entries) // 2]:
        Path(entry.path).unlink(missing_ok=True)
