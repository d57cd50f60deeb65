"""Benchmark: ``vidu-codegen generate`` against the generators a user would pick.

Each a whole process, timed from start to exit, interleaved over rounds:

* ``vidu-codegen generate --out <fresh dir>`` (bundled spec), with the
  generator's cache (compiled templates, spec files read, files formatted:
  see ``vidu_codegen.cache``) in a folder of this run, filled by a first
  ``generate``: a developer's second and later runs;
* the same with the cache off (``VIDU_CODEGEN_CACHE_DIR=off``): a first run,
  or CI on a fresh machine;
* ``vidu-codegen generate --check --out <dir generated before>`` (cached);
* ``openapi-python-client generate`` on the OpenAPI export (with
  ``literal_enums: true``: the export's enum aliases differ only in case, which
  its default enum classes refuse),
* ``datamodel-codegen`` (pydantic v2 models) on the OpenAPI export.

Then the growth: synthetic specs of 5 to 150 operations (``synth_spec.py``),
each generated once with an empty cache (wall time and peak RSS), then
checked once with the cache it filled; and a cProfile of one cached
``generate`` of the bundled spec, to say what bounds it.

Run::

    python bench/bench_generate.py [--rounds N] [--sizes 5,50,100,150] [--json PATH]
"""

import argparse
import cProfile
import io
import json
import os
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


def cache_env(folder: Path | str) -> dict[str, str]:
    """The environment with the generator's cache in ``folder`` (or ``off``)."""
    return {**os.environ, "VIDU_CODEGEN_CACHE_DIR": str(folder)}


def generators(tmp: Path) -> dict[str, Any]:
    """The timed commands, each a callable returning seconds."""
    cached, uncached = cache_env(tmp / "cache"), cache_env("off")
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
            [tool("vidu-codegen"), "generate", "--out", str(reference)],
            cwd=ROOT,
            env=cached,
        ),
        "generate",
    )
    counter = iter(range(10_000))

    def fresh(name: str) -> Path:
        path = tmp / f"{name}-{next(counter)}"
        shutil.rmtree(path, ignore_errors=True)
        return path

    def generate(env: dict[str, str]) -> float:
        out = fresh("vidu")
        seconds = _checked(
            benchlib.run(
                [tool("vidu-codegen"), "generate", "--out", str(out)],
                cwd=ROOT,
                env=env,
            ),
            "generate",
        )
        shutil.rmtree(out)
        return seconds

    def check() -> float:
        argv = [tool("vidu-codegen"), "generate", "--check", "--out", str(reference)]
        # exit 1 (stale) still did all the work: templates may change mid-run
        return _checked(
            benchlib.run(argv, cwd=ROOT, env=cached), "generate --check", ok=(0, 1)
        )

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
        "vidu-codegen generate": lambda: generate(cached),
        "vidu-codegen generate, no cache": lambda: generate(uncached),
        "vidu-codegen generate --check": check,
        "openapi-python-client": opc,
        "datamodel-codegen": datamodel,
    }


def growth(tmp: Path, sizes: Sequence[int]) -> list[dict[str, float]]:
    """Generate a synthetic spec of each size (operations) once with an empty
    cache, then check it once with the cache that run filled: seconds and
    peak RSS of each."""
    rows = []
    for count in sizes:
        spec = synth_spec.write(count, tmp / f"spec-{count}")
        out = tmp / f"out-{count}"
        env = cache_env(tmp / f"cache-{count}")
        code = benchlib.PEAK_RSS + GENERATE
        argv = [sys.executable, "-c", code, "--spec", str(spec), "generate"]
        argv += ["--out", str(out)]
        cold = benchlib.run(argv, cwd=ROOT, env=env, timeout=600)
        _checked(cold, f"generate ({count} operations)")
        warm = benchlib.run([*argv, "--check"], cwd=ROOT, env=env, timeout=600)
        _checked(warm, f"generate --check ({count} operations)")
        rows.append(
            {
                "operations": count,
                "seconds": cold.seconds,
                "max_rss_mib": benchlib.peak_rss_kib(cold.output) / 1024,
                "cached_seconds": warm.seconds,
            }
        )
        shutil.rmtree(out)
        shutil.rmtree(spec)
        shutil.rmtree(tmp / f"cache-{count}", ignore_errors=True)
    return rows


def profile(tmp: Path, spec: Path | None = None, top: int = 14) -> str:
    """cProfile of one cached ``generate`` in this process (the cache is the
    one :func:`generators` filled): the top entries by cumulative time."""
    from vidu_codegen import cli

    argv = ["generate", "--out", str(tmp / "profiled")]
    if spec is not None:
        argv = ["--spec", str(spec), *argv]
    profiler = cProfile.Profile()
    old = os.environ.get("VIDU_CODEGEN_CACHE_DIR")
    os.environ["VIDU_CODEGEN_CACHE_DIR"] = str(tmp / "cache")
    try:
        with _cwd(ROOT), _quiet():
            profiler.runcall(cli.main, argv)
    finally:
        if old is None:
            del os.environ["VIDU_CODEGEN_CACHE_DIR"]
        else:
            os.environ["VIDU_CODEGEN_CACHE_DIR"] = old
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).sort_stats("cumulative")
    stats.print_stats(r"vidu_codegen|ruamel|jinja2|cattrs|subprocess|ruff", top)
    shutil.rmtree(tmp / "profiled", ignore_errors=True)
    lines = stream.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if "ncalls" in line)
    return "\n".join(lines[start : start + top + 1])


class _cwd:
    def __init__(self, path: Path) -> None:
        self.path, self.old = path, Path.cwd()

    def __enter__(self) -> None:
        os.chdir(self.path)

    def __exit__(self, *exc: object) -> None:
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
    parser.add_argument(
        "--sizes", default="5,50,100,150", help="operations, comma-separated"
    )
    parser.add_argument("--json", type=Path, metavar="PATH")
    parser.add_argument("--quick", action="store_true", help="1 round, sizes 5,10")
    args = parser.parse_args(argv)
    rounds, sizes = args.rounds, [int(s) for s in args.sizes.split(",")]
    if args.quick:
        rounds, sizes = 1, [5, 10]
    result = measure(rounds, sizes)
    print(json.dumps({k: v for k, v in result.items() if k != "profile"}, indent=2))
    print(result["profile"])
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
