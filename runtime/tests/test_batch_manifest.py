"""The batch manifest, marker and ledger with hand-built tables.

A ``Clips`` API whose create operation has a ``note`` pass-through field of
at most 60 characters, so the marker's room is easy to run out of.
"""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import cattrs
import pytest
from specgen_runtime.batch import marker
from specgen_runtime.batch.ledger import Ledger, LedgerError
from specgen_runtime.batch.manifest import ManifestError, Rules, check_manifest
from specgen_runtime.tables import ApiTables, Auth, FieldTable, FormTable, Operation
from specgen_runtime.violations import Violation

CREATE = Operation(
    "make_clip", "POST", "/clips", "Make a clip", task="create", has_body=True
)
FORM = FormTable(
    operation="make_clip",
    name="clip",
    request_class="ClipRequest",
    models=(),
    fields={
        "title": FieldTable("string", required=True, length=(1, 20)),
        "note": FieldTable("string", length=(0, 60)),
    },
)


def _validate(operation_id: str, body: Mapping[str, Any]) -> list[Violation]:
    found = []
    title = body.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= 20:
        found.append(
            Violation("error", "title", "title.length", "title: 1 to 20 characters")
        )
    if "shots" in body:
        found.append(Violation("error", "shots[1]", "shots.kind", "not a shot"))
    return found


CLIPS = ApiTables(
    name="Clips",
    package="clips",
    version="1.0.0",
    base_url="https://clips.example",
    hosts={},
    auth=Auth("X-Key", ""),
    models=(),
    operations={CREATE.id: CREATE},
    forms=(FORM,),
    validate=_validate,
    converter=cattrs.Converter(),
)
RULES = Rules.of(CLIPS, CREATE, marker_field="note", max_line_bytes=400)


def _check(text: str, **kwargs: Any) -> list[Any]:
    return list(check_manifest(io.BytesIO(text.encode()), RULES, **kwargs))


def test_both_line_forms_give_jobs_with_keys_and_files() -> None:
    found = _check(
        '{"title": "a"}\n'
        "\n"
        '{"key": "k2", "file": "two.mp4", "request": {"title": "b", "note": "n"}}\n'
    )
    assert [c.line for c in found] == [1, 3]
    first, second = (c.job for c in found)
    assert (first.key, first.file, dict(first.body)) == (
        "line-1",
        "line-1.mp4",
        {"title": "a"},
    )
    assert (second.key, second.file) == ("k2", "two.mp4")
    assert first.digest != second.digest


def test_every_problem_is_reported_with_its_line_and_field() -> None:
    text = "\n".join(
        [
            '{"title": "ok", "key": "x"}',
            "not json",
            "[1, 2]",
            '{"key": "k", "request": {"title": ""}, "extra": 1}',
            '{"key": "k", "request": {"title": "b", "shots": []}}',
            '{"key": "k3", "file": "../up.mp4", "request": {"title": "c"}}',
            '{"key": "k4", "file": "batch-ledger.sqlite3", "request": {"title": "c"}}',
            '{"key": "k5", "request": {"title": "d", "note": "' + "n" * 30 + '"}}',
        ]
    )
    problems = [str(p) for c in _check(text) for p in c.problems]
    assert problems[0] == (
        "line 1: key: 'key' is a member of a job, not a request field: a line with "
        '\'key\' is {"key": ..., "file": ..., "request": {...}}, and this one has '
        'no "request" [manifest.shape]'
    )
    assert problems[1].startswith("line 2: not JSON")
    assert problems[2] == "line 3: a JSON list, not an object [manifest.shape]"
    assert any(
        p.startswith("line 4: extra: unknown member(s) 'extra'") for p in problems
    )
    assert "line 4: title: title: 1 to 20 characters [title.length]" in problems
    assert "line 5: key: 'k' is the key of line 4 too [manifest.key]" in problems
    assert "line 5: shots[1]: not a shot [shots.kind]" in problems
    assert any(
        p.startswith("line 6: file: '../up.mp4' is not a plain file name")
        for p in problems
    )
    assert any(
        p.startswith("line 7: file: names starting with 'batch-'") for p in problems
    )
    room = [p for p in problems if p.startswith("line 8: note:")]
    assert room == [
        "line 8: note: with the job's marker (38 characters) in front, it would be 68 "
        "characters, over the limit of 60: shorten it by 8 [manifest.marker]"
    ]


def test_limits_name_themselves_and_how_to_raise_them() -> None:
    long_line = '{"title": "' + "x" * 500 + '"}\n{"title": "after"}\n'
    found = _check(long_line)
    assert "longer than the limit of 400 bytes: pass max_line_bytes=" in str(
        found[0].problems[0]
    )
    assert found[1].job is not None
    assert found[1].line == 2
    few = Rules.of(CLIPS, CREATE, marker_field="note", max_jobs=1)
    checked = list(check_manifest(io.BytesIO(b'{"title": "a"}\n{"title": "b"}\n'), few))
    assert "more than 1 lines (blank lines count too): pass max_jobs=" in str(
        checked[-1].problems[0]
    )


