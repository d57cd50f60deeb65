"""The whole pipeline, from a spec directory to rendered files.

``load_spec`` runs steps 1 to 3 and returns the findings with the spec;
``render_spec`` runs steps 4 and 5. Each step's problems are collected and
reported together.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from vidu_codegen.load import model as sm
from vidu_codegen.load.checks import check_spec
from vidu_codegen.load.findings import Finding, Pos, display_path
from vidu_codegen.load.sources import check_sources
from vidu_codegen.load.structure import Structurer
from vidu_codegen.load.yaml import load_files

ROOT_FILE = "api.yaml"
OPERATIONS_DIR = "operations"


@attrs.frozen
class Loaded:
    spec: sm.Spec | None
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")


MAX_OPERATION_FILES = 500
"""How many operation files a spec may have: each is read and checked."""


def spec_files(spec_dir: Path) -> list[Path]:
    """The root file first, then every operation file in name order."""
    operations = sorted((spec_dir / OPERATIONS_DIR).glob("*.yaml"))
    return [spec_dir / ROOT_FILE, *operations]


def load_spec(spec_dir: Path, base: Path | None = None) -> Loaded:
    """Read, structure and check the spec in ``spec_dir``."""
    base = base or spec_dir.parent
    folder = spec_dir / OPERATIONS_DIR
    if folder.is_symlink():
        where = display_path(folder, base)
        message = "a symbolic link: the spec reads regular files and folders only"
        return Loaded(None, (Finding(Pos(where, 1, 1), message),))
    root_path, *op_paths = spec_files(spec_dir)
    if len(op_paths) > MAX_OPERATION_FILES:
        where = display_path(spec_dir / OPERATIONS_DIR, base)
        message = (
            f"{len(op_paths)} operation files: at most {MAX_OPERATION_FILES} "
            "are read (split the API into several specs)"
        )
        return Loaded(None, (Finding(Pos(where, 1, 1), message),))
    structurer = Structurer()
    findings: list[Finding] = []
    tables = []
    paths = [root_path, *op_paths]
    for table, problems in load_files([(p, display_path(p, base)) for p in paths]):
        findings += problems
        tables.append(table)
    if not op_paths:
        where = display_path(spec_dir / OPERATIONS_DIR, base)
        findings.append(Finding(Pos(where, 1, 1), "no operation files (*.yaml) here"))
    root = structurer.build(tables[0], sm.ApiFile) if tables[0] is not None else None
    operations = []
    for table in tables[1:]:
        if table is not None:
            operation = structurer.build(table, sm.Operation)
            if operation is not None:
                operations.append(operation)
    findings += structurer.findings
    if findings or root is None:
        return Loaded(None, tuple(sorted(findings)))
    spec = sm.Spec(root, operations)
    findings += check_spec(spec)
    findings += check_sources(spec, spec_dir)
    return Loaded(spec, tuple(sorted(findings)))


def render_spec(spec: sm.Spec, templates: Path) -> dict[str, str]:
    """Every generated file for a checked spec, by relative path."""
    # imported here: `lint` and the review tools never render
    from vidu_codegen.python.context import build_context
    from vidu_codegen.python.render import render
    from vidu_codegen.resolve import resolve

    return render(build_context(resolve(spec)), templates)
