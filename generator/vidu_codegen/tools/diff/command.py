"""``vidu-codegen diff``: load two specs, compare them, print the report."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Literal, TextIO

from vidu_codegen.load import model as sm
from vidu_codegen.pipeline import Loaded, load_spec
from vidu_codegen.tools.diff.git import Problem, spec_at_revision
from vidu_codegen.tools.diff.report import diff_specs


def _report_findings(loaded: Loaded, label: str, err: TextIO) -> None:
    for finding in loaded.findings:
        print(f"{label}{finding}", file=err)


def _load(spec_dir: Path, base: Path, label: str, err: TextIO) -> sm.Spec | None:
    loaded = load_spec(spec_dir, base=base)
    if loaded.errors or loaded.spec is None:
        _report_findings(loaded, label, err)
        count = len(loaded.errors)
        where = label.rstrip(":") or str(spec_dir)
        print(
            f"{count} error{'s' if count != 1 else ''} in the spec at {where}", file=err
        )
        return None
    return loaded.spec


def run_diff(
    old: Path | None,
    new: Path,
    *,
    base_rev: str | None = None,
    output: Literal["markdown", "json"] = "markdown",
    fail_on_breaking: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The ``diff`` command. Exit status: 0 compared, 1 breaking changes with
    ``fail_on_breaking``, 2 a spec has errors or cannot be read."""
    out = out or sys.stdout
    err = err or sys.stderr
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="vidu-diff-") as temp:
        if base_rev is not None:
            where = spec_at_revision(base_rev, new, Path(temp))
            if isinstance(where, Problem):
                print(where.message, file=err)
                return 2
            old_spec = _load(where, Path(temp), f"{base_rev}:", err)
        elif old is not None:
            old_spec = _load(old, cwd, "", err)
        else:
            print("diff needs OLD and NEW spec directories, or --base REV", file=err)
            return 2
        new_spec = _load(new, cwd, "", err)
        if old_spec is None or new_spec is None:
            return 2
    report = diff_specs(old_spec, new_spec)
    out.write(report.as_json() if output == "json" else report.markdown())
    return 1 if fail_on_breaking and report.breaking else 0
