"""Step 6: the template context to file contents.

The templates rendered, and the files they make, are those the manifest
(:mod:`vidu_codegen.python.manifest`) lists for what the spec supports.
Templates are Jinja2 with ``StrictUndefined``: a name a template expects but
the context lacks is an error, never an empty string. Spec text reaches Python
source only through two filters: ``py`` (a Python literal, via ``repr``) and
``doc`` (text made safe inside a triple-quoted docstring, whitespace
normalised); spec names that appear unquoted were checked by ``lint`` against
the strict patterns of :mod:`vidu_codegen.load.names`. Markdown text goes
through ``md`` (a table cell), ``md_text`` (a paragraph or list item) or
``md_code`` (a code span), and TOML strings through ``tojson`` (non-ASCII text as is,
so no surrogate escapes). Python files are
then formatted by the pinned ruff, so the output is the same on every machine,
and every file starts with the line :data:`HEADER`.
"""

from __future__ import annotations

import hashlib
import marshal
import math
import re
import sys
from pathlib import Path
from types import CodeType

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from vidu_codegen import cache
from vidu_codegen.load.names import error_base
from vidu_codegen.python import manifest
from vidu_codegen.python.context import PackageCtx, Ref
from vidu_codegen.python.ruff import RuffFailed, format_python
from vidu_codegen.text import md_cell, md_code, md_text

ERROR_CLASSES = (
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosed",
    "ConflictError",
    "DestinationExists",
    "IncompleteDownload",
    "InvalidAPIKey",
    "LocalFileError",
    "LocalFileNotFound",
    "LocalFileTooLarge",
    "LocalIsADirectory",
    "LocalNotADirectory",
    "LocalPermissionError",
    "MissingAPIKey",
    "NotFoundError",
    "PageLimitExceeded",
    "PaginationLoop",
    "PathParameterMismatch",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestMayHaveSucceeded",
    "ResponseTooLarge",
    "ServerError",
    "TaskFailed",
    "UnexpectedResponseError",
    "UnreadableCreateResponse",
    "WaitTimeout",
)
"""The exception classes of :mod:`specgen_runtime.errors` every generated
package exports under its own name."""


HEADER = (
    "Generated from the spec; do not edit: change the spec or the templates, "
    "then regenerate."
)
"""The first line of every generated file, as a comment of its language."""


class RenderError(Exception):
    """The templates do not match the manifest, a rendered file is not valid
    Python, or ruff could not run."""


def _str_literal(text: str) -> str:
    """``text`` as a Python string literal in double quotes, as ruff writes
    them (``repr`` picks single quotes), so the code a docstring shows reads
    like the code around it."""
    literal = repr(text)
    if literal[0] == '"':
        return literal
    # in a single-quoted repr every ' is escaped and no " is
    inner = literal[1:-1].replace("\\'", "'").replace('"', '\\"')
    return f'"{inner}"'


def py_literal(value: object) -> str:
    """``value`` as Python source; strings in double quotes, sets and dicts
    in a stable order."""
    if type(value) is str:
        return _str_literal(value)  # the common cases first
    if type(value) is int:
        return repr(value)
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, float) and not math.isfinite(value):
        raise TypeError(f"no Python literal for the float {value!r}")
    if isinstance(value, str):
        return _str_literal(str.__str__(value))
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
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


def _doc_char(char: str, following: str) -> str:
    if char == "\\" or (char == '"' and following in ('"', "")):
        return "\\" + char
    if char.isprintable():
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def doc_text(value: object) -> str:
    """Text for a (non-raw) triple-quoted docstring, whose value is the text
    with its whitespace normalised (every run of it one space, none at the
    ends): backslashes, and quotes before a quote or at the end, are
    escaped, so it can never end the
    docstring, and characters that are not printable become escapes."""
    text = " ".join(str(value).split())
    if text.isprintable() and "\\" not in text and '"' not in text:
        return text  # nothing to escape (the common case)
    return "".join(_doc_char(c, text[i + 1 : i + 2]) for i, c in enumerate(text))


def tidy_markdown(text: str) -> str:
    """Markdown with no runs of blank lines and exactly one final newline."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n") + "\n"


class TemplateCache(BytecodeCache):
    """Compiled templates kept between runs (in :mod:`vidu_codegen.cache`),
    checked before use.

    An entry holds the template's source checksum and its code object
    (marshalled; nothing is unpickled). Code is run, so an entry is used only
    when :func:`vidu_codegen.cache.read_entry` finds it authentic (written by
    this user's runs, in a cache folder no one else may write to, under its
    keyed HMAC) and its checksum is the template's current one: a changed
    template is compiled afresh, and a damaged, planted or copied entry is
    ignored.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, bucket: Bucket) -> Path:
        return self.folder / f"{bucket.key}.code"

    def load_bytecode(self, bucket: Bucket) -> None:
        payload = cache.read_entry(self._path(bucket))
        if payload is None:
            return
        checksum, _, code = payload.partition(b"\n")
        if checksum != bucket.checksum.encode("ascii"):
            return
        try:
            loaded = marshal.loads(code)
        except (EOFError, ValueError, TypeError):
            return
        if isinstance(loaded, CodeType):
            bucket.code = loaded

    def dump_bytecode(self, bucket: Bucket) -> None:
        if bucket.code is None:
            return
        payload = bucket.checksum.encode("ascii") + b"\n" + marshal.dumps(bucket.code)
        cache.write_entry(self._path(bucket), payload)


