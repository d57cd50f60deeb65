"""Batch runs against the fake server in a fraction of real time: the
request every job sends, options that keep a run short, and a manifest."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from vidu.testing import FakeServer

BODY = {
    "model": "viduq1",
    "images": ["https://example.com/a.png"],
    "prompt": "A bear waves.",
    "duration": 5,
}
SUCCESS_CREDITS = 4
"""What the fake server's successful tasks cost: the spec's example of one."""
FAST: dict[str, Any] = {
    "settle": 0.3,
    "window_margin": 5.0,
    "poll_interval": 0.05,
    "max_poll_interval": 0.2,
    "tick": 0.05,
    "backoff": 0.05,
    "max_backoff": 0.2,
    "deadline": 30.0,
    "capacity_interval": 0.5,
}


class FastClock:
    """Task time runs ``speed`` times faster than real time; dates are real."""

    def __init__(self, speed: float = 40.0) -> None:
        self.speed = speed

    def now(self) -> float:
        return time.monotonic() * self.speed

    def wall(self) -> datetime:
        return datetime.now(UTC)


def fast_server(**kwargs: Any) -> FakeServer:
    return FakeServer(clock=FastClock(), file_size=4096, **kwargs)


def write_manifest(path: Path, count: int) -> Path:
    lines = [
        json.dumps(
            {
                "key": f"job-{n}",
                "file": f"job-{n}.mp4",
                "request": {**BODY, "payload": f"p{n}"},
            }
        )
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path
