"""Which template makes which file, and what the spec must have for it.

Every file of the templates folder is listed here, as an output or as a
macro library, and nothing else: a template the manifest does not list, or a
listed one that is missing, is an error (:func:`unlisted`), so a file is
never silently left out or copied.
An output that needs a *capability* is written only for a spec that has it:

``client``
    the spec has ``tasks`` and ``errors`` sections and an operation with
    ``task: get`` (the HTTP client, its command line and the fake server need
    all three);
``callback``
    ``client``, and a ``callback`` section (the webhook verifier);
``forms``
    an operation with a request form (the hypothesis strategies and the
    property tests: they need the forms only, so a package without a client
    has them too, in ``{package}/strategies.py`` rather than under
    ``testing/``, which is the fake server's and needs ``client``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeAlias

import attrs

from vidu_codegen.python.context import OperationCtx, PackageCtx

Capability: TypeAlias = Literal["client", "callback", "forms"]


@attrs.frozen
class Output:
    """One template and the file (or, per operation, files) it renders to.

    ``target`` may hold ``{package}`` (the spec's package name) and, for a
    per-operation output, ``{operation}`` (the operation id as a Python name).
    """

    template: str
    target: str
    needs: Capability | None = None
    per_operation: bool = False

    def path(self, package: str, op: OperationCtx | None = None) -> str:
        """The output path, relative to the output directory."""
        operation = op.py_name if op is not None else ""
        return self.target.format(package=package, operation=operation)


MANIFEST: tuple[Output, ...] = (
    Output("package/__init__.py.j2", "{package}/__init__.py"),
    Output("package/_api.py.j2", "{package}/_api.py"),
    Output("package/_validators.py.j2", "{package}/_validators.py"),
    Output("package/models.py.j2", "{package}/models.py"),
    Output("package/tables.py.j2", "{package}/tables.py"),
    Output("package/py.typed.j2", "{package}/py.typed"),
    Output("package/client.py.j2", "{package}/client.py", "client"),
    Output("package/async_client.py.j2", "{package}/async_client.py", "client"),
    Output("package/__main__.py.j2", "{package}/__main__.py", "client"),
    Output("package/webhooks.py.j2", "{package}/webhooks.py", "callback"),
    Output("package/batch.py.j2", "{package}/batch.py", "client"),
    Output("package/testing/__init__.py.j2", "{package}/testing/__init__.py", "client"),
    Output("package/testing/__main__.py.j2", "{package}/testing/__main__.py", "client"),
    Output(
        "package/testing/pytest_plugin.py.j2",
        "{package}/testing/pytest_plugin.py",
        "client",
    ),
    Output("pyproject.toml.j2", "pyproject.toml"),
    Output(
        "tests/test_OPERATION_contract.py.j2",
        "tests/test_{operation}_contract.py",
        per_operation=True,
    ),
    Output("REFERENCE.md.j2", "REFERENCE.md"),
    Output("package/strategies.py.j2", "{package}/strategies.py", "forms"),
    Output("tests/test_properties.py.j2", "tests/test_properties.py", "forms"),
)
"""Every output, in the order it is rendered."""

MACROS: tuple[str, ...] = (
    "package/_validators/arrays.j2",
    "package/_validators/fields.j2",
    "package/_validators/paths.j2",
    "package/_validators/rules.j2",
    "package/_validators/scalars.j2",
    "package/_strategies/spec.j2",
    "package/_client/methods.j2",
)
"""Macro libraries: imported by the templates above, never rendered alone
(the validators' checks, one file per kind of field; the spec's view of a
form as contract data, for the strategies)."""


def capabilities(ctx: PackageCtx) -> frozenset[Capability]:
    """What the spec behind ``ctx`` supports (see the module's docstring)."""
    root = ctx.root
    found: set[Capability] = set()
    if root.tasks is not None and root.errors is not None and ctx.task_getter:
        found.add("client")
        if root.callback is not None:
            found.add("callback")
    if ctx.bodied:
        found.add("forms")
    return frozenset(found)


def template_files(templates: Path) -> list[str]:
    """Every file below ``templates`` (hidden files and caches aside), as
    POSIX paths relative to it."""
    found = []
    for path in sorted(templates.rglob("*")):
        parts = path.relative_to(templates).parts
        hidden = any(p.startswith(".") or p == "__pycache__" for p in parts)
        if path.is_file() and not hidden:
            found.append(path.relative_to(templates).as_posix())
    return found


def unlisted(
    templates: Path,
    manifest: tuple[Output, ...] = MANIFEST,
    macros: tuple[str, ...] = MACROS,
) -> list[str]:
    """Why ``templates`` does not match ``manifest``: one line per template
    that is not listed or listed but missing (empty: they match)."""
    if not templates.is_dir():
        return [f"{templates} is not a directory"]
    present = set(template_files(templates))
    listed = {o.template for o in manifest} | set(macros)
    problems = [
        f"{name}: a template the manifest does not list" for name in present - listed
    ]
    problems += [
        f"{name}: listed in the manifest but not in {templates}"
        for name in listed - present
    ]
    return sorted(problems)
