"""What every benchmark of ``bench/`` shares: statistics, timed subprocesses.

Every figure is a ratio against a baseline measured in the same run, the two
interleaved (A, B, A, B, ...) so that a slow spell of the machine hits both;
each side is summarised by its median and its spread (min-max over rounds).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """The path of a console script installed beside this interpreter."""
    path = BIN / name
    return str(path) if path.exists() else name


@dataclass
class Samples:
    """Repeated measurements of one thing, in one unit."""

    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def spread(self, fmt: str = "{:.3g}") -> str:
        """``median (min-max, n)``."""
        return (
            f"{fmt.format(self.median)} ({fmt.format(self.low)}-"
            f"{fmt.format(self.high)}, n={len(self.values)})"
        )


def ratio_spread(a: Samples, b: Samples) -> tuple[float, float, float]:
    """median(a)/median(b), and the min and max of the per-round ratios."""
    pairs = [x / y for x, y in zip(a.values, b.values, strict=False) if y]
    return a.median / b.median, min(pairs), max(pairs)


@dataclass(frozen=True)
class Run:
    """One finished subprocess: wall time, exit status, output."""

    seconds: float
    returncode: int
    output: str


def run(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 300.0,
) -> Run:
    """Run ``argv`` to its end.

    Output goes to a temporary file, so the wait is one blocking call and
    the wall time carries no polling error; a timer kills a child that
    overruns ``timeout``. (No peak RSS here: on Linux a child's ``maxrss``
    starts at its parent's, so a process reads its own ``VmHWM`` instead.)
    """
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status = os.waitpid(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if seconds >= timeout:
        raise subprocess.TimeoutExpired(list(argv), timeout, text)
    return Run(seconds, proc.returncode, text)


HWM_PREFIX = "bench-peak-rss-kib:"

PEAK_RSS = f"""
import atexit, sys

def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            print("{HWM_PREFIX}", line.split()[1], file=sys.stderr)

atexit.register(_peak)
"""
"""Python that prints this process's peak RSS (``VmHWM``, KiB) at exit."""


def peak_rss_kib(output: str) -> int:
    """The peak RSS that :data:`PEAK_RSS` printed into ``output``."""
    for line in output.splitlines():
        if line.startswith(HWM_PREFIX):
            return int(line.split()[1])
    raise ValueError("no peak RSS in the output")


def interleave(
    sides: Mapping[str, Callable[[], float]], rounds: int
) -> dict[str, Samples]:
    """Call each side once per round, alternating the order; collect values."""
    samples = {name: Samples() for name in sides}
    names = list(sides)
    for i in range(rounds):
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            samples[name].add(sides[name]())
    return samples
