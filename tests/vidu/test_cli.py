"""The command line, ``python -m vidu``, against the package's fake server."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from specgen_runtime.cli import main as run_cli
from vidu import Client, tables
from vidu.testing import FakeServer

KEY = "sk-cli-test-key-0123456789"
URL = "https://example.com/b.png"


def png(width: int, height: int) -> bytes:
    """A real (black) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(
        b"".join(b"\x00" + b"\x00" * 3 * width for _ in range(height))
    )
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "a.png"
    path.write_bytes(png(200, 160))
    return path


@pytest.fixture
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert tables.AUTH.env
    monkeypatch.delenv(tables.AUTH.env, raising=False)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A fake server whose tasks end in a fraction of a second of real time."""
    durations = {"created": 0.0, "queueing": 0.1, "processing": 0.2}
    with FakeServer(api_key=KEY, clock="real", durations=durations) as fake:
        yield fake


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in this process: exit status, stdout, stderr."""
    try:
        status = run_cli(Client, list(argv))
    except SystemExit as exc:  # argparse's own errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


def on(server: FakeServer, *argv: str) -> list[str]:
    return ["--api-key", server.api_key, "--base-url", server.url, *argv]


# --- checking without sending -----------------------------------------------------------


@pytest.mark.usefixtures("no_key")
def test_dry_run_needs_no_key_and_shortens_data_uris(
    capsys: pytest.CaptureFixture[str], image: Path
) -> None:
    status, out, err = run(
        capsys,
        "reference2video",
        "--model", "viduq2",
        "--image", str(image),
        "--image", URL,
        "--prompt", "A bear by the lake.",
        "--duration", "8",
        "--dry-run",
    )  # fmt: skip
    assert (status, err) == (0, "")
    body = json.loads(out)
    assert body["model"] == "viduq2"
    assert body["duration"] == 8
    first, second = body["images"]
    assert first.startswith("data:image/png;base64,")
    assert "more characters)" in first
    assert len(first) < 100
    assert second == URL


@pytest.mark.usefixtures("no_key")
def test_subjects_from_the_command_line(
    capsys: pytest.CaptureFixture[str], image: Path
) -> None:
    status, out, _ = run(
        capsys,
        "reference2video",
        "--model", "viduq2",
        "--subject", f"name=bear,image={image}",
        "--subject", json.dumps({"name": "santa", "images": [URL]}),
        "--prompt", "@bear hugs @santa",
        "--dry-run",
    )  # fmt: skip
    assert status == 0
    bear, santa = json.loads(out)["subjects"]
    assert bear["name"] == "bear"
    assert bear["images"][0].startswith("data:image/png")
    assert santa == {"name": "santa", "images": [URL]}


def test_invalid_input_exits_2_with_one_line_per_violation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: FakeServer
) -> None:
    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(png(20, 20))
    status, out, err = run(
        capsys,
        *on(server),
        "reference2video",
        "--model", "viduq2",
        "--image", str(tiny),
        "--image", str(tmp_path / "missing.png"),
        "--duration", "80",
    )  # fmt: skip
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"images[0] ({tiny}): ")
    assert lines[0].endswith("[image.dimensions]")
    assert lines[1].startswith("images[1]: cannot read")
    assert any(line.startswith("prompt: ") for line in lines)
    assert any(line.startswith("duration: ") for line in lines)
    assert len(lines) == 4
    assert not server.received


def test_a_bad_option_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "reference2video", "--duration", "long")
    assert status == 2
    assert "--duration" in err


@pytest.mark.usefixtures("no_key")
def test_warn_mode_reports_and_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(
        capsys,
        "--validation", "warn",
        "reference2video",
        "--model", "viduq2",
        "--image", URL,
        "--prompt", "x",
        "--duration", "80",
        "--dry-run",
    )  # fmt: skip
    assert status == 0
    assert json.loads(out)["duration"] == 80
    assert err.startswith("warning: duration: ")


# --- talking to the service -----------------------------------------------------------------


