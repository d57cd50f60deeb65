"""Benchmark: vidu.validate_payload against the validators a user would pick.

For each body of a fixed set (valid bodies of both forms of reference2video,
bodies with data URIs, bodies that raise warnings, and invalid ones), the time
one validation takes with

* ``vidu.validate_payload("reference2video", body)`` (every violation),
* ``pydantic_baseline.validate(body)``: strict pydantic v2 models restating the
  same rules as a user would write them (``pydantic_baseline.py``),
* fastjsonschema (draft-07) and jsonschema (Draft 2020-12) on the request
  body schema of the OpenAPI export (``vidu-codegen openapi``).

The timing is interleaved: each round times a batch of calls of every
validator on every body, in an order that alternates; a body's figure is the
median over rounds. The headline ratio is vidu's mean time per body over the
baseline's (below 1.0, vidu is faster), with the spread of the per-round
ratios. Before timing, vidu and pydantic must classify every body as its case
says; the JSON Schema validators are not held to it: the count of bodies where
their verdict differs from vidu's is reported instead (JSON Schema cannot say
some of the rules, and draft-07 ignores some keywords of the export).

Run::

    PYTHONPATH=generated python bench/bench_validate.py [--json PATH]
        [--rounds N] [--target-ms MS] [--quick]
"""

import argparse
import base64
import gc
import importlib
import itertools
import json
import math
import platform
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import benchlib
import pydantic
import pydantic_baseline
import vidu

OPERATION = "reference2video"
PATH = "/ent/v2/reference2video"
MEMORY_BODIES = 10_000

Body = dict[str, Any]
Validator = Callable[[Body], object]


@dataclass(frozen=True)
class Case:
    """One request body and what both validators must say about it."""

    name: str
    body: Body
    valid: bool
    expect_rule: str | None = None
    """A rule id vidu must report: an error of an invalid body, a warning of a valid one."""

    @property
    def form(self) -> str:
        return "subjects" if "subjects" in self.body else "images"


def _img(n: int) -> str:
    return f"https://cdn.example.com/refs/image-{n:03d}.png"


def _vid(n: int) -> str:
    return f"https://cdn.example.com/refs/clip-{n:03d}.mp4"


PROMPT = "A bear hugs Santa Claus by the lake, snow falling, golden hour light."
SUBJECT_PROMPT = "@bear walks up to @santa and hugs him by the frozen lake."


def _subjects(images: tuple[int, int] = (2, 1)) -> list[Body]:
    first, second = images
    return [
        {"name": "bear", "images": [_img(i) for i in range(first)]},
        {"name": "santa", "images": [_img(10 + i) for i in range(second)]},
    ]


VALID: tuple[Case, ...] = (
    Case(
        "images/viduq3-mix 2 images",
        {
            "model": "viduq3-mix",
            "images": [_img(1), _img(2)],
            "prompt": PROMPT,
            "duration": 8,
            "aspect_ratio": "16:9",
            "resolution": "1080p",
        },
        valid=True,
    ),
    Case(
        "images/viduq2 3 images, all fields",
        {
            "model": "viduq2",
            "images": [_img(1), _img(2), _img(3)],
            "prompt": PROMPT,
            "duration": 5,
            "seed": 42,
            "aspect_ratio": "3:4",
            "resolution": "720p",
            "bgm": True,
            "payload": "order-81723",
            "off_peak": False,
            "callback_url": "https://hooks.example.com/vidu",
        },
        valid=True,
    ),
    Case(
        "images/viduq1 2 images",
        {
            "model": "viduq1",
            "images": [_img(1), _img(2)],
            "prompt": PROMPT,
            "duration": 5,
            "resolution": "1080p",
            "movement_amplitude": "small",
        },
        valid=True,
    ),
    Case(
        "images/viduq2-pro 2 images + video",
        {
            "model": "viduq2-pro",
            "images": [_img(1), _img(2)],
            "videos": [_vid(1)],
            "prompt": PROMPT,
            "duration": 0,
            "resolution": "540p",
        },
        valid=True,
    ),
    Case(
        "subjects/viduq3 2 subjects, off-peak",
        {
            "model": "viduq3",
            "subjects": _subjects((2, 1)),
            "prompt": SUBJECT_PROMPT,
            "audio": True,
            "audio_type": "speech_only",
            "duration": 10,
            "aspect_ratio": "21:9",
            "off_peak": True,
        },
        valid=True,
    ),
    Case(
        "subjects/viduq2 2 subjects",
        {
            "model": "viduq2",
            "subjects": _subjects((1, 2)),
            "prompt": SUBJECT_PROMPT,
            "resolution": "540p",
            "aspect_ratio": "4:3",
            "seed": 7,
        },
        valid=True,
    ),
    Case(
        "subjects/vidu2.0 2 subjects",
        {
            "model": "vidu2.0",
            "subjects": _subjects((1, 1)),
            "prompt": SUBJECT_PROMPT,
            "duration": 4,
            "resolution": "360p",
            "aspect_ratio": "9:16",
            "movement_amplitude": "large",
        },
        valid=True,
    ),
    Case(
        "subjects/viduq2-pro image+video subjects",
        {
            "model": "viduq2-pro",
            "subjects": [
                {"name": "bear", "images": [_img(1), _img(2)], "voice_id": "v-17"},
                {"name": "santa", "videos": [_vid(1)]},
            ],
            "prompt": SUBJECT_PROMPT,
            "duration": 6,
            "resolution": "1080p",
        },
        valid=True,
    ),
)

