"""Reading an answer: its JSON, bounded in depth, and the error it stands for."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import urllib3
from urllib3.exceptions import NewConnectionError

from ._deadlines import timeout_text
from ._transport import Answer, NoAnswer, reason_of
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    RequestMayHaveSucceeded,
    UnexpectedResponseError,
    error_class,
)
from .redaction import Secret
from .tables import ApiTables, Operation

MAX_JSON_DEPTH = 64
"""How deeply an answer's JSON may nest; deeper is an unexpected response."""


class NotJson(Exception):
    """A body that is not JSON, or nested too deeply; the message says which."""


def parse_json(raw: bytes) -> object:
    """Decoded JSON nested at most :data:`MAX_JSON_DEPTH` levels.

    :raises NotJson: saying what is wrong.
    """
    try:
        data = json.loads(raw)
    except RecursionError:
        raise NotJson(f"JSON nested more than {MAX_JSON_DEPTH} levels") from None
    except ValueError:  # UnicodeDecodeError, JSONDecodeError, huge integers
        raise NotJson("not JSON") from None
    # fewer brackets than the limit cannot nest deeper than it: skip the walk
    shallow = raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH
    if not shallow and _depth_exceeds(data, MAX_JSON_DEPTH):
        raise NotJson(f"JSON nested more than {MAX_JSON_DEPTH} levels")
    return data


def loads(raw: bytes) -> object:
    """Decoded JSON, or ``None`` when ``raw`` is not JSON (or too deep)."""
    try:
        return parse_json(raw)
    except NotJson:
        return None


def _depth_exceeds(data: object, limit: int) -> bool:
    """Whether ``data`` nests lists and objects more than ``limit`` deep."""
    level: list[object] = [data]
    for _ in range(limit + 1):
        level = [
            child
            for node in level
            if isinstance(node, dict | list)
            for child in (node.values() if isinstance(node, dict) else node)
        ]
        if not level:
            return False
    return True


def dig(data: object, path: str) -> object:
    """The value at a dotted ``path`` in decoded JSON, or ``None``."""
    for part in path.split(".") if path else ():
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


def text(value: object) -> str | None:
    """``value`` if it is a non-empty string, else ``None``."""
    return value if isinstance(value, str) and value else None


def decode(operation: Operation, answer: Answer, key: Secret) -> dict[str, Any]:
    """The JSON object of a successful answer.

    :raises UnexpectedResponseError: any other status, or a body that is not
        a JSON object (its raw bytes attached, the key hidden).
    """
    status = answer.status
    raw = answer.raw
    data: object = None
    problem: str | None = None
    try:
        data = parse_json(raw)
    except NotJson as exc:
        problem = str(exc)
        if operation.task == "cancel" and raw.strip() in (b"", b"null"):
            # the docs say a cancel "returns null"; their example shows {}
            data, problem = {}, None
    if 300 <= status < 400:
        # never followed: the key would go wherever the server points
        location = key.scrub(str(answer.headers.get("Location") or "nowhere"))
        problem = (
            f"unexpected HTTP {status}, a redirect to {location[:200]}: not"
            " followed, so the API key went nowhere else (check base_url)"
        )
    elif not 200 <= status < 300:
        problem = f"unexpected HTTP {status}"
    elif problem is not None:
        problem = f"HTTP {status} with a body that is {problem}"
    elif not isinstance(data, dict):
        problem = f"HTTP {status} with a body that is not a JSON object"
    else:
        return data
    raise UnexpectedResponseError(
        f"{operation.method} {operation.path}: {problem}",
        status=status,
        raw=key.scrub_bytes(raw),
    )


def api_error(api: ApiTables, answer: Answer, key: Secret) -> APIError:
    """The exception for an error answer, with the service's details."""
    raw = answer.raw
    body = key.scrub_json(loads(raw))
    errors = api.errors
    if errors is None:
        reason = message = trace_id = None
    else:
        reason = text(dig(body, errors.fields.reason))
        message = text(dig(body, errors.fields.message))
        trace_id = text(dig(body, errors.fields.trace_id))
    if message is None:
        known = errors.codes.get(reason or "") if errors else None
        message = known.message if known else (answer.reason or "no message")
    return error_class(answer.status)(
        answer.status,
        key.scrub(message),
        reason=reason,
        trace_id=trace_id,
        body=body if body is not None else key.scrub_bytes(raw),
        headers=key.scrub_headers(answer.headers),
    )


def no_answer_error(
    operation: Operation,
    url: str,
    outcome: NoAnswer,
    body: Mapping[str, Any] | None,
    timeout: float | urllib3.Timeout,
    key: Secret,
) -> APIConnectionError:
    """The exception for a request that got no answer (in time)."""
    what = {
        "connect": "could not connect",
        "read_timeout": "no answer in time",
        "dropped": "the connection was dropped",
    }[outcome.failure]
    if outcome.deadline:
        what = f"no answer within the call's deadline ({timeout_text(timeout)})"
    detail = key.scrub(str(reason_of(outcome.error)))
    if not operation.idempotent and outcome.failure != "connect":
        payload = body.get("payload") if body is not None else None
        payload = payload if isinstance(payload, str) else None
        hint = f" with payload {payload!r}" if payload is not None else ""
        return RequestMayHaveSucceeded(
            f"{operation.method} {url}: {what}, after the request may have "
            f"reached the service; it was not sent again, since that could "
            f"create a second task. Look for a task{hint} before retrying. "
            f"({detail})",
            payload=payload,
        )
    message = f"{operation.method} {url}: {what} ({detail})"
    if (
        outcome.deadline
        or outcome.failure == "read_timeout"
        or (
            outcome.failure == "connect"
            and not isinstance(reason_of(outcome.error), NewConnectionError)
        )
    ):
        return APITimeoutError(message)
    return APIConnectionError(message)
