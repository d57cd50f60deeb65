"""Benchmark: vidu.validate_payload against a pydantic v2 baseline.

Measures, for each body of a fixed set (typical valid bodies of both forms of
reference2video, and a few invalid ones), the time one validation takes with

* ``vidu.validate_payload("reference2video", body)``, and
* ``pydantic_baseline.validate(body)``, strict pydantic models restating the
  same rules (see ``pydantic_baseline.py``),

as the best of ``--repeat`` timeit repeats, and the tracemalloc peak of
validating 10,000 bodies with each. The headline figure is the speed ratio
vidu/pydantic: mean time per body over the whole set, vidu's over pydantic's
(below 1.0, vidu is faster).

Before timing, both validators must classify every body as its case says
(valid or invalid), so the two do the same work.

Run::

    PYTHONPATH=generated python bench/bench_validate.py [--json PATH]
        [--assert-ratio X] [--repeat N] [--target-ms MS]

The exit status is 0 unless the run crashes, or ``--assert-ratio X`` is given
and the speed ratio is above X (then 1).
"""

import argparse
import functools
import gc
import itertools
import json
import math
import platform
import sys
import timeit
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import pydantic_baseline
import vidu

OPERATION = "reference2video"
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
    """For an invalid body: a rule id vidu must report among its errors."""

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
        "subjects/viduq2-pro 5 images",
        {
            "model": "viduq2-pro",
            "subjects": _subjects((3, 2)),
            "prompt": SUBJECT_PROMPT,
        },
        valid=False,
        expect_rule="subjects.images.total",
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

CASES: tuple[Case, ...] = VALID + INVALID


# --- the two validators, as the benchmark calls them -------------------------


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


# --- sanity check --------------------------------------------------------------


def sanity_check(cases: Sequence[Case]) -> None:
    """Both validators must classify every body as its case says."""
    problems: list[str] = []
    for case in cases:
        v_errors = vidu_errors(case.body)
        p_errors = pydantic_errors(case.body)
        if (not v_errors) != case.valid:
            got = "; ".join(str(v) for v in v_errors) or "no errors"
            problems.append(f"vidu on {case.name!r} (valid={case.valid}): {got}")
        if (not p_errors) != case.valid:
            got = "; ".join(p_errors) or "no errors"
            problems.append(f"pydantic on {case.name!r} (valid={case.valid}): {got}")
        rules = {v.rule for v in v_errors}
        if case.expect_rule is not None and case.expect_rule not in rules:
            problems.append(
                f"vidu on {case.name!r}: expected rule {case.expect_rule}, "
                f"got {sorted(rules)}"
            )
    if problems:
        raise AssertionError(
            "validators disagree with the cases:\n  " + "\n  ".join(problems)
        )


# --- timing --------------------------------------------------------------------


def best_per_call(fn: Validator, body: Body, repeat: int, target_s: float) -> float:
    """Best time of one call in seconds: min over ``repeat`` timeit repeats."""
    timer = timeit.Timer(functools.partial(fn, body))
    calib_n = 50
    per_call = min(timer.repeat(repeat=3, number=calib_n)) / calib_n
    number = max(10, math.ceil(target_s / max(per_call, 1e-9)))
    return min(timer.repeat(repeat=repeat, number=number)) / number


@dataclass(frozen=True)
class Timing:
    case: Case
    vidu_us: float
    pydantic_us: float

    @property
    def ratio(self) -> float:
        return self.vidu_us / self.pydantic_us


def time_cases(cases: Sequence[Case], repeat: int, target_s: float) -> list[Timing]:
    timings = []
    for case in cases:
        # interleaved per body, so a slow spell of the machine hits both
        v = best_per_call(vidu_validate, case.body, repeat, target_s)
        p = best_per_call(pydantic_validate, case.body, repeat, target_s)
        timings.append(Timing(case, v * 1e6, p * 1e6))
    return timings


def summary(timings: Sequence[Timing]) -> dict[str, float]:
    vidu_mean = sum(t.vidu_us for t in timings) / len(timings)
    pydantic_mean = sum(t.pydantic_us for t in timings) / len(timings)
    return {
        "bodies": len(timings),
        "vidu_us_mean": vidu_mean,
        "pydantic_us_mean": pydantic_mean,
        "ratio": vidu_mean / pydantic_mean,
        "ratio_geomean": math.exp(
            sum(math.log(t.ratio) for t in timings) / len(timings)
        ),
        "ratio_worst": max(t.ratio for t in timings),
    }


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


