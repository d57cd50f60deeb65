"""The command line tells what happened and never wastes a paid task: the
download target is settled before the create, a run stopped midway says how
to go on, errors name the option, and the help covers every form."""

from __future__ import annotations

import argparse
import json
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from specgen_runtime.cli import CommandLine, download_targets, options
from vidu import Client, tables
from vidu.testing import FakeServer

from tests.vidu.command_line import on, run
from tests.vidu.images import png

KEY = "sk-cli-defects-key-0123456789"
URL = "https://example.com/b.png"
ENV = tables.AUTH.env or ""
BASE_URL_ENV = Client._base_url_env or ""
API = Client._api


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.delenv(BASE_URL_ENV, raising=False)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """Tasks that end in a fraction of a second of real time."""
    durations = {"created": 0.0, "queueing": 0.1, "processing": 0.1}
    with FakeServer(api_key=KEY, clock="real", durations=durations) as fake:
        yield fake


def create(*more: str, image: str = URL) -> list[str]:
    return [
        "reference2video",
        "--model", "viduq2",
        "--image", image,
        "--prompt", "A bear by the lake.",
        *more,
    ]  # fmt: skip


def task_id_of(out: str) -> str:
    """The task id in the first JSON document of ``out`` (the create's answer)."""
    answer, _ = json.JSONDecoder().raw_decode(out)
    task_id = answer[tables.TASKS.id_field]
    assert isinstance(task_id, str)
    return task_id


# --- 1. a --download folder is settled before the create --------------------------------


