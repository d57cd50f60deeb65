"""Reliability figures of the generated client: hostile answers survived, and a fault soak.

Two parts, both over real sockets on 127.0.0.1:

* **hostile answers**: every case of ``runtime/tests/hostile_servers.py``
  (a gzip bomb, an endless chunked body, a huge ``Content-Length``, a body
  trickled a byte at a time, JSON nested 100,000 deep, the API key echoed
  back, short and stalled downloads...) against ``vidu.Client``. A case is
  survived when the call ends in the expected ``vidu.ViduError`` within its
  time limit, shows the API key nowhere (message, ``repr``, attributes,
  log records), and leaves no file and no open socket behind.
* **soak**: ``--creates`` creates against ``vidu.testing.FakeServer`` with
  faults injected at random (a connection dropped before or after the
  request was read, 500, 502, 503, 429). No create may make two tasks (each
  carries its own ``payload``; the server's tasks are counted by payload),
  and no socket may stay open (the process's file descriptors are counted
  before and after).

Run::

    python bench/reliability_client.py [--creates 2000] [--seed 8] [--json PATH]

The exit status is 1 when a hostile case is not survived, a create was
duplicated or a socket leaked; else 0.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import gc
import json
import logging
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import urllib3
import vidu
from specgen_runtime.retry import RetryPolicy
from vidu.testing import FakeServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "runtime" / "tests"))
import hostile_servers

KEY = "vidu-key-8c7b6a5f4e3d2c1b0a998877"
CREATE: dict[str, Any] = {
    "model": "viduq2",
    "images": ["https://example.com/a.png"],
    "prompt": "A bear by the lake.",
}
FAULTS: tuple[tuple[str, dict[str, Any]] | None, ...] = (
    None,
    None,
    ("drop before the request is read", {"drop": "before_read"}),
    ("drop after the request is read", {"drop": "after_read"}),
    ("500", {"status": 500}),
    ("502", {"status": 502}),
    ("503", {"status": 503}),
    ("429", {"status": 429, "retry_after": "0"}),
)
"""What the soak injects before each create, chosen at random (two in eight
creates get no fault)."""


def open_fds() -> int:
    """How many file descriptors this process has open."""
    gc.collect()
    return len(os.listdir("/proc/self/fd"))


def settled_fds(at_most: int, seconds: float = 3.0) -> int:
    """Open descriptors, waiting (bounded) for closing sockets to go."""
    count = open_fds()
    for _ in range(int(seconds / 0.05)):
        if count <= at_most:
            break
        time.sleep(0.05)
        count = open_fds()
    return count


# --- hostile answers -------------------------------------------------------------


@attrs.frozen
class HostileResult:
    case: str
    survived: bool
    error: str
    seconds: float
    problems: tuple[str, ...]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextlib.contextmanager
def _logged() -> Iterator[_Records]:
    logger = logging.getLogger("vidu")
    records = _Records()
    level = logger.level
    logger.addHandler(records)
    logger.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)


def _shows_key(error: BaseException) -> bool:
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return False
        text = str(seen) + repr(seen) + repr(seen.args) + repr(vars(seen))
        if KEY in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def run_case(case: hostile_servers.Case) -> HostileResult:
    """Meet one hostile answer with ``vidu.Client``; whether it was survived."""
    problems: list[str] = []
    before = open_fds()
    error: BaseException | None = None
    with tempfile.TemporaryDirectory() as folder, _logged() as records:
        with (
            hostile_servers.serving(case) as server,
            vidu.Client(
                KEY,
                base_url=server.url,
                timeout=hostile_servers.SECONDS,
                max_retries=1,
                backoff=0.05,
            ) as client,
        ):
            start = time.monotonic()
            try:
                if case.call == "get":
                    client.get_creations("123")
                elif case.call == "create":
                    client.reference2video(**CREATE)
                else:
                    client.download(
                        server.url + "/video.mp4",
                        Path(folder) / "video.mp4",
                        **hostile_servers.DOWNLOAD_OPTIONS,
                    )
            except Exception as exc:  # judged below, whatever it is
                error = exc
            took = time.monotonic() - start
        left = os.listdir(folder)
    if error is None:
        problems.append("no error")
    elif not isinstance(error, vidu.ViduError):
        problems.append(f"not a ViduError: {type(error).__name__}")
    elif not isinstance(error, case.expected):
        problems.append(f"unexpected {type(error).__name__}")
    if error is not None and _shows_key(error):
        problems.append("the key in the error")
    if any(KEY in line for line in records.lines):
        problems.append("the key in a log record")
    if took > case.within + hostile_servers.SLACK:
        problems.append(f"took {took:.1f} s")
    if left:
        problems.append(f"left {left}")
    if settled_fds(before) > before:
        problems.append("a socket left open")
    name = type(error).__name__ if error is not None else "-"
    return HostileResult(case.id, not problems, name, took, tuple(problems))


# --- soak ------------------------------------------------------------------------


@attrs.frozen
class SoakResult:
    creates: int
    outcomes: dict[str, int]
    faults: dict[str, int]
    tasks: int
    duplicates: int
    requests: int
    fds_before: int
    fds_after: int
    seconds: float

    @property
    def leaked(self) -> int:
        return max(self.fds_after - self.fds_before, 0)


def soak(creates: int, seed: int = 8) -> SoakResult:
    """``creates`` creates with random faults: outcomes, tasks and duplicates."""
    rng = random.Random(seed)
    outcomes: collections.Counter[str] = collections.Counter()
    faults: collections.Counter[str] = collections.Counter()
    start = time.monotonic()
    with FakeServer(api_key=KEY) as server:
        fds_before = open_fds()
        with vidu.Client(
            KEY,
            base_url=server.url,
            timeout=urllib3.Timeout(connect=2.0, read=2.0),
            retry=RetryPolicy(max_retries=2, jitter=lambda: 0.0),
            sleep=lambda seconds: None,
        ) as client:
            for index in range(creates):
                fault = rng.choice(FAULTS)
                if fault is not None:
                    faults[fault[0]] += 1
                    server.inject("reference2video", **fault[1])
                try:
                    client.reference2video(**CREATE, payload=f"soak-{index}")
                    outcomes["created"] += 1
                except vidu.ViduError as exc:
                    outcomes[type(exc).__name__] += 1
                server.clear_faults()
        fds_after = settled_fds(fds_before)
        by_payload = collections.Counter(
            server.task(task_id)["payload"] for task_id in server.task_ids
        )
        requests = server.received["reference2video"]
    return SoakResult(
        creates=creates,
        outcomes=dict(outcomes),
        faults=dict(faults),
        tasks=sum(by_payload.values()),
        duplicates=sum(count - 1 for count in by_payload.values()),
        requests=requests,
        fds_before=fds_before,
        fds_after=fds_after,
        seconds=time.monotonic() - start,
    )


# --- the report ------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    print(f"hostile answers ({len(hostile_servers.CASES)} cases, vidu.Client):")
    results = [run_case(case) for case in hostile_servers.CASES]
    for result in results:
        mark = "ok  " if result.survived else "FAIL"
        extra = f"  {'; '.join(result.problems)}" if result.problems else ""
        print(
            f"  {mark} {result.case:32} {result.error:26} {result.seconds:5.2f} s{extra}"
        )
    survived = sum(result.survived for result in results)
    print(f"hostile responses survived: {survived} of {len(results)}")

    figures = soak(args.creates, args.seed)
    print(
        f"soak: {figures.creates} creates in {figures.seconds:.1f} s, "
        f"{figures.requests} requests, faults {dict(sorted(figures.faults.items()))}"
    )
    print(f"  outcomes: {dict(sorted(figures.outcomes.items()))}")
    print(
        f"soak creates: {figures.creates}, tasks created: {figures.tasks}, "
        f"duplicates: {figures.duplicates}, sockets leaked: {figures.leaked}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "hostile": [attrs.asdict(result) for result in results],
            "hostile_survived": survived,
            "hostile_cases": len(results),
            "soak": attrs.asdict(figures) | {"leaked": figures.leaked},
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    failed = survived < len(results) or figures.duplicates or figures.leaked
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
