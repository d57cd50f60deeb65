"""Run every benchmark of ``bench/`` and write ``BENCHMARKS.md``.

``nox -s bench`` runs this (about 6 minutes); ``-- --quick`` makes a smoke
run (about a minute, figures too rough to quote) that prints the Markdown
instead of writing it, unless ``--out`` is given.

Run::

    PYTHONPATH=generated python bench/run.py [--quick] [--out BENCHMARKS.md]
        [--json results.json]
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import batch as bench_batch
import bench_generate
import bench_runtime
import bench_validate
import benchlib
from benchlib import ROOT, Samples

PEERS = (
    "pydantic",
    "fastjsonschema",
    "jsonschema",
    "openapi-python-client",
    "datamodel-code-generator",
    "urllib3",
)

LIMITS: dict[str, str] = {
    "generate": (
        "With the generator's cache (compiled templates, spec files read and "
        "files formatted before, each keyed by its content), a run is mostly "
        "start-up: about 0.2 s of 0.45 s goes to the interpreter and imports "
        "(attrs about 30 ms, Jinja2 30 ms, cattrs 15 ms, and the attrs classes "
        "of the generator's spec model, template context and checks about "
        "60 ms); then structuring the spec with cattrs (about 30 ms: its "
        "structure functions generated, annotations resolved and compiled on "
        "each run), rendering (about 35 ms) and writing (10-40 ms, a sync per "
        "file): see the profile below. Going further: the "
        "gap to the target is about 0.1 s a run (it grew from 0.04 s as the client templates gained their asyncio twin and full docstrings, and the tables the fake server's task shapes); closing it means giving up "
        "attrs and cattrs for the generator's own typed spec (hand-written "
        "classes and structuring: a second copy of every shape the spec "
        "format has) or dropping Jinja2 for code that prints Python itself, "
        "each a larger and riskier change than the 0.1 s it saves."
    ),
    "generate-cold": (
        "On top of the cached run: parsing the spec's YAML with ruamel.yaml's "
        "pure-Python parser and importing it (about 0.15 s for the bundled "
        "63 KB), compiling every template (about 0.3 s) and two ruff runs "
        "(about 40 ms)."
    ),
    "check": (
        "The work of the cached `generate` (it renders and formats "
        "everything, the spec is untrusted); only the writing is left out. Going "
        "further is bounded as for `generate`; trusting a stored manifest "
        "instead of rendering would be faster and is ruled out."
    ),
    "validate": (
        "Per call, in a profile of every body: the rendered per-form functions "
        "themselves (a look-up, a type test and the checks of each field sent; "
        "the 20 MiB limit settled by a bound added up on the way, "
        "`oversized_body` only past it); a data URI costs about 3 µs "
        "(128 characters decoded and sniffed, the last quantum); each finding "
        "about 1 µs (its message, a `Violation`), which pydantic leaves to "
        "compiled code. Going further: the "
        "remaining cost is the Python of the checks themselves against "
        "pydantic-core's compiled Rust; closing the last 10-15% means a "
        "compiled extension (a dependency this project does not take) or "
        "messages without the field path, rule id and advice they carry, "
        "which is what users pay the microsecond for."
    ),
    "client": (
        "Per request, measured as CPU time of the calling thread: the client adds "
        "about 55 us to raw urllib3's GET (240 us), most of it structuring the "
        "answer into typed classes (`convert.py`), and about 100 us to a POST "
        "(validating the body too); the transport's own share (deadline watchdog: "
        "one thread per client with a deadline heap, `_deadlines.Watchdog`; a "
        "body read in one go when its length is known) is about 15 us. Going "
        "further: what is left is the typed response (and, for a POST, the "
        "check that nothing billed is sent invalid), the features a user picks "
        "the client for; returning plain dicts or skipping validation would "
        "close the gap. Against a real service 50-100 us is well under 1% "
        "of a round trip of tens of milliseconds."
    ),
    "import": (
        "The modules `import vidu` loads: see the import profile below. "
        "Validation alone loads no HTTP stack; with the client, urllib3, the "
        "client's modules and the typed models (attrs classes made at import, "
        "about 10 ms) are what `vidu.Client` needs on first use. Going further "
        "(models made lazily per class) would save about 10 ms once per "
        "process at the cost of a second, lazy path through every model."
    ),
    "help": (
        "Python's start-up, `runpy` and `argparse`: `vidu.__main__` builds the "
        "top-level help from the spec (`specgen_runtime.cli_help`) without the "
        "package's models or the client."
    ),
    "server": (
        "Tasks are indexed by their next transition (a heap, "
        "`testing._schedule.Schedule`): a request visits only the transitions "
        "due, so what is left is the HTTP exchange itself, as with one task."
    ),
    "rss": (
        "`Image.from_path` sizes the file with stat() and grows one data URI in "
        "place chunk by chunk; how much the allocator copies on the way depends "
        "on what the process did before (about 1.7x the body in a process that "
        "has not loaded the HTTP stack, about 1.04x in one that has made a "
        "client). The client sends a large body a slice of at most 256 KiB at a "
        "time under its exact `Content-Length` (`jsonbody.JsonBody`, the data "
        "URI cut where each slice ends; no JSON text or bytes of the whole "
        "body): what is left is the body itself, once."
    ),
    "growth": (
        "Linear in the operations (see the table). With an empty cache, "
        "parsing the YAML dominates: ruamel.yaml's pure-Python parser reads "
        "about 300 KB/s (the 150-operation spec is 1.8 MB), in up to 4 "
        "processes (as many as processors) from 16 files; then the templates "
        "rendered per operation and ruff."
    ),
}


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs "
        f"(load average at the end {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f})"
    )


def _commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.strip() or "unknown"


def _samples(values: Sequence[float]) -> Samples:
    return Samples(list(values))


def _ratio(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    return benchlib.ratio_spread(_samples(a), _samples(b))


def _fmt(r: tuple[float, float, float]) -> str:
    return f"{r[0]:.2f}x ({r[1]:.2f}-{r[2]:.2f})"


def rows(v: dict[str, Any], g: dict[str, Any], rt: dict[str, Any]) -> list[list[str]]:
    """The table: what, baseline, measured ratio (spread), target, met, limit."""
    out: list[list[str]] = []

    def add(
        what: str,
        base: str,
        r: tuple[float, float, float],
        target: str,
        met: bool | None,
        limit: str,
    ) -> None:
        verdict = "-" if met is None else ("yes" if met else "**no**")
        out.append([what, base, _fmt(r), target, verdict, limit])

    secs = g["seconds"]
    opc = secs["openapi-python-client"]
    r = _ratio(secs["vidu-codegen generate"], opc)
    add(
        "`vidu-codegen generate`, whole process",
        "openapi-python-client",
        r,
        "<= 0.35x",
        r[0] <= 0.35,
        LIMITS["generate"],
    )
    r = _ratio(secs["vidu-codegen generate, no cache"], opc)
    add(
        "`vidu-codegen generate`, whole process, cache off (a first run, CI)",
        "openapi-python-client",
        r,
        "-",
        None,
        LIMITS["generate-cold"],
    )
    r = _ratio(secs["vidu-codegen generate --check"], opc)
    add(
        "`generate --check`",
        "openapi-python-client",
        r,
        "<= 0.35x",
        r[0] <= 0.35,
        LIMITS["check"],
    )
    r = _ratio(secs["datamodel-codegen"], opc)
    add(
        "datamodel-codegen (models only), for scale",
        "openapi-python-client",
        r,
        "-",
        None,
        "-",
    )
    for label in ("valid", "invalid", "data-URI", "warning"):
        ratio = v["ratios"][label]["pydantic"]
        r = (ratio["median"], ratio["low"], ratio["high"])
        target = "<= 0.8x" if label in ("valid", "invalid") else "-"
        met = r[0] <= 0.8 if label in ("valid", "invalid") else None
        add(
            f"`validate_payload`, {label} bodies (mean µs per body)",
            "pydantic v2, same rules, same verdicts",
            r,
            target,
            met,
            LIMITS["validate"],
        )
    for peer in ("fastjsonschema", "jsonschema"):
        ratio = v["ratios"]["all"][peer]
        differ = v["differ"][peer]
        add(
            "`validate_payload`, all bodies",
            f"{peer} on the OpenAPI export",
            (ratio["median"], ratio["low"], ratio["high"]),
            "-",
            None,
            f"verdict differs from vidu's on {len(differ)} of {len(v['bodies'])} "
            f"bodies ({'; '.join(differ) or 'none'})",
        )
    for op in ("GET", "POST"):
        sides = rt["client"][op]
        r = _ratio(sides["client"], sides["urllib3"])
        add(
            f"client {op}, requests/s",
            "urllib3 `PoolManager.request` + `json.loads`",
            r,
            ">= 0.95x",
            r[0] >= 0.95,
            LIMITS["client"],
        )
    st = rt["startup"]
    base = st["import attrs, cattrs, urllib3"]
    r = _ratio(st["import vidu + validate_payload"], base)
    add(
        "`import vidu` + `validate_payload`",
        "`import attrs, cattrs, urllib3`",
        r,
        "<= 1.0x",
        r[0] <= 1.0,
        LIMITS["import"],
    )
    r = _ratio(st["import vidu + Client"], base)
    add(
        "`import vidu` + `vidu.Client`",
        "`import attrs, cattrs, urllib3`",
        r,
        "<= 1.3x",
        r[0] <= 1.3,
        LIMITS["import"],
    )
    r = _ratio(st["python -m vidu --help"], st["python -c pass"])
    add(
        "`python -m vidu --help`",
        "`python -c pass`",
        r,
        "<= 3x",
        r[0] <= 3,
        LIMITS["help"],
    )
    server = rt["server"]
    many = f"{rt['server_tasks']} tasks"
    r = _ratio(server["1 task"], server[many])
    add(
        f"fake server GET throughput, 1 task over {many}",
        "the same server, 1 task",
        r,
        "<= 1.5x",
        r[0] <= 1.5,
        LIMITS["server"],
    )
    for stage, label in (("to_json", "`to_json()`"), ("sent", "sent by the client")):
        m = rt["rss"][stage]
        ratios = m["ratio_to_body"]
        r = (statistics.median(ratios), min(ratios), max(ratios))
        adds = statistics.median(m["sending_ratio_to_body"])
        add(
            f"peak RSS, `Image.from_path` (9 MB) + request + {label}",
            "the encoded body's size",
            r,
            "<= 2x",
            r[2] <= 2,
            LIMITS["rss"]
            + (f" Sending added {adds:.2f}x the body." if stage == "sent" else ""),
        )
    last = next(
        (row for row in g["growth"] if row["operations"] == 150), g["growth"][-1]
    )
    out.append(
        [
            f"generation, {last['operations']} operations (synthetic), empty cache",
            "-",
            f"{last['seconds']:.1f} s, {last['max_rss_mib']:.0f} MiB "
            f"({last['cached_seconds']:.1f} s checked again, cached)",
            "< 10 s, linear",
            "yes" if last["seconds"] < 10 else "**no**",
            LIMITS["growth"],
        ]
    )
    if "batch" in rt:
        out.extend(bench_batch.rows(rt["batch"]))
    return out


def markdown(
    v: dict[str, Any], g: dict[str, Any], rt: dict[str, Any], quick: bool
) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    peers = ", ".join(f"{p} {version(p)}" for p in PEERS)
    lines = [
        "# Benchmarks",
        "",
        "Written by `nox -s bench` (`bench/run.py`); do not edit by hand.",
        ""
        if not quick
        else "**A `--quick` smoke run: the figures are too rough to quote.**",
        "",
        f"- Date: {now}; commit {_commit()}",
        f"- Machine: {_machine()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()})",
        f"- Peers: {peers}",
        "",
        "Each ratio is vidu's figure over its baseline's, both measured in this run,",
        "interleaved; the first number is the ratio of the medians, the range the",
        "lowest and highest per-round ratio. For throughput (client, fake server)",
        "a ratio above 1 favours the first; for times, below 1.",
        "",
        "| what | baseline | ratio (spread) | target | met | what limits it |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows(v, g, rt):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    lines += [
        "",
        "## Generation cost against spec size",
        "",
        "A synthetic spec of N operations, renamed copies of the bundled ones",
        "(`bench/synth_spec.py`), generated once each with an empty cache, whole",
        "process; then `generate --check` once more with the cache that run filled:",
        "",
        "| operations | seconds | peak RSS (MiB) | seconds, cached `--check` |",
        "|---|---|---|---|",
    ]
    for row in g["growth"]:
        lines.append(
            f"| {row['operations']} | {row['seconds']:.2f} | "
            f"{row['max_rss_mib']:.0f} | {row['cached_seconds']:.2f} |"
        )
    pts = g["growth"]
    if len(pts) >= 2:
        xs = [p["operations"] for p in pts]
        ys = [p["seconds"] for p in pts]
        n = len(xs)
        mx, my = sum(xs) / n, sum(ys) / n
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / max(
            sum((x - mx) ** 2 for x in xs), 1e-9
        )
        lines += [
            "",
            f"Least-squares fit: {my - slope * mx:.2f} s + {slope * 1000:.0f} ms "
            "per operation.",
        ]
    lines += [
        "",
        "## Times",
        "",
        "| command | median s (min-max, n) |",
        "|---|---|",
    ]
    for name, values in g["seconds"].items():
        lines.append(f"| {name} | {_samples(values).spread('{:.2f}')} |")
    for name, values in rt["startup"].items():
        lines.append(f"| `{name}` | {_samples(values).spread('{:.3f}')} |")
    lines += ["", "| throughput | median requests/s (min-max, n) |", "|---|---|"]
    for op, sides in rt["client"].items():
        for side, values in sides.items():
            lines.append(f"| {op} {side} | {_samples(values).spread('{:.0f}')} |")
    for side, values in rt["server"].items():
        lines.append(
            f"| fake server GET, {side} | {_samples(values).spread('{:.0f}')} |"
        )
    lines += [
        "",
        "## Validators, per body",
        "",
        "```",
        v["report"],
        "```",
        "",
        "## Profiles",
        "",
        "One cached `vidu-codegen generate` of the bundled spec under cProfile",
        "(in-process, so without start-up; cProfile inflates Python-heavy parts):",
        "",
        "```",
        g["profile"],
        "```",
        "",
    ]
    for name, modules in rt["import_profile"].items():
        lines += [
            f"`-X importtime` of `{name}`, top-level modules by cumulative µs:",
            "",
            "```",
        ]
        lines += [f"{us:>9}  {module}" for us, module in modules]
        lines += ["```", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run")
    parser.add_argument("--out", type=Path, help="where to write the Markdown")
    parser.add_argument("--json", type=Path, help="write every figure as JSON")
    args = parser.parse_args(argv)
    quick = args.quick
    print("validators ...", flush=True)
    v = (
        bench_validate.measure(2, 0.0005, 200)
        if quick
        else bench_validate.measure(9, 0.004, bench_validate.MEMORY_BODIES)
    )
    print("generators ...", flush=True)
    g = (
        bench_generate.measure(1, [5, 10])
        if quick
        else bench_generate.measure(5, [5, 50, 100, 150])
    )
    print("runtime ...", flush=True)
    rt = bench_runtime.measure(quick)
    print("batch ...", flush=True)
    rt["batch"] = bench_batch.measure(quick)
    text = markdown(v, g, rt, quick)
    out = args.out if args.out is not None or quick else ROOT / "BENCHMARKS.md"
    # the quick run prints: its figures never replace a full run's
    if out is not None:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    else:
        print(text)
    if args.json is not None:
        args.json.write_text(
            json.dumps({"validate": v, "generate": g, "runtime": rt}, indent=2) + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
