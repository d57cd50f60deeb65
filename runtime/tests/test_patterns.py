"""The safe-pattern rule: what it refuses, and that matching stays bounded."""

from __future__ import annotations

import pytest
from specgen_runtime.patterns import (
    MAX_MATCH_LENGTH,
    UnsafePattern,
    check_pattern,
    pattern_problem,
)
from specgen_runtime.tables import Pattern

SAFE = [
    "[1-9][0-9]{0,3}:[1-9][0-9]{0,3}",
    r"[0-9]{1,5}(\.[0-9]{1,4})?:[0-9]{1,5}(\.[0-9]{1,4})?",
    "[a-z]+@[a-z]+",
    "(ab)*",
    "(?:jpg|png)",
]

UNSAFE = [
    ("(a+)+$", "repeats a quantifier inside a repeated group"),
    ("(a|ab)*", "repeats an alternation"),
    (r"(\w)\1", "uses a backreference"),
    ("(?P<x>a)(?P=x)", "uses a backreference"),
    ("(?=a)a", "uses a lookaround"),
    ("(?<!a)b", "uses a lookaround"),
    (".*a.*b.*c", "has 3 quantifiers that repeat more than 16 times"),
    ("x" * 1001, "is 1001 characters long"),
    ("(", "is not a valid regular expression"),
]


@pytest.mark.parametrize("regex", SAFE)
def test_safe_patterns_pass(regex: str) -> None:
    assert pattern_problem(regex) is None


@pytest.mark.parametrize(("regex", "problem"), UNSAFE)
def test_unsafe_patterns_are_refused_with_the_reason(regex: str, problem: str) -> None:
    found = pattern_problem(regex)
    assert found is not None
    assert found.startswith(problem)
    with pytest.raises(UnsafePattern, match="pattern "):
        check_pattern(regex)


def test_a_pattern_table_refuses_an_unsafe_regex() -> None:
    with pytest.raises(UnsafePattern, match="inside a repeated group"):
        Pattern("(a+)+", "a's")


def test_a_pattern_table_matches_the_whole_value_up_to_the_limit() -> None:
    pattern = Pattern("[a-z ]+", "words")
    assert pattern.matches("a prompt")
    assert not pattern.matches("a prompt!")
    assert pattern.matches("a" * MAX_MATCH_LENGTH)
    assert not pattern.matches("a" * (MAX_MATCH_LENGTH + 1))
