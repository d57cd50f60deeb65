"""Format rendered Python with the pinned ruff: two runs, however many files.

The files are written to a temporary directory under their relative paths;
ruff sorts imports, drops unused ones and sorts ``__all__`` in one run and
formats in a second, and the results are read back. Ruff is isolated from
any configuration, and import sections do not depend on where it runs: no
``src`` directory makes a module first-party, nor does a file's own package.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import attrs

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


def format_python(sources: dict[str, str]) -> dict[str, str] | RuffFailed:
    """``sources`` with every ``.py`` file fixed and formatted; others as they are."""
    names = sorted(n for n in sources if n.endswith(".py"))
    if not names:
        return dict(sources)
    with tempfile.TemporaryDirectory(prefix="vidu-codegen-ruff-") as temp:
        root = Path(temp)
        for name in names:
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(sources[name], encoding="utf-8", newline="\n")
        ruff = _ruff()
        for args in (FIXES, FORMAT):
            failed = _run(ruff, args, names, root)
            if failed is not None:
                return failed
        formatted = {n: (root / n).read_text(encoding="utf-8") for n in names}
    return {n: formatted.get(n, text) for n, text in sources.items()}
