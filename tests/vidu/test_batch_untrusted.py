"""vidu.batch trusts nothing it reads: the ledger, the manifest, the service's
text, the task list. Against the fake server, or a small hostile server, on
127.0.0.1.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import vidu
from specgen_runtime.batch import (
    LedgerError,
    ManifestError,
    ManifestNotFound,
    create_operation,
)
from specgen_runtime.batch.ledger import Ledger
from specgen_runtime.batch.manifest import Job
from specgen_runtime.batch.service import ClientService, ListTooLong
from vidu import batch
from vidu.testing import FakeServer

from tests.vidu.batch_jobs import (
    BODY,
    FAST,
    fast_server,
    write_manifest,
)

ESCAPES = '=HYPERLINK("http://evil.invalid")\x1b[2J\x1b]0;pwned\x07\x9b31m'
"""An error code a hostile service might send: a formula, then terminal
escapes that clear the screen and set the window's title."""


def _client(server: FakeServer) -> vidu.Client:
    return vidu.Client(server.api_key, base_url=server.url, max_retries=0, timeout=5)


def _ledger_with(out: Path, *jobs: Job) -> None:
    """A ledger in ``out`` holding ``jobs`` as pending, as a run adds them."""
    with Ledger(out) as ledger:
        for n, job in enumerate(jobs):
            ledger.add(job, f"{n:032x}")


def _tamper(out: Path, sql: str, *values: object) -> None:
    db = sqlite3.connect(out / "batch-ledger.sqlite3")
    with db:
        db.execute(sql, values)
    db.close()


# --- the ledger ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("file", "../escape.mp4", "file: '../escape.mp4' is not a plain file name"),
        ("file", "/tmp/abs.mp4", "is not a plain file name"),
        ("file", "batch-ledger.sqlite3", "are the runner's own"),
        ("body", json.dumps({**BODY, "prompt": "other"}), "digest"),
        ("body", "[1]", "not a JSON object"),
        ("marker", "not-a-marker", "marker is not one the runner makes"),
    ],
)
def test_a_changed_ledger_row_is_refused_naming_the_row_before_anything_is_sent(
    tmp_path: Path, column: str, value: str, said: str
) -> None:
    manifest = write_manifest(tmp_path / "jobs.jsonl", 2)
    out = tmp_path / "out"
    _ledger_with(out, Job(1, "job-0", "job-0.mp4", {**BODY, "payload": "p0"}))
    _tamper(out, f"UPDATE jobs SET {column} = ? WHERE key = 'job-0'", value)
    with fast_server() as server, _client(server) as client:
        with pytest.raises(LedgerError) as caught:
            batch.run(manifest, out, client=client, stream=io.StringIO(), **FAST)
        assert server.received["reference2video"] == 0
    message = str(caught.value)
    assert "the ledger's row 1 (job 'job-0') cannot be used" in message
    assert said in message
    assert not (tmp_path / "escape.mp4").exists()


def test_a_row_whose_body_and_digest_were_changed_together_is_never_sent(
    tmp_path: Path,
) -> None:
    """The digest agrees with the changed body, but not with the manifest:
    the job is not what the manifest asks for, so it is not sent, even when
    invalid lines are skipped; a row planted under a key the manifest does
    not have is never sent either."""
    manifest = write_manifest(tmp_path / "jobs.jsonl", 2)
    out = tmp_path / "out"
    planted = {**BODY, "prompt": "planted", "payload": "x"}
    changed = Job(1, "job-0", "job-0.mp4", planted)
    _ledger_with(out, changed, Job(9, "stranger", "stranger.mp4", planted))
    log = io.StringIO()
    with fast_server() as server, _client(server) as client:
        summary = batch.run(
            manifest, out, client=client, stream=log, skip_invalid=True, **FAST
        )
        prompts = [
            r.body["prompt"]
            for r in server.requests
            if r.method == "POST" and isinstance(r.body, dict)
        ]
    assert prompts == ["A bear waves."], log.getvalue()
    assert summary.counts["downloaded"] == 1
    assert summary.counts["pending"] == 2
    shown = log.getvalue()
    assert "asks for something else than the job of that key" in shown
    assert "2 jobs of" in shown
    assert "none of them is sent" in shown


