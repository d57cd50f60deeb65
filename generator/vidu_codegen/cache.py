"""The generator's cache on disk: work that depends only on bytes it can hash.

Two things are kept, each under a key that holds everything its value depends
on, so an entry is either exactly right or never found:

* compiled templates (:class:`vidu_codegen.python.render.TemplateCache`), keyed by the template's name,
  path and source text, in a folder per Jinja2 and Python version and per
  environment settings;
* spec files read into tables (:mod:`vidu_codegen.load.yaml`), keyed by the
  file's bytes and the reader's version.

Nothing in the cache is trusted: every entry carries a SHA-256 digest of its
payload and one that does not match, is too large or cannot be decoded is
ignored (and replaced), exactly as if it were missing. Entries are written to
a temporary file and renamed, so concurrent runs never read half an entry.
The cache is a user cache directory: ``$VIDU_CODEGEN_CACHE_DIR``, else
``$XDG_CACHE_HOME/vidu-codegen``, else ``~/.cache/vidu-codegen``; setting
``VIDU_CODEGEN_CACHE_DIR`` to ``off`` turns it off. A cache that cannot be
written (a read-only home, a full disk) only makes runs slower.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

ENV_VAR = "VIDU_CODEGEN_CACHE_DIR"
"""Where the cache lives; ``off`` for no cache."""

MAX_ENTRY_BYTES = 16 * 1024 * 1024
"""Largest cache entry read, in bytes; a larger one is ignored."""

MAX_ENTRIES = 2000
"""Most entries of one kind kept: past this many, the oldest half goes."""

_DIGEST_BYTES = 64
"""Length of the hex SHA-256 digest that starts every entry."""


def cache_root() -> Path | None:
    """The cache directory, or ``None`` when the cache is off."""
    configured = os.environ.get(ENV_VAR)
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "vidu-codegen"


def read_entry(path: Path) -> bytes | None:
    """The payload of the entry at ``path`` if it is whole, else ``None``."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_DIGEST_BYTES + MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    if len(raw) > _DIGEST_BYTES + MAX_ENTRY_BYTES:
        return None
    digest, payload = raw[:_DIGEST_BYTES], raw[_DIGEST_BYTES:]
    if hashlib.sha256(payload).hexdigest().encode("ascii") != digest:
        return None
    return payload


def write_entry(path: Path, payload: bytes) -> None:
    """Store ``payload`` at ``path`` with its digest; any failure is ignored."""
    if len(payload) > MAX_ENTRY_BYTES:
        return
    import tempfile  # only when writing: a run that finds everything never does

    digest = hashlib.sha256(payload).hexdigest().encode("ascii")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _prune(path.parent)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".entry-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(digest + payload)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except OSError:
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
