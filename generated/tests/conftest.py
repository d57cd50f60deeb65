"""Make ``contract.py`` importable as ``contract`` by the tests next to it.

This directory is not a package, so the contract tests import their shared
code as the top-level module ``contract``. Putting the directory first on
``sys.path`` here (pytest imports a directory's ``conftest.py`` before its test
modules) makes that import work in every pytest import mode (``prepend``, the
default, would put the directory there anyway; ``append`` and ``importlib``
would not).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
