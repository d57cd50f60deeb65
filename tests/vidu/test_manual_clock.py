"""A task polled while the fake server's manual clock stands still cannot
move: the server says so after a few polls, counted, not timed."""

from __future__ import annotations

import pytest
import vidu
from vidu.testing import FakeServer

IMAGES = ["https://example.com/a.png"]


def _no_sleep(seconds: float) -> None:
    """A sleep that takes no time and leaves the manual clock where it is."""


def test_a_wait_that_never_moves_the_clock_fails_saying_how() -> None:
    with FakeServer() as server:
        client = vidu.Client(server.api_key, base_url=server.url, sleep=_no_sleep)
        with client:
            task = client.reference2video(model="viduq1", images=IMAGES, prompt="x")
            assert task.task_id is not None
            with pytest.raises(vidu.ConflictError) as caught:
                client.wait(task.task_id)
        assert "sleep=server.advance" in str(caught.value)
        assert "polled 6 times" in str(caught.value)
        assert server.received["get_creations"] == 6


def test_the_working_form_moves_the_clock() -> None:
    with FakeServer() as server:
        client = vidu.Client(
            server.api_key,
            base_url=server.url,
            sleep=server.advance,
            clock=server.clock.now,
        )
        with client:
            task = client.reference2video(model="viduq1", images=IMAGES, prompt="x")
            assert task.task_id is not None
            creations = client.wait(task.task_id)
        assert creations
        assert server.clock.now() > 0


def test_any_advance_between_polls_starts_the_count_again() -> None:
    with FakeServer() as server:
        client = vidu.Client(server.api_key, base_url=server.url, max_retries=0)
        with client:
            task = client.reference2video(model="viduq1", images=IMAGES, prompt="x")
            assert task.task_id is not None
            for _ in range(5):
                client.get_creations(task.task_id)
            server.advance(0.001)
            for _ in range(5):
                client.get_creations(task.task_id)
            with pytest.raises(vidu.ConflictError, match=r"sleep=server\.advance"):
                client.get_creations(task.task_id)


def test_an_ended_task_may_be_polled_at_will() -> None:
    with FakeServer() as server:
        client = vidu.Client(server.api_key, base_url=server.url)
        with client:
            task = client.reference2video(model="viduq1", images=IMAGES, prompt="x")
            assert task.task_id is not None
            server.advance(3600)
            for _ in range(10):
                done = client.get_creations(task.task_id)
        assert done.state == vidu.TaskState.SUCCESS


def test_stall_polls_none_turns_the_check_off() -> None:
    with FakeServer(stall_polls=None) as server:
        client = vidu.Client(server.api_key, base_url=server.url)
        with client:
            task = client.reference2video(model="viduq1", images=IMAGES, prompt="x")
            assert task.task_id is not None
            for _ in range(10):
                queued = client.get_creations(task.task_id)
        assert queued.state != vidu.TaskState.SUCCESS
