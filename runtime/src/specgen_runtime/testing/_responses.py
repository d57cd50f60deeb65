"""Routes and error bodies of the fake server, read from an API's tables.

Operations are matched by method and path template (the ``operations`` of
:class:`~specgen_runtime.tables.ApiTables`); error bodies take the shape its
:class:`~specgen_runtime.tables.ErrorFields` describes, with a ``reason`` and
status from its table of error codes.
"""

from __future__ import annotations

import http
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote

import attrs

from ..tables import Errors, Operation
from ..violations import Violation


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


@attrs.frozen
class Routes:
    """Every operation of an API as a route, in the API's order."""

    routes: tuple[Route, ...]

    @classmethod
    def of(cls, operations: Mapping[str, Operation]) -> Routes:
        """The routes of ``operations``."""
        return cls(tuple(Route.of(op) for op in operations.values()))

    def find(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation a request is for, with its path parameters; or ``None``."""
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route.operation, params
        return None


def _put(body: dict[str, Any], dotted: str, value: object) -> None:
    *parents, last = dotted.split(".")
    for name in parents:
        child = body.setdefault(name, {})
        if not isinstance(child, dict):
            return
        body = child
    body[last] = value


# The reasons a broken body is answered with, each with the violations it is for.
_VIOLATION_KINDS: tuple[tuple[str, Callable[[Violation], bool]], ...] = (
    ("FieldLacking", lambda v: v.rule.endswith(".required")),
    ("FieldUnwanted", lambda v: v.rule == "unknown_field"),
    ("FieldItemCountOutOfRange", lambda v: v.rule.endswith(".count")),
)
_INVALID = "FieldInvalid"


@attrs.frozen
class ErrorBodies:
    """The error bodies of one API, built from its ``errors`` section.

    The fake server asks for an error by the reason it would prefer
    (``"Unauthorized"``, ``"TaskNotFound"``...) and that reason's usual HTTP
    status. When the API's table of codes has the reason, its status and
    message are used; otherwise the first code of the table with that status
    stands in, and failing that the HTTP phrase (``"NotFound"``).
    """

    errors: Errors

    def reason_for_status(self, status: int) -> str:
        """The first error code of the table with ``status``, else the HTTP phrase."""
        for reason, code in self.errors.codes.items():
            if code.status == status:
                return reason
        try:
            return http.HTTPStatus(status).phrase.replace(" ", "")
        except ValueError:
            return "Error"

    def body(
        self,
        reason: str,
        *,
        status: int | None = None,
        message: str | None = None,
        fields: Iterable[str] = (),
    ) -> tuple[int, dict[str, Any]]:
        """The status and body of an error with exactly ``reason``.

        The status is ``status``, else the table's (400 for a reason it does
        not know). The message is ``message``, else the table's, with
        ``{{.fields}}`` filled in by ``fields``.
        """
        code = self.errors.codes.get(reason)
        status = status or (code.status if code else 400)
        if message is None:
            message = code.message if code else reason
        message = message.replace("{{.fields}}", ", ".join(fields))
        layout = self.errors.fields
        body: dict[str, Any] = {}
        _put(body, layout.code, status)
        _put(body, layout.reason, reason)
        _put(body, layout.message, message)
        _put(body, layout.trace_id, secrets.token_hex(16))
        return status, body

    def preferred(
        self,
        reason: str,
        status: int,
        *,
        message: str | None = None,
        fields: Iterable[str] = (),
    ) -> tuple[int, dict[str, Any]]:
        """The error the fake server means by ``reason`` (usually ``status``).

        ``reason`` itself if the table has it, else the table's code for
        ``status`` (see the class).
        """
        if reason in self.errors.codes:
            return self.body(reason, message=message, fields=fields)
        fallback = self.reason_for_status(status)
        return self.body(fallback, status=status, message=message, fields=fields)

    def for_violations(
        self, violations: Iterable[Violation]
    ) -> tuple[int, dict[str, Any]] | None:
        """The error a body breaking these rules is answered with, if any.

        A missing required field is ``FieldLacking``, an unknown field
        ``FieldUnwanted``, a wrong item count ``FieldItemCountOutOfRange``
        (each when the API's table has that code), and anything else
        ``FieldInvalid`` (or the table's first 400 code); the message lists
        the fields concerned (through the code's ``{{.fields}}``, if it has
        one). Warnings are ignored, as the service ignores
        what they are about.
        """
        errors = [v for v in violations if v.severity == "error"]
        if not errors:
            return None
        for reason, test in _VIOLATION_KINDS:
            chosen = [v for v in errors if test(v)]
            if chosen and reason in self.errors.codes:
                break
        else:
            reason, chosen = _INVALID, errors
        fields = list(dict.fromkeys(v.field or "body" for v in chosen))
        if reason in self.errors.codes:
            return self.body(reason, fields=fields)
        fallback = self.reason_for_status(400)
        code = self.errors.codes.get(fallback)
        if code is not None and "{{.fields}}" in code.message:
            return self.body(fallback, fields=fields)
        message = f"invalid field: {', '.join(fields)}"
        return self.body(fallback, status=400, message=message)
