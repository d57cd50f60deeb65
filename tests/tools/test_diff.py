"""``vidu-codegen diff``: each kind of change, classified exactly.

Every case edits a copy of ``tests/specs/diff/base`` and states the changes
the diff must report, in order: ``(kind, form, model, field, message)``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import attrs
import pytest
from vidu_codegen.load import model as sm
from vidu_codegen.pipeline import load_spec
from vidu_codegen.tools.diff import (
    Fact,
    Key,
    Report,
    classify,
    diff_facts,
    diff_specs,
    facts,
)
from vidu_codegen.tools.diff.facts import _Collector
from vidu_codegen.tools.diff.report import VERSION_BUMP

from tests.conftest import PROJECT, run_codegen

BASE = PROJECT / "tests" / "specs" / "diff" / "base"
API = "api.yaml"
OP = "operations/paint.yaml"

Edit = tuple[str, str, str]
Row = tuple[str, str | None, str | None, str | None, str]


def edited(target: Path, *edits: Edit) -> Path:
    """A copy of the base spec at ``target`` with each ``(file, old, new)``
    replacement made; ``old`` must occur exactly once."""
    shutil.copytree(BASE, target)
    for name, old, new in edits:
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return target


def load(spec_dir: Path) -> sm.Spec:
    loaded = load_spec(spec_dir)
    assert not loaded.errors, "\n".join(map(str, loaded.findings))
    assert loaded.spec is not None
    return loaded.spec


def report(tmp_path: Path, *edits: Edit) -> Report:
    return diff_specs(load(BASE), load(edited(tmp_path / "new", *edits)))


def rows(result: Report) -> list[Row]:
    """The changes, leaving out the missing major version bump (tested apart)."""
    return [
        (c.kind, c.key.form, c.key.model, c.key.field, c.message)
        for c in result.ordered()
        if c.key != VERSION_BUMP
    ]


MAJOR_BUMP = (API, "version: 1.0.0", "version: 2.0.0")


ROLLER_COATS = "roller: {range: [1, 5], default: 2"
BRUSH_COATS = "brush:  {range: [1, 3], default: 1}"
SPRAY_FINISH = "spray: {choices: [matte, gloss]}"
PRIMER_RULE = "when: {primer: true, coats: [1]}"
TAPE_RULE = """      - id: tape.wasted
        severity: warning
        models: [spray]
        when: {tape: true}
        field: tape
        message: "tape is wasted on {model}"
