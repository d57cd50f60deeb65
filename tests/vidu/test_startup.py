"""``import vidu`` loads what validation needs and nothing more: the HTTP
client, the fake server and the command line come on first use."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import vidu
from specgen_runtime.cli import CommandLine
from specgen_runtime.cli_help import answer_without_client

HEAVY = ("urllib3", "vidu.client", "specgen_runtime.client", "vidu.testing")


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running ``code``."""
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_import_and_validate_load_no_http_stack() -> None:
    loaded = _modules_after(
        "import vidu\n"
        "found = vidu.validate_payload('reference2video', {'model': 'viduq2'})\n"
        "assert found, 'the body is missing fields'\n"
        "vidu.Reference2VideoRequest(model='viduq2', images=['https://a/b.png'],"
        " prompt='x')"
    )
    assert "vidu._validators" in loaded
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_client_loads_on_first_use() -> None:
    loaded = _modules_after(
        "from vidu import Client\n"
        "import vidu\n"
        "assert vidu.Client is Client\n"
        "with Client('k', base_url='http://127.0.0.1:9') as client:\n"
        "    assert client.base_url == 'http://127.0.0.1:9'"
    )
    assert {"urllib3", "vidu.client"} <= loaded


def test_every_public_name_resolves() -> None:
    for name in vidu.__all__:
        assert getattr(vidu, name) is not None, name
    assert set(vidu.__all__) <= set(dir(vidu))
    assert vidu.ViduError is vidu.ClientError
    assert issubclass(vidu.LocalFileNotFound, FileNotFoundError)
    with pytest.raises(AttributeError, match="no attribute 'Clinet'"):
        vidu.Clinet  # type: ignore[attr-defined]  # noqa: B018


def test_a_public_submodule_loads_when_first_named() -> None:
    loaded = _modules_after(
        "import vidu\n"
        "assert callable(vidu.batch.run)\n"
        "try:\n"
        "    vidu._private_thing\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('a private name resolved')"
    )
    assert "vidu.batch" in loaded


def test_help_without_the_client_is_the_full_parsers_help() -> None:
    from vidu.__main__ import OVERVIEW

    shown = io.StringIO()
    assert answer_without_client(OVERVIEW, ["--help"], shown)
    assert shown.getvalue() == CommandLine(vidu.Client).build_parser().format_help()
    assert not answer_without_client(OVERVIEW, ["cancel", "--help"], io.StringIO())


def test_python_dash_m_help_loads_no_client() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "vidu", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "reference2video" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    heavy = {*HEAVY, "attrs", "cattrs", "vidu.models", "vidu._validators"}
    assert not imported & heavy, sorted(imported & heavy)


USER_SCRIPT = """
import vidu
from vidu import Client, LocalFileNotFound

request = vidu.Reference2VideoSubjectsRequest(
    model="viduq2",
    subjects=[{"name": "bear", "images": ["https://example.com/b.png"]}],
    prompt="@bear waves",
)
task = vidu.TaskCreations.from_json({"id": "1"})
extra: dict[str, object] = task.extra
body: dict[str, object] = task.to_dict()
missing: FileNotFoundError = LocalFileNotFound("a.png", "no such file")
warning: type[Warning] = vidu.ResponseWarning
client: Client = vidu.Client("key")
wrong = vidu.Reference2VideoSubjectsRequest(model="viduq2", subjects=[3], prompt="x")
typo = vidu.Clinet
"""


def test_type_checkers_see_every_name(tmp_path: Path) -> None:
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert len(errors) == 2, result.stdout
    assert "user_script.py:16: error: List item 0 has incompatible type" in errors[0]
    assert 'user_script.py:17: error: Module has no attribute "Clinet"' in errors[1]
