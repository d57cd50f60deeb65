"""The ``vidu-codegen`` command (also ``python -m vidu_codegen``).

The spec, templates and output directory come from the project the current
directory is in (see :mod:`vidu_codegen.project`); ``--spec``, ``--templates``
and ``--out`` override them.

``generate``
    write ``generated/`` from ``spec/`` and list what changed;
    with ``--check``, write nothing and exit 1 naming every stale file.
``lint``
    check the spec alone.
``diff [OLD NEW] [--base REV]``
    classify the changes between two specs (see :mod:`vidu_codegen.tools.diff`).
``fmt [--check] [PATHS...]``
    put spec files in their canonical layout (see :mod:`vidu_codegen.tools.fmt`).
``docs-check NEW_PAGE [--snapshot NAME] [--format markdown|json] [--update]``
    compare a new copy of the vendor's page with the spec's snapshot of it
    (see :mod:`vidu_codegen.tools.docs_check`).
``openapi [--out FILE] [--format json|yaml]``
    export the spec as an OpenAPI 3.1 document (see :mod:`vidu_codegen.tools.openapi`);
    JSON on standard output by default.

Exit status: 0 fine, 1 stale output (``--check``), 2 the spec has errors
(or no project was found, or the output directory cannot be written safely:
a symbolic link inside it leads out of it), 3 the templates cannot be rendered. Nothing is written unless all went well.
``diff`` exits 1 with ``--fail-on-breaking`` when a change is breaking;
``fmt --check`` exits 1 when a file is not in the canonical layout;
``openapi`` exits 1 when it cannot write ``--out``;
``docs-check`` exits 1 when a quoted place changed or text was added.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vidu_codegen.pipeline import load_spec
from vidu_codegen.project import NoProject, Project, find_project, packaged_templates

if TYPE_CHECKING:
    from vidu_codegen.load import model as sm

# Each command imports what only it uses when it runs: `generate` and `lint`
# start without the review tools, `lint` without the templates.


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vidu-codegen",
        description="Generate a validated client package from a YAML API spec.",
    )
    parser.add_argument(
        "--spec", type=Path, help="spec directory (the project's spec/)"
    )
    parser.add_argument(
        "--templates",
        type=Path,
        help="templates directory (the project's, else those shipped with "
        "the generator)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write the generated package")
    generate.add_argument(
        "--out", type=Path, help="output directory (the project's generated/)"
    )
    generate.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if anything is stale",
    )
    commands.add_parser("lint", help="check the spec alone")
    _add_diff(commands)
    _add_fmt(commands)
    _add_openapi(commands)
    _add_docs_check(commands)
    return parser


def _add_docs_check(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    check = commands.add_parser(
        "docs-check",
        help="compare a new copy of the vendor's page with the spec's snapshot",
        description="Report each spec entry whose quote is gone or changed in "
        "NEW_PAGE, text added that no quote covers, and how much of the "
        "snapshot the spec quotes. Exit 1 when anything needs review.",
    )
    check.add_argument("new_page", type=Path, metavar="NEW_PAGE")
    check.add_argument(
        "--snapshot",
        metavar="NAME",
        help="the snapshot (of `sources:`) to compare with (the first declared)",
    )
    _add_report_format(check)
    check.add_argument(
        "--update",
        action="store_true",
        help="replace the snapshot with NEW_PAGE when every quote matches it",
    )


def _add_report_format(command: argparse.ArgumentParser) -> None:
    """``--format``, as ``args.output``: how a review tool writes its report."""
    command.add_argument(
        "--format",
        choices=["markdown", "json"],
        default="markdown",
        dest="output",
        help="Markdown for a pull request, or JSON (%(default)s)",
    )


def _add_diff(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    diff = commands.add_parser(
        "diff",
        help="classify the changes between two specs",
        description="Compare OLD with NEW (two spec directories), or the --spec "
        "directory with its version at a git revision (--base).",
    )
    diff.add_argument("specs", nargs="*", type=Path, metavar="OLD NEW")
    diff.add_argument(
        "--base", metavar="REV", help="compare with the spec at this git revision"
    )
    _add_report_format(diff)
    diff.add_argument(
        "--fail-on-breaking",
        action="store_true",
        help="exit 1 when a change is breaking",
    )


def _add_fmt(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fmt = commands.add_parser("fmt", help="put spec files in their canonical layout")
    fmt.add_argument(
        "paths", nargs="*", type=Path, help="files or directories (the spec directory)"
    )
    fmt.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if any would change"
    )


def _add_openapi(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    openapi = commands.add_parser(
        "openapi",
        help="export the spec as an OpenAPI 3.1 document",
        description="Write an OpenAPI 3.1 document of everything in the spec.",
    )
    openapi.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write to this file (default: standard output)",
    )
    openapi.add_argument(
        "--format",
        choices=["json", "yaml"],
        default="json",
        dest="openapi_format",
        help="output format (%(default)s)",
    )


def _openapi(args: argparse.Namespace, spec: sm.Spec) -> int:
    from vidu_codegen.tools.openapi import build_openapi, render_openapi

    text = render_openapi(build_openapi(spec), args.openapi_format)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _diff(args: argparse.Namespace) -> int:
    specs: list[Path] = args.specs
    wrong = bool(specs) if args.base is not None else len(specs) != 2
    if wrong:
        print(
            "diff takes OLD NEW, or --base REV (compared with --spec)", file=sys.stderr
        )
        return 2
    from vidu_codegen.tools.diff import run_diff

    old, new = (specs[0], specs[1]) if specs else (None, args.spec)
    return run_diff(
        old,
        new,
        base_rev=args.base,
        output=args.output,
        fail_on_breaking=args.fail_on_breaking,
    )


def _paths(args: argparse.Namespace) -> Project | NoProject:
    """The project's paths, overridden by the options given."""
    out = getattr(args, "out", None) if args.command == "generate" else None
    if args.spec is not None and args.templates is not None and out is not None:
        return Project(args.spec.parent, args.spec, args.templates, out)
    found = find_project(Path.cwd())
    if isinstance(found, NoProject):
        if args.spec is None:
            return found
        found = Project(
            args.spec.parent,
            args.spec,
            packaged_templates(),
            args.spec.parent / "generated",
        )
    return Project(
        found.root,
        args.spec or found.spec,
        args.templates or found.templates,
        out or found.out,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    needs_spec = args.command != "diff" or args.base is not None
    needs_spec = needs_spec and not (args.command == "fmt" and args.paths)
    if needs_spec:
        paths = _paths(args)
        if isinstance(paths, NoProject):
            print(paths.message, file=sys.stderr)
            return 2
        args.spec, args.templates = paths.spec, paths.templates
        if args.command == "generate":
            args.out = paths.out
    if args.command == "diff":
        return _diff(args)
    if args.command == "fmt":
        from vidu_codegen.tools.fmt import run_fmt

        return run_fmt(args.paths or [args.spec], check=args.check)
    if args.command == "docs-check":
        from vidu_codegen.tools.docs_check import run_docs_check

        return run_docs_check(
            args.spec,
            args.new_page,
            snapshot=args.snapshot,
            output=args.output,
            update=args.update,
        )
    loaded = load_spec(args.spec, base=args.spec.resolve().parent)
    for finding in loaded.findings:
        print(finding, file=sys.stderr)
    if loaded.errors or loaded.spec is None:
        count = len(loaded.errors)
        print(
            f"{count} error{'s' if count != 1 else ''} in the spec; nothing written",
            file=sys.stderr,
        )
        return 2
    if args.command == "lint":
        print("spec is valid")
        return 0
    if args.command == "openapi":
        return _openapi(args, loaded.spec)
    return _generate(args, loaded.spec)


def _generate(args: argparse.Namespace, spec: sm.Spec) -> int:
    import jinja2

    from vidu_codegen.pipeline import render_spec
    from vidu_codegen.python.render import RenderError
    from vidu_codegen.python.writer import UnsafePath

    try:
        files = render_spec(spec, args.templates)
    except (jinja2.TemplateError, RenderError) as exc:
        print(f"cannot render the templates: {exc}", file=sys.stderr)
        return 3
    try:
        return _write(args, files)
    except UnsafePath as exc:
        print(f"{exc}; nothing written", file=sys.stderr)
        return 2
    except OSError as exc:
        where = exc.filename or args.out
        print(
            f"cannot write {where}: {exc.strerror or exc}; nothing written",
            file=sys.stderr,
        )
        return 2


def _write(args: argparse.Namespace, files: dict[str, str]) -> int:
    """Write ``files`` to ``--out``, or with ``--check`` report what is stale."""
    from vidu_codegen.python.writer import compare, write_tree

    if args.check:
        changes = compare(files, args.out)
        for line in changes.lines():
            print(f"stale: {line}")
        if changes:
            print(f"{args.out} does not match the spec: run `vidu-codegen generate`")
            return 1
        print(f"{args.out} is up to date")
        return 0
    changes = write_tree(files, args.out)
    for line in changes.lines():
        print(line)
    print(
        f"{len(changes.lines())} files changed in {args.out}"
        if changes
        else "nothing changed"
    )
    return 0