def measure_memory(cases: Sequence[Case]) -> dict[str, dict[str, float]]:
    def cycle(selected: Sequence[Case]) -> list[Body]:
        bodies = itertools.cycle([c.body for c in selected])
        return list(itertools.islice(bodies, MEMORY_BODIES))

    all_bodies = cycle(cases)
    valid_bodies = cycle([c for c in cases if c.valid])
    figures: dict[str, dict[str, float]] = {}
    for label, bodies, keep in (
        ("transient", all_bodies, False),
        ("retained", valid_bodies, True),
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


def print_report(
    timings: Sequence[Timing],
    overall: Mapping[str, Mapping[str, float]],
    memory: Mapping[str, Mapping[str, float]],
) -> None:
    width = max(len(t.case.name) for t in timings)
    head = f"{'body':<{width}}  {'valid':>5}  {'vidu µs':>8}  {'pyd µs':>8}  ratio"
    print(head)
    print("-" * len(head))
    for t in timings:
        print(
            f"{t.case.name:<{width}}  {'yes' if t.case.valid else 'no':>5}  "
            f"{t.vidu_us:8.2f}  {t.pydantic_us:8.2f}  {t.ratio:5.2f}"
        )
    print("-" * len(head))
    for label, s in overall.items():
        print(
            f"{'mean, ' + label + ' bodies':<{width}}  {'':>5}  "
            f"{s['vidu_us_mean']:8.2f}  {s['pydantic_us_mean']:8.2f}  "
            f"{s['ratio']:5.2f}  (geomean {s['ratio_geomean']:.2f}, "
            f"worst {s['ratio_worst']:.2f})"
        )
    print()
    descriptions = {
        "transient": "results dropped, all bodies",
        "retained": "results kept, valid bodies",
    }
    for label, m in memory.items():
        print(
            f"memory, {m['bodies']:.0f} validations ({descriptions[label]}): "
            f"vidu {m['vidu_peak_bytes'] / 1024:.1f} KiB, "
            f"pydantic {m['pydantic_peak_bytes'] / 1024:.1f} KiB, "
            f"ratio {m['ratio']:.2f}"
        )
    print()
    print(
        f"SPEED RATIO vidu/pydantic: {overall['all']['ratio']:.2f} (target <= 1.0)  "
        f"MEMORY RATIO: {memory['transient']['ratio']:.2f}"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="PATH", help="write results")
    parser.add_argument(
        "--assert-ratio",
        type=float,
        metavar="X",
        help="exit 1 if the speed ratio vidu/pydantic (all bodies) is above X",
    )
    parser.add_argument(
        "--repeat", type=int, default=7, help="timeit repeats per body (default 7)"
    )
    parser.add_argument(
        "--target-ms",
        type=float,
        default=20.0,
        help="length of one timeit repeat in ms (default 20)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sanity_check(CASES)
    timings = time_cases(CASES, args.repeat, args.target_ms / 1000)
    overall = {
        "all": summary(timings),
        "valid": summary([t for t in timings if t.case.valid]),
        "invalid": summary([t for t in timings if not t.case.valid]),
    }
    memory = measure_memory(CASES)
    print_report(timings, overall, memory)

    if args.json is not None:
        result = {
            "benchmark": "validate_payload reference2video vs pydantic baseline",
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "pydantic": pydantic.VERSION,
            "repeat": args.repeat,
            "target_ms": args.target_ms,
            "speed_ratio": overall["all"]["ratio"],
            "memory_ratio": memory["transient"]["ratio"],
            "summary": overall,
            "memory": memory,
            "bodies": [
                {
                    "name": t.case.name,
                    "form": t.case.form,
                    "valid": t.case.valid,
                    "vidu_us": t.vidu_us,
                    "pydantic_us": t.pydantic_us,
                    "ratio": t.ratio,
                }
                for t in timings
            ],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    if args.assert_ratio is not None and overall["all"]["ratio"] > args.assert_ratio:
        print(
            f"speed ratio {overall['all']['ratio']:.2f} is above "
            f"--assert-ratio {args.assert_ratio}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
