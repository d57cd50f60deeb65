"""A user's script in the README's style (``scripts/user_script.py``) passes
``mypy --strict`` and runs against the fake server: typed calls, options, raw
access, the async client with a create cancelled in flight, and each error a
user meets, caught by the class the README names."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from vidu.testing import FakeServer

SCRIPT = Path(__file__).parent / "scripts" / "user_script.py"


def test_the_user_script_passes_mypy_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(SCRIPT),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_user_script_runs_against_the_fake_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VIDU_API_KEY", "restored-after-the-test")
    spec = importlib.util.spec_from_file_location("user_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    with FakeServer() as server:
        done = script.main(server)
        created = server.received["reference2video"]
    assert done["video"].stat().st_size > 0
    assert done["status"] == 200
    assert done["orphan"].state == "created"
    assert done["orphan"].task_id
    assert done["errors"] == [
        "MissingAPIKey",
        "ValidationError (did you mean)",
        "LocalFileNotFound",
        "DestinationExists",
        "NotFoundError",
        "AuthenticationError",
        "ValidationWarning",
    ]
    assert created == 4  # typed, raw, the cancelled one (sent once), the errors' task
