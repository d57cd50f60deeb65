"""The README's examples run as written (those that need no network or key)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from vidu import ValidationWarning

from tests.conftest import PROJECT

BLOCKS = re.findall(r"```python\n(.*?)```", (PROJECT / "README.md").read_text(), re.S)


def _block(marker: str) -> str:
    return next(block for block in BLOCKS if marker in block)


def test_fake_server_example_passes() -> None:
    namespace: dict[str, Any] = {}
    exec(_block("def test_my_pipeline"), namespace)
    namespace["test_my_pipeline"]()


def test_validation_mode_example_runs() -> None:
    namespace: dict[str, Any] = {}
    with pytest.warns(ValidationWarning, match="unknown model 'viduq4'"):
        exec("import vidu\n" + _block('validation_mode("warn")'), namespace)
    assert namespace["request"].model == "viduq4"