def test_an_existing_file_is_refused_unless_the_job_is_known(tmp_path: Path) -> None:
    (tmp_path / "line-1.mp4").write_bytes(b"mine")
    text = '{"title": "a"}\n'
    (fresh,) = _check(text, out_dir=tmp_path)
    assert "exists; nothing is overwritten" in str(fresh.problems[0])
    (known,) = _check(text, out_dir=tmp_path, known=lambda key: key == "line-1")
    assert known.job is not None


def test_a_member_given_twice_is_refused_with_its_line() -> None:
    text = (
        '{"title": "a"}\n'
        '{"key": "a", "key": "b", "request": {"title": "b"}}\n'
        '{"key": "c", "request": {"title": "c", "title": "d"}}\n'
    )
    found = _check(text)
    assert found[0].job is not None
    assert [str(p) for c in found[1:] for p in c.problems] == [
        "line 2: key: the member 'key' appears twice in one object: give it once "
        "[manifest.json]",
        "line 3: title: the member 'title' appears twice in one object: give it "
        "once [manifest.json]",
    ]
    assert [c.job for c in found[1:]] == [None, None]


def test_files_that_clash_letter_case_aside_or_name_devices_are_refused() -> None:
    lines = [
        '{"key": "k1", "file": "a.mp4", "request": {"title": "a"}}',
        '{"key": "k2", "file": "A.MP4", "request": {"title": "a"}}',
        '{"key": "k3", "file": "CON", "request": {"title": "a"}}',
        '{"key": "k4", "file": "nul.mp4", "request": {"title": "a"}}',
        '{"key": "k5", "file": "Com1.txt", "request": {"title": "a"}}',
        '{"key": "k6", "file": "clip.mp4.", "request": {"title": "a"}}',
        '{"key": "k7", "file": "console.mp4", "request": {"title": "a"}}',
    ]
    found = _check("\n".join(lines) + "\n")
    assert found[0].job is not None
    assert str(found[1].problems[0]) == (
        "line 2: file: 'A.MP4' is the file of line 1 too (letter case aside, as "
        'some folders ignore it): give one a "file" [manifest.file]'
    )
    for checked, name in zip(
        found[2:6], ["CON", "nul.mp4", "Com1.txt", "clip.mp4."], strict=True
    ):
        assert checked.job is None
        assert str(checked.problems[0]).startswith(
            f"line {checked.line}: file: {name!r} is not a plain file name: "
            "Windows keeps it for a device"
        )
    assert found[6].job is not None


def test_a_dangling_link_counts_as_an_existing_file(tmp_path: Path) -> None:
    (tmp_path / "line-1.mp4").symlink_to(tmp_path / "nowhere")
    (fresh,) = _check('{"title": "a"}\n', out_dir=tmp_path)
    assert fresh.job is None
    assert "exists; nothing is overwritten" in str(fresh.problems[0])


def test_an_operation_without_the_marker_field_is_refused() -> None:
    with pytest.raises(ManifestError, match="no string field 'payload'"):
        Rules.of(CLIPS, CREATE, marker_field="payload")
    with pytest.raises(ManifestError, match="names no pass_through_field"):
        Rules.of(CLIPS, CREATE)


def test_the_marker_wraps_and_unwraps_any_payload() -> None:
    job = marker.new_marker()
    assert marker.new_marker() != job
    for payload in ("", "order-17", "sgb1.not-a-marker", 'quote " and \\ \u00e9'):
        wrapped = marker.wrap(job, payload)
        assert len(wrapped) == marker.wrapped_length(payload)
        assert marker.parse(wrapped) == (job, payload)
        assert marker.unwrap(wrapped) == payload
        assert marker.unwrap(payload) == payload
    task = {"id": "t", "payload": marker.wrap(job, "x")}
    assert marker.unwrap_task(task) == {"id": "t", "payload": "x"}
    assert marker.parse(None) == (None, None)
    with pytest.raises(ValueError, match="not a marker"):
        marker.wrap("XYZ", "")


def test_the_ledger_keeps_states_and_is_held_by_one_run(tmp_path: Path) -> None:
    (checked,) = _check('{"key": "a", "request": {"title": "a"}}\n')
    with Ledger(tmp_path) as ledger:
        ledger.add(checked.job, "0" * 32)
        row = ledger.by_key("a")
        assert row is not None
        assert row.state == "pending"
        assert row.request() == {"title": "a"}
        with pytest.raises(LedgerError, match="another batch run is using"):
            Ledger(tmp_path)
        sent = ledger.mark_creating([row.id])
        ledger.update(row.id, "created", "answered", task_id="t1", credits=20)
        with pytest.raises(ValueError, match="not ledger columns"):
            ledger.update(row.id, "created", key="b")
        assert ledger.counts()["created"] == 1
        assert ledger.credits() == 20
        again = ledger.get(row.id)
        assert (again.attempts, again.sent_at, again.task_id) == (1, sent, "t1")
        assert [state for _, state, _ in ledger.events(row.id)] == [
            "pending",
            "creating",
            "created",
        ]
    db = sqlite3.connect(tmp_path / "batch-ledger.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    with Ledger(tmp_path) as ledger:  # released with the first
        assert [r.key for r in ledger.rows()] == ["a"]
        json.dumps(ledger.counts())
