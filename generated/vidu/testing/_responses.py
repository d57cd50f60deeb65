# requires: tasks, errors, callback
"""Routes and error bodies of the fake server, read from the spec's tables.

Operations are matched by method and path template
(:data:`tables.OPERATION_INFO`); error bodies take the shape
:data:`tables.ERROR_FIELDS` describes, with a ``reason`` and status from
:data:`tables.ERROR_CODES`.
"""

from __future__ import annotations

import http
import re
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import attrs

from .._api import Operation
from .._violations import Violation
from ..tables import ERROR_CODES, ERROR_FIELDS, OPERATION_INFO


@attrs.frozen
class Route:
    """An operation and the regular expression its path template becomes."""

    operation: Operation
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, operation: Operation) -> Route:
        """The route of ``operation``: ``{name}`` matches one path segment."""
        regex = ""
        for part in re.split(r"(\{[^}]+\})", operation.path):
            if part.startswith("{") and part.endswith("}"):
                regex += f"(?P<{part[1:-1]}>[^/]+)"
            else:
                regex += re.escape(part)
        return cls(operation, re.compile(regex + r"/?"))

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters, if ``method`` and ``path`` are this route's."""
        if method != self.operation.method:
            return None
        found = self.pattern.fullmatch(path)
        if found is None:
            return None
        return {name: unquote(value) for name, value in found.groupdict().items()}


ROUTES: tuple[Route, ...] = tuple(Route.of(op) for op in OPERATION_INFO.values())


def find_route(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation a request is for, with its path parameters; or ``None``."""
    for route in ROUTES:
        params = route.match(method, path)
        if params is not None:
            return route.operation, params
    return None


def reason_for_status(status: int) -> str:
    """The first error code of the table with ``status``, else the HTTP phrase."""
    for reason, code in ERROR_CODES.items():
        if code.status == status:
            return reason
    try:
        return http.HTTPStatus(status).phrase.replace(" ", "")
    except ValueError:
        return "Error"


def _put(body: dict[str, Any], dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    for name in parents:
        child = body.setdefault(name, {})
        if not isinstance(child, dict):
            return
        body = child
    body[last] = value


def error_body(
    reason: str,
    *,
    status: int | None = None,
    message: str | None = None,
    fields: Iterable[str] = (),
) -> tuple[int, dict[str, Any]]:
    """The status and body of an error with ``reason``.

    The message is ``message``, else the table's, with ``{{.fields}}`` filled
    in by ``fields``.
    """
    code = ERROR_CODES.get(reason)
    status = status or (code.status if code else 400)
    if message is None:
        message = code.message if code else reason
    message = message.replace("{{.fields}}", ", ".join(fields))
    body: dict[str, Any] = {}
    _put(body, ERROR_FIELDS.code, status)
    _put(body, ERROR_FIELDS.reason, reason)
    _put(body, ERROR_FIELDS.message, message)
    _put(body, ERROR_FIELDS.trace_id, secrets.token_hex(16))
    return status, body


def violation_error(
    violations: Iterable[Violation],
) -> tuple[int, dict[str, Any]] | None:
    """The error the service answers a body breaking these rules with, if any.

    A missing required field is ``FieldLacking``, an unknown field
    ``FieldUnwanted``, a wrong item count ``FieldItemCountOutOfRange``, and
    anything else ``FieldInvalid``; the message lists the fields concerned.
    Warnings are ignored, as the service ignores what they are about.
    """
    errors = [v for v in violations if v.severity == "error"]
    if not errors:
        return None
    kinds = [
        ("FieldLacking", [v for v in errors if v.rule.endswith(".required")]),
        ("FieldUnwanted", [v for v in errors if v.rule == "unknown_field"]),
        ("FieldItemCountOutOfRange", [v for v in errors if v.rule.endswith(".count")]),
    ]
    for reason, chosen in kinds:
        if chosen and reason in ERROR_CODES:
            break
    else:
        reason, chosen = "FieldInvalid", errors
    fields = dict.fromkeys(v.field or "body" for v in chosen)
    return error_body(reason, fields=fields)
