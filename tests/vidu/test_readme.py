"""Every Python block of the README runs as written.

A block that talks to the service runs against the fake server instead:
``vidu.Client`` is pointed at it for the block's duration. Each block is run
by exactly one test, found by a marker it contains; a new block without one
fails :func:`test_every_block_is_run`.
"""

from __future__ import annotations

import functools
import json
import re
import struct
import time
import warnings
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import vidu
from vidu import batch, webhooks
from vidu.testing import FakeServer

from tests.conftest import PROJECT

BLOCKS = re.findall(r"```python\n(.*?)```", (PROJECT / "README.md").read_text(), re.S)

Runner = Callable[[str, pytest.MonkeyPatch], None]
RUNNERS: dict[str, Runner] = {}
"""How each block runs, by a marker only that block contains."""


def runs(marker: str) -> Callable[[Runner], Runner]:
    def register(runner: Runner) -> Runner:
        RUNNERS[marker] = runner
        return runner

    return register


def png(width: int, height: int) -> bytes:
    """A real (black) PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" * (1 + 3 * width) for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def execute(block: str, **given: object) -> dict[str, Any]:
    """Run ``block``, then every ``test_*`` function it defines."""
    namespace: dict[str, Any] = dict(given)
    exec(block, namespace)
    for name, value in list(namespace.items()):
        if name.startswith("test_") and callable(value):
            value()
    return namespace


@pytest.fixture(autouse=True)
def in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks run in an empty folder holding a valid santa.png."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "santa.png").write_bytes(png(200, 160))


@runs('vidu.Image.from_path("santa.png")')
def checking_a_request(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with warnings.catch_warnings():  # the block escalates ValidationWarning
        namespace = execute(block)
        assert warnings.filters[0][2] is vidu.ValidationWarning
    assert namespace["request"].to_json()["images"][1].startswith("data:image/png")


@runs("client.cancel(later.task_id)")
def task_life_cycle(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeServer() as server:
        against_the_fake = functools.partial(
            vidu.Client,
            server.api_key,
            base_url=server.url,
            sleep=server.advance,
            clock=server.clock.now,
        )
        monkeypatch.setattr(vidu, "Client", against_the_fake)
        execute(block)
        first, later = server.task_ids
        assert server.task(first)["state"] == "success"
        assert server.task(later)["state"] == "failed"  # cancelled before it started
    assert Path("bear.mp4").stat().st_size == server.file_size


@runs("client.list_tasks(states=[state]")
def listing_tasks(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeServer(page_size=2) as server:
        against_the_fake = functools.partial(
            vidu.Client, server.api_key, base_url=server.url
        )
        monkeypatch.setattr(vidu, "Client", against_the_fake)
        with vidu.Client() as client:
            for n in range(5):
                client.reference2video(
                    model="viduq2",
                    images=["https://example.com/bear.png"],
                    prompt=f"shot {n}",
                    payload=f"shot-{n}",
                )
        for _ in range(20):  # every task runs to its end
            server.advance(60)
        namespace = execute(block)
        listed = server.received["list_tasks"]
    assert namespace["credits"].concurrency_limit >= 1
    assert listed == 3 + 1 + 1  # three pages of successes, one of failures, one of 20


@runs('summary = batch.run("jobs.jsonl", "out")')
def batch_generation(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The block as written, against a fake server whose tasks run 40 times
    faster than real time, with the runner's waits shortened to match."""
    fast: dict[str, Any] = {
        "settle": 0.3,
        "poll_interval": 0.05,
        "max_poll_interval": 0.2,
    }
    with FakeServer(clock=_FastClock(), file_size=4096) as server:
        client = vidu.Client(server.api_key, base_url=server.url)
        run = functools.partial(batch.run, client=client, **fast)
        monkeypatch.setattr(batch, "run", run)
        with client:
            namespace = execute(block)
        created = server.received["reference2video"]
    assert created == 3
    assert namespace["summary"].counts["downloaded"] == 3
    assert sorted(p.name for p in Path("out").glob("*.mp4")) == [
        "blue.mp4",
        "green.mp4",
        "red.mp4",
    ]


class _FastClock:
    """Task time runs 40 times faster than real time; dates are real."""

    def now(self) -> float:
        return time.monotonic() * 40

    def wall(self) -> datetime:
        return datetime.now(UTC)


@runs('vidu.Image.from_path("no/such/bear.png")')
def local_file_errors(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs("vidu.TaskCreations.from_json(body)")
def responses(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs("client.with_options(")
def per_call_options(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs("client.with_raw_response.")
def raw_responses(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = execute(block)
    assert namespace["raw"].status == 200


@runs('os.environ["VIDU_BASE_URL"] = server.url')
def key_and_host_from_the_environment(
    block: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIDU_API_KEY", "restored-after-the-block")
    monkeypatch.delenv("VIDU_BASE_URL", raising=False)
    execute(block)


@runs("urllib3.PoolManager(maxsize=16)")
def a_pool_of_your_own(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs("async def make_shots")
def async_client(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs("async def create_then_give_up")
def async_cancellation(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs("webhooks.verify(")
def callbacks(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://example.com/vidu/callback"
    key = "test-key-0123456789"
    body = {"id": "42", "state": "success", "creations": [{"url": "https://x/v.mp4"}]}
    namespace = execute(
        block,
        callback_url=url,
        request_headers=webhooks.signed_headers("POST", url, key),
        api_key=key,
        request_body=json.dumps(body),
    )
    assert namespace["task"].id == "42"
    with pytest.raises(webhooks.WebhookVerificationError):
        execute(
            block,
            callback_url=url,
            request_headers=webhooks.signed_headers("POST", url, "another-key"),
            api_key=key,
            request_body=json.dumps(body),
        )


@runs("def test_my_pipeline")
def fake_server(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs("strategies.bodies(")
def hypothesis_strategies(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    execute(block)


@runs('validation_mode("warn")')
def validation_modes(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.warns(vidu.ValidationWarning, match="unknown model 'viduq4'"):
        namespace = execute(block)
    assert namespace["request"].model == "viduq4"


def test_every_block_is_run() -> None:
    for block in BLOCKS:
        found = [marker for marker in RUNNERS if marker in block]
        assert len(found) == 1, f"{len(found)} runners for the block:\n{block}"


@pytest.mark.parametrize("marker", list(RUNNERS))
def test_the_block_runs(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = [block for block in BLOCKS if marker in block]
    assert len(blocks) == 1, f"{len(blocks)} blocks contain {marker!r}"
    RUNNERS[marker](blocks[0], monkeypatch)