def test_a_folder_receives_each_task_under_its_own_name(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    """The same command twice: two tasks, two files, nothing refused after
    a task was paid for."""
    folder = tmp_path / "out"
    folder.mkdir()
    ids = []
    for _ in range(2):
        argv = create("--download", f"{folder}/", "--poll-interval", "0.05")
        status, out, err = run(capsys, *on(server), *argv)
        assert status == 0, err
        task_id = task_id_of(out)
        assert f"saved {folder / task_id}.mp4" in err
        ids.append(task_id)
    assert ids[0] != ids[1]
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{i}.mp4" for i in ids)
    assert all((folder / f"{i}.mp4").stat().st_size == server.file_size for i in ids)
    assert server.received["reference2video"] == 2


def test_a_folder_that_does_not_exist_is_refused_before_the_create(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    target = f"{tmp_path}/missing/"
    status, out, err = run(capsys, *on(server), *create("--download", target))
    assert (status, out) == (2, "")
    assert err == (
        f"error: --download: there is no folder {target}: create it first, or"
        " choose another path\n"
    )
    assert not server.received
    assert not (tmp_path / "missing").exists()


def test_the_names_in_a_folder_come_from_the_task_and_the_urls_suffix(
    tmp_path: Path,
) -> None:
    urls = [
        "https://cdn.example/a/video.mp4?token=secret",
        "https://cdn.example/a/cover.JPG",
        "https://cdn.example/a/no-suffix",
        "https://cdn.example/a/odd.s%2Ffx",
    ]
    assert download_targets(str(tmp_path), "880001", urls) == [
        f"{tmp_path}/880001.mp4",
        f"{tmp_path}/880001-2.JPG",
        f"{tmp_path}/880001-3",
        f"{tmp_path}/880001-4",
    ]
    hostile = download_targets(str(tmp_path), "../../etc/passwd", urls[:1])
    assert hostile == [f"{tmp_path}/_.._etc_passwd.mp4"]
    assert Path(hostile[0]).parent == tmp_path
    assert download_targets(str(tmp_path / "one.mp4"), "1", urls) == [
        str(tmp_path / "one.mp4")
    ], "a file receives the first result"


def test_help_says_how_a_folder_is_filled() -> None:
    parser = CommandLine(Client).build_parser()
    for command in ("reference2video", "get-creations"):
        text = " ".join(_subcommand_help(parser, command).split())
        assert "TASK_ID.EXT, TASK_ID-2.EXT" in text
        assert "PATH is checked before" in text


# --- 2. a run stopped midway says how to go on ------------------------------------------


def test_get_creations_waits_for_an_existing_task_and_downloads_it(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    status, out, _ = run(capsys, *on(server), *create())
    assert status == 0
    task_id = task_id_of(out)
    argv = ["get-creations", task_id, "--download", f"{tmp_path}/", "--poll-interval"]
    status, out, err = run(capsys, *on(server), *argv, "0.05")
    assert status == 0, err
    assert json.loads(out)[0]["url"].endswith(".mp4")
    assert (tmp_path / f"{task_id}.mp4").stat().st_size == server.file_size
    status, out, err = run(capsys, *on(server), "get-creations", task_id, "--wait")
    assert status == 0, err
    assert isinstance(json.loads(out), list)
    assert server.received["reference2video"] == 1


def _python_m_vidu(*argv: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in (ENV, BASE_URL_ENV)}
    return subprocess.Popen(
        [sys.executable, "-m", "vidu", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _read_until(process: subprocess.Popen[str], pattern: str) -> str:
    """stderr of ``process`` up to a line matching ``pattern`` (30 s at most)."""
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + 30
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        for _ in range(1000):
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(timeout=left):
                break
            line = process.stderr.readline()
            seen += line
            if not line or re.search(pattern, line):
                break
    assert re.search(pattern, seen), seen
    return seen


def _interrupt(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    return process.returncode, err


def test_ctrl_c_during_the_wait_prints_the_task_and_the_command_that_goes_on(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    durations = {"created": 0.0, "queueing": 1.0, "processing": 0.2}
    with FakeServer(api_key=KEY, clock="real", durations=durations) as server:
        argv = ["--base-url", server.url, "--api-key", KEY]
        argv += create("--download", f"{tmp_path}/", "--poll-interval", "0.05")
        with _python_m_vidu(*argv) as process:
            before = _read_until(process, r"\] task \S+: ")
            status, after = _interrupt(process)
        err = before + after
        assert status == 130, err
        task_id = re.findall(r"task (\S+) goes on", err)[0]
        lines = err.splitlines()
        start = lines.index("interrupted")
        command = (
            f"python -m vidu get-creations {task_id} --base-url {server.url}"
            f" --download {tmp_path}/"
        )
        assert lines[start + 1 :] == [
            f"task {task_id} goes on (the service keeps it); to wait for it and"
            " get its results, run:",
            f"  {command}",
            f"  (set ${ENV} or pass --api-key)",
        ]
        assert KEY not in err
        # the command goes on, with the key where the line says to put it
        monkeypatch.setenv(ENV, KEY)
        words = shlex.split(command)[3:]
        status, _, err = run(capsys, *words, "--poll-interval", "0.05")
        assert status == 0, err
        assert (tmp_path / f"{task_id}.mp4").stat().st_size == server.file_size
        assert server.received["reference2video"] == 1, "no second paid task"


def test_ctrl_c_while_the_create_is_unanswered_says_a_task_may_exist() -> None:
    with FakeServer(api_key=KEY) as server:
        server.inject("reference2video", delay=20)
        with _python_m_vidu(*on(server), *create("--wait")) as process:
            for _ in range(300):  # until the create reached the server (30 s)
                if server.received["reference2video"] or process.poll() is not None:
                    break
                time.sleep(0.1)
            assert server.received["reference2video"] == 1
            status, err = _interrupt(process)
    assert status == 130
    assert err.splitlines()[-2:] == [
        "interrupted",
        "the create was sent, unanswered: a task may have been created; look for"
        " it with python -m vidu list-tasks",
    ]


def test_a_download_refused_after_the_task_ended_says_how_to_go_on(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    """A file that appears while the task runs: the task is not lost."""
    status, out, _ = run(capsys, *on(server), *create())
    task_id = task_id_of(out)
    (tmp_path / f"{task_id}.mp4").write_bytes(b"someone else's")
    argv = ["get-creations", task_id, "--download", str(tmp_path), "--poll-interval"]
    status, _, err = run(capsys, *on(server), *argv, "0.05")
    assert status == 2
    assert f"error: --download: {tmp_path}/{task_id}.mp4 exists" in err
    assert f"get-creations {task_id} --base-url {server.url} --download" in err


# --- 3. errors name the option ----------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (["--timeout", "0"], "--timeout 0: give a positive number of seconds"),
        (["--timeout", "nan"], "--timeout nan: give a positive number of seconds"),
        (
            ["--max-retries", "-1"],
            "--max-retries -1: give 0 (send each call once) or more",
        ),
        (
            ["--base-url", "europe"],
            "--base-url 'europe' is neither an http(s) URL nor a host name"
            f" (known hosts: {', '.join(tables.HOSTS)})",
        ),
        (
            ["--api-key", " sk-x"],
            "--api-key (5 characters) starts or ends with a space; remove it",
        ),
    ],
)
def test_a_bad_global_option_is_named_as_the_option(
    capsys: pytest.CaptureFixture[str],
    server: FakeServer,
    given: list[str],
    message: str,
) -> None:
    argv = ["--api-key", KEY, "--base-url", server.url, *given]
    status, out, err = run(capsys, *argv, "get-creations", "1")
    assert (status, out, err) == (2, "", f"error: {message}\n")
    assert not server.received


def test_a_bad_base_url_from_the_environment_names_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(BASE_URL_ENV, "europe")
    status, _, err = run(capsys, "--api-key", KEY, "get-creations", "1")
    assert status == 2
    assert err.startswith(f"error: ${BASE_URL_ENV} 'europe' is neither")


# --- 4. exit codes and hints ------------------------------------------------------------


def test_a_missing_key_exits_2(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    status, _, err = run(capsys, "--base-url", server.url, *create("--wait"))
    assert status == 2
    assert f"pass --api-key or set ${ENV}" in err
    assert not server.received


@pytest.mark.parametrize("source", ["--api-key", "env"])
def test_a_refused_key_gets_a_hint_naming_where_it_came_from(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    server: FakeServer,
    source: str,
) -> None:
    wrong = "sk-not-the-right-key-42"
    if source == "env":
        monkeypatch.setenv(ENV, wrong)
        argv = ["--base-url", server.url]
    else:
        argv = ["--base-url", server.url, "--api-key", wrong]
    status, out, err = run(capsys, *argv, "get-creations", "1")
    named = "--api-key" if source == "--api-key" else f"${ENV}"
    assert (status, out) == (1, "")
    assert err.splitlines()[-1] == (
        f"hint: the service did not accept the API key from {named}: check it"
        f" (set ${ENV} or pass --api-key)"
    )
    assert wrong not in err


def test_a_forbidden_call_gets_a_hint(
    capsys: pytest.CaptureFixture[str], server: FakeServer
) -> None:
    server.inject("get_creations", status=403)
    status, _, err = run(capsys, *on(server), "get-creations", "1")
    assert status == 1
    assert err.splitlines()[-1].startswith(
        "hint: the API key from --api-key may not do this"
    )
    assert KEY not in err


# --- 5. the help covers every form ------------------------------------------------------


def _subcommand_help(parser: argparse.ArgumentParser, command: str) -> str:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return str(action.choices[command].format_help())
    raise AssertionError(command)


def _spell(value: object) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def test_every_per_model_default_of_every_form_is_in_the_help() -> None:
    for operation in API.operations.values():
        shown = {o.name: o.help for o in options(Client, operation)}
        for form in API.forms:
            if form.operation != operation.id:
                continue
            for name, field in form.fields.items():
                for model, value in field.default_by_model.items():
                    assert f"{model}: {_spell(value)}" in shown[name], (name, model)
                if field.default is not None and not field.default_by_model:
                    assert f"efault: {_spell(field.default)}" in shown[name], name


def test_the_help_says_which_choices_only_some_models_take() -> None:
    operation = API.operations["reference2video"]
    found = {o.name: o for o in options(Client, operation)}
    for form in API.forms:
        for name, field in form.fields.items():
            if form.operation != operation.id or not field.choices_by_model:
                continue
            limits = found[name].limits.removeprefix("Not on every model: ")
            limited = {
                choice: text
                for part in limits.rstrip(".").split("; ")
                for choices, text in [part.split(": ", 1)]
                for choice in choices.split(", ")
            }
            for model, taken in field.choices_by_model.items():
                for choice in found[name].choices:
                    if choice not in taken:
                        said = limited[choice]
                        assert model in said or "only on" in said, (choice, model)
    text = found["aspect_ratio"].limits
    assert text.startswith("Not on every model: 3:4, 4:3: ")
    assert "only on viduq2-pro, viduq2 with --image" in text
    assert found["resolution"].limits.startswith("Not on every model: 360p: only")


def test_the_audio_default_is_said_for_the_form_that_has_it() -> None:
    found = {o.name: o for o in options(Client, API.operations["reference2video"])}
    assert "With --subject, default per model: viduq3-turbo: true" in (
        found["audio"].help
    )
    assert found["duration"].help.count("Default") == 1


def test_the_batch_poll_interval_is_described() -> None:
    text = " ".join(
        _subcommand_help(CommandLine(Client).build_parser(), "batch").split()
    )
    assert re.search(r"--poll-interval SECONDS seconds between reads", text)


# --- 6. --dry-run prints the body as it is sent -----------------------------------------


def test_dry_run_prints_exactly_the_body_that_is_sent(
    capsys: pytest.CaptureFixture[str], server: FakeServer, tmp_path: Path
) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(png(300, 200))
    argv = create(
        "--image", URL,
        "--duration", "8",
        "--aspect-ratio", "4:3",
        "--no-bgm",
        "--payload", "ünïcode",
        image=str(image),
    )  # fmt: skip
    status, printed, err = run(capsys, *argv, "--dry-run")
    assert (status, err) == (0, "")
    assert "more characters" not in printed
    status, _, err = run(capsys, *on(server), *argv)
    assert status == 0, err
    assert json.loads(printed) == server.requests[0].body
    assert json.loads(printed)["images"][0].startswith("data:image/png;base64,")
