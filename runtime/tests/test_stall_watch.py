"""StallWatch counts polls of one task at one clock reading."""

from __future__ import annotations

import pytest
from specgen_runtime.testing._clock import STALL_POLLS, StallWatch


def test_the_poll_after_the_limit_is_refused_with_the_way_out() -> None:
    watch = StallWatch(3)
    assert [watch.poll("t", 0.0, ended=False) for _ in range(3)] == [None] * 3
    message = watch.poll("t", 0.0, ended=False)
    assert message is not None
    assert message.startswith("task t was polled 4 times while the fake server's")
    assert "sleep=server.advance" in message
    assert "server.advance(seconds)" in message


def test_a_new_reading_or_another_task_counts_afresh() -> None:
    watch = StallWatch(2)
    watch.poll("t", 0.0, ended=False)
    watch.poll("t", 0.0, ended=False)
    assert watch.poll("t", 1.0, ended=False) is None
    assert watch.poll("u", 1.0, ended=False) is None
    assert watch.poll("t", 1.0, ended=False) is None
    assert watch.poll("t", 1.0, ended=False) is not None


def test_an_ended_task_and_no_limit_are_never_refused() -> None:
    ended = StallWatch(1)
    off = StallWatch(None)
    for _ in range(10):
        assert ended.poll("t", 0.0, ended=True) is None
        assert off.poll("t", 0.0, ended=False) is None


def test_the_limit_is_a_positive_count() -> None:
    assert StallWatch().limit == STALL_POLLS
    with pytest.raises(ValueError, match="stall_polls=0"):
        StallWatch(0)
