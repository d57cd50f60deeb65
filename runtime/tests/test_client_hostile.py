"""The client against hostile servers: bounded time and memory, nothing lost, no key shown.

A ``Jobs`` API of hand-built tables (the key in ``X-Api-Key`` without a
scheme, tasks with a ``status``) meets every case of :mod:`hostile_servers`
over real sockets on 127.0.0.1: each call must end within its limit with the
expected :class:`ClientError`, leave no file and no open socket behind, and
show the API key nowhere.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
import urllib3
from hostile_servers import (
    CASES,
    DOWNLOAD_OPTIONS,
    SECONDS,
    SLACK,
    Case,
    HostileServer,
    Request,
    answer,
    gzip_bomb,
    serve_gzip_video,
    serve_key_echo,
    serve_key_echo_retry,
    serve_silence,
    serving,
)
from shapes import JOB, JOB_ERRORS, JOB_TASKS, START, Job, api_tables
from specgen_runtime.cli import CommandLine
from specgen_runtime.client import BaseClient, safe_file_name
from specgen_runtime.errors import (
    APITimeoutError,
    ClientError,
    DestinationExists,
    InvalidAPIKey,
    LocalFileError,
    RateLimitError,
    ResponseTooLarge,
    WaitTimeout,
)
from specgen_runtime.tables import ApiTables, Auth

KEY = "jobs-key-5f1e2d3c4b5a69788796a5b4"

JOBS = api_tables(
    "Jobs",
    START,
    JOB,
    auth=Auth("X-Api-Key", "", env="JOBS_KEY"),
    tasks=JOB_TASKS,
    errors=JOB_ERRORS,
)


@attrs.frozen(kw_only=True)
class JobRequest:
    name: str

    def violations(self) -> list[Any]:
        return []

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name}


class JobsClient(BaseClient[Job]):
    """What a package generated from the Jobs spec would hold."""

    _api: ClassVar[ApiTables] = JOBS

    def start_job(self, request: JobRequest | None = None, **fields: Any) -> Job:
        body = self._body(START, request, fields, None, JobRequest)
        return self._call(START, {}, body, Job.from_json)

    def job(self, job_id: str, /) -> Job:
        return self._call(JOB, {"id": job_id}, None, Job.from_json)

    def _get_task(self, task_id: str, /) -> Job:
        return self.job(task_id)


def open_fds() -> int:
    """How many file descriptors this process has open."""
    gc.collect()
    return len(os.listdir("/proc/self/fd"))


def client_for(url: str, **options: Any) -> JobsClient:
    options.setdefault("timeout", SECONDS)
    options.setdefault("max_retries", 1)
    options.setdefault("backoff", 0.05)
    return JobsClient(KEY, base_url=url, **options)


def shows_key(error: BaseException) -> list[str]:
    """Where ``error`` shows the key: its message, repr, args, attributes, causes."""
    found = []
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            break
        texts = {
            "str": str(seen),
            "repr": repr(seen),
            "args": repr(seen.args),
            "attributes": repr(vars(seen)),
        }
        found += [f"{type(seen).__name__}.{k}" for k, v in texts.items() if KEY in v]
        seen = seen.__cause__ or seen.__context__
    return found


def call(client: JobsClient, case: Case, url: str, folder: Path) -> object:
    if case.call == "get":
        return client.job("j-1")
    if case.call == "create":
        return client.start_job(name="render")
    return client.download(url + "/video.mp4", folder / "video.mp4", **DOWNLOAD_OPTIONS)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_hostile_answer_ends_in_a_client_error_on_time(
    case: Case, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = open_fds()
    with (
        caplog.at_level(logging.DEBUG, logger="jobs"),
        serving(case) as server,
        client_for(server.url) as client,
    ):
        start = time.monotonic()
        with pytest.raises(ClientError) as caught:
            call(client, case, server.url, tmp_path)
        took = time.monotonic() - start
    assert isinstance(caught.value, case.expected), caught.value
    assert took < case.within + SLACK, f"{case.id} took {took:.1f} s"
    assert shows_key(caught.value) == []
    assert KEY not in caplog.text
    assert list(tmp_path.iterdir()) == [], "nothing left behind"
    assert open_fds() <= before, "no socket left open"


def test_a_too_large_answer_names_the_limit_and_how_to_raise_it() -> None:
    body = json.dumps({"id": "j-1", "status": "x" * 100_000}).encode()

    def big(conn: socket.socket, request: Request, stop: threading.Event) -> None:
        conn.sendall(answer(body))

    with HostileServer(big) as server:
        with (
            client_for(server.url, max_response_bytes=50_000) as client,
            pytest.raises(ResponseTooLarge) as caught,
        ):
            client.job("j-1")
        assert "50000 bytes" in str(caught.value)
        assert "max_response_bytes=" in str(caught.value)
        assert caught.value.limit == 50_000
        with client_for(server.url, max_response_bytes=200_000) as client:
            assert client.job("j-1").id == "j-1"


def test_a_compressed_answer_is_decompressed_under_the_same_limit() -> None:
    small = gzip_bomb(4 << 20)  # 4 MiB of zeros: under the default 8 MiB

    def zeros(conn: socket.socket, request: Request, stop: threading.Event) -> None:
        conn.sendall(answer(small, headers={"Content-Encoding": "gzip"}))

    with HostileServer(zeros) as server, client_for(server.url) as client:
        with pytest.raises(ClientError) as caught:
            client.job("j-1")
        assert not isinstance(caught.value, ResponseTooLarge)  # read, not JSON
        client.max_response_bytes = 1 << 20
        with pytest.raises(ResponseTooLarge, match="1 MiB"):
            client.job("j-1")


def test_wait_ends_on_time_when_a_poll_hangs() -> None:
    with (
        HostileServer(serve_silence) as server,
        client_for(server.url, timeout=60.0) as client,
    ):
        start = time.monotonic()
        with pytest.raises(WaitTimeout):
            client.wait("j-1", timeout=1.5, poll_interval=0.1)
        assert time.monotonic() - start < 1.5 + SLACK


def test_a_urllib3_timeout_still_bounds_each_attempt() -> None:
    timeout = urllib3.Timeout(connect=1.0, read=0.5)
    with (
        HostileServer(serve_silence) as server,
        client_for(server.url, timeout=timeout) as client,
    ):
        start = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.job("j-1")
        took = time.monotonic() - start
    assert 0.9 < took < 2 * 1.5 + SLACK, "two attempts of about 0.5 s"
    assert len(server.requests) == 2


def test_a_retry_after_past_the_deadline_is_not_waited_for() -> None:
    def busy(conn: socket.socket, request: Request, stop: threading.Event) -> None:
        conn.sendall(answer(b"{}", 429, "Too Many Requests", {"Retry-After": "30"}))

    slept: list[float] = []
    with (
        HostileServer(busy) as server,
        client_for(server.url, timeout=5.0, sleep=slept.append) as client,
        pytest.raises(RateLimitError),
    ):
        client.job("j-1")
    assert slept == []
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "bad_key",
    [KEY + "\n", KEY + "\r\n", " " + KEY, KEY[:10] + "\x00" + KEY[10:], KEY + "é✓"],
    ids=["newline", "crlf", "space", "nul", "not-latin-1"],
)
def test_a_malformed_key_is_refused_at_construction_without_showing_it(
    bad_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InvalidAPIKey) as caught:
        JobsClient(bad_key)
    assert isinstance(caught.value, ValueError)
    assert shows_key(caught.value) == []
    if "\x00" in bad_key:
        return  # no environment variable can hold it
    monkeypatch.setenv("JOBS_KEY", bad_key)
    with pytest.raises(InvalidAPIKey, match=r"\$JOBS_KEY") as caught:
        JobsClient()
    assert shows_key(caught.value) == []


def test_an_echoed_key_is_hidden_in_the_error_and_its_attributes() -> None:
    with (
        HostileServer(serve_key_echo) as server,
        client_for(server.url) as client,
        pytest.raises(ClientError) as caught,
    ):
        client.job("j-1")
    error = caught.value
    assert server.requests[0].key() == KEY, "the server did see the key"
    assert shows_key(error) == []
    assert KEY not in repr(getattr(error, "body", None))
    assert KEY not in repr(getattr(error, "headers", None))
    assert KEY not in repr(client)


def test_an_echoed_key_is_hidden_in_the_command_lines_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def echo(conn: socket.socket, request: Request, stop: threading.Event) -> None:
        key = request.key()
        conn.sendall(answer(json.dumps({"id": key, "status": f"hi {key}"}).encode()))

    command = CommandLine(JobsClient)
    for handler in (echo, serve_key_echo, serve_key_echo_retry):
        with HostileServer(handler) as server:
            argv = ["--api-key", KEY, "--base-url", server.url, "-v", "job", "j-1"]
            command.main([*argv[:4], "--max-retries", "1", *argv[4:]])
        out, err = capsys.readouterr()
        assert KEY not in out + err
        assert out or err
    assert command.main(["--api-key", KEY + "\n", "job", "j-1"]) == 2
    out, err = capsys.readouterr()
    assert KEY not in out + err
    assert "control character" in err


# --- downloads ---------------------------------------------------------------


def serve_video(conn: socket.socket, request: Request, stop: threading.Event) -> None:
    conn.sendall(answer(b"new video", headers={"Content-Type": "video/mp4"}))


@pytest.fixture
def video_server() -> Iterator[HostileServer]:
    with HostileServer(serve_video) as server:
        yield server


def test_an_existing_file_is_not_replaced_unless_asked(
    video_server: HostileServer, tmp_path: Path
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"old")
    with client_for(video_server.url) as client:
        with pytest.raises(DestinationExists) as caught:
            client.download(video_server.url + "/v.mp4", target)
        assert isinstance(caught.value, FileExistsError)
        assert str(target) in str(caught.value)
        assert caught.value.filename == str(target)
        assert video_server.requests == [], "refused before fetching"
        assert target.read_bytes() == b"old"
        client.download(video_server.url + "/v.mp4", target, overwrite=True)
    assert target.read_bytes() == b"new video"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_a_file_that_appears_during_the_download_is_not_replaced(
    tmp_path: Path,
) -> None:
    target = tmp_path / "out.mp4"

    def racing(conn: socket.socket, request: Request, stop: threading.Event) -> None:
        target.write_bytes(b"theirs")
        serve_video(conn, request, stop)

    with (
        HostileServer(racing) as server,
        client_for(server.url) as client,
        pytest.raises(DestinationExists),
    ):
        client.download(server.url + "/v.mp4", target)
    assert target.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/files/video.mp4", "video.mp4"),
        ("/files/../../etc/passwd", "passwd"),
        ("/files/%2e%2e%2f%2e%2e%2fsecret.mp4", "secret.mp4"),
        ("/files/a%5c..%5cb.mp4", "b.mp4"),
        ("/files/.bashrc", "bashrc"),
        ("/files/..%00x.mp4", "x.mp4"),
        ("/files/", "creation"),
        ("/files/%2e%2e", "creation"),
        ("/files/a%0ab%3a.mp4", "ab_.mp4"),
    ],
)
def test_a_folder_gets_a_safe_name_from_the_url(
    video_server: HostileServer, tmp_path: Path, path: str, name: str
) -> None:
    assert safe_file_name(video_server.url + path) == name
    folder = tmp_path / "out"
    folder.mkdir()
    with client_for(video_server.url) as client:
        saved = client.download(video_server.url + path + "?token=t", folder)
    assert saved == folder / name
    assert [p.name for p in folder.iterdir()] == [name]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_media_is_saved_as_sent_not_decompressed(tmp_path: Path) -> None:
    with HostileServer(serve_gzip_video) as server, client_for(server.url) as client:
        saved = client.download(server.url + "/v.mp4", tmp_path / "v.mp4")
    assert saved.read_bytes() == gzip_bomb(64 << 20)


def test_the_download_size_limit_names_how_to_raise_it(
    video_server: HostileServer, tmp_path: Path
) -> None:
    with client_for(video_server.url) as client:
        with pytest.raises(ResponseTooLarge, match=r"max_bytes="):
            client.download(video_server.url + "/v.mp4", tmp_path / "v", max_bytes=4)
        assert list(tmp_path.iterdir()) == []
        client.download(video_server.url + "/v.mp4", tmp_path / "v", max_bytes=9)
    assert (tmp_path / "v").read_bytes() == b"new video"


def test_a_folder_that_cannot_be_written_is_a_client_error(
    video_server: HostileServer, tmp_path: Path
) -> None:
    with (
        client_for(video_server.url) as client,
        pytest.raises(LocalFileError) as caught,
    ):
        client.download(video_server.url + "/v.mp4", tmp_path / "missing" / "v.mp4")
    assert isinstance(caught.value, OSError)
    assert "missing" in str(caught.value)


def test_progress_callbacks_see_the_bytes_as_sent(
    video_server: HostileServer, tmp_path: Path
) -> None:
    seen: list[tuple[int, int | None]] = []

    def progress(done: int, total: int | None) -> None:
        seen.append((done, total))

    with client_for(video_server.url) as client:
        client.download(
            video_server.url + "/v.mp4", tmp_path / "v", on_progress=progress
        )
    assert seen[-1] == (9, 9)
