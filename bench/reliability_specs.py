"""Hostile specs: how many ``vidu-codegen`` refuses, each at a position.

Runs every case of the corpus in ``tests/generator/hostile_specs.py`` through
``vidu-codegen generate`` (a fresh process each, with a time limit) and prints
one line per case and the totals. A case passes when the command exits 2,
prints exactly the case's positioned findings, writes nothing and takes no
traceback. Exit status 1 when any case fails.

    python bench/reliability_specs.py        # or: nox -s reliability
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from specgen_runtime.patterns import MAX_MATCH_LENGTH  # noqa: E402
from specgen_runtime.tables import Pattern  # noqa: E402

from tests.generator.hostile_specs import CORPUS, Hostile  # noqa: E402

WORST_ALLOWED = (".*a.*b", "[a-z ]*x[a-z ]*y", r"\w+\s{0,16}\w+z")
"""Patterns at the limit of the safe-pattern rule (two long quantifiers)."""

_COMMAND = (sys.executable, "-m", "vidu_codegen", "--spec", "spec", "generate")

LIMIT = 60.0
"""Seconds one case may take before it counts as a hang."""


def run_case(case: Hostile, folder: Path) -> tuple[bool, float, str]:
    """Whether ``case`` is refused as expected, the seconds it took, and why not."""
    case.write(folder)
    out = folder / "out"
    started = time.monotonic()
    try:
        result = subprocess.run(
            [*_COMMAND, "--out", str(out)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=LIMIT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, LIMIT, f"no answer within {LIMIT:.0f} s"
    took = time.monotonic() - started
    lines = result.stderr.splitlines()
    if result.returncode != 2:
        return False, took, f"exit {result.returncode}"
    if "Traceback" in result.stderr:
        return False, took, "traceback"
    if out.exists():
        return False, took, "wrote output"
    if lines[:-1] != list(case.expected):
        return False, took, f"printed {lines[:-1]!r}"
    return True, took, ""


def main() -> int:
    refused = 0
    slowest = 0.0
    with tempfile.TemporaryDirectory(prefix="hostile-specs-") as tmp:
        for index, case in enumerate(CORPUS):
            folder = Path(tmp) / str(index)
            folder.mkdir()
            ok, took, why = run_case(case, folder)
            refused += ok
            slowest = max(slowest, took)
            status = "refused" if ok else f"FAILED ({why})"
            first = case.expected[0] if case.expected else ""
            print(f"{case.name:40} {took:5.2f} s  {status}  {first[:100]}")
    print(
        f"hostile specs: {len(CORPUS)} tried, {refused} refused with positions "
        f"and nothing written; slowest {slowest:.2f} s"
    )
    for regex in WORST_ALLOWED:
        pattern = Pattern(regex, "worst case")
        value = "a" * MAX_MATCH_LENGTH
        started = time.monotonic()
        pattern.matches(value)
        took = time.monotonic() - started
        print(
            f"pattern {regex!r} on a {MAX_MATCH_LENGTH:,}-character value: "
            f"{took * 1000:.0f} ms"
        )
    return 0 if refused == len(CORPUS) else 1


if __name__ == "__main__":
    raise SystemExit(main())
