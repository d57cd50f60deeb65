"""vidu.Client against the fake server with faults, and against hostile servers.

The soak and the hostile runner are those of ``bench/reliability_client.py``
(``nox -s reliability`` runs them at full size); here they run small.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest
import vidu
from specgen_runtime.cli import CommandLine
from vidu.testing import FakeServer

PROJECT = Path(__file__).resolve().parents[2]


def _bench() -> ModuleType:
    path = PROJECT / "bench" / "reliability_client.py"
    spec = importlib.util.spec_from_file_location("reliability_client", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
KEY = BENCH.KEY
vidu_main = CommandLine(vidu.Client).main


def test_a_soak_of_creates_with_faults_duplicates_nothing_and_leaks_no_socket() -> None:
    figures = BENCH.soak(300, seed=3)
    assert figures.duplicates == 0
    assert figures.leaked == 0
    assert figures.outcomes["created"] > 0
    assert sum(figures.outcomes.values()) == 300
    assert figures.tasks <= 300


@pytest.mark.parametrize(
    "case",
    [c for c in BENCH.hostile_servers.CASES if c.call != "get" or "echo" in c.name],
    ids=lambda case: case.id,
)
def test_vidu_survives_hostile_answers(case: object) -> None:
    result = BENCH.run_case(case)
    assert result.survived, result.problems


def test_wait_returns_on_time_when_a_poll_hangs() -> None:
    with (
        FakeServer(api_key=KEY) as server,
        vidu.Client(KEY, base_url=server.url, timeout=60.0) as client,
    ):
        task = client.reference2video(**BENCH.CREATE)
        assert task.task_id is not None
        server.inject("get_creations", delay=20.0)
        start = time.monotonic()
        with pytest.raises(vidu.WaitTimeout):
            client.wait(task.task_id, timeout=1.0, poll_interval=0.1)
        assert time.monotonic() - start < 2.5


def test_a_create_with_a_deadline_is_not_sent_twice() -> None:
    with (
        FakeServer(api_key=KEY) as server,
        vidu.Client(KEY, base_url=server.url, timeout=1.0) as client,
    ):
        server.inject("reference2video", delay=20.0)
        start = time.monotonic()
        with pytest.raises(vidu.RequestMayHaveSucceeded):
            client.reference2video(**BENCH.CREATE, payload="p-1")
        assert time.monotonic() - start < 2.5
        assert server.received["reference2video"] == 1


def test_the_command_line_refuses_to_replace_a_download_before_creating(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "bear.mp4"
    target.write_bytes(b"mine")
    with FakeServer(api_key=KEY, clock="real", durations={}) as server:
        argv = ["--api-key", KEY, "--base-url", server.url, "reference2video"]
        argv += ["--model", "viduq2", "--image", "https://example.com/a.png"]
        argv += ["--prompt", "A bear.", "--download", str(target)]
        assert vidu_main(argv) == 2  # invalid input
        assert server.received["reference2video"] == 0
        assert "--overwrite" in capsys.readouterr().err
        assert target.read_bytes() == b"mine"
        assert vidu_main([*argv, "--poll-interval", "0.1", "--overwrite"]) == 0
    assert target.read_bytes() != b"mine"
    assert [p.name for p in tmp_path.iterdir()] == ["bear.mp4"]
    assert KEY not in capsys.readouterr().out
