"""Shapes of the API-wide tables: hosts, auth, tasks, errors, callbacks, operations.

The values live in :mod:`tables`, generated from the spec; the HTTP client,
the fake server and the callback verifier read them from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import quote

import attrs


@attrs.frozen
class Auth:
    """How a request carries the API key: ``{header}: {scheme} {key}``."""

    header: str
    scheme: str
    env: str | None = None

    def value(self, key: str) -> str:
        """The header value for ``key``."""
        return f"{self.scheme} {key}" if self.scheme else key


@attrs.frozen
class Tasks:
    """Where a task body keeps its id, state and error code."""

    id_field: str
    state_field: str
    states: tuple[str, ...]
    success: frozenset[str]
    failure: frozenset[str]
    error_code_field: str

    @property
    def terminal(self) -> frozenset[str]:
        """The states a task never leaves."""
        return self.success | self.failure


@attrs.frozen
class ErrorCode:
    """One row of the service's error-code table."""

    status: int
    message: str


@attrs.frozen
class ErrorFields:
    """Dotted paths of the parts of an error body."""

    code: str
    reason: str
    message: str
    trace_id: str


@attrs.frozen
class Signature:
    """The callback signature scheme: algorithm, access key and header names."""

    algorithm: str
    access_key: str
    date_header: str
    nonce_header: str
    signed_headers_header: str
    signature_header: str
    algorithm_header: str
    access_key_header: str


@attrs.frozen
class Callback:
    """How the service calls back: method and signature."""

    method: str
    signature: Signature


@attrs.frozen
class Operation:
    """One endpoint: where it is and how it may be retried."""

    id: str
    method: str
    path: str
    summary: str
    params: tuple[str, ...] = ()
    task: Literal["create", "get", "cancel"] | None = None
    idempotent: bool = False
    """Whether sending it twice has the effect of sending it once."""
    has_body: bool = False

    def url_path(self, values: Mapping[str, str]) -> str:
        """The path with its parameters filled in (quoted for a URL)."""
        path = self.path
        for name in self.params:
            path = path.replace("{" + name + "}", quote(values[name], safe=""))
        return path