# --- the manifest --------------------------------------------------------------------


def test_blank_lines_count_toward_the_line_limit(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text(json.dumps(BODY) + "\n" + "\n" * 50)
    log = io.StringIO()
    with fast_server() as server, _client(server) as client:
        with pytest.raises(ManifestError):
            batch.run(
                manifest, tmp_path / "out", client=client, stream=log, max_jobs=10
            )
        assert server.received["reference2video"] == 0
    assert (
        "line 11: more than 10 lines (blank lines count too): pass max_jobs= "
        "(--max-jobs) to raise the limit" in log.getvalue()
    )


def test_a_manifest_past_its_byte_limit_ends_the_check(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_bytes(b"x" * 5000)  # one line without end
    log = io.StringIO()
    with (
        fast_server() as server,
        _client(server) as client,
        pytest.raises(ManifestError),
    ):
        batch.run(
            manifest,
            tmp_path / "out",
            client=client,
            stream=log,
            options=batch.Options(max_line_bytes=100, max_manifest_bytes=1000),
        )
    assert (
        "the manifest goes on past the limit of 1000 bytes: pass "
        "max_manifest_bytes= (--max-manifest-bytes) to raise it" in log.getvalue()
    )


def test_an_endless_pipe_of_blank_lines_ends_at_the_line_limit(tmp_path: Path) -> None:
    read, write = os.pipe()
    sent = {"chunks": 0}

    def feed() -> None:
        try:
            with open(write, "wb", buffering=0) as pipe:
                for _ in range(100_000):  # far beyond the limit; bounded all the same
                    pipe.write(b"\n" * 4096)
                    sent["chunks"] += 1
        except BrokenPipeError:
            return

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    log = io.StringIO()
    try:
        with (
            fast_server() as server,
            _client(server) as client,
            pytest.raises(ManifestError),
        ):
            batch.run(
                f"/dev/fd/{read}",
                tmp_path / "out",
                client=client,
                stream=log,
                max_jobs=20_000,
            )
    finally:
        os.close(read)
        writer.join(timeout=30)
    assert "more than 20000 lines" in log.getvalue()
    assert sent["chunks"] < 100_000


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_the_command_line_reading_dev_zero_stops_at_the_byte_limit(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "vidu",
                "--base-url",
                server.url,
                "batch",
                "/dev/zero",
                "--out",
                str(tmp_path / "out"),
                "--max-manifest-bytes",
                "3000000",
            ],
            env={**os.environ, "VIDU_API_KEY": server.api_key},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 2, done.stderr
    assert "goes on past the limit of 3000000 bytes" in done.stderr


def test_hints_say_what_works_in_a_manifest(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.jsonl"
    lines = [
        {"key": "local", "request": {**BODY, "images": ["local.png"]}},
        {"key": "new", "request": {**BODY, "model": "viduq9"}},
        {"key": "typo", "reqeust": BODY},
    ]
    manifest.write_text("".join(json.dumps(line) + "\n" for line in lines))
    log = io.StringIO()
    with (
        fast_server() as server,
        _client(server) as client,
        pytest.raises(ManifestError),
    ):
        batch.run(manifest, tmp_path / "out", client=client, stream=log)
    shown = log.getvalue()
    assert "use vidu.Image.from_path('local.png')" not in shown
    assert "a manifest gives a file as a URL or a data: URI" in shown
    assert 'validation="warn"' not in shown
    assert "a batch sends only the models this package knows" in shown
    assert (
        "line 3: reqeust: unknown member 'reqeust' (did you mean 'request'?)" in shown
    )
    assert "unknown field 'key'" not in shown


def test_a_missing_manifest_is_a_file_not_found_error(tmp_path: Path) -> None:
    with (
        fast_server() as server,
        _client(server) as client,
        pytest.raises(FileNotFoundError) as caught,
    ):
        batch.run(tmp_path / "nothing.jsonl", tmp_path / "out", client=client)
    assert isinstance(caught.value, ManifestNotFound)
    assert isinstance(caught.value, ManifestError)
    assert isinstance(caught.value, vidu.ViduError)
    assert str(caught.value).endswith("nothing.jsonl: no such file")
    assert not (tmp_path / "out").exists()  # checked before the folder is made


def test_an_output_folder_that_is_a_file_says_so(tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path / "jobs.jsonl", 1)
    (tmp_path / "out").write_text("a file")
    with fast_server() as server, _client(server) as client:
        for out in (tmp_path / "out" / "deeper", tmp_path / "out"):
            with pytest.raises(LedgerError, match="is a file, not a folder"):
                batch.run(manifest, out, client=client)


# --- what the service says ----------------------------------------------------


def test_service_text_is_escaped_on_the_terminal_and_neutralised_in_the_csv(
    tmp_path: Path,
) -> None:
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text(
        json.dumps({"key": "=1+1", "file": "sum.mp4", "request": BODY}) + "\n"
    )
    out = tmp_path / "out"
    log = io.StringIO()
    with (
        fast_server(outcome="failed", err_code=ESCAPES) as server,
        _client(server) as client,
    ):
        summary = batch.run(manifest, out, client=client, stream=log, **FAST)
    assert summary.counts["failed"] == 1, log.getvalue()
    shown = log.getvalue()
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m" in shown
    with (out / "batch-report.csv").open(newline="") as report:
        (row,) = list(csv.DictReader(report))
    assert row["key"] == "'=1+1"
    assert row["err_code"].startswith("'=HYPERLINK(")
    assert "\x1b" not in row["err_code"]
    assert "\\x1b" in row["err_code"]
    raw = (out / "batch-report.json").read_text()
    assert "\x9b" not in raw
    (kept,) = json.loads(raw)
    assert kept["err_code"] == ESCAPES  # the JSON report keeps the value as it came


# --- the task list ---------------------------------------------------------------


class _EndlessList(BaseHTTPRequestHandler):
    """A task list that never ends: every page names a new next page, and
    ``stall`` pages are held until the test ends (bounded)."""

    protocol_version = "HTTP/1.1"
    stall = False
    release = threading.Event()
    pages = 0

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        type(self).pages += 1
        if self.stall:
            self.release.wait(10)
        raw = json.dumps(
            {"tasks": [], "next_page_token": f"t{type(self).pages}"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@contextmanager
def _endless(stall: bool) -> Iterator[str]:
    release = threading.Event()

    class Handler(_EndlessList):
        pass

    Handler.stall = stall
    Handler.release = release
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("stall", [False, True])
def test_reading_the_task_list_ends_by_its_deadline(stall: bool) -> None:
    start = datetime.now(UTC) - timedelta(minutes=5)
    with (
        _endless(stall) as url,
        vidu.Client("k" * 20, base_url=url, max_retries=0, timeout=30) as client,
    ):
        service = ClientService(
            client, create_operation(client, "reference2video"), list_timeout=0.5
        )
        with pytest.raises(ListTooLong) as caught:
            list(service.tasks_created(start, start + timedelta(minutes=10)))
    message = str(caught.value)
    assert "took longer than list_timeout=0.5 s" in message
    assert "pass a larger list_timeout= to the batch run (--list-timeout)" in message


def test_the_task_list_is_read_to_as_many_pages_as_iter_pages_reads() -> None:
    from specgen_runtime.pagination import DEFAULT_MAX_PAGES

    start = datetime.now(UTC) - timedelta(minutes=5)
    with (
        _endless(False) as url,
        vidu.Client("k" * 20, base_url=url, max_retries=0, timeout=30) as client,
    ):
        service = ClientService(client, create_operation(client, "reference2video"))
        assert service.max_pages == DEFAULT_MAX_PAGES
        service.max_pages = 3
        with pytest.raises(ListTooLong, match="past max_pages=3 pages"):
            list(service.tasks_created(start, start + timedelta(minutes=10)))