"""
NEW_FIELD = "      layers:\n"

CASES: list[tuple[str, list[Edit], list[Row]]] = [
    (
        "range narrowed",
        [(OP, ROLLER_COATS, "roller: {range: [1, 4], default: 2")],
        [("breaking", "plain", "roller", "coats", "range: `1..5` → `1..4` (narrowed)")],
    ),
    (
        "range widened",
        [(OP, BRUSH_COATS, "brush:  {range: [1, 4], default: 1}")],
        [("compatible", "plain", "brush", "coats", "range: `1..3` → `1..4` (widened)")],
    ),
    (
        "range narrowed on one side, widened on the other",
        [(OP, ROLLER_COATS, "roller: {range: [2, 6], default: 2")],
        [("breaking", "plain", "roller", "coats", "range: `1..5` → `2..6` (moved)")],
    ),
    (
        "range added to a field applies to every model",
        [(OP, "seed: {type: integer,", "seed: {type: integer, range: [0, 99],")],
        [
            ("breaking", "plain", m, "seed", "range: now limited to `0..99`")
            for m in ("brush", "roller", "spray")
        ],
    ),
    (
        "count narrowed",
        [(OP, "count: [1, 4]", "count: [1, 3]")],
        [
            ("breaking", "plain", m, "photos", "count: `1..4` → `1..3` (narrowed)")
            for m in ("brush", "roller", "spray")
        ],
    ),
    (
        "choice removed",
        [(OP, SPRAY_FINISH, "spray: {choices: [matte]}")],
        [
            (
                "breaking",
                "plain",
                "spray",
                "finish",
                "choices: no longer accepts `gloss`",
            )
        ],
    ),
    (
        "choice added where the model's row lets it through",
        [
            (API, "SATIN: satin}", "SATIN: satin, EGGSHELL: eggshell}"),
            (
                OP,
                "choices: [matte, gloss, satin]",
                "choices: [matte, gloss, satin, eggshell]",
            ),
        ],
        [
            (
                "compatible",
                None,
                None,
                None,
                "enum Finish member EGGSHELL added: `eggshell`",
            ),
            (
                "compatible",
                "plain",
                "brush",
                "finish",
                "choices: now accepts `eggshell`",
            ),
            (
                "compatible",
                "plain",
                "roller",
                "finish",
                "choices: now accepts `eggshell`",
            ),
        ],
    ),
    (
        "alias removed",
        [(OP, "        aliases: {Matte: matte}\n", "")],
        [
            (
                "breaking",
                "plain",
                None,
                "finish",
                "alias Matte removed (was read as `matte`)",
            )
        ],
    ),
    (
        "model removed from a form",
        [
            (OP, "models: [brush, roller, spray]", "models: [brush, roller]"),
            (OP, "          spray:  {range: [1, 5], default: 2}\n", ""),
            (OP, f"        by_model:\n          {SPRAY_FINISH}\n", ""),
            (OP, "        by_model:\n          spray: {ignored: true}\n", ""),
            (OP, TAPE_RULE, ""),
        ],
        [("breaking", "plain", "spray", None, "model removed")],
    ),
    (
        "model added",
        [
            (
                API,
                "  spray: {summary: Fine mist.}\n",
                "  spray: {summary: Fine mist.}\n  stencil: {summary: Sharp edges.}\n",
            ),
            (
                OP,
                "models: [brush, roller, spray]",
                "models: [brush, roller, spray, stencil]",
            ),
        ],
        [
            ("compatible", "plain", "stencil", None, "model added"),
            ("notable", None, "stencil", None, "known model added"),
        ],
    ),
    (
        "a renamed model is one removed and one added",
        [
            (API, "  brush: {summary", "  bristle: {summary"),
            (OP, "models: [brush, roller, spray]", "models: [bristle, roller, spray]"),
            (OP, BRUSH_COATS, "bristle: {range: [1, 3], default: 1}"),
            (OP, "brush: {allowed: false}", "bristle: {allowed: false}"),
            (OP, "brush: {max: 2", "bristle: {max: 2"),
            (OP, "brush: {pattern: hex}", "bristle: {pattern: hex}"),
        ],
        [
            ("breaking", "plain", "brush", None, "model removed"),
            ("compatible", "plain", "bristle", None, "model added"),
            ("notable", None, "brush", None, "known model removed"),
            ("notable", None, "bristle", None, "known model added"),
        ],
    ),
    (
        "field removed",
        [
            (
                OP,
                "      tape:\n        type: boolean\n        summary: Mask the edges.\n        by_model:\n          brush: {allowed: false}\n",
                "",
            ),
            (OP, TAPE_RULE, ""),
        ],
        [
            ("breaking", "plain", None, "tape", "field removed: no longer accepted"),
            (
                "notable",
                "plain",
                "spray",
                None,
                "rule tape.wasted removed (was warning)",
            ),
        ],
    ),
    (
        "required field added",
        [
            (
                OP,
                NEW_FIELD,
                "      wall: {type: string, required: true, summary: Which wall.}\n"
                + NEW_FIELD,
            )
        ],
        [("breaking", "plain", None, "wall", "field added (required)")],
    ),
    (
        "optional field added",
        [
            (
                OP,
                NEW_FIELD,
                "      wall: {type: string, summary: Which wall.}\n" + NEW_FIELD,
            )
        ],
        [("compatible", "plain", None, "wall", "field added (optional)")],
    ),
    (
        "field type changed",
        [(OP, "seed: {type: integer,", "seed: {type: string,")],
        [("breaking", "plain", None, "seed", "type: `integer` → `string`")],
    ),
    (
        "field became required",
        [(OP, "seed: {type: integer,", "seed: {type: integer, required: true,")],
        [("breaking", "plain", None, "seed", "required: now required")],
    ),
    (
        "object field no longer required",
        [
            (
                OP,
                "            required: true\n            summary: Colour",
                "            summary: Colour",
            )
        ],
        [
            (
                "compatible",
                "plain",
                None,
                "layers[].color",
                "required: no longer required",
            )
        ],
    ),
    (
        "object renamed",
        [
            (OP, "items: {object: Layer}", "items: {object: Coat}"),
            (OP, "      Layer:\n", "      Coat:\n"),
        ],
        [
            (
                "breaking",
                "plain",
                None,
                "layers",
                "items: `object Layer` → `object Coat`",
            )
        ],
    ),
    (
        "model no longer takes a field",
        [(OP, "          spray: {ignored: true}", "          spray: {allowed: false}")],
        [
            (
                "breaking",
                "plain",
                "spray",
                "primer",
                "allowed: not accepted (unsupported)",
            ),
            ("notable", "plain", "spray", "primer", "ignored: now applied"),
        ],
    ),
    (
        "model takes a field again",
        [(OP, "        by_model:\n          brush: {allowed: false}\n", "")],
        [("compatible", "plain", "brush", "tape", "allowed: accepted again")],
    ),
    (
        "field newly ignored",
        [
            (
                OP,
                "          spray: {ignored: true}",
                "          spray: {ignored: true}\n          brush: {ignored: true}",
            )
        ],
        [("notable", "plain", "brush", "primer", "ignored: now ignored (a warning)")],
    ),
    (
        "warning became an error",
        [(OP, "        severity: warning\n", "        severity: error\n")],
        [("breaking", "plain", "spray", None, "rule tape.wasted: warning → error")],
    ),
    (
        "error became a warning",
        [
            (
                OP,
                "        summary: A primer needs two coats.\n",
                "        summary: A primer needs two coats.\n        severity: warning\n",
            )
        ],
        [
            ("compatible", "plain", m, None, "rule primer.coats: error → warning")
            for m in ("brush", "roller", "spray")
        ],
    ),
    (
        "error rule added",
        [
            (
                OP,
                TAPE_RULE,
                TAPE_RULE
                + '      - id: seed.zero\n        models: [roller]\n        when: {seed: 0}\n        message: "no seed 0 on {model}"\n',
            )
        ],
        [("breaking", "plain", "roller", None, "rule seed.zero added (error)")],
    ),
    (
        "warning rule added",
        [
            (
                OP,
                TAPE_RULE,
                TAPE_RULE
                + '      - id: seed.zero\n        severity: warning\n        models: [roller]\n        when: {seed: 0}\n        message: "seed 0 on {model}"\n',
            )
        ],
        [("notable", "plain", "roller", None, "rule seed.zero added (warning)")],
    ),
    (
        "rule applies to a model more",
        [(OP, "        models: [spray]\n", "        models: [spray, roller]\n")],
        [("notable", "plain", "roller", None, "rule tape.wasted added (warning)")],
    ),
    (
        "rule limit lowered",
        [(OP, "require: {total: photos, max: 4}", "require: {total: photos, max: 3}")],
        [
            ("breaking", "plain", m, None, "rule photos.total max: `4` → `3`")
            for m in ("roller", "spray")
        ],
    ),
    (
        "rule condition added",
        [(OP, PRIMER_RULE, "when: {primer: true, coats: [1], tape: true}")],
        [
            (
                "compatible",
                "plain",
                m,
                None,
                "rule primer.coats when: `coats = 1, primer = true` → "
                "`coats = 1, primer = true, tape = true` (applies less often)",
            )
            for m in ("brush", "roller", "spray")
        ],
    ),
    (
        "default of one model changed",
        [(OP, BRUSH_COATS, "brush:  {range: [1, 3], default: 2}")],
        [("notable", "plain", "brush", "coats", "default: `1` → `2`")],
    ),
    (
        "note changed",
        [(OP, "the page says up to five", "the page says at most five")],
        [
            (
                "notable",
                "plain",
                "roller",
                "coats",
                "note: `the page says up to five` → `the page says at most five`",
            )
        ],
    ),
    (
        "form summary changed",
        [(OP, "Paint from a description.", "Paint from words.")],
        [
            (
                "notable",
                "plain",
                None,
                None,
                "summary: `Paint from a description.` → `Paint from words.`",
            )
        ],
    ),
    (
        "byte limit lowered",
        [(API, "max_file_bytes: 1048576", "max_file_bytes: 524288")],
        [
            (
                "breaking",
                None,
                None,
                None,
                "asset photo max_file_bytes: `1048576` → `524288`",
            )
        ],
    ),
    (
        "aspect ratio widened",
        [(API, '["1:2", "2:1"]', '["1:3", "2:1"]')],
        [
            (
                "compatible",
                None,
                None,
                None,
                "asset photo aspect_ratio: `1:2 to 2:1` → `1:3 to 2:1`",
            )
        ],
    ),
    (
        "pattern changed",
        [(OP, '"#[0-9a-f]{6}"', '"#[0-9a-fA-F]{6}"')],
        [
            (
                "breaking",
                "plain",
                "brush",
                "layers[].color",
                "pattern: `#[0-9a-f]{6}` → `#[0-9a-fA-F]{6}`",
            )
        ],
    ),
    (
        "path changed",
        [(OP, "path: /v1/paint", "path: /v2/paint")],
        [("breaking", None, None, None, "path: `/v1/paint` → `/v2/paint`")],
    ),
    (
        "comments and layout only",
        [
            (
                OP,
                "      seed: {type: integer, summary: Random seed.}\n",
                "      # a comment\n      seed:\n        type: integer\n        summary: Random seed.\n",
            )
        ],
        [],
    ),
    (
        "a value moved from the field into every row is no change",
        [
            (
                OP,
                "        count: [1, 4]\n",
                "        by_model:\n          brush: {count: [1, 4]}\n          roller: {count: [1, 4]}\n          spray: {count: [1, 4]}\n",
            )
        ],
        [],
    ),
]


@pytest.mark.parametrize(
    ("edits", "expected"),
    [pytest.param(e, x, id=name) for name, e, x in CASES],
)
def test_each_kind_of_change_is_classified_exactly(
    tmp_path: Path, edits: list[Edit], expected: list[Row]
) -> None:
    assert rows(report(tmp_path, *edits)) == expected


def test_identical_specs_have_no_changes() -> None:
    spec = load(BASE)
    result = diff_specs(spec, load(BASE))
    assert result.changes == ()
    assert result.markdown() == "## Spec changes\n\nNo semantic changes.\n"


def test_added_operation_hides_its_details(tmp_path: Path) -> None:
    new = edited(tmp_path / "new")
    text = (new / OP).read_text().replace("id: paint", "id: sketch")
    text = text.replace("/v1/paint", "/v1/sketch").replace("PaintRequest", "Sketch")
    text = text.replace("PaintJob", "SketchJob").replace("Layer", "Stroke")
    text = text.replace("hex:", "hex2:").replace("pattern: hex}", "pattern: hex2}")
    (new / "operations" / "sketch.yaml").write_text(text)
    assert rows(diff_specs(load(BASE), load(new))) == [
        ("compatible", None, None, None, "operation added: `POST /v1/sketch`")
    ]


MARKDOWN = """\
## Spec changes

