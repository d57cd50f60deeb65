"""Benchmark: ``vidu-codegen generate`` against the generators a user would pick.

Each a whole process, timed from start to exit, interleaved over rounds:

* ``vidu-codegen generate --out <fresh dir>`` (bundled spec),
* ``vidu-codegen generate --check --out <dir generated before>``,
* ``openapi-python-client generate`` on the OpenAPI export (with
  ``literal_enums: true``: the export's enum aliases differ only in case, which
  its default enum classes refuse),
* ``datamodel-codegen`` (pydantic v2 models) on the OpenAPI export.

Then the growth: a synthetic spec of 1 to 50 copies of the bundled
operations (``synth_spec.py``), generated once each, wall time and peak RSS;
and a cProfile of one ``generate`` of the bundled spec, to say what bounds it.

Run::

    python bench/bench_generate.py [--rounds N] [--sizes 1,10,25,50] [--json PATH]
"""

import argparse
import cProfile
import io
import json
import pstats
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import benchlib
import synth_spec
from benchlib import ROOT, Samples, tool

OPC_CONFIG = "literal_enums: true\n"
GENERATE = """
from vidu_codegen.cli import main
sys.exit(main(sys.argv[1:]))
"""
"""``vidu-codegen`` in a fresh interpreter that reports its own peak RSS."""


def _checked(result: benchlib.Run, what: str, ok: Sequence[int] = (0,)) -> float:
    if result.returncode not in ok:
        raise RuntimeError(
            f"{what} exited {result.returncode}:\n{result.output[-2000:]}"
        )
    return result.seconds


def generators(tmp: Path) -> dict[str, Any]:
    """The four timed commands, each a callable returning seconds."""
    openapi = tmp / "openapi.json"
    _checked(
        benchlib.run(
            [tool("vidu-codegen"), "openapi", "--out", str(openapi)], cwd=ROOT
        ),
        "openapi",
    )
    config = tmp / "opc.yaml"
    config.write_text(OPC_CONFIG, encoding="utf-8")
    reference = tmp / "reference"
    _checked(
        benchlib.run(
            [tool("vidu-codegen"), "generate", "--out", str(reference)], cwd=ROOT
        ),
        "generate",
    )
    counter = iter(range(10_000))

    def fresh(name: str) -> Path:
        path = tmp / f"{name}-{next(counter)}"
        shutil.rmtree(path, ignore_errors=True)
        return path

    def vidu() -> float:
        out = fresh("vidu")
        seconds = _checked(
            benchlib.run(
                [tool("vidu-codegen"), "generate", "--out", str(out)], cwd=ROOT
            ),
            "generate",
        )
        shutil.rmtree(out)
        return seconds

    def check() -> float:
        argv = [tool("vidu-codegen"), "generate", "--check", "--out", str(reference)]
        # exit 1 (stale) still did all the work: templates may change mid-run
        return _checked(benchlib.run(argv, cwd=ROOT), "generate --check", ok=(0, 1))

    def opc() -> float:
        out = fresh("opc")
        argv = [
            tool("openapi-python-client"),
            "generate",
            "--path",
            str(openapi),
            "--output-path",
            str(out),
            "--config",
            str(config),
        ]
        seconds = _checked(benchlib.run(argv, cwd=tmp), "openapi-python-client")
        shutil.rmtree(out)
        return seconds

    def datamodel() -> float:
        out = fresh("dm")
        argv = [
            tool("datamodel-codegen"),
            "--input",
            str(openapi),
            "--input-file-type",
            "openapi",
            "--output",
            str(out) + ".py",
            "--output-model-type",
            "pydantic_v2.BaseModel",
        ]
        seconds = _checked(benchlib.run(argv, cwd=tmp), "datamodel-codegen")
        Path(str(out) + ".py").unlink()
        return seconds

    return {
        "vidu-codegen generate": vidu,
        "vidu-codegen generate --check": check,
        "openapi-python-client": opc,
        "datamodel-codegen": datamodel,
    }


def growth(tmp: Path, sizes: Sequence[int]) -> list[dict[str, float]]:
    """Generate a synthetic spec of each size once: seconds and peak RSS."""
    rows = []
    for copies in sizes:
        spec = synth_spec.write(copies, tmp / f"spec-{copies}")
        out = tmp / f"out-{copies}"
        code = benchlib.PEAK_RSS + GENERATE
        argv = [sys.executable, "-c", code, "--spec", str(spec), "generate"]
        argv += ["--out", str(out)]
        result = benchlib.run(argv, cwd=ROOT, timeout=600)
        _checked(result, f"generate ({copies} copies)")
        rows.append(
            {
                "copies": copies,
                "operations": synth_spec.operation_count(copies),
                "seconds": result.seconds,
                "max_rss_mib": benchlib.peak_rss_kib(result.output) / 1024,
            }
        )
        shutil.rmtree(out)
        shutil.rmtree(spec)
    return rows


def profile(tmp: Path, spec: Path | None = None, top: int = 14) -> str:
    """cProfile of one ``generate`` in this process: the top entries by cumulative time."""
    from vidu_codegen import cli

    argv = ["generate", "--out", str(tmp / "profiled")]
    if spec is not None:
        argv = ["--spec", str(spec), *argv]
    profiler = cProfile.Profile()
    with _cwd(ROOT), _quiet():
        profiler.runcall(cli.main, argv)
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
    stats.print_stats(r"vidu_codegen|ruamel|jinja2|subprocess|ruff", top)
    shutil.rmtree(tmp / "profiled", ignore_errors=True)
    lines = stream.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start : start + top + 1])


class _cwd:
    def __init__(self, path: Path) -> None:
        self.path, self.old = path, Path.cwd()

    def __enter__(self) -> None:
        import os

        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
        import os

        os.chdir(self.old)


class _quiet:
    def __enter__(self) -> None:
        self.old = sys.stdout
        sys.stdout = io.StringIO()

    def __exit__(self, *exc: object) -> None:
        sys.stdout = self.old


def measure(rounds: int, sizes: Sequence[int]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vidu-bench-") as name:
        tmp = Path(name)
        samples: dict[str, Samples] = benchlib.interleave(generators(tmp), rounds)
        rows = growth(tmp, sizes)
        prof = profile(tmp)
    base = samples["openapi-python-client"]
    return {
        "rounds": rounds,
        "seconds": {k: s.values for k, s in samples.items()},
        "median": {k: s.median for k, s in samples.items()},
        "ratio_to_opc": {
            k: dict(
                zip(
                    ("median", "low", "high"),
                    benchlib.ratio_spread(s, base),
                    strict=True,
                )
            )
            for k, s in samples.items()
        },
        "growth": rows,
        "profile": prof,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,25,50", help="copies, comma-separated")
    parser.add_argument("--json", type=Path, metavar="PATH")
    parser.add_argument("--quick", action="store_true", help="1 round, sizes 1,2")
    args = parser.parse_args(argv)
    rounds, sizes = args.rounds, [int(s) for s in args.sizes.split(",")]
    if args.quick:
        rounds, sizes = 1, [1, 2]
    result = measure(rounds, sizes)
    print(json.dumps({k: v for k, v in result.items() if k != "profile"}, indent=2))
    print(result["profile"])
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
