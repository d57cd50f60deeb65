"""What the client refuses before it sends anything, and what it says.

A ``Jobs`` API of hand-built tables, served over real sockets on 127.0.0.1
by a small server that records every request: a path parameter that would
name another resource, a ``wait()`` that could never poll, and a download
target that cannot be written all fail with a message saying what to do,
and the server sees nothing. A wait that runs out says the task goes on.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hostile_servers import HostileServer, Request, answer
from shapes import JOB_ERRORS, JOB_TASKS, Job, api_tables
from specgen_runtime.async_client import AsyncBaseClient
from specgen_runtime.client import BaseClient
from specgen_runtime.errors import (
    DestinationExists,
    LocalFileError,
    LocalFileNotFound,
    LocalNotADirectory,
    WaitTimeout,
)
from specgen_runtime.tables import ApiTables, Auth, Operation
from specgen_runtime.testing import FakeClock

KEY = "jobs-key-0a1b2c3d4e5f60718293"

JOB = Operation(
    "read_job", "GET", "/jobs/{job_id}", "A job", ("job_id",), task="get",
    idempotent=True,
)  # fmt: skip

JOBS = api_tables(
    "Jobs",
    JOB,
    auth=Auth("X-Api-Key", "", env="JOBS_KEY"),
    tasks=JOB_TASKS,
    errors=JOB_ERRORS,
)


class JobsClient(BaseClient[Job]):
    _api: ClassVar[ApiTables] = JOBS

    def read_job(self, job_id: str, /) -> Job:
        return self._call(JOB, {"job_id": job_id}, None, Job.from_json)

    def _get_task(self, task_id: str, /) -> Job:
        return self.read_job(task_id)


class AsyncJobsClient(AsyncBaseClient[Job, Job]):
    _api: ClassVar[ApiTables] = JOBS
    _client_class: ClassVar[type[BaseClient[Any]]] = JobsClient


def serve_queued_job(
    connection: socket.socket, request: Request, stop: threading.Event
) -> None:
    """Every job is still queued; anything else is a small video."""
    if request.path.startswith("/jobs/"):
        job_id = request.path.rsplit("/", 1)[-1]
        body = json.dumps({"id": job_id, "status": "queued"}).encode()
        connection.sendall(answer(body))
    else:
        connection.sendall(answer(b"video", headers={"Content-Type": "video/mp4"}))


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer(serve_queued_job) as serving:
        yield serving


def client_for(server: HostileServer, clock: FakeClock | None = None) -> JobsClient:
    """A client of ``server``; with ``clock``, only its own sleeps move time."""
    if clock is None:
        return JobsClient(KEY, base_url=server.url, timeout=5, max_retries=0)
    return JobsClient(
        KEY,
        base_url=server.url,
        timeout=5,
        max_retries=0,
        sleep=clock.advance,
        clock=clock.now,
    )


# --- path parameters ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_a_path_parameter_that_names_another_resource_is_refused(
    server: HostileServer, value: str
) -> None:
    with (
        client_for(server) as client,
        pytest.raises(ValueError, match=r"read_job: the task id .*{job_id}"),
    ):
        client.read_job(value)
    assert not server.requests


def test_a_path_parameter_is_sent_quoted(server: HostileServer) -> None:
    with client_for(server) as client:
        assert client.read_job("a/../b").status == "queued"
    assert [r.path for r in server.requests] == ["/jobs/a%2F..%2Fb"]


# --- wait() -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timeout", "poll_interval", "named", "says"),
    [
        (0.0, 2.0, "timeout=0.0", "give a positive number"),
        (-1.0, 2.0, "timeout=-1.0", "give a positive number"),
        (math.nan, 2.0, "timeout=nan", "give a positive number"),
        (900.0, 0.0, "poll_interval=0.0", "need 0 < poll_interval"),
        (900.0, -1.0, "poll_interval=-1.0", "need 0 < poll_interval"),
    ],
)
def test_a_wait_that_could_never_poll_is_refused_before_a_poll(
    server: HostileServer, timeout: float, poll_interval: float, named: str, says: str
) -> None:
    """A ``timeout`` or ``poll_interval`` that is not positive (the other at
    its default) is named in the refusal, with what to give instead."""
    with (
        client_for(server) as client,
        pytest.raises(ValueError, match=says) as refused,
    ):
        client.wait("j-1", timeout=timeout, poll_interval=poll_interval)
    assert named in str(refused.value)
    assert not server.requests


def test_the_async_wait_refuses_the_same(server: HostileServer) -> None:
    async def wait(timeout: float, poll_interval: float) -> None:
        async with AsyncJobsClient(KEY, base_url=server.url, timeout=5) as client:
            await client.wait("j-1", timeout=timeout, poll_interval=poll_interval)

    with pytest.raises(ValueError, match=r"timeout=0"):
        asyncio.run(wait(0, 2))
    with pytest.raises(ValueError, match=r"poll_interval=-1"):
        asyncio.run(wait(900, -1))
    assert not server.requests


def test_a_wait_that_runs_out_says_the_task_goes_on(server: HostileServer) -> None:
    clock = FakeClock()
    with client_for(server, clock) as client, pytest.raises(WaitTimeout) as ran_out:
        client.wait("j-7", timeout=5, poll_interval=1, max_interval=2)
    message = str(ran_out.value)
    assert message.startswith("task j-7 did not finish within 5 s (timeout=5)")
    assert "still running" in message
    assert "read_job('j-7')" in message
    assert ran_out.value.task == Job(id="j-7", status="queued")
    assert ran_out.value.waited == 5
    assert 2 <= len(server.requests) <= 7


# --- download targets -----------------------------------------------------------------


def test_a_download_into_a_missing_folder_says_to_create_it(
    server: HostileServer, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "x.mp4"
    with client_for(server) as client, pytest.raises(LocalFileNotFound) as missing:
        client.download(server.url + "/v.mp4", target)
    error = missing.value
    assert isinstance(error, FileNotFoundError)
    assert isinstance(error, LocalFileError)
    assert error.filename == str(target)
    assert str(error) == (
        f"cannot write {target}: there is no folder {tmp_path}/no/such: create it"
        " first, or choose another path"
    )
    assert not server.requests


def test_a_download_through_a_file_says_to_choose_another_path(
    server: HostileServer, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    target = tmp_path / "notes.txt" / "x.mp4"
    with client_for(server) as client, pytest.raises(LocalNotADirectory) as through:
        client.download(server.url + "/v.mp4", target)
    assert isinstance(through.value, NotADirectoryError)
    assert str(through.value).endswith(
        f"{tmp_path}/notes.txt is a file, not a folder: choose another path"
    )
    assert not server.requests


def test_an_existing_file_is_kept_and_a_folder_gets_the_urls_name(
    server: HostileServer, tmp_path: Path
) -> None:
    (tmp_path / "v.mp4").write_bytes(b"old")
    with client_for(server) as client:
        with pytest.raises(DestinationExists):
            client.download(server.url + "/v.mp4", tmp_path / "v.mp4")
        assert not server.requests
        saved = client.download(server.url + "/w.mp4", tmp_path)
    assert saved == tmp_path / "w.mp4"
    assert saved.read_bytes() == b"video"
    assert (tmp_path / "v.mp4").read_bytes() == b"old"