**1 breaking**, 1 compatible, 3 notable.

### Whole API

#### Notable

| Form | Model | Field | Change |
| --- | --- | --- | --- |
|  |  |  | api.summary: `A made-up painting API.` → `A made-up API \\| for painting.` |
|  |  |  | api.version: `1.0.0` → `2.0.0` |

### Operation `paint`

#### Breaking

| Form | Model | Field | Change |
| --- | --- | --- | --- |
| plain | all models | `photos` | count: `1..4` → `1..3` (narrowed) |

#### Compatible

| Form | Model | Field | Change |
| --- | --- | --- | --- |
| plain | brush | `coats` | range: `1..3` → `1..4` (widened) |

#### Notable

| Form | Model | Field | Change |
| --- | --- | --- | --- |
| plain | roller, spray | `coats` | default: `2` → `3` |
"""


def test_markdown_groups_by_operation_breaking_first_and_folds_models(
    tmp_path: Path,
) -> None:
    result = report(
        tmp_path,
        (
            API,
            "summary: A made-up painting API.",
            "summary: A made-up API | for painting.",
        ),
        (OP, BRUSH_COATS, "brush:  {range: [1, 4], default: 1}"),
        (
            OP,
            "roller: {range: [1, 5], default: 2,",
            "roller: {range: [1, 5], default: 3,",
        ),
        (
            OP,
            "spray:  {range: [1, 5], default: 2}",
            "spray:  {range: [1, 5], default: 3}",
        ),
        (OP, "count: [1, 4]", "count: [1, 3]"),
        MAJOR_BUMP,
    )
    assert result.markdown() == MARKDOWN


def test_json_lists_every_change_with_its_place(tmp_path: Path) -> None:
    result = report(tmp_path, (OP, ROLLER_COATS, "roller: {range: [1, 4], default: 2"))
    assert json.loads(result.as_json()) == {
        "counts": {"breaking": 2, "compatible": 0, "notable": 0},
        "changes": [
            {
                "kind": "breaking",
                "operation": None,
                "form": None,
                "model": None,
                "field": None,
                "what": "api.version major",
                "old": "1.0.0",
                "new": "1.0.0",
                "message": "1 breaking change without a major version bump: "
                "api.version `1.0.0` → `1.0.0` (needs 2.0.0 or later)",
            },
            {
                "kind": "breaking",
                "operation": "paint",
                "form": "plain",
                "model": "roller",
                "field": "coats",
                "what": "range",
                "old": [1, 5],
                "new": [1, 4],
                "message": "range: `1..5` → `1..4` (narrowed)",
            },
        ],
    }


def test_keys_the_diff_does_not_know_are_reported_unclassified() -> None:
    @attrs.define
    class Extra:
        limit: int
        tags: list[str]

    @attrs.define
    class Holder:
        extra: Extra | None = None

    def collected(extra: Extra | None) -> dict[Key, Fact]:
        collector = _Collector()
        collector.rest(Holder(extra), set(), Key(), ())
        return dict(collector.facts)

    old, new = collected(Extra(5, ["a"])), collected(Extra(4, ["a", "b"]))
    messages = [c.message for c in diff_facts(old, new)]
    assert messages == [
        "extra.limit: `5` → `4` (not classified)",
        "extra.tags: `a` → `a, b` (not classified)",
    ]
    added = diff_facts(collected(None), new)
    assert [(c.kind, c.message) for c in added] == [
        ("notable", "extra added: `{limit: 4, tags: [a, b]}` (not classified)")
    ]


def test_every_fact_of_the_bundled_spec_can_be_classified() -> None:
    loaded = load_spec(PROJECT / "spec")
    if loaded.spec is None:
        pytest.skip("the bundled spec does not load right now")
    found = facts(loaded.spec)
    assert found
    for key, fact in found.items():
        assert all(owner in found for owner in fact.owners), key
        classify(key, None, fact)  # a fact of an unknown rule raises KeyError
        classify(key, fact, None)


# the command line ------------------------------------------------------------


def test_cli_compares_two_directories(tmp_path: Path) -> None:
    new = edited(
        tmp_path / "new", (OP, ROLLER_COATS, "roller: {range: [1, 4], default: 2")
    )
    result = run_codegen("diff", str(BASE), str(new))
    assert result.returncode == 0, result.stderr
    assert (
        "| plain | roller | `coats` | range: `1..5` → `1..4` (narrowed) |"
        in result.stdout
    )
    failing = run_codegen("diff", str(BASE), str(new), "--fail-on-breaking")
    assert failing.returncode == 1
    assert failing.stdout == result.stdout
    as_json = run_codegen("diff", str(BASE), str(new), "--format", "json")
    assert json.loads(as_json.stdout)["counts"]["breaking"] == 2


def test_cli_fail_on_breaking_passes_compatible_changes(tmp_path: Path) -> None:
    new = edited(
        tmp_path / "new", (OP, BRUSH_COATS, "brush:  {range: [1, 4], default: 1}")
    )
    result = run_codegen("diff", str(BASE), str(new), "--fail-on-breaking")
    assert result.returncode == 0, result.stderr


def test_cli_reports_spec_errors_like_lint(tmp_path: Path) -> None:
    new = edited(tmp_path / "new", (OP, "type: integer\n", "type: integr\n"))
    result = run_codegen("diff", str(BASE), str(new))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "operations/paint.yaml:16:15:" in result.stderr
    assert "1 error in the spec at" in result.stderr


def test_cli_needs_two_specs_or_a_base() -> None:
    result = run_codegen("diff", str(BASE))
    assert result.returncode == 2
    assert "diff takes OLD NEW, or --base REV" in result.stderr


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_cli_compares_with_a_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    spec = edited(repo / "spec")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    path = spec / OP
    path.write_text(
        path.read_text().replace(ROLLER_COATS, "roller: {range: [1, 4], default: 2")
    )
    root = spec / API
    root.write_text(root.read_text().replace("version: 1.0.0", "version: 2.0.0"))
    result = run_codegen(
        "--spec", str(spec), "diff", "--base", "HEAD", "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert [c["message"] for c in changes] == [
        "range: `1..5` → `1..4` (narrowed)",
        "api.version: `1.0.0` → `2.0.0`",
    ]
    path.write_text(path.read_text().replace("type: integer\n", "type: integr\n"))
    broken = run_codegen("--spec", str(spec), "diff", "--base", "HEAD")
    assert broken.returncode == 2
    assert "spec/operations/paint.yaml:16:15:" in broken.stderr
    unknown = run_codegen("--spec", str(spec), "diff", "--base", "no-such-rev")
    assert unknown.returncode == 2
    assert "cannot read revision 'no-such-rev'" in unknown.stderr


def test_a_breaking_change_needs_a_major_version_bump(tmp_path: Path) -> None:
    narrowed = (OP, ROLLER_COATS, "roller: {range: [1, 4], default: 2")
    minor = report(tmp_path / "minor", narrowed, (API, "1.0.0", "1.1.0"))
    bump = [c for c in minor.changes if c.key == VERSION_BUMP]
    assert [(c.kind, c.old, c.new, c.message) for c in bump] == [
        (
            "breaking",
            "1.0.0",
            "1.1.0",
            "1 breaking change without a major version bump: "
            "api.version `1.0.0` → `1.1.0` (needs 2.0.0 or later)",
        )
    ]
    assert minor.ordered()[0] == bump[0]
    assert "| api.version: `1.0.0` → `1.1.0` |" in minor.markdown()
    major = report(tmp_path / "major", narrowed, MAJOR_BUMP)
    assert VERSION_BUMP not in {c.key for c in major.changes}
    assert major.count("breaking") == 1


def test_a_compatible_change_needs_no_version_bump(tmp_path: Path) -> None:
    result = report(tmp_path, (OP, BRUSH_COATS, "brush:  {range: [1, 4], default: 1}"))
    assert [c.kind for c in result.changes] == ["compatible"]