INVALID: tuple[Case, ...] = (
    Case(
        "images/viduq1 duration 8",
        {
            "model": "viduq1",
            "images": [_img(1), _img(2)],
            "prompt": PROMPT,
            "duration": 8,
        },
        valid=False,
        expect_rule="duration.range",
    ),
    Case(
        "images/viduq3-mix 540p",
        {
            "model": "viduq3-mix",
            "images": [_img(1), _img(2)],
            "prompt": PROMPT,
            "resolution": "540p",
        },
        valid=False,
        expect_rule="resolution.choice",
    ),
    Case(
        "images/viduq2 with videos",
        {
            "model": "viduq2",
            "images": [_img(1)],
            "videos": [_vid(1)],
            "prompt": PROMPT,
        },
        valid=False,
        expect_rule="videos.unsupported",
    ),
    Case(
        "images unknown field, duration '5'",
        {
            "model": "viduq2",
            "images": [_img(1), _img(2)],
            "prompt": PROMPT,
            "duration": "5",
            "style": "anime",
        },
        valid=False,
        expect_rule="unknown_field",
    ),
    Case(
        "subjects/viduq3 off-peak without audio",
        {
            "model": "viduq3",
            "subjects": _subjects((1, 1)),
            "prompt": SUBJECT_PROMPT,
            "audio": False,
            "off_peak": True,
        },
        valid=False,
        expect_rule="off_peak.audio",
    ),
    Case(
        "subjects/viduq1 aspect 21:9",
        {
            "model": "viduq1",
            "subjects": _subjects((1, 1)),
            "prompt": SUBJECT_PROMPT,
            "aspect_ratio": "21:9",
        },
        valid=False,
        expect_rule="aspect_ratio.choice",
    ),
    Case(
        "subjects with viduq3-mix",
        {
            "model": "viduq3-mix",
            "subjects": _subjects((1, 1)),
            "prompt": SUBJECT_PROMPT,
        },
        valid=False,
        expect_rule="model.form",
    ),
)


