"""``vidu.strategies``: hypothesis strategies users import on purpose.

``import vidu`` and ``import vidu.testing`` never need hypothesis; importing
the strategies without it says which extra to install. The strategies keep
every rule of the spec (the generated ``test_properties.py`` checks that
against the validator); here: what they refuse, what they promise about
warnings and models, and the README's example.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from typing import Any

import pytest
import vidu
from hypothesis import given, settings
from hypothesis import strategies as st
from vidu import strategies

from tests.conftest import PROJECT

BLOCK_HYPOTHESIS = """
import importlib.abc, sys

class NoHypothesis(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NoHypothesis())
"""
"""Makes ``import hypothesis`` fail in a child interpreter, as if it were not
installed."""

FEW = settings(max_examples=20, deadline=None, database=None)


def _child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_HYPOTHESIS + code],
        env={**os.environ, "PYTHONPATH": str(PROJECT / "generated")},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_vidu_and_vidu_testing_import_without_hypothesis() -> None:
    result = _child(
        "import vidu, vidu.testing, vidu.testing.pytest_plugin\n"
        "vidu.validate_payload('reference2video', {})\n"
        "assert not any(m.startswith('hypothesis') for m in sys.modules)\n"
        "print('ok')\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_strategies_without_hypothesis_name_the_extra() -> None:
    result = _child("import vidu.strategies\n")
    assert result.returncode == 1
    assert (
        "ImportError: vidu.strategies needs hypothesis: pip install 'vidu[testing]'"
        in result.stderr
    )


def test_the_blocker_blocks() -> None:
    result = _child("import hypothesis\n")
    assert "No module named 'hypothesis'" in result.stderr


def test_the_testing_extra_brings_hypothesis() -> None:
    text = (PROJECT / "generated" / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^testing = \[.*"hypothesis>=[0-9.]+".*\]$', text, re.M)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: strategies.bodies("nope"), "unknown operation 'nope'"),
        (lambda: strategies.bodies("reference2video", "x"), "has no form 'x'"),
        (
            lambda: strategies.bodies(
                "reference2video", "subjects", model="viduq3-mix"
            ),
            "does not take model 'viduq3-mix'",
        ),
        (lambda: strategies.requests(vidu.Subject), "not a request class"),
    ],
)
def test_a_wrong_name_is_a_clear_error(call: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


@FEW
@given(strategies.bodies("reference2video", model="viduq2", warnings=False))
def test_warnings_false_draws_bodies_without_any_violation(
    body: dict[str, Any],
) -> None:
    assert body["model"] == "viduq2"
    assert vidu.validate_payload("reference2video", body) == []


@FEW
@given(strategies.bodies("reference2video", model="viduq3-mix"))
def test_a_model_picks_the_forms_that_take_it(body: dict[str, Any]) -> None:
    assert "subjects" not in body  # only the images form takes viduq3-mix


@FEW
@given(strategies.requests(vidu.Reference2VideoSubjectsRequest, model="viduq2-pro"))
def test_typed_requests_are_built_objects_and_all(
    request: vidu.Reference2VideoSubjectsRequest,
) -> None:
    assert request.model == "viduq2-pro"
    assert all(isinstance(s, vidu.Subject) for s in request.subjects)
    assert request.violations() == [] or all(
        v.severity == "warning" for v in request.violations()
    )


@FEW
@given(st.data())
def test_a_broken_body_names_an_error_the_spec_implies(data: st.DataObject) -> None:
    broken = data.draw(strategies.broken_bodies("reference2video", "images"))
    assert ("error", broken.field, broken.rule) in [
        (severity, field, rule)
        for rule, field, severity in strategies.expected("reference2video", broken.body)
    ] or broken.rule.endswith(".encoding")


def test_the_readme_example_passes() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    block = next(b for b in blocks if "from vidu import strategies" in b)
    namespace: dict[str, Any] = {}
    exec(block, namespace)
    tests = [v for k, v in namespace.items() if k.startswith("test_")]
    assert len(tests) == 2
    for test in tests:
        test()
