"""Spec values that become Python names, and the strict forms they must have.

A spec is untrusted input: a name that reaches generated code unquoted (a
package, class, field, operation, enum member, constant, file name) must
match one of the patterns here, which ``lint`` checks with a positioned
error, and must not clash with a name the generated code already uses. The
context step (:mod:`vidu_codegen.python.context`) derives every generated
name with :func:`constant` and :func:`snake`, so lint and the templates agree.
"""

from __future__ import annotations

import keyword
import re

PACKAGE = re.compile(r"[a-z][a-z0-9_]{0,63}")
"""``api.package``: a lower-case Python name."""

DISPLAY_NAME = re.compile(r"[A-Z][A-Za-z0-9 ]{0,63}")
"""``api.name``: letters, digits and spaces, from a capital (its words make
the package's base error class, ``Acme Render`` -> ``AcmeRenderError``)."""

CLASS = re.compile(r"[A-Z][A-Za-z0-9]{0,63}")
"""Enum, asset, form, object and response classes: CapitalisedWords."""

MEMBER = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
"""Enum members: UPPER_CASE."""

FIELD = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
"""Field names (request, object and response fields) and form names:
snake_case, so the JSON key is the Python attribute."""

OPERATION = re.compile(r"[a-z][a-z0-9]*([_-][a-z0-9]+)*")
"""Operation ids: lower case words joined by ``_`` or ``-`` (the Python
method replaces ``-`` by ``_``, the command line ``_`` by ``-``)."""

LOWER_NAME = FIELD
"""Asset and pattern names, path parameters: snake_case."""

QUERY = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*(\.[a-z][a-z0-9]*(_[a-z0-9]+)*)*")
"""Query parameter names: snake_case words, possibly joined by ``.``
(``created_at.from``); the Python argument replaces each ``.`` by ``_``."""

ENV_VAR = re.compile(r"[A-Z_][A-Z0-9_]{0,127}")
"""``api.auth.env``: an environment variable name."""

MAX_NAME = 64
"""Longest field, form, operation, asset or pattern name."""

RESERVED_PACKAGES = frozenset({"tests", "specgen_runtime", "vidu_codegen"})
"""Package names that would clash with the generated tests folder or with
the distributions the package is used with."""

RESERVED_CLASSES = frozenset(
    {
        # what every package exports besides the spec's classes
        "APIConnectionError",
        "APIError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ClientError",
        "ConflictError",
        "NotFoundError",
        "PermissionDeniedError",
        "RateLimitError",
        "RequestMayHaveSucceeded",
        "ServerError",
        "TaskFailed",
        "UnexpectedResponseError",
        "WaitTimeout",
        "Mode",
        "Severity",
        "ValidationError",
        "ValidationWarning",
        "Violation",
        "Client",
        "RetryPolicy",
        # what the generated modules import or define next to them
        "Any",
        "ClassVar",
        "Final",
        "Mapping",
        "AssetRules",
        "ApiTables",
        "BaseClient",
        "CallbackBody",
        "FakeServer",
    }
)
"""Class names the generated package already uses."""

RESERVED_FIELDS = frozenset(
    {
        "self",
        "to_json",
        "from_json",
        "to_dict",
        "extra",
        "dict",
        "violations",
        # annotations of the class body would read the attribute instead
        "str",
        "int",
        "bool",
        "float",
        "list",
        "object",
        # a client method takes every field as a keyword beside these
        "request",
        "validation",
        "timeout",
        "max_retries",
        "extra_headers",
        "extra_body",
    }
)
"""Field names that clash with what a request or response class defines,
with a name its annotations use, or with a client method's own keywords."""

RESERVED_OPERATIONS = frozenset(
    {
        # the public members of the runtime's clients (BaseClient,
        # AsyncBaseClient) and of the rendered Client classes
        "aclose",
        "base_url",
        "close",
        "download",
        "max_response_bytes",
        "orphaned_create",
        "orphaned_creates",
        "retry",
        "scrub",
        "timeout",
        "user_agent",
        "validation",
        "wait",
        "with_options",
        "with_raw_response",
        # the command line's own command
        "batch",
        # names the method annotations of a client class use
        "bool",
        "bytes",
        "dict",
        "float",
        "int",
        "list",
        "object",
        "str",
        "type",
    }
)
"""Operation names (as Python names) that clash with the client's own
members, with a name the annotations of its class body use, or with the
command line's own commands. Private members (``_call``) need no entry:
an operation id never starts with ``_``. ``tests/generator`` compares this
set with the members of the runtime's client classes, so it cannot drift."""

RESERVED_PARAMS = frozenset({"self", "request", "validation", "fields"})
"""Path parameter names that clash with a client method's other arguments."""

RESERVED_QUERY = RESERVED_PARAMS | frozenset(
    {
        # the method's other arguments and the names its body uses
        "query",
        "options",
        "timeout",
        "max_retries",
        "extra_headers",
        "extra_body",
        "first_page",
        "query_values",
        # annotations
        "str",
        "int",
        "bool",
        "list",
    }
)
"""Query parameter Python names that clash with a client method's other
arguments or with a name its body or annotations use."""


def query_python_name(name: str) -> str:
    """The Python argument of query parameter ``name``: ``created_at.from`` ->
    ``created_at_from`` (lint checks the result is a name that may be used)."""
    return name.replace(".", "_")


def constant(*parts: str) -> str:
    """``("reference2video", "images")`` -> ``REFERENCE2VIDEO_IMAGES``."""
    return "_".join(re.sub(r"[^0-9A-Za-z]+", "_", p).strip("_").upper() for p in parts)


def snake(name: str) -> str:
    """A Python identifier for a spec name (keywords get a trailing ``_``)."""
    ident = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_").lower()
    return ident + "_" if keyword.iskeyword(ident) else ident


def error_base(display_name: str) -> str:
    """The package's base error class: ``Acme Render`` -> ``AcmeRenderError``."""
    return display_name.replace(" ", "") + "Error"


_SHAPES = {
    PACKAGE: "a lower-case Python name",
    DISPLAY_NAME: "letters, digits and spaces, from a capital",
    CLASS: "CapitalisedWords (letters and digits)",
    MEMBER: "UPPER_CASE",
    FIELD: "snake_case (lower-case words joined by _)",
    OPERATION: "lower-case words joined by _ or -",
    QUERY: "snake_case words, possibly joined by .",
    ENV_VAR: "an UPPER_CASE environment variable",
}


def name_problem(
    name: str,
    pattern: re.Pattern[str],
    what: str,
    reserved: frozenset[str] = frozenset(),
) -> str | None:
    """Why ``name`` cannot be ``what`` (a message), or ``None``."""
    if len(name) > MAX_NAME + 64 or pattern.fullmatch(name) is None:
        shape = _SHAPES.get(pattern, "a name")
        return f"{what} {name[:80]!r} must be {shape}: {pattern.pattern}"
    if len(name) > MAX_NAME:
        return f"{what} {name[:80]!r} is longer than {MAX_NAME} characters"
    if keyword.iskeyword(name):
        return f"{what} {name!r} is a Python keyword"
    if name in reserved:
        return f"{what} {name!r} is a name the generated code already uses"
    return None