def _png(width: int, height: int, size: int = 4096) -> bytes:
    """A PNG file's signature and IHDR chunk, padded to ``size`` bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = (
        struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    head = b"\x89PNG\r\n\x1a\n" + chunk
    return head + bytes(size - len(head))


def _data_uri(data: bytes, media: str = "image/png") -> str:
    return f"data:{media};base64," + base64.b64encode(data).decode()


PNG_URI = _data_uri(_png(512, 384))
"""A 4 KiB PNG as a data URI (5.4 KB of text): what ``Image.from_path`` makes."""

DATA_URIS: tuple[Case, ...] = (
    Case(
        "images/viduq2 data URI + URL",
        {
            "model": "viduq2",
            "images": [PNG_URI, _img(1)],
            "prompt": PROMPT,
            "duration": 5,
        },
        valid=True,
    ),
    Case(
        "subjects/viduq3 data URI subject",
        {
            "model": "viduq3",
            "subjects": [
                {"name": "bear", "images": [PNG_URI]},
                {"name": "santa", "images": [_img(2)]},
            ],
            "prompt": SUBJECT_PROMPT,
        },
        valid=True,
    ),
    Case(
        "images/viduq2 data URI 64x64",
        {
            "model": "viduq2",
            "images": [_data_uri(_png(64, 64))],
            "prompt": PROMPT,
        },
        valid=False,
        expect_rule="images.dimensions",
    ),
    Case(
        "images/viduq2 data URI not a PNG",
        {
            "model": "viduq2",
            "images": [_data_uri(b"GIF89a" + bytes(4090))],
            "prompt": PROMPT,
        },
        valid=False,
        expect_rule="images.format",
    ),
)

WARNINGS: tuple[Case, ...] = (
    Case(
        "images/viduq2 movement_amplitude (ignored)",
        {
            "model": "viduq2",
            "images": [_img(1), _img(2)],
            "prompt": PROMPT,
            "movement_amplitude": "large",
        },
        valid=True,
        expect_rule="movement_amplitude.ignored",
    ),
    Case(
        "images/viduq2 bgm at 9 s (ignored)",
        {
            "model": "viduq2",
            "images": [_img(1)],
            "prompt": PROMPT,
            "bgm": True,
            "duration": 9,
        },
        valid=True,
        expect_rule="bgm.duration_ignored",
    ),
    Case(
        "subjects/viduq2 text subject",
        {
            "model": "viduq2",
            "subjects": [{"name": "bear"}, {"name": "santa", "images": [_img(1)]}],
            "prompt": SUBJECT_PROMPT,
        },
        valid=True,
        expect_rule="subjects.media.required",
    ),
    Case(
        "subjects/viduq2-pro 5 images (one reading)",
        {
            "model": "viduq2-pro",
            "subjects": _subjects((3, 2)),
            "prompt": SUBJECT_PROMPT,
        },
        valid=True,
        expect_rule="subjects.images.total",
    ),
)

CASES: tuple[Case, ...] = VALID + WARNINGS + DATA_URIS + INVALID


# --- the validators, as the benchmark calls them ------------------------------


def vidu_validate(body: Body) -> list[vidu.Violation]:
    """vidu's check: every violation, errors and warnings."""
    return vidu.validate_payload(OPERATION, body)


def pydantic_validate(body: Body) -> pydantic.BaseModel | None:
    """The baseline's check: the model, or ``None`` for an invalid body."""
    try:
        return pydantic_baseline.validate(body)
    except pydantic.ValidationError:
        return None


def vidu_errors(body: Body) -> list[vidu.Violation]:
    return [v for v in vidu_validate(body) if v.severity == "error"]


def pydantic_errors(body: Body) -> list[str]:
    try:
        pydantic_baseline.validate(body)
    except pydantic.ValidationError as exc:
        return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return []


