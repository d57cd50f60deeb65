"""The command line, ``python -m vidu``, against the package's fake server."""

from __future__ import annotations

import argparse
import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from vidu import Client, tables
from vidu.testing import FakeServer

from tests.vidu.command_line import on, run
from tests.vidu.images import png

KEY = "sk-cli-test-key-0123456789"
URL = "https://example.com/b.png"


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


def create(*more: str, image: str = URL, prompt: str = "x") -> list[str]:
    """``reference2video --model viduq2 --image IMAGE --prompt PROMPT``, then
    ``more``."""
    return [
        "reference2video",
        "--model", "viduq2",
        "--image", image,
        "--prompt", prompt,
        *more,
    ]  # fmt: skip


# --- checking without sending -----------------------------------------------------------


@pytest.mark.usefixtures("no_key")
def test_dry_run_needs_no_key_and_prints_the_whole_body(
    capsys: pytest.CaptureFixture[str], image: Path
) -> None:
    status, out, err = run(
        capsys,
        *create(
            "--image", URL,
            "--duration", "8",
            "--dry-run",
            image=str(image),
            prompt="A bear by the lake.",
        ),
    )  # fmt: skip
    assert (status, err) == (0, "")
    body = json.loads(out)
    assert body["model"] == "viduq2"
    assert body["duration"] == 8
    first, second = body["images"]
    assert first == "data:image/png;base64," + base64.b64encode(
        image.read_bytes()
    ).decode("ascii")
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
        capsys, "--validation", "warn", *create("--duration", "80", "--dry-run")
    )
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
        *create(
            "--wait",
            "--download", str(target),
            "--poll-interval", "0.05",
            image=str(image),
            prompt="A bear by the lake.",
        ),
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
    status, out, _ = run(capsys, *on(server), *create())
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
    status, out, err = run(capsys, *on(server, "-v"), *create())
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
def test_a_missing_key_exits_2_naming_the_option_and_the_variable(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, _, err = run(capsys, "--base-url", server.url, "get-creations", "123")
    assert status == 2, "invalid input: nothing was sent"
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
    status, _, err = run(capsys, "--base-url", server.url, *create())
    assert status == 2
    assert "--api-key" in err
    assert not server.received


# --- a download target that cannot be written fails before the task is created ----------


def _create_and_download(
    capsys: pytest.CaptureFixture[str], server: FakeServer, target: str, *more: str
) -> tuple[int, str, str]:
    return run(
        capsys,
        *on(server),
        *create("--download", target, "--poll-interval", "0.05", *more),
    )


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
    assert (
        err == f"error: --download: {target} exists: pass --overwrite to replace it\n"
    )
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
            sys.executable, "-m", "vidu",
            *on(server),
            *create("--wait", "--poll-interval", "0.05"),
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
    status, out, err = run(capsys, *on(server), *create("--wait", option, value))
    assert (status, out) == (2, "")
    assert err.startswith(f"error: {option} {value}: give a positive number")
    assert not server.received


# --- paged operations and query parameters ----------------------------------------------


def _create(server: FakeServer, count: int, payload: str = "p") -> list[str]:
    """Create ``count`` tasks; their ids, oldest first."""
    ids = []
    with Client(server.api_key, base_url=server.url, max_retries=0) as client:
        for n in range(count):
            task = client.reference2video(
                model="viduq2", images=[URL], prompt="x", payload=f"{payload}{n}"
            )
            assert task.task_id is not None
            ids.append(task.task_id)
    return ids


def _listed(server: FakeServer) -> list[str]:
    """The request targets of the list operation the server received."""
    path = tables.OPERATION_INFO["list_tasks"].path
    return [r.path for r in server.requests if r.path.startswith(path)]


def test_list_tasks_prints_every_page_as_json_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeServer(api_key=KEY, page_size=3) as server:
        ids = _create(server, 7)
        status, out, err = run(capsys, *on(server), "list-tasks")
        assert (status, err) == (0, "")
        lines = out.splitlines()
        assert [json.loads(line)["id"] for line in lines] == ids[::-1]
        assert json.loads(lines[0])["payload"] == "p6"
        assert len(_listed(server)) == 3, "three pages of at most three"


def test_list_tasks_stops_at_max_pages_and_says_how_to_read_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeServer(api_key=KEY, page_size=2) as server:
        ids = _create(server, 5)
        status, out, err = run(capsys, *on(server), "list-tasks", "--max-pages", "2")
        assert status == 0
        assert [json.loads(line)["id"] for line in out.splitlines()] == ids[:0:-1]
        assert err.startswith("more pages remain after 2 (--max-pages): read on with")
        token = err.split("--page-token ", 1)[1].strip()
        status, out, err = run(capsys, *on(server), "list-tasks", "--page-token", token)
        assert (status, err) == (0, "")
        assert [json.loads(line)["id"] for line in out.splitlines()] == ids[:1]
        status, _, err = run(capsys, *on(server), "list-tasks", "--max-pages", "0")
        assert (status, err) == (2, "error: --max-pages 0: give 1 or more\n")


def test_query_options_are_sent_as_the_spec_names_them(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, _, err = run(
        capsys,
        *on(server),
        "list-tasks",
        "--states", "success,failed",
        "--states", "queueing",
        "--page-size", "2",
        "--created-at-from", "2025-01-01T00:00:00Z",
        "--max-pages", "1",
    )  # fmt: skip
    assert (status, err) == (0, "")
    (target,) = _listed(server)
    query = target.partition("?")[2].split("&")
    assert [q for q in query if q.startswith("states=")] == [
        "states=success",
        "states=failed",
        "states=queueing",
    ]
    assert "pager.pagesz=2" in query
    assert "created_at.from=2025-01-01T00%3A00%3A00Z" in query
    status, out, _ = run(capsys, *on(server), "get-credits", "--show-detail")
    assert status == 0
    assert json.loads(out)["concurrency_limit"] >= 1
    credits = tables.OPERATION_INFO["get_credits"].path
    assert [r.path for r in server.requests if r.path.startswith(credits)] == [
        f"{credits}?show_detail=true"
    ]


@pytest.mark.usefixtures("no_key")
def test_a_query_value_the_client_would_refuse_exits_2_first(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, out, err = run(
        capsys, "--base-url", server.url, "list-tasks", "--page-size", "1000"
    )
    assert (status, out) == (2, "")
    assert err == "page_size: --page-size 1000 is outside 1-100 [page_size.range]\n"
    assert not server.requests


def test_query_options_have_the_specs_text_as_help() -> None:
    from specgen_runtime.cli import CommandLine

    parser = CommandLine(Client).build_parser()
    commands = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    )
    shown = " ".join(commands.choices["list-tasks"].format_help().split())
    assert "--states STATE Only tasks in these states." in shown
    assert "Repeat it, or separate values with commas." in shown
    assert "--page-size N Tasks per page, at most 100." in shown
    assert "JSON Lines" in shown
    shown = " ".join(commands.choices["get-credits"].format_help().split())
    assert "--show-detail, --no-show-detail Whether to list" in shown


# --- command-line terms ----------------------------------------------------------------


def test_the_global_options_may_follow_the_operation(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, out, err = run(
        capsys,
        "--api-key", "sk-not-this-one-0000",
        "get-credits",
        "--api-key", server.api_key,
        "--base-url", server.url,
        "--max-retries", "0",
        "-v",
    )  # fmt: skip
    assert status == 0, err
    assert "concurrency_limit" in out
    assert "GET" in err, "-v after the operation logs too"
    assert server.received["get_credits"] == 1


@pytest.mark.usefixtures("no_key")
def test_a_missing_option_is_named_as_an_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(
        capsys, "reference2video", "--image", URL, "--prompt", "x", "--dry-run"
    )
    assert (status, out) == (2, "")
    assert err == "model: --model is required [model.required]\n"


@pytest.mark.usefixtures("no_key")
def test_options_of_different_forms_are_said_not_to_combine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(
        capsys,
        *create("--subject", f"name=bear,image={URL}", "--dry-run", prompt="@bear"),
    )
    assert (status, out) == (2, "")
    assert "--subject and --image cannot be combined" in err
    assert "unknown field" not in err
    assert len(err.splitlines()) == 1


def test_an_empty_task_id_is_refused_before_sending(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, _, err = run(capsys, *on(server), "get-creations", "")
    assert status == 2
    assert "argument TASK_ID: must not be empty" in err
    assert not server.requests
    with (
        Client(server.api_key, base_url=server.url) as client,
        pytest.raises(
            ValueError, match=r"get_creations: the task id is empty \(\{id\}"
        ),
    ):
        client.get_creations("")
    assert not server.requests


def test_the_global_options_help_names_the_variables() -> None:
    from specgen_runtime.cli import CommandLine

    shown = " ".join(CommandLine(Client).build_parser().format_help().split())
    assert f"default ${Client._base_url_env} if set, else {tables.BASE_URL}" in (shown)
    assert "--max-retries MAX_RETRIES how many times a call is sent again" in shown


def test_a_wait_that_runs_out_says_the_task_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    durations = {"created": 0.0, "queueing": 60.0, "processing": 60.0}
    with FakeServer(api_key=KEY, clock="real", durations=durations) as server:
        status, out, err = run(
            capsys,
            *on(server),
            *create("--wait", "--wait-timeout", "0.2", "--poll-interval", "0.05"),
        )
    assert status == 1
    task_id = json.loads(out)[tables.TASKS.id_field]
    assert err.splitlines()[-4:] == [
        f"error: task {task_id} did not finish within 0.2 s (--wait-timeout): it is"
        " still running",
        f"task {task_id} goes on (the service keeps it); to wait for it and get its"
        " results, run:",
        f"  python -m vidu get-creations {task_id} --base-url {server.url} --wait",
        f"  (set ${tables.AUTH.env} or pass --api-key)",
    ]
    assert "timeout=" not in err


def test_output_no_longer_read_ends_quietly(tmp_path: Path) -> None:
    """``python -m vidu list-tasks | head -1``: no traceback, status 0."""
    with FakeServer(api_key=KEY, page_size=100) as server:
        _create(server, 40, payload="x" * 4000)  # far more than a pipe holds
        with subprocess.Popen(
            [sys.executable, "-m", "vidu", *on(server), "list-tasks"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as process:
            assert process.stdout is not None
            assert process.stderr is not None
            first = process.stdout.readline()
            process.stdout.close()
            status = process.wait(timeout=60)
            err = process.stderr.read().decode()
    assert json.loads(first)["payload"] == "x" * 4000 + "39"
    assert (status, err) == (0, "")
