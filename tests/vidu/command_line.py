"""Running ``python -m vidu`` in this process, for the command line's tests."""

from __future__ import annotations

import pytest
from specgen_runtime.cli import main as run_cli
from vidu import Client
from vidu.testing import FakeServer


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in this process: exit status, stdout, stderr."""
    try:
        status = run_cli(Client, list(argv))
    except SystemExit as exc:  # argparse's own errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def on(server: FakeServer, *argv: str) -> list[str]:
    """``argv`` after the options that point the command line at ``server``."""
    return ["--api-key", server.api_key, "--base-url", server.url, *argv]