def _template_cache(env: jinja2.Environment) -> TemplateCache | None:
    """The cache of compiled templates for this Jinja2, this Python and the
    options and filters of ``env`` (the code compiled depends on all of them),
    or ``None`` when the cache is off."""
    root = cache.cache_root()
    if root is None:
        return None
    options = (
        jinja2.__version__,
        sys.version,
        env.undefined.__name__,
        env.keep_trailing_newline,
        env.trim_blocks,
        env.lstrip_blocks,
        env.autoescape,
        env.newline_sequence,
        env.block_start_string,
        env.variable_start_string,
        env.comment_start_string,
        sorted(
            (name, repr(getattr(f, "jinja_pass_arg", None)))
            for name, f in env.filters.items()
        ),
    )
    digest = hashlib.sha256(repr(options).encode()).hexdigest()[:16]
    return TemplateCache(root / "templates" / digest)


def environment(templates: Path) -> jinja2.Environment:
    """The Jinja2 environment all templates render in; compiled templates
    are kept in the generator's cache (:mod:`vidu_codegen.cache`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["py"] = py_literal
    env.filters["doc"] = doc_text
    env.filters["md"] = md_cell
    env.filters["md_text"] = md_text
    env.filters["md_code"] = md_code
    env.filters["tuple"] = tuple
    env.bytecode_cache = _template_cache(env)
    return env


def header(name: str) -> str:
    """The :data:`HEADER` line for the file ``name``, in its comment syntax."""
    if name.endswith(".md"):
        return f"<!-- {HEADER} -->\n"
    return f"# {HEADER}\n"


def template_globals(ctx: PackageCtx) -> dict[str, object]:
    """The names every template sees besides ``pkg`` (and ``op``)."""
    exports = sorted(
        [e.name for e in ctx.enums]
        + [a.class_name for a in ctx.assets]
        + list(ctx.request_classes)
        + [r.class_name for op in ctx.operations for r in op.responses]
    )
    base_error = error_base(ctx.api.name)
    names = [
        "Mode",
        "OPERATIONS",
        "Severity",
        "ValidationError",
        "MissingResponseField",
        "ValidationWarning",
        "Violation",
        "converter",
        "current_mode",
        "tables",
        "validate_payload",
        "validation_mode",
        *ERROR_CLASSES,
        base_error,
    ]
    has_client = "client" in manifest.capabilities(ctx)
    if has_client:
        names += ["BatchUnsupported", "Client", "Page", "RawResponse", "RetryPolicy"]
    return {
        "exports": exports,
        "all_names": sorted(exports + names, key=lambda n: (n.lower(), n)),
        "table_imports": _table_imports(ctx),
        "error_classes": ERROR_CLASSES,
        "has_client": has_client,
        "base_error": base_error,
        "version": ctx.api.version,
    }


def render(ctx: PackageCtx, templates: Path) -> dict[str, str]:
    """Every generated file, by path relative to the output directory."""
    problems = manifest.unlisted(templates)
    if problems:
        raise RenderError(
            "the templates do not match the manifest:\n" + "\n".join(problems)
        )
    env = environment(templates)
    extra = template_globals(ctx)
    supported = manifest.capabilities(ctx)
    files: dict[str, str] = {}
    for output in manifest.MANIFEST:
        if output.needs is not None and output.needs not in supported:
            continue
        template = env.get_template(output.template)
        if output.per_operation:
            for op in ctx.operations:
                text = template.render(pkg=ctx, op=op, **extra)
                files[output.path(ctx.package, op)] = text
        else:
            files[output.path(ctx.package)] = template.render(pkg=ctx, **extra)
    for name, text in files.items():
        if name.endswith(".md"):
            files[name] = tidy_markdown(text)
    formatted = format_python(files)
    if isinstance(formatted, RuffFailed):
        raise RenderError(formatted.message)
    return {name: header(name) + text for name, text in formatted.items()}


def _table_imports(ctx: PackageCtx) -> list[str]:
    names = {form.const for form in ctx.forms}
    for asset in ctx.assets:
        names.add(asset.const)
        names.add(f"{asset.const}_PREFIXES")
    names.update(const for const, _, _ in ctx.asset_variants)
    return sorted(names)
