"""The batch runner against the fake server: time against the ideal, memory.

The fake server runs in a process of its own, on the real clock, each task
running ``TASK_SECONDS`` and at most ``LIMIT`` at once (its credits endpoint
says so, and the runner follows it). ``JOBS`` jobs ideally take
``ceil(JOBS / LIMIT) * TASK_SECONDS``: the time is reported against that.
Peak memory is the runner process's own VmHWM, for 1,000 and 10,000 jobs,
each run in a fresh process. Run::

    PYTHONPATH=generated python bench/batch.py [--quick]
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TASK_SECONDS = 0.5
LIMIT = 50
KEY = "bench-key"
BODY = {
    "model": "viduq1",
    "images": ["https://example.com/a.png"],
    "prompt": "A bear waves.",
    "duration": 5,
}


@contextmanager
def fake_server() -> Iterator[str]:
    """``python -m vidu.testing`` on a free port; its URL."""
    command = [
        sys.executable,
        "-m",
        "vidu.testing",
        "--port",
        "0",
        "--api-key",
        KEY,
        "--quiet",
        "--created-seconds",
        "0",
        "--queueing-seconds",
        "0",
        "--processing-seconds",
        str(TASK_SECONDS),
        "--concurrency-limit",
        str(LIMIT),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        url = None
        for _ in range(20):
            line = process.stdout.readline()
            if "listening on" in line:
                url = line.rsplit(" ", 1)[-1].strip()
                break
        if url is None:
            raise RuntimeError("the fake server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_jobs(jobs: int, url: str) -> dict[str, Any]:
    """Run ``jobs`` jobs in this process against ``url``; time and peak memory."""
    import io

    import vidu
    from vidu import batch

    folder = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    manifest = folder / "jobs.jsonl"
    with manifest.open("w") as out:
        for n in range(jobs):
            out.write(json.dumps({"key": f"j{n}", "request": BODY}) + "\n")
    with vidu.Client(KEY, base_url=url) as client:
        start = time.perf_counter()
        summary = batch.run(
            manifest,
            folder / "out",
            client=client,
            stream=io.StringIO(),
            poll_interval=TASK_SECONDS / 2,
            max_poll_interval=TASK_SECONDS,
            tick=0.05,
            workers=8,
        )
        seconds = time.perf_counter() - start
    return {
        "jobs": jobs,
        "seconds": seconds,
        "ideal": math.ceil(jobs / LIMIT) * TASK_SECONDS,
        "downloaded": summary.counts["downloaded"],
        "peak_kib": _peak_kib(),
    }


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _child(jobs: int, url: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(jobs), "--url", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=3600,
        env={**os.environ},
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(quick: bool) -> dict[str, Any]:
    """1,000 jobs against the ideal time; peak memory of 1,000 and 10,000."""
    small_jobs, large_jobs = (200, 1000) if quick else (1000, 10000)
    with fake_server() as url:
        small = _child(small_jobs, url)
    with fake_server() as url:
        large = _child(large_jobs, url)
    return {
        "small": small,
        "large": large,
        "time_ratio": small["seconds"] / small["ideal"],
        "memory_ratio": large["peak_kib"] / small["peak_kib"],
    }


LIMIT_TEXT = (
    "Requests per job (a create, a download, a share of the batched list polls) "
    "and one ledger commit per round with a sync (`synchronous=FULL`); memory: "
    "the interpreter and the client, the jobs read from the ledger a round at a time."
)


def rows(figures: dict[str, Any]) -> list[list[str]]:
    """Rows of the benchmark table: what, baseline, figure, target, met, limit."""
    small, large = figures["small"], figures["large"]
    time_ratio = figures["time_ratio"]
    memory_ratio = figures["memory_ratio"]
    return [
        [
            f"batch, {small['jobs']:,} jobs ({LIMIT} at once, {TASK_SECONDS:g} s tasks)",
            f"the ideal {small['ideal']:.1f} s (concurrency-bound)",
            f"{time_ratio:.2f}x ({small['seconds']:.1f} s)",
            "-",
            "-",
            LIMIT_TEXT,
        ],
        [
            f"batch peak RSS, {large['jobs']:,} jobs",
            f"{small['jobs']:,} jobs ({small['peak_kib'] / 1024:.0f} MiB)",
            f"{memory_ratio:.2f}x ({large['peak_kib'] / 1024:.0f} MiB)",
            "<= 1.5x",
            "yes" if memory_ratio <= 1.5 else "**no**",
            LIMIT_TEXT,
        ],
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_jobs(args.child, args.url)))
        return 0
    print(json.dumps(measure(args.quick), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