def test_create_wait_and_download(
    capsys: pytest.CaptureFixture[str],
    server: FakeServer,
    image: Path,
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.mp4"
    status, out, err = run(
        capsys,
        *on(server),
        "reference2video",
        "--model", "viduq2",
        "--image", str(image),
        "--prompt", "A bear by the lake.",
        "--wait",
        "--download", str(target),
        "--poll-interval", "0.05",
    )  # fmt: skip
    assert status == 0, err
    assert target.stat().st_size == server.file_size
    assert "success" in err
    assert "100%" in err
    assert server.received["reference2video"] == 1
    sent = server.requests[0].body
    assert sent["images"][0].startswith("data:image/png;base64,")
    assert '"task_id"' in out
    assert KEY not in out + err


def test_get_creations_and_cancel(capsys: pytest.CaptureFixture[str]) -> None:
    with FakeServer(api_key=KEY) as server:  # the manual clock: it stays queued
        _create_cancel_and_get(capsys, server)


def _create_cancel_and_get(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, out, _ = run(
        capsys,
        *on(server),
        "reference2video",
        "--model", "viduq2",
        "--image", URL,
        "--prompt", "x",
    )  # fmt: skip
    assert status == 0
    task_id = json.loads(out)[tables.TASKS.id_field]
    status, out, err = run(capsys, *on(server), "cancel", task_id)
    assert (status, json.loads(out)) == (0, {}), err
    status, out, _ = run(capsys, *on(server), "get-creations", task_id)
    assert status == 0
    assert json.loads(out)[tables.TASKS.error_code_field] == "UserCancelled"


def test_an_api_error_exits_1_without_the_key(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    server.inject("reference2video", status=400, reason="CreditInsufficient")
    status, out, err = run(
        capsys,
        *on(server, "-v"),
        "reference2video",
        "--model", "viduq2",
        "--image", URL,
        "--prompt", "x",
    )  # fmt: skip
    assert status == 1
    assert out == ""
    assert "CreditInsufficient" in err
    assert "Token ***" in err, "-v logs the requests, the key hidden"
    assert KEY not in err


def test_an_unknown_task_exits_1(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, _, err = run(capsys, *on(server), "get-creations", "nope")
    assert status == 1
    assert "TaskNotFound" in err


@pytest.mark.usefixtures("no_key")
def test_a_missing_key_exits_1_naming_the_option_and_the_variable(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, _, err = run(capsys, "--base-url", server.url, "get-creations", "123")
    assert status == 1
    assert err == (
        f"error: MissingAPIKey: no API key: pass --api-key or set ${tables.AUTH.env}"
        " (nothing was sent)\n"
    )
    assert "api_key=" not in err
    assert not server.received


@pytest.mark.usefixtures("no_key")
def test_a_missing_key_is_found_before_a_task_is_created(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, _, err = run(
        capsys,
        "--base-url", server.url,
        "reference2video",
        "--model", "viduq2",
        "--image", URL,
        "--prompt", "x",
    )  # fmt: skip
    assert status == 1
    assert "--api-key" in err
    assert not server.received


# --- a download target that cannot be written fails before the task is created ----------


def _create_and_download(
    capsys: pytest.CaptureFixture[str], server: FakeServer, target: str, *more: str
) -> tuple[int, str, str]:
    return run(
        capsys,
        *on(server),
        "reference2video",
        "--model", "viduq2",
        "--image", URL,
        "--prompt", "x",
        "--download", target,
        "--poll-interval", "0.05",
        *more,
    )  # fmt: skip


def test_a_target_in_a_missing_folder_fails_first(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    target = str(tmp_path / "no" / "such" / "out.mp4")
    status, out, err = _create_and_download(capsys, server, target)
    assert status == 2, "invalid input"
    assert out == ""
    assert err == (
        f"error: --download: cannot write {target}: there is no folder"
        f" {tmp_path}/no/such: create it first, or choose another path\n"
    )
    assert ".part" not in err
    assert not server.received


def test_a_target_under_a_regular_file_fails_first(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    target = str(tmp_path / "notes.txt" / "videos" / "out.mp4")
    status, _, err = _create_and_download(capsys, server, target)
    assert status == 2
    assert err == (
        f"error: --download: cannot write {target}: {tmp_path}/notes.txt is a file,"
        " not a folder: choose another path\n"
    )
    assert not server.received


def test_an_existing_target_fails_first_unless_overwrite(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"old")
    status, _, err = _create_and_download(capsys, server, str(target))
    assert status == 2
    assert err == f"error: --download: {target} exists: pass --overwrite to replace it\n"
    assert "overwrite=True" not in err
    assert not server.received
    status, _, err = _create_and_download(capsys, server, str(target), "--overwrite")
    assert status == 0, err
    assert target.stat().st_size == server.file_size
    assert server.received["reference2video"] == 1


def test_the_target_errors_are_the_local_file_errors() -> None:
    from specgen_runtime.cli import check_target
    from vidu import LocalFileError, LocalFileNotFound, LocalNotADirectory

    with pytest.raises(LocalFileNotFound) as missing:
        check_target("/no/such/folder/out.mp4", overwrite=False)
    assert isinstance(missing.value, FileNotFoundError)
    assert isinstance(missing.value, LocalFileError)
    assert missing.value.filename == "/no/such/folder/out.mp4"
    with pytest.raises(LocalNotADirectory) as under_file:
        check_target(__file__ + "/out.mp4", overwrite=True)
    assert isinstance(under_file.value, NotADirectoryError)


def test_python_dash_m(server: FakeServer, tmp_path: Path) -> None:
    """The module runs as a program, and a failed task exits 1."""
    server.next_outcome("failed", err_code="CreationPolicyViolation")
    result = subprocess.run(
        [
            sys.executable, "-m", "vidu", *on(server),
            "reference2video",
            "--model", "viduq2",
            "--image", URL,
            "--prompt", "x",
            "--wait",
            "--poll-interval", "0.05",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "CreationPolicyViolation" in result.stderr


@pytest.mark.parametrize(
    ("option", "value"), [("--poll-interval", "0"), ("--wait-timeout", "-1")]
)
def test_wait_options_wait_would_refuse_fail_first(
    capsys: pytest.CaptureFixture[str], server: FakeServer, option: str, value: str
) -> None:
    status, out, err = run(
        capsys,
        *on(server),
        "reference2video",
        "--model", "viduq2",
        "--image", URL,
        "--prompt", "x",
        "--wait",
        option, value,
    )  # fmt: skip
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {option} {value}: give a positive number")
    assert not server.received
