"""The deadline watchdog: one thread per client, a heap of deadlines.

Real sockets (a connected pair on this machine) stand for an attempt's
connection; every wait is bounded by a socket timeout or a join timeout.
"""

from __future__ import annotations

import socket
import threading

import pytest
from specgen_runtime import _deadlines
from specgen_runtime._deadlines import Watchdog


def _watchdog_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "deadline-watchdog"]


def test_a_blocked_read_returns_when_its_deadline_passes() -> None:
    dog = Watchdog()
    ours, theirs = socket.socketpair()
    with ours, theirs:
        ours.settimeout(10)
        watch = dog.start(0.05)
        watch.watch(ours)
        assert ours.recv(1) == b""  # shut down by the watchdog, not timed out
        assert watch.fired


def test_a_finished_attempt_is_never_cut() -> None:
    dog = Watchdog()
    ours, theirs = socket.socketpair()
    with ours, theirs:
        early = dog.start(0.01)
        early.watch(ours)
        early.cancel()
        later = dog.start(0.02)
        spare, other = socket.socketpair()
        with spare, other:
            spare.settimeout(10)
            later.watch(spare)
            assert spare.recv(1) == b""
        assert later.fired
        assert not early.fired
        theirs.sendall(b"x")
        ours.settimeout(10)
        assert ours.recv(1) == b"x"


def test_a_socket_watched_after_the_deadline_is_shut_at_once() -> None:
    dog = Watchdog()
    first = dog.start(0.0)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        probe, other = socket.socketpair()
        with probe, other:
            probe.settimeout(10)
            first.watch(probe)
            assert probe.recv(1) == b""
        ours.settimeout(10)
        first.watch(ours)
        assert ours.recv(1) == b""


def test_one_thread_serves_every_attempt_and_ends_when_idle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_deadlines, "IDLE_SECONDS", 0.05)
    before = len(_watchdog_threads())
    dog = Watchdog()
    watches = [dog.start(60.0) for _ in range(200)]
    assert len(_watchdog_threads()) == before + 1
    thread = dog._thread
    assert thread is not None
    blocker = threading.Event()
    blocker.wait(0.05)  # let the thread settle into waiting for the first deadline
    for watch in watches:
        watch.cancel()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert dog._thread is None
    again = dog.start(60.0)  # a new attempt starts a new thread
    assert dog._thread is not None
    assert dog._thread is not thread
    again.cancel()


def test_finished_attempts_do_not_pile_up_in_the_heap() -> None:
    dog = Watchdog()
    for _ in range(5000):
        dog.start(60.0).cancel()
    assert len(dog._heap) <= 2 * _deadlines._COMPACT_AT
