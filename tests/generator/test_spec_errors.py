"""A corpus of broken specs, each with the exact positioned messages it gives.

Each case edits one file of a copy of the tiny spec (replacing ``old`` by
``new``) and runs ``vidu-codegen lint``: the exit status must be 2, stderr
must list exactly the expected findings, and there must be no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_codegen

API = "api.yaml"
OP = "operations/render.yaml"

CASES = [
    (
        "yaml syntax",
        OP,
        "  id: render\n",
        "  id: [render\n",
        [
            "spec/operations/render.yaml:3:9: invalid YAML: expected ',' or ']', but got ':'"
        ],
    ),
    (
        "duplicate key",
        API,
        "  fine:\n",
        "  fast:\n",
        ['spec/api.yaml:15:3: invalid YAML: found duplicate key "fast"'],
    ),
    (
        "unknown key",
        OP,
        "        summary: Edge length in pixels.\n",
        "        summary: Edge length in pixels.\n        maximum: 3\n",
        [
            "spec/operations/render.yaml:22:9: unknown key 'maximum'; known keys: aliases, by_model, choices, count, default, enum, items, length, note, pattern, range, required, role, source, summary, type"
        ],
    ),
    (
        "missing key",
        OP,
        "        summary: Engine name.\n",
        "",
        ["spec/operations/render.yaml:15:9: missing required key 'summary'"],
    ),
    (
        "wrong scalar type",
        OP,
        "        required: true\n        role: model",
        "        required: yes please\n        role: model",
        [
            "spec/operations/render.yaml:16:19: required: expected true or false, got 'yes please'"
        ],
    ),
    (
        "unknown model in by_model",
        OP,
        "          fine: {range: [256, 2048], default: 1024}\n",
        "          fine: {range: [256, 2048], default: 1024}\n          quick: {range: [1, 2]}\n",
        [
            "spec/operations/render.yaml:25:11: model 'quick' is not one of this form's models: fast, fine"
        ],
    ),
    (
        "unknown model in form",
        OP,
        "    models: [fast, fine]\n",
        "    models: [fast, fine, huge]\n",
        [
            "spec/operations/render.yaml:12:26: unknown model 'huge'; known models: fast, fine"
        ],
    ),
    (
        "inverted range",
        OP,
        "fast: {range: [64, 512]",
        "fast: {range: [512, 64]",
        [
            "spec/operations/render.yaml:23:25: range [512, 64] is inverted: min is above max",
            "spec/operations/render.yaml:23:45: default 256 is outside the range 512-64",
        ],
    ),
    (
        "default outside range",
        OP,
        "default: 1024}",
        "default: 4096}",
        [
            "spec/operations/render.yaml:24:47: default 4096 is outside the range 256-2048"
        ],
    ),
    (
        "default not a choice",
        OP,
        "        default: ink\n",
        "        default: pencil\n",
        [
            "spec/operations/render.yaml:28:18: default 'pencil' is not one of the allowed values: ink, paint"
        ],
    ),
    (
        "choice not in enum",
        OP,
        "choices: [ink, paint]",
        "choices: [ink, paint, oil]",
        [
            "spec/operations/render.yaml:29:31: 'oil' is not a value of enum Style: ink, paint"
        ],
    ),
    (
        "duplicate choice",
        OP,
        "choices: [ink, paint]",
        "choices: [ink, paint, ink]",
        ["spec/operations/render.yaml:29:31: 'ink' is listed twice"],
    ),
    (
        "empty count range",
        OP,
        "count: [1, 4]",
        "count: [4, 1]",
        [
            "spec/operations/render.yaml:34:16: count [4, 1] is inverted: min is above max"
        ],
    ),
    (
        "rule names unknown field",
        OP,
        "when: {hdr: true, size: [64, 100]}",
        "when: {hdr: true, width: [64, 100]}",
        [
            "spec/operations/render.yaml:44:27: unknown field 'width' in when; fields: engine, size, style, tags, hdr"
        ],
    ),
    (
        "rule message placeholder",
        OP,
        "on {model}",
        "on {model} at {limit}",
        ["spec/operations/render.yaml:46:18: message uses {limit}; it may use {model}"],
    ),
    (
        "unknown response",
        OP,
        "  response: RenderJob\n",
        "  response: RenderTask\n",
        [
            "spec/operations/render.yaml:6:13: unknown response 'RenderTask'; defined: RenderJob"
        ],
    ),
    (
        "unknown enum",
        OP,
        "        enum: Style\n",
        "        enum: Styles\n",
        ["spec/operations/render.yaml:27:15: unknown enum 'Styles'; defined: Style"],
    ),
    (
        "type list in a request",
        OP,
        "      size:\n        type: integer\n",
        "      size:\n        type: [integer, string]\n",
        [
            "spec/operations/render.yaml:20:15: a type list is for response fields; a request field has one type",
            "spec/operations/render.yaml:23:18: range does not apply to a union field",
            "spec/operations/render.yaml:24:18: range does not apply to a union field",
        ],
    ),
    (
        "rule conditions on the model",
        OP,
        "when: {hdr: true, size: [64, 100]}",
        "when: {hdr: true, engine: fast}",
        [
            "spec/operations/render.yaml:44:27: use models: to limit a rule to some models, not when"
        ],
    ),
    (
        "several problems at once",
        OP,
        "    models: [fast, fine]\n",
        "    models: [fast, fine, fast, slow]\n",
        [
            "spec/operations/render.yaml:12:26: model 'fast' is listed twice",
            "spec/operations/render.yaml:12:32: unknown model 'slow'; known models: fast, fine",
        ],
    ),
    (
        "bell escaped in a double-quoted scalar",
        OP,
        "  summary: Render a picture.\n",
        '  summary: "Render\\a a picture."\n',
        [
            "spec/operations/render.yaml:5:12: control character U+0007 in text (not allowed in a spec)"
        ],
    ),
    (
        "bell written in a folded block scalar",
        OP,
        "  summary: Render a picture.\n",
        "  summary: >\n    Render a\n    pic\x07ture.\n",
        [
            "spec/operations/render.yaml:7:8: control character U+0007 in text (not allowed in a spec)"
        ],
    ),
    (
        "bell escaped in a double-quoted key beside a folded block scalar",
        OP,
        "  summary: Render a picture.\n",
        '  summary: >\n    Render a\n    picture.\n  "\\aside": >-\n    x\n    y\n',
        [
            "spec/operations/render.yaml:8:3: control character U+0007 in text (not allowed in a spec)"
        ],
    ),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_spec_reports_every_problem_at_its_place(
    tiny_spec: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    path = tiny_spec / file
    text = path.read_text()
    assert old in text, f"the case's text is not in {file}"
    path.write_text(text.replace(old, new, 1))
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[:-1] == expected
    assert lines[-1].endswith("in the spec; nothing written")


def test_broken_spec_writes_nothing(tiny_spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        run_codegen("--spec", str(tiny_spec), "generate", "--out", str(out)).returncode
        == 0
    )
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    path = tiny_spec / OP
    path.write_text(path.read_text().replace("default: 1024}", "default: 4096}"))
    path.write_text(
        path.read_text().replace("summary: What to draw.", "summary: Changed.")
    )
    result = run_codegen("--spec", str(tiny_spec), "generate", "--out", str(out))
    assert result.returncode == 2
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_valid_spec_lints_clean(tiny_spec: Path) -> None:
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        "spec is valid\n",
        "",
    )
