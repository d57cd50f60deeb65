"""Format rendered Python with the pinned ruff: two runs, however many files
(none for files it formatted before: see :func:`format_python`).

The files are written to a temporary directory under their relative paths;
ruff sorts imports, drops unused ones and sorts ``__all__`` in one run and
formats in a second, and the results are read back. Ruff is isolated from
any configuration, and import sections do not depend on where it runs: no
``src`` directory makes a module first-party, nor does a file's own package.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import attrs

from vidu_codegen import cache

SETTINGS = (
    "--isolated",
    "--no-cache",
    "--line-length",
    "88",
    "--target-version",
    "py311",
    "--config",
    "src = []",
    "--config",
    "lint.isort.detect-same-package = false",
)
"""Options of both runs: the same output on every machine, in every directory."""

FIXES = ("check", "--fix-only", "--exit-zero", "--select", "I,F401,RUF022")
FORMAT = ("format",)


@attrs.frozen
class RuffFailed:
    """Ruff could not run, or rejected a file; ``message`` says why."""

    message: str


def _ruff() -> list[str]:
    """The command that starts the pinned ruff: its binary, found as
    ``python -m ruff`` finds it (without starting a second interpreter to do
    so), else ``python -m ruff`` itself."""
    try:
        from ruff import find_ruff_bin  # type: ignore[import-untyped]

        return [str(find_ruff_bin())]
    except (ImportError, OSError):
        return [sys.executable, "-m", "ruff"]


def _run(
    ruff: list[str], args: tuple[str, ...], names: list[str], cwd: Path
) -> RuffFailed | None:
    import subprocess  # only when a file is not in the cache

    command = [*ruff, *args, *SETTINGS, "--", *names]
    try:
        result = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        return RuffFailed(f"cannot run ruff: {exc.strerror}")
    if result.returncode != 0:
        return RuffFailed(f"ruff {args[0]} failed:\n{result.stderr.strip()}")
    return None


def _identity() -> bytes | None:
    """What ruff's output depends on besides a file's name and text: ruff's
    version (the name of its installed metadata, found without importing
    ruff, whose import looks for the binary) and the options; ``None`` when
    it cannot be told."""
    import importlib.util

    spec = importlib.util.find_spec("ruff")
    if spec is None or spec.origin is None:
        return None
    installed = sorted(Path(spec.origin).parent.parent.glob("ruff-*.dist-info"))
    if len(installed) != 1:
        return None
    return repr((installed[0].name, SETTINGS, FIXES, FORMAT)).encode()


def _entries(sources: dict[str, str], names: list[str]) -> dict[str, Path]:
    """Where the cache keeps each file's formatted text (none when the cache
    is off or ruff's version unknown): ruff treats every file on its own, so
    its output for a file depends only on the file's name and text."""
    root = cache.cache_root()
    identity = _identity() if root is not None else None
    if root is None or identity is None:
        return {}
    entries = {}
    for name in names:
        key = hashlib.sha256(identity)
        key.update(f"\0{name}\0".encode())
        key.update(sources[name].encode("utf-8", "surrogatepass"))
        entries[name] = root / "ruff" / f"{key.hexdigest()}.py"
    return entries


def _cached(entry: Path | None) -> str | None:
    payload = cache.read_entry(entry) if entry is not None else None
    if payload is None:
        return None
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None


def format_python(sources: dict[str, str]) -> dict[str, str] | RuffFailed:
    """``sources`` with every ``.py`` file fixed and formatted; others as they are.

    A file formatted before, by the same version of ruff with the same
    options, comes from the cache (:mod:`vidu_codegen.cache`), keyed by its
    name and text.
    """
    names = sorted(n for n in sources if n.endswith(".py"))
    if not names:
        return dict(sources)
    entries = _entries(sources, names)
    formatted: dict[str, str] = {}
    for name in names:
        text = _cached(entries.get(name))
        if text is not None:
            formatted[name] = text
    todo = [n for n in names if n not in formatted]
    if todo:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="vidu-codegen-ruff-") as temp:
            root = Path(temp)
            for name in todo:
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(sources[name], encoding="utf-8", newline="\n")
            ruff = _ruff()
            for args in (FIXES, FORMAT):
                failed = _run(ruff, args, todo, root)
                if failed is not None:
                    return failed
            for name in todo:
                text = (root / name).read_text(encoding="utf-8")
                formatted[name] = text
                if name in entries:
                    cache.write_entry(entries[name], text.encode("utf-8"))
    return {n: formatted.get(n, text) for n, text in sources.items()}