def body_schema() -> dict[str, Any]:
    """The request body schema of the OpenAPI export, its refs resolvable."""
    out = subprocess.run(
        [benchlib.tool("vidu-codegen"), "openapi"],
        cwd=benchlib.ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    document = json.loads(out)
    content = document["paths"][PATH]["post"]["requestBody"]["content"]
    schema: dict[str, Any] = dict(content["application/json"]["schema"])
    schema["components"] = document["components"]
    return schema


class SchemaChecker(Protocol):
    """What the benchmark uses of a ``jsonschema`` validator."""

    def is_valid(self, instance: object) -> bool: ...


def schema_validators(schema: dict[str, Any]) -> dict[str, Validator]:
    """fastjsonschema (draft-07, compiled) and jsonschema (2020-12): valid or not.

    Both come with the bench extras and carry no type information, so they
    are imported here by name, each part given the type the benchmark uses:
    the benchmark type-checks without them (and without jsonschema's stubs).
    """
    fast_module = importlib.import_module("fastjsonschema")
    compile_schema: Callable[[dict[str, Any]], Validator] = fast_module.compile
    invalid: type[Exception] = fast_module.JsonSchemaException
    draft_2020_12: Callable[[dict[str, Any]], SchemaChecker] = importlib.import_module(
        "jsonschema"
    ).Draft202012Validator
    compiled = compile_schema(schema)
    checker = draft_2020_12(schema)

    def fast(body: Body) -> bool:
        try:
            compiled(body)
        except invalid:
            return False
        return True

    return {"fastjsonschema": fast, "jsonschema": checker.is_valid}


# --- sanity check --------------------------------------------------------------


def sanity_check(cases: Sequence[Case]) -> None:
    """vidu and pydantic must classify every body as its case says."""
    problems: list[str] = []
    for case in cases:
        found = vidu_validate(case.body)
        v_errors = [v for v in found if v.severity == "error"]
        p_errors = pydantic_errors(case.body)
        if (not v_errors) != case.valid:
            got = "; ".join(str(v) for v in v_errors) or "no errors"
            problems.append(f"vidu on {case.name!r} (valid={case.valid}): {got}")
        if (not p_errors) != case.valid:
            got = "; ".join(p_errors) or "no errors"
            problems.append(f"pydantic on {case.name!r} (valid={case.valid}): {got}")
        rules = {v.rule for v in found}
        if case.expect_rule is not None and case.expect_rule not in rules:
            problems.append(
                f"vidu on {case.name!r}: expected rule {case.expect_rule}, "
                f"got {sorted(rules)}"
            )
    if problems:
        raise AssertionError(
            "validators disagree with the cases:\n  " + "\n  ".join(problems)
        )


def disagreements(cases: Sequence[Case], check: Callable[[Body], object]) -> list[str]:
    """Names of the bodies where ``check``'s verdict is not vidu's."""
    return [c.name for c in cases if bool(check(c.body)) != c.valid]


# --- timing --------------------------------------------------------------------


def per_call(fn: Validator, body: Body, number: int) -> float:
    """Mean seconds of one call over a batch of ``number`` calls."""
    start = time.perf_counter()
    for _ in range(number):
        fn(body)
    return (time.perf_counter() - start) / number


def batch_size(fn: Validator, body: Body, target_s: float) -> int:
    calib = min(per_call(fn, body, 20) for _ in range(3))
    return max(5, math.ceil(target_s / max(calib, 1e-9)))


def time_cases(
    cases: Sequence[Case],
    validators: Mapping[str, Validator],
    rounds: int,
    target_s: float,
) -> dict[str, dict[str, benchlib.Samples]]:
    """Seconds per call, by body name and validator, over interleaved rounds."""
    sizes = {
        (c.name, v): batch_size(fn, c.body, target_s)
        for c in cases
        for v, fn in validators.items()
    }
    samples = {c.name: {v: benchlib.Samples() for v in validators} for c in cases}
    names = list(validators)
    for i in range(rounds):
        order = names[i % len(names) :] + names[: i % len(names)]
        for case in cases:
            for v in order:
                fn = validators[v]
                samples[case.name][v].add(per_call(fn, case.body, sizes[case.name, v]))
    return samples


@dataclass(frozen=True)
class Overall:
    """Mean time per body of a set of bodies, by validator, per round."""

    per_round: dict[str, benchlib.Samples]

    def ratio(self, a: str, b: str) -> tuple[float, float, float]:
        return benchlib.ratio_spread(self.per_round[a], self.per_round[b])


def overall(
    samples: Mapping[str, Mapping[str, benchlib.Samples]], names: Sequence[str]
) -> Overall:
    validators = list(samples[names[0]])
    rounds = len(samples[names[0]][validators[0]].values)
    per_round = {v: benchlib.Samples() for v in validators}
    for r in range(rounds):
        for v in validators:
            per_round[v].add(
                sum(samples[n][v].values[r] for n in names) / len(names) * 1e6
            )
    return Overall(per_round)


# --- memory --------------------------------------------------------------------


def traced_peak(fn: Validator, bodies: Sequence[Body], *, keep: bool) -> int:
    """tracemalloc peak, in bytes, of validating ``bodies`` one after another.

    With ``keep``, every result is kept until the end (what a batch costs);
    without it, each is dropped at once (what validating itself costs).
    """
    for body in bodies[:100]:  # warm caches outside the trace
        fn(body)
    kept: list[object] = []
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for body in bodies:
            result = fn(body)
            if keep:
                kept.append(result)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del kept
    return peak - base


def measure_memory(cases: Sequence[Case], count: int) -> dict[str, dict[str, float]]:
    def cycle(selected: Sequence[Case]) -> list[Body]:
        bodies = itertools.cycle([c.body for c in selected])
        return list(itertools.islice(bodies, count))

    figures: dict[str, dict[str, float]] = {}
    for label, bodies, keep in (
        ("transient", cycle(cases), False),
        ("retained", cycle([c for c in cases if c.valid]), True),
    ):
        v = traced_peak(vidu_validate, bodies, keep=keep)
        p = traced_peak(pydantic_validate, bodies, keep=keep)
        figures[label] = {
            "bodies": len(bodies),
            "vidu_peak_bytes": v,
            "pydantic_peak_bytes": p,
            "ratio": v / p if p else math.inf,
        }
    return figures


# --- report --------------------------------------------------------------------


def report(
    cases: Sequence[Case],
    samples: Mapping[str, Mapping[str, benchlib.Samples]],
    sets: Mapping[str, Overall],
    memory: Mapping[str, Mapping[str, float]],
    differ: Mapping[str, Sequence[str]],
) -> str:
    validators = list(samples[cases[0].name])
    width = max(len(c.name) for c in cases)
    head = f"{'body':<{width}}  {'valid':>5}  " + "  ".join(
        f"{v[:10]:>10}" for v in validators
    )
    lines = [
        "µs per call, median over rounds; ratio columns are vidu / peer",
        head,
        "-" * len(head),
    ]
    for c in cases:
        row = samples[c.name]
        lines.append(
            f"{c.name:<{width}}  {'yes' if c.valid else 'no':>5}  "
            + "  ".join(f"{row[v].median * 1e6:10.2f}" for v in validators)
        )
    lines.append("-" * len(head))
    for label, o in sets.items():
        ratios = ", ".join(
            f"{v} {r:.2f} ({lo:.2f}-{hi:.2f})"
            for v in validators[1:]
            for r, lo, hi in [o.ratio("vidu", v)]
        )
        lines.append(f"mean over {label} bodies, vidu / peer: {ratios}")
    for v, names in differ.items():
        lines.append(
            f"{v}: verdict differs from vidu's on {len(names)} of {len(cases)} "
            f"bodies: {', '.join(names) or '-'}"
        )
    for label, m in memory.items():
        lines.append(
            f"memory, {m['bodies']:.0f} validations ({label}): "
            f"vidu {m['vidu_peak_bytes'] / 1024:.1f} KiB, "
            f"pydantic {m['pydantic_peak_bytes'] / 1024:.1f} KiB, "
            f"ratio {m['ratio']:.2f}"
        )
    return "\n".join(lines)


def measure(rounds: int, target_s: float, memory_bodies: int) -> dict[str, Any]:
    """Everything this benchmark measures, as one JSON-ready mapping."""
    sanity_check(CASES)
    schema_checks = schema_validators(body_schema())
    differ = {v: disagreements(CASES, fn) for v, fn in schema_checks.items()}
    validators: dict[str, Validator] = {
        "vidu": vidu_validate,
        "pydantic": pydantic_validate,
        **schema_checks,
    }
    samples = time_cases(CASES, validators, rounds, target_s)
    sets = {
        "all": overall(samples, [c.name for c in CASES]),
        "valid": overall(samples, [c.name for c in CASES if c.valid]),
        "invalid": overall(samples, [c.name for c in CASES if not c.valid]),
        "data-URI": overall(samples, [c.name for c in DATA_URIS]),
        "warning": overall(samples, [c.name for c in WARNINGS]),
    }
    memory = measure_memory(CASES, memory_bodies)
    text = report(CASES, samples, sets, memory, differ)
    return {
        "python": platform.python_version(),
        "pydantic": pydantic.VERSION,
        "fastjsonschema": _version("fastjsonschema"),
        "jsonschema": _version("jsonschema"),
        "rounds": rounds,
        "target_ms": target_s * 1000,
        "bodies": {
            c.name: {
                "valid": c.valid,
                "form": c.form,
                **{v: s.median * 1e6 for v, s in samples[c.name].items()},
            }
            for c in CASES
        },
        "ratios": {
            label: {
                v: dict(zip(("median", "low", "high"), o.ratio("vidu", v), strict=True))
                for v in validators
                if v != "vidu"
            }
            for label, o in sets.items()
        },
        "mean_us": {
            label: {v: s.median for v, s in o.per_round.items()}
            for label, o in sets.items()
        },
        "differ": differ,
        "memory": memory,
        "report": text,
    }


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="PATH", help="write results")
    parser.add_argument(
        "--rounds", type=int, default=9, help="interleaved rounds (default 9)"
    )
    parser.add_argument(
        "--target-ms",
        type=float,
        default=4.0,
        help="length of one batch of calls in ms (default 4)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: 2 rounds, short batches"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    rounds, target, count = args.rounds, args.target_ms / 1000, MEMORY_BODIES
    if args.quick:
        rounds, target, count = 2, 0.0005, 200
    result = measure(rounds, target, count)
    print(result["report"])
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
