"""``vidu-codegen docs-check NEW_PAGE``: load, compare, report, maybe update."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Literal, TextIO

from vidu_codegen.load.findings import display_path
from vidu_codegen.load.sources import Unreadable, read_page, snapshot_path
from vidu_codegen.pipeline import load_spec
from vidu_codegen.tools.docs_check.anchors import anchor_all
from vidu_codegen.tools.docs_check.compare import added_lines, changed_quotes
from vidu_codegen.tools.docs_check.coverage import coverage
from vidu_codegen.tools.docs_check.report import Report


def run_docs_check(
    spec_dir: Path,
    new_page: Path,
    *,
    snapshot: str | None = None,
    output: Literal["markdown", "json"] = "markdown",
    update: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The ``docs-check`` command.

    Exit status: 0 the page is unchanged in every quoted place (with
    ``update``: the snapshot was replaced, or was already the page), 1
    something needs review (with ``update``: a quote does not match the new
    page, so nothing was replaced), 2 the spec has errors, names no such
    snapshot, or a page cannot be read.
    """
    out = out or sys.stdout
    err = err or sys.stderr
    base = spec_dir.resolve().parent
    loaded = load_spec(spec_dir, base=base)
    if loaded.errors or loaded.spec is None:
        for finding in loaded.findings:
            print(finding, file=err)
        print(f"{len(loaded.errors)} errors in the spec; fix them first", file=err)
        return 2
    spec = loaded.spec
    if not spec.root.sources:
        print("the spec declares no snapshots (`sources:` in api.yaml)", file=err)
        return 2
    name = snapshot or next(iter(spec.root.sources))
    if name not in spec.root.sources:
        known = ", ".join(spec.root.sources)
        print(f"no snapshot {name!r} in the spec; known: {known}", file=err)
        return 2
    path = snapshot_path(spec_dir, spec.root.sources[name])
    if isinstance(path, Unreadable):
        print(path.message, file=err)
        return 2
    old_text = read_page(path, root=spec_dir, name=display_path(path, base))
    new_text = read_page(new_page)
    if isinstance(old_text, Unreadable) or isinstance(new_text, Unreadable):
        problem = old_text if isinstance(old_text, Unreadable) else new_text
        print(getattr(problem, "message", problem), file=err)
        return 2
    old = anchor_all(spec, name, old_text)
    new = anchor_all(spec, name, new_text)
    changed = tuple(changed_quotes(old, new))
    report = Report(
        snapshot=name,
        snapshot_file=display_path(path, base),
        page=str(new_page),
        quotes=len(old.found),
        identical=old_text == new_text,
        changed=changed,
        added=tuple(added_lines(old, new, changed)),
        coverage=coverage(spec, name, old),
    )
    out.write(report.as_json() if output == "json" else report.markdown())
    if not update:
        return 1 if report.needs_review else 0
    if report.changed:
        print(
            f"not updated: {len(report.changed)} quotes do not match {new_page}; "
            "revisit those spec entries first",
            file=err,
        )
        return 1
    if report.identical:
        print(f"{report.snapshot_file} is already this page", file=err)
        return 0
    _replace(path, new_text)
    print(f"updated {report.snapshot_file} from {new_page}", file=err)
    return 0


def _replace(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
