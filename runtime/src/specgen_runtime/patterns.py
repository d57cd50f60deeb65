"""The one rule for regular expressions a spec may give: safe to run on any input.

A generated validator matches a spec's ``patterns`` against strings its users
pass (a prompt of thousands of characters), so a pattern must not be able to
take exponential or high polynomial time. :func:`pattern_problem` says why a
pattern breaks the rule (``None``: it is safe); the generator's ``lint`` calls
it on every pattern of a spec, and :class:`specgen_runtime.tables.Pattern`
calls it again when a table is built, so no unsafe pattern runs even if a
table was written by hand. A value longer than :data:`MAX_MATCH_LENGTH` is
never matched at all.

A safe pattern has at most :data:`MAX_PATTERN_LENGTH` characters and none of:

* backreferences (``\\1``, ``(?P=name)``, ``(?(1)...)``) or lookarounds
  (``(?=``, ``(?!``, ``(?<=``, ``(?<!``);
* a quantifier inside a repeated group (``(a+)+``, ``(a{2}){3}``) or an
  alternation inside one (``(a|ab)*``);
* more than :data:`MAX_LONG_REPEATS` quantifiers that may repeat more than
  :data:`SHORT_REPEAT` times (``.*x.*y.*`` has three).
"""

from __future__ import annotations

import re
from re import _parser  # type: ignore[attr-defined]  # the stdlib's own parser
from typing import Any

MAX_PATTERN_LENGTH = 1000
"""Longest pattern accepted, in characters."""

MAX_MATCH_LENGTH = 10_000
"""Longest value a pattern is matched against; a longer one does not match."""

SHORT_REPEAT = 16
"""A quantifier with at most this many repeats (``{0,3}``) costs little."""

MAX_LONG_REPEATS = 2
"""How many quantifiers with more repeats (``*``, ``+``, ``{1,100}``) a
pattern may have."""

_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
_BACKREFS = {"GROUPREF", "GROUPREF_EXISTS"}
_LOOKAROUNDS = {"ASSERT", "ASSERT_NOT"}


class UnsafePattern(ValueError):
    """A pattern that breaks the safe-pattern rule; the message says how."""


def pattern_problem(regex: str) -> str | None:
    """Why ``regex`` is not a safe pattern, or ``None`` when it is one."""
    if len(regex) > MAX_PATTERN_LENGTH:
        return (
            f"is {len(regex)} characters long; at most {MAX_PATTERN_LENGTH} are allowed"
        )
    try:
        tree = _parser.parse(regex)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"is not a valid regular expression: {exc}"
    long_repeats: list[int] = []
    problem = _walk(tree, False, long_repeats)
    if problem is None and len(long_repeats) > MAX_LONG_REPEATS:
        problem = (
            f"has {len(long_repeats)} quantifiers that repeat more than "
            f"{SHORT_REPEAT} times; at most {MAX_LONG_REPEATS} are allowed, as "
            "more can take a very long time on a long value"
        )
    return problem


def check_pattern(regex: str) -> re.Pattern[str]:
    """``regex`` compiled, once it is known to be safe.

    :raises UnsafePattern: it breaks the rule (see the module's docstring).
    """
    problem = pattern_problem(regex)
    if problem is not None:
        raise UnsafePattern(f"pattern {regex[:80]!r} {problem}")
    return re.compile(regex)


def _walk(items: Any, repeated: bool, long_repeats: list[int]) -> str | None:
    for op, av in items:
        name = str(op)
        if name in _BACKREFS:
            return "uses a backreference, which can take exponential time"
        if name in _LOOKAROUNDS:
            return "uses a lookaround, which this rule does not allow"
        if name in _REPEATS:
            low, high, body = av
            if repeated:
                return (
                    "repeats a quantifier inside a repeated group (such as (a+)+), "
                    "which can take exponential time"
                )
            if high is _parser.MAXREPEAT or high > SHORT_REPEAT:
                long_repeats.append(low)
            inner = _walk(body, high != 1, long_repeats)
            if inner is not None:
                return inner
        elif name == "BRANCH":
            if repeated:
                return (
                    "repeats an alternation (such as (a|ab)*), which can take "
                    "exponential time; use a character class or one repeat"
                )
            for branch in av[1]:
                inner = _walk(branch, repeated, long_repeats)
                if inner is not None:
                    return inner
        elif name == "SUBPATTERN":
            inner = _walk(av[-1], repeated, long_repeats)
            if inner is not None:
                return inner
        elif name == "ATOMIC_GROUP":
            inner = _walk(av, repeated, long_repeats)
            if inner is not None:
                return inner
    return None


def fullmatch(compiled: re.Pattern[str], value: str) -> bool:
    """Whether ``value`` matches all of ``compiled``; a value longer than
    :data:`MAX_MATCH_LENGTH` never does."""
    return len(value) <= MAX_MATCH_LENGTH and compiled.fullmatch(value) is not None
