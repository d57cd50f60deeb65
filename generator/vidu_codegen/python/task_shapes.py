"""The bodies a task appears in, as the spec's response classes give them.

The fake server writes every task body in the shape the spec declares: the
create answer, the task as the task-reading operation (and a callback)
shows it, a task of the list, and one item of ``tasks.results_field``. Each
shape is a response class's fields and the bodies its ``examples`` show; the
result's URL fields (those whose examples hold ``http(s)`` URLs) are the
files the fake server serves, each under the name its example URL ends in. Nothing here knows one API's names.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import attrs

if TYPE_CHECKING:
    from vidu_codegen.python.context import OperationCtx, PackageCtx, ResponseCtx

__all__ = ["BodyShapeCtx", "TaskShapesCtx", "task_shapes"]


@attrs.frozen
class BodyShapeCtx:
    """A response class as the fake server writes it."""

    class_name: str
    fields: tuple[str, ...]
    examples: tuple[dict[str, object], ...] = ()
    """The class's examples, parsed, each with only the class's fields."""


@attrs.frozen
class TaskShapesCtx:
    """Every body a task appears in (``None``: the spec has no such body)."""

    created: BodyShapeCtx | None
    body: BodyShapeCtx | None
    listed: BodyShapeCtx | None
    result: BodyShapeCtx | None
    files: dict[str, str]
    """The result's URL fields served as files: field -> file name."""
    download: str | None
    """The result's field with the URL of the result itself."""


def _parsed(examples: Iterable[str]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for text in examples:
        value = json.loads(text)
        if isinstance(value, dict):
            found.append(value)
    return found


def _shape(
    response: ResponseCtx, extra: Iterable[Mapping[str, object]] = ()
) -> BodyShapeCtx:
    names = tuple(field.name for field in response.fields)
    examples = [*_parsed(response.examples), *extra]
    kept = tuple(
        {name: example[name] for name in names if name in example}
        for example in examples
    )
    return BodyShapeCtx(response.class_name, names, tuple(k for k in kept if k))


def _response(
    operation: OperationCtx | None, responses: Mapping[str, ResponseCtx]
) -> ResponseCtx | None:
    return None if operation is None else responses.get(operation.response)


def _items_class(response: ResponseCtx | None, field: str | None) -> str | None:
    """The class of the objects listed in ``response``'s field ``field``."""
    if response is None or field is None:
        return None
    for candidate in response.fields:
        if candidate.name == field and candidate.items is not None:
            return candidate.items.object_class
    return None


def _listed_items(
    examples: Iterable[Mapping[str, object]], field: str
) -> list[Mapping[str, object]]:
    """The objects listed in ``field`` of each example."""
    found: list[Mapping[str, object]] = []
    for example in examples:
        value = example.get(field)
        if isinstance(value, list):
            found += [item for item in value if isinstance(item, dict)]
    return found


def _file_name(url: str) -> str:
    return posixpath.basename(urlsplit(url).path)


def _files(result: BodyShapeCtx) -> dict[str, str]:
    """The URL fields of ``result`` and their file names: the name its
    first example URL ends in (``video.mp4``); ``<field><extension>`` for
    fields whose examples end in no name, or in the same one."""
    first: dict[str, str] = {}
    for name in result.fields:
        urls = [
            value
            for example in result.examples
            if isinstance(value := example.get(name), str)
            and urlsplit(value).scheme in ("http", "https")
        ]
        if urls:
            first[name] = next((n for u in urls if (n := _file_name(u))), "")
    taken = [file for file in first.values() if file]
    files: dict[str, str] = {}
    for name, file in first.items():
        if not file or taken.count(file) > 1:
            file = name + posixpath.splitext(file)[1].lower()
        files[name] = file
    return files


def task_shapes(pkg: PackageCtx) -> TaskShapesCtx | None:
    """The shapes of ``pkg``'s task bodies; ``None`` without a tasks section."""
    tasks = pkg.root.tasks
    if tasks is None:
        return None
    responses = {r.class_name: r for r in pkg.responses}
    ops = {op.task: op for op in reversed(pkg.operations) if op.task}
    created = _response(ops.get("create"), responses)
    body = _response(ops.get("get"), responses)
    lister = ops.get("list")
    page = _response(lister, responses)
    items = (
        None if lister is None or lister.pagination is None else lister.pagination.items
    )
    listed = responses.get(_items_class(page, items) or "")
    page_examples = _listed_items(
        _parsed(page.examples if page is not None else ()), items or ""
    )
    results = tasks.results_field
    result = responses.get(_items_class(body, results) or "")
    result_shape = None
    if result is not None and results is not None:
        tasks_shown: list[Mapping[str, object]] = [
            *_parsed(body.examples if body is not None else ()),
            *page_examples,
        ]
        result_shape = _shape(result, _listed_items(tasks_shown, results))
    files = _files(result_shape) if result_shape is not None else {}
    required = {f.name for f in result.fields if f.required} if result else set()
    download = next((f for f in files if f in required), next(iter(files), None))
    return TaskShapesCtx(
        created=None if created is None else _shape(created),
        body=None if body is None else _shape(body),
        listed=None if listed is None else _shape(listed, page_examples),
        result=result_shape,
        files=files,
        download=download,
    )
