"""Violations: what a validator finds, and how a finding reaches the caller.

A validator never raises: it returns a list of :class:`Violation`. What happens
next depends on the validation mode:

``"strict"`` (the default)
    errors raise :class:`ValidationError`; warnings are emitted through
    :mod:`warnings` as :class:`ValidationWarning`.
``"warn"``
    errors are emitted as warnings too, and the request goes out; use it when
    the service has widened a limit before this package caught up.
``"off"``
    nothing is checked.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import warnings
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import Final, Literal, NamedTuple, TypeAlias

from .errors import BaseError

Severity: TypeAlias = Literal["error", "warning"]
Mode: TypeAlias = Literal["strict", "warn", "off"]

MODES: tuple[Mode, ...] = ("strict", "warn", "off")


class Violation(NamedTuple):
    """One broken rule, found in one place of a request body.

    An immutable record (a named tuple: validators make one per finding, and
    it is the cheapest to make).
    """

    severity: Severity
    """``"error"``: the service rejects the request; ``"warning"``: it accepts
    the request but ignores the value."""
    field: str
    """Where: a path such as ``duration``, ``images[3]`` or
    ``subjects[0].images[1]``; for an unknown key, the key itself."""
    rule: str
    """A stable identifier of the rule, such as ``duration.range``."""
    message: str
    """A sentence naming the model and what is allowed."""

    def __str__(self) -> str:
        return f"{self.field}: {self.message} [{self.rule}]"


class ValidationWarning(UserWarning):
    """A request value the service accepts but ignores, or, in ``"warn"`` mode,
    an error that was let through.

    Filter or escalate it like any warning::

        warnings.simplefilter("error", ValidationWarning)
    """

    def __init__(self, violation: Violation) -> None:
        super().__init__(str(violation))
        self.violation = violation


class ValidationError(BaseError, ValueError):
    """A request breaks one or more rules the service enforces.

    ``violations`` holds every violation found (errors and warnings), not just
    the first.
    """

    def __init__(self, violations: Iterable[Violation]) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        errors = [v for v in self.violations if v.severity == "error"]
        lines = "\n".join(f"  {v}" for v in errors)
        count = len(errors)
        noun = "violation" if count == 1 else "violations"
        super().__init__(f"{count} {noun}:\n{lines}")

    @property
    def errors(self) -> tuple[Violation, ...]:
        """The violations with severity ``"error"``."""
        return tuple(v for v in self.violations if v.severity == "error")


_mode: contextvars.ContextVar[Mode] = contextvars.ContextVar(
    "validation_mode", default="strict"
)


def check_mode(mode: str) -> Mode:
    """Return ``mode`` if it names a validation mode, else raise ``ValueError``."""
    for known in MODES:
        if mode == known:
            return known
    raise ValueError(f"unknown validation mode {mode!r}: use one of {MODES}")


def current_mode() -> Mode:
    """The validation mode in force here (see :func:`validation_mode`)."""
    return _mode.get()


@contextlib.contextmanager
def validation_mode(mode: Mode) -> Iterator[None]:
    """Set the validation mode for the requests built inside the ``with`` block.

    ::

        with validation_mode("warn"):
            request = SomeRequest(model="a-model-newer-than-the-spec", ...)
    """
    token = _mode.set(check_mode(mode))
    try:
        yield
    finally:
        _mode.reset(token)


RUNTIME: Final = __name__.partition(".")[0]
"""This runtime's package: its frames are not where a warning points, but
for those of :data:`RUNTIME_USERS`."""

RUNTIME_USERS: Final = frozenset(
    f"{RUNTIME}.{name}" for name in ("batch", "cli", "contract", "testing")
)
"""Modules of the runtime that use a generated package as its users do (the
batch runner, the command line, the contract tests, the fake server): a
warning of a request they build points at their line."""

MAX_FRAMES: Final = 200
"""How far up the stack :func:`enforce` looks for the user's frame."""


def _user_level(start: int, package: str | None) -> int:
    """The ``stacklevel`` of :func:`warnings.warn`, called in :func:`enforce`,
    that names the first frame from ``start`` frames above ``enforce`` up that
    is the user's: not this runtime's (but for :data:`RUNTIME_USERS`), not
    ``package``'s, not the package of ``enforce``'s caller and not code attrs
    generated (a class's ``__init__``); the frame ``start`` above when none
    is."""
    here = sys._getframe(1)  # enforce
    caller = here.f_back
    internal = {RUNTIME, package}
    if caller is not None:
        internal.add(str(caller.f_globals.get("__name__", "")).partition(".")[0])
    frame: FrameType | None = here
    level = 0
    while frame is not None and level < start:
        frame, level = frame.f_back, level + 1
    while frame is not None and level < MAX_FRAMES:
        module = str(frame.f_globals.get("__name__", ""))
        user = ".".join(module.split(".", 2)[:2]) in RUNTIME_USERS or (
            module.partition(".")[0] not in internal
            and not frame.f_code.co_filename.startswith("<attrs generated")
        )
        if user:
            return level + 1
        frame, level = frame.f_back, level + 1
    return start + 1


def enforce(
    violations: list[Violation],
    mode: Mode,
    *,
    stacklevel: int = 2,
    package: str | None = None,
) -> None:
    """Act on ``violations`` as ``mode`` says: raise, warn, or do nothing.

    A warning names the user's line: the first frame, from ``stacklevel``
    frames above this function up (1 is its caller), that is not in this
    runtime, in ``package`` or in the caller's package, nor a class's
    ``__init__`` made by attrs.
    """
    if mode == "off" or not violations:
        return
    if mode == "strict" and any(v.severity == "error" for v in violations):
        raise ValidationError(violations)
    level = _user_level(stacklevel, package)
    for violation in violations:
        warnings.warn(ValidationWarning(violation), stacklevel=level)
