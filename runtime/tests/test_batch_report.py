"""The batch runner's progress line, log lines and report files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from specgen_runtime.batch.ledger import STATES, Ledger, State
from specgen_runtime.batch.manifest import Job
from specgen_runtime.batch.report import (
    Progress,
    printable,
    spreadsheet_cell,
    write_reports,
)


def _counts(**given: int) -> dict[State, int]:
    counts: dict[State, int] = dict.fromkeys(STATES, 0)
    counts.update(given)  # type: ignore[arg-type]  # state names as keywords
    return counts


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_terminal_gets_one_line_kept_up_to_date_with_an_estimate() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, clock=clock, live=True)
    progress.update(_counts(pending=10), 0)
    progress.log("job-1: created task 1")  # not shown: the line says enough
    clock.now = 10.0
    progress.update(_counts(pending=6, created=2, downloaded=2), 40)
    progress.close()
    shown = stream.getvalue()
    assert "job-1" not in shown
    assert shown.startswith("\r0/10 done | pending 10 | 0 credits | ETA unknown\x1b[K")
    # 2 done in 10 s: 8 left take 40 s
    assert (
        "\r2/10 done | pending 6, created 2, downloaded 2 | 40 credits | ETA 40s"
        in shown
    )
    assert shown.endswith("\n")


def test_a_log_gets_plain_lines_and_a_summary_now_and_then() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, clock=clock, live=False, every=10.0)
    progress.update(_counts(pending=2), 0)
    progress.log("job-1: created task 1")
    clock.now = 5.0
    progress.update(_counts(created=2), 0)  # too soon
    clock.now = 125.0
    progress.update(_counts(downloaded=1, created=1), 20)
    assert stream.getvalue().splitlines() == [
        "0/2 done | pending 2 | 0 credits | ETA unknown",
        "job-1: created task 1",
        "1/2 done | created 1, downloaded 1 | 20 credits | ETA 2m05s",
    ]


def test_the_reports_list_every_job_and_leave_no_temporary_file(tmp_path: Path) -> None:
    with Ledger(tmp_path) as ledger:
        for n, key in enumerate(["a", 'b,"quoted"']):
            ledger.add(Job(n + 1, key, f"{n}.mp4", {"x": n}), f"{n:032x}")
        first = ledger.by_key("a")
        assert first is not None
        ledger.update(first.id, "failed", "refused", err_code="BadRequest", error="no")
        json_path, csv_path = write_reports(ledger, tmp_path)
    rows = json.loads(json_path.read_text())
    assert [(r["key"], r["state"], r["err_code"]) for r in rows] == [
        ("a", "failed", "BadRequest"),
        ('b,"quoted"', "pending", None),
    ]
    with csv_path.open(newline="") as handle:
        read = list(csv.DictReader(handle))
    assert [r["key"] for r in read] == ["a", 'b,"quoted"']
    assert read[1]["task_id"] == ""
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_text_that_could_drive_a_terminal_is_printed_escaped() -> None:
    stream = io.StringIO()
    progress = Progress(stream, live=False)
    progress.log("k: failed (\x1b]0;title\x07\x1b[2J\u2028\x9b1m)")
    progress.note("stopped: \rover")
    assert stream.getvalue() == (
        "k: failed (\\x1b]0;title\\x07\\x1b[2J\\u2028\\x9b1m)\nstopped: \\rover\n"
    )
    assert printable("plain é text") == "plain é text"


def test_a_csv_cell_never_starts_a_formula() -> None:
    for start in "=+-@\t\r":
        assert spreadsheet_cell(f"{start}1+1") == "'" + printable(f"{start}1+1")
    assert spreadsheet_cell("a=b") == "a=b"
    assert spreadsheet_cell(None) == ""
    assert spreadsheet_cell(-3) == -3
