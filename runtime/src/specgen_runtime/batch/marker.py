"""The marker a batch job puts in its task's pass-through field.

The service has no idempotency key, but it keeps a free text field (the
spec's ``payload``) with each task and shows it again in the task and in the
task list. A batch job writes a marker unique to itself in front of the
payload its user set::

    sgb1.<32 hex digits>.<the user's payload, unchanged>

so a task found in the list can be told apart as the job's own, whatever the
job's request holds. :func:`unwrap` gives the user's payload back; the runner
does so for every task it reads, and a package's ``webhooks.parse`` does so
for callback bodies.

A payload that only happens to start like a marker (``sgb1.`` and 32 hex
digits and a dot) is read as one; nothing else is touched.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, TypeVar, cast

import attrs

__all__ = [
    "MARKER_LENGTH",
    "PREFIX",
    "new_marker",
    "parse",
    "unwrap",
    "unwrap_task",
    "wrap",
    "wrapped_length",
]

PREFIX = "sgb1."
"""What every marked payload starts with (the format's version included)."""

_HEX_DIGITS = 32
MARKER_LENGTH = len(PREFIX) + _HEX_DIGITS + 1
"""Characters the marker adds in front of the user's payload."""

_MARKED = re.compile(r"sgb1\.([0-9a-f]{32})\.")

T = TypeVar("T")


def new_marker() -> str:
    """A fresh marker: 32 random hex digits (128 bits)."""
    return secrets.token_hex(_HEX_DIGITS // 2)


def wrap(marker: str, payload: str | None) -> str:
    """The payload a job sends: its marker, then the user's ``payload``."""
    if not re.fullmatch(r"[0-9a-f]{32}", marker):
        raise ValueError(f"not a marker: {marker!r}")
    return f"{PREFIX}{marker}.{payload or ''}"


def wrapped_length(payload: str | None) -> int:
    """The length in characters of ``payload`` once wrapped."""
    return MARKER_LENGTH + len(payload or "")


def parse(payload: object) -> tuple[str | None, object]:
    """``(marker, the user's payload)`` of a payload read back.

    A payload without a marker (or one that is not a string, or absent)
    comes back unchanged, with ``None`` as its marker.
    """
    if not isinstance(payload, str):
        return None, payload
    found = _MARKED.match(payload)
    if found is None:
        return None, payload
    return found.group(1), payload[found.end() :]


def unwrap(payload: str) -> str:
    """``payload`` without a batch marker in front (unchanged if it has none)."""
    found = _MARKED.match(payload)
    return payload if found is None else payload[found.end() :]


def unwrap_task(task: T, field: str = "payload") -> T:
    """A task (an attrs object or a JSON object) with its payload unwrapped.

    Anything else, or a task without a marked payload, is returned as it is.
    """
    value: object
    if isinstance(task, dict):
        value = task.get(field)
        if isinstance(value, str) and _MARKED.match(value):
            return cast(T, {**task, field: unwrap(value)})
        return task
    cls = type(task)
    if attrs.has(cls) and field in attrs.fields_dict(cls):
        value = getattr(task, field)
        if isinstance(value, str) and _MARKED.match(value):
            return cast(T, attrs.evolve(cast(Any, task), **{field: unwrap(value)}))
    return task
