"""Step 5: the template context to file contents.

Templates are Jinja2 with ``StrictUndefined``: a name a template expects but
the context lacks is an error, never an empty string. Spec text reaches Python
source only through two filters: ``py`` (a Python literal, via ``repr``) and
``doc`` (text made safe inside a triple-quoted docstring). Python files are
then formatted by the pinned ruff, so the output is the same on every machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jinja2

from vidu_codegen.python.context import PackageCtx, Ref
from vidu_codegen.text import md_cell

ERROR_CLASSES = (
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestMayHaveSucceeded",
    "ServerError",
    "TaskFailed",
    "UnexpectedResponseError",
    "WaitTimeout",
)
"""The exception classes every generated package exports (see _errors.py.j2)."""


REFERENCE_TEMPLATE = "REFERENCE.md.j2"
"""Renders ``REFERENCE.md``, the spec's constraints as tables, when present."""


class RenderError(Exception):
    """A rendered file is not valid Python, or ruff could not run."""


def py_literal(value: object) -> str:
    """``value`` as Python source; sets and dicts in a stable order."""
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return repr(value)
    if isinstance(value, frozenset | set):
        items = sorted(value, key=lambda v: (type(v).__name__, v))
        return "frozenset({" + ", ".join(py_literal(v) for v in items) + "})"
    if isinstance(value, tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{py_literal(k)}: {py_literal(v)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def doc_text(value: object) -> str:
    """Text that cannot end or break the triple-quoted docstring it goes in."""
    text = str(value).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    return text


def tidy_markdown(text: str) -> str:
    """Markdown with no runs of blank lines and exactly one final newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


def environment(templates: Path) -> jinja2.Environment:
    """The Jinja2 environment all templates render in."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["py"] = py_literal
    env.filters["doc"] = doc_text
    env.filters["md"] = md_cell
    env.filters["tuple"] = tuple
    return env


def format_python(sources: dict[str, str]) -> dict[str, str]:
    """Format Python sources with the pinned ruff (isolated from any config)."""
    out: dict[str, str] = {}
    for name, text in sources.items():
        if not name.endswith(".py"):
            out[name] = text
            continue
        fixed = _ruff(
            ["check", "--fix-only", "--select", "I,F401,RUF022", "--exit-zero"],
            name,
            text,
        )
        out[name] = _ruff(["format"], name, fixed)
    return out


def _ruff(args: list[str], name: str, text: str) -> str:
    command = [sys.executable, "-m", "ruff", *args, "--isolated", "--line-length", "88"]
    command += ["--target-version", "py311", "--stdin-filename", name, "-"]
    result = subprocess.run(
        command, input=text, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RenderError(f"ruff could not format {name}:\n{result.stderr.strip()}")
    return result.stdout


def render(ctx: PackageCtx, templates: Path) -> dict[str, str]:
    """Every generated file, by path relative to the output directory."""
    env = environment(templates)
    package = ctx.package
    files: dict[str, str] = {}
    exports = sorted(
        [e.name for e in ctx.enums]
        + [a.class_name for a in ctx.assets]
        + list(ctx.request_classes)
        + [r.class_name for op in ctx.operations for r in op.responses]
    )
    names = [
        "Mode",
        "OPERATIONS",
        "Severity",
        "ValidationError",
        "ValidationWarning",
        "Violation",
        "converter",
        "current_mode",
        "tables",
        "validate_payload",
        "validation_mode",
        *ERROR_CLASSES,
        f"{ctx.api.name.replace(' ', '')}Error",
    ]
    has_client = bool(ctx.root.tasks and ctx.root.errors and ctx.task_getter)
    if has_client:
        names += ["Client", "RetryPolicy"]
    extra = {
        "exports": exports,
        "all_names": sorted(exports + names, key=lambda n: (n.lower(), n)),
        "table_imports": _table_imports(ctx),
        "error_classes": ERROR_CLASSES,
        "has_client": has_client,
        "base_error": f"{ctx.api.name.replace(' ', '')}Error",
    }
    source_dir = templates / "package"
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if path.is_dir() or any(
            p.startswith((".", "__pycache__")) for p in relative.parts
        ):
            continue
        if path.suffix == ".j2":
            template = env.get_template(f"package/{relative.as_posix()}")
            text = template.render(pkg=ctx, **extra)
            target = relative.with_suffix("")
        else:
            text = path.read_text(encoding="utf-8")
            target = relative
        rendered_empty = path.suffix == ".j2" and not text.strip()
        if not rendered_empty and _required_sections_present(text, ctx):
            files[f"{package}/{target.as_posix()}"] = text
    for path in sorted((templates / "tests").iterdir()):
        if path.suffix == ".py":
            files[f"tests/{path.name}"] = path.read_text(encoding="utf-8")
            continue
        if path.suffix != ".j2":
            continue
        template = env.get_template(f"tests/{path.name}")
        if "OPERATION" not in path.name:
            files[f"tests/{path.stem}"] = template.render(pkg=ctx, **extra)
            continue
        for op in ctx.operations:
            name = path.stem.replace("OPERATION", op.id.replace("-", "_"))
            files[f"tests/{name}"] = template.render(pkg=ctx, op=op, **extra)
    if (templates / REFERENCE_TEMPLATE).is_file():
        reference = env.get_template(REFERENCE_TEMPLATE)
        files["REFERENCE.md"] = tidy_markdown(reference.render(pkg=ctx, **extra))
    return format_python(files)


def _required_sections_present(text: str, ctx: PackageCtx) -> bool:
    """Whether the spec has every root section a ``# requires:`` line names.

    A runtime module that only makes sense for, say, an API with a task life
    cycle starts with ``# requires: tasks`` and is left out of packages whose
    spec has no ``tasks`` section.
    """
    first = text.split("\n", 1)[0]
    if not first.startswith("# requires:"):
        return True
    sections = [s.strip() for s in first.removeprefix("# requires:").split(",")]
    return all(getattr(ctx.root, s, None) for s in sections if s)


def _table_imports(ctx: PackageCtx) -> list[str]:
    names = {form.const for form in ctx.forms}
    for asset in ctx.assets:
        names.add(asset.const)
        names.add(f"{asset.const}_PREFIXES")
    names.update(const for const, _, _ in ctx.asset_variants)
    return sorted(names)
