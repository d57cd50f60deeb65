"""vidu.batch against the fake server: faults, a runner killed at random, a
list that does not show payloads.

The fake server runs on a fast clock (tasks pass through their states in a
fraction of a second of real time, with real creation times), so the runner
works with its real clock and small settling and polling times.
"""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import vidu
from specgen_runtime.batch import ListUnreadable, ManifestError, marker
from specgen_runtime.batch.ledger import Ledger
from vidu import batch, webhooks
from vidu.testing import FakeServer

from tests.vidu.batch_jobs import (
    BODY,
    FAST,
    SUCCESS_CREDITS,
    fast_server,
    write_manifest,
)


def _tasks_by_marker(server: FakeServer) -> Counter[str]:
    found: Counter[str] = Counter()
    for task_id in server.task_ids:
        mark, _ = marker.parse(server.task(task_id)["payload"])
        assert mark is not None
        found[mark] += 1
    return found


def _check_ledger_matches_server(out: Path, server: FakeServer) -> dict[str, str]:
    """Each job's marker on exactly one task, the ledger's task id that one."""
    counts = _tasks_by_marker(server)
    assert all(n == 1 for n in counts.values()), counts
    states: dict[str, str] = {}
    with Ledger(out) as ledger:
        for row in ledger.rows():
            states[row.key] = row.state
            if row.task_id is not None:
                task = server.task(row.task_id)
                assert marker.parse(task["payload"]) == (
                    row.marker,
                    row.request()["payload"],
                )
            else:
                assert counts[row.marker] == 0 or row.state == "ambiguous"
    assert not [
        p for p in out.iterdir() if p.name.endswith(".part") or p.name.startswith(".")
    ]
    return states


def test_every_job_is_created_once_despite_lost_answers_5xx_and_429(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 6)
        server.inject("reference2video", drop="after_read", times=2)
        server.inject("reference2video", status=500)
        server.inject("reference2video", status=429, retry_after="0")
        server.inject("download", status=503)
        out = tmp_path / "out"
        log = io.StringIO()
        with vidu.Client(
            server.api_key, base_url=server.url, max_retries=0, timeout=5
        ) as client:
            summary = batch.run(manifest, out, client=client, stream=log, **FAST)
        assert summary.exit_status == 0, log.getvalue()
        assert summary.counts["downloaded"] == 6
        states = _check_ledger_matches_server(out, server)
        assert set(states.values()) == {"downloaded"}
        assert server.applied["reference2video"] == 6
        for n in range(6):
            assert (out / f"job-{n}.mp4").stat().st_size == 4096
        report = json.loads((out / "batch-report.json").read_text())
        assert [row["key"] for row in report] == [f"job-{n}" for n in range(6)]
        assert all(row["credits"] == SUCCESS_CREDITS for row in report)
        with Ledger(out) as ledger:
            created = [row.created_at for row in ledger.rows()]
        assert all(c is not None and c.endswith("Z") for c in created), created
        assert (
            (out / "batch-report.csv").read_text().startswith("key,line,task_id,state")
        )


def test_a_failed_task_fails_its_job_and_no_credits_stops_the_run(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 3)
        server.next_outcome("failed", err_code="CreationPolicyViolation")
        server.inject("reference2video", status=400, reason="CreditInsufficient")
        out = tmp_path / "out"
        log = io.StringIO()
        with vidu.Client(server.api_key, base_url=server.url, max_retries=0) as client:
            with pytest.raises(batch.BatchStopped) as caught:
                batch.run(manifest, out, client=client, stream=log, **FAST)
            stopped = caught.value.summary
            assert stopped.stopped_by is not None
            assert "CreditInsufficient" in stopped.stopped_by
            assert isinstance(caught.value.error, vidu.BadRequestError)
            assert caught.value.error.reason == "CreditInsufficient"
            assert stopped.exit_status == 1
            assert stopped.counts["pending"] >= 1, log.getvalue()
            done = batch.run(manifest, out, client=client, stream=log, **FAST)
        assert (done.counts["failed"], done.counts["downloaded"]) == (1, 2)
        rows = {
            row["key"]: row
            for row in json.loads((out / "batch-report.json").read_text())
        }
        failed = [row for row in rows.values() if row["state"] == "failed"]
        assert failed[0]["err_code"] == "CreationPolicyViolation"
        assert failed[0]["credits"] == 0
        assert done.credits == 2 * SUCCESS_CREDITS
        assert server.applied["reference2video"] == 3


def test_nothing_is_sent_while_a_line_is_invalid(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text(
        json.dumps(BODY) + "\n" + json.dumps({**BODY, "duration": 6}) + "\n{oops\n"
    )
    with fast_server() as server:
        log = io.StringIO()
        with (
            vidu.Client(server.api_key, base_url=server.url) as client,
            pytest.raises(ManifestError, match="2 of 3 lines have errors"),
        ):
            batch.run(manifest, tmp_path / "out", client=client, stream=log)
        assert server.received["reference2video"] == 0
    shown = log.getvalue()
    assert "line 2: duration: duration 6 is not allowed for viduq1" in shown
    assert "line 3: not JSON" in shown


def _run_cli(
    manifest: Path, out: Path, server: FakeServer, *, key_flag: bool = False
) -> subprocess.Popen[str]:
    """The command line on ``manifest``; the key in the environment, or on
    the command line with ``key_flag``."""
    command = [
        sys.executable,
        "-m",
        "vidu",
        *(["--api-key", server.api_key] if key_flag else []),
        "--base-url",
        server.url,
        "--timeout",
        "5",
        "--max-retries",
        "0",
        "batch",
        str(manifest),
        "--out",
        str(out),
        "--settle",
        "0.3",
        "--poll-interval",
        "0.05",
    ]
    env = {**os.environ, "VIDU_API_KEY": "" if key_flag else server.api_key}
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _kill_and_restart_until_done(
    manifest: Path,
    out: Path,
    server: FakeServer,
    *,
    kills: int,
    seed: int,
    ends: tuple[int, ...] = (0,),
) -> str:
    """SIGKILL the runner ``kills`` times at random moments, then let it run
    until it exits with a status in ``ends`` (a bounded number of times)."""
    chooser = random.Random(seed)
    output = ""
    for _ in range(kills):
        process = _run_cli(manifest, out, server)
        time.sleep(chooser.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        output += process.communicate(timeout=30)[0]
    for _ in range(4):
        process = _run_cli(manifest, out, server)
        output += process.communicate(timeout=60)[0]
        if process.returncode in ends:
            return output
    return output


def test_a_runner_killed_at_random_creates_each_task_once(tmp_path: Path) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 8)
        server.inject("reference2video", drop="after_read", times=2)
        server.inject("reference2video", status=502)
        out = tmp_path / "out"
        output = _kill_and_restart_until_done(manifest, out, server, kills=3, seed=7)
        states = _check_ledger_matches_server(out, server)
        assert set(states.values()) == {"downloaded"}, output
        assert len(server.task_ids) == 8
        for n in range(8):
            assert (out / f"job-{n}.mp4").stat().st_size == 4096


def test_killed_at_random_without_payloads_in_the_list_nothing_is_created_twice(
    tmp_path: Path,
) -> None:
    with fast_server(echo_payload=False) as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 8)
        server.inject("reference2video", drop="after_read", times=2)
        out = tmp_path / "out"
        output = _kill_and_restart_until_done(
            manifest, out, server, kills=3, seed=11, ends=(0, 1)
        )
        states = _check_ledger_matches_server(out, server)
        assert set(states.values()) <= {"downloaded", "ambiguous"}, output
        assert "ambiguous" in states.values()
        assert len(server.task_ids) <= 8


def test_without_payloads_in_the_list_uncertain_jobs_end_ambiguous(
    tmp_path: Path,
) -> None:
    with fast_server(echo_payload=False) as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 5)
        server.inject("reference2video", status=429, retry_after="0")
        server.inject("reference2video", drop="after_read", times=2)
        out = tmp_path / "out"
        log = io.StringIO()
        with vidu.Client(
            server.api_key, base_url=server.url, max_retries=0, timeout=5
        ) as client:
            summary = batch.run(manifest, out, client=client, stream=log, **FAST)
            assert summary.counts["ambiguous"] == 2, log.getvalue()
            assert summary.counts["downloaded"] == 3
            again = batch.run(manifest, out, client=client, stream=log, **FAST)
            assert again.counts == summary.counts
            assert server.applied["reference2video"] == 5
            assert "the task list cannot find a job's task" in log.getvalue()
            # only when asked: both had in fact been created, so now twice
            forced = batch.run(
                manifest, out, client=client, stream=log, resend_ambiguous=True, **FAST
            )
        assert forced.counts["downloaded"] == 5
        assert server.applied["reference2video"] == 7


def test_ctrl_c_stops_sending_and_the_same_command_continues(tmp_path: Path) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 12)
        out = tmp_path / "out"
        process = _run_cli(manifest, out, server, key_flag=True)
        assert process.stdout is not None
        for _ in range(200):  # wait for the first task, then interrupt
            line = process.stdout.readline()
            if ": created task " in line or not line:
                break
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
        assert process.returncode == 130, output
        assert "interrupted: no more creates are sent" in output
        assert output.count("to continue") == 1, output
        (resume,) = [line for line in output.splitlines() if "to continue" in line]
        assert resume.startswith(
            f"to continue: python -m vidu batch {manifest} --out {out} "
            f"--settle 0.3 --poll-interval 0.05 --base-url {server.url} --timeout 5 "
            "--max-retries 0"
        ), resume
        assert resume.endswith(
            "(with the API key: set VIDU_API_KEY or pass --api-key); nothing done "
            "is done twice"
        )
        assert server.api_key not in output
        with Ledger(out) as ledger:
            counts = ledger.counts()
        assert counts["pending"] > 0
        assert counts["creating"] == 0
        sent = server.received["reference2video"]
        finished = _run_cli(manifest, out, server)
        assert finished.communicate(timeout=60)[0]
        assert finished.returncode == 0
        assert server.received["reference2video"] == sent + counts["pending"]
        states = _check_ledger_matches_server(out, server)
        assert set(states.values()) == {"downloaded"}


def test_callbacks_and_results_give_the_users_payload_back() -> None:
    mark = marker.new_marker()
    body = {
        "id": "t1",
        "state": "success",
        "payload": marker.wrap(mark, "order-17"),
        "creations": [],
    }
    assert webhooks.parse(json.dumps(body)).payload == "order-17"
    assert webhooks.parse({**body, "payload": "sgb1.plain"}).payload == "sgb1.plain"
    assert batch.unwrap(marker.wrap(mark, "")) == ""


def test_a_create_that_lands_after_its_call_gave_up_is_found_not_sent_again(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 2)
        server.inject("reference2video", delay=1.0)  # carried out after 1 s
        out = tmp_path / "out"
        log = io.StringIO()
        with vidu.Client(
            server.api_key, base_url=server.url, max_retries=0, timeout=0.5
        ) as client:
            settled = {**FAST, "settle": 1.5}  # longer than the create is late
            summary = batch.run(manifest, out, client=client, stream=log, **settled)
        assert summary.counts["downloaded"] == 2, log.getvalue()
        assert "found its task" in log.getvalue()
        assert len(server.task_ids) == 2
        _check_ledger_matches_server(out, server)


def test_a_second_task_with_a_jobs_marker_is_reported_at_the_end(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 2)
        out = tmp_path / "out"
        log = io.StringIO()
        with vidu.Client(server.api_key, base_url=server.url) as client:
            first = batch.run(manifest, out, client=client, stream=log, **FAST)
            assert first.extra_tasks == 0
            with Ledger(out) as ledger:
                row = ledger.by_key("job-1")
            assert row is not None
            twin = vidu.Reference2VideoRequest(
                model="viduq1",
                images=["https://example.com/a.png"],
                prompt="A bear waves.",
                duration=5,
                payload=marker.wrap(row.marker, "p1"),
            )
            copy = client.reference2video(twin)
            again = batch.run(manifest, out, client=client, stream=log, **FAST)
        assert again.extra_tasks == 1
        assert again.counts["downloaded"] == 2
        report = {
            r["key"]: r for r in json.loads((out / "batch-report.json").read_text())
        }
        assert (
            report["job-1"]["error"] == f"more tasks carry its marker: {copy.task_id}"
        )
        assert report["job-0"]["error"] is None


class _Rewriting:
    """A server on 127.0.0.1 in front of the fake server that passes every
    request on and hands each task-list answer (not one read by id) to
    ``rewrite``, and asks for one task per page so the list has pages;
    ``by_id``: the answers of the list read by id instead."""

    def __init__(self, target: str, rewrite: Any, *, by_id: bool = False) -> None:
        import http.server
        import threading

        import urllib3

        pool = urllib3.PoolManager()

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _pass(self) -> None:
                path = self.path
                listing = path.startswith("/ent/v2/tasks") and (
                    ("task_ids=" in path) == by_id
                )
                if listing and not by_id and "?" in path:
                    head, _, query = path.partition("?")
                    query = "&".join(
                        "pager.pagesz=1" if part.startswith("pager.pagesz=") else part
                        for part in query.split("&")
                    )
                    path = f"{head}?{query}"
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = pool.request(
                    self.command,
                    target + path,
                    body=body,
                    headers=headers,
                    redirect=False,
                    retries=False,
                    timeout=5.0,
                )
                data = answer.data
                if listing and answer.status == 200:
                    data = json.dumps(rewrite(json.loads(data))).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.headers.get("Content-Type", ""))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> _Rewriting:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5.0)


def _number_token(answer: dict[str, Any]) -> dict[str, Any]:
    if answer.get("next_page_token"):
        answer["next_page_token"] = 2  # a number, not text
    return answer


def _no_items(answer: dict[str, Any]) -> dict[str, Any]:
    answer["tasks"] = None
    return answer


@pytest.mark.parametrize("rewrite", [_number_token, _no_items])
def test_a_list_page_that_cannot_be_read_proves_no_create_absent(
    tmp_path: Path, rewrite: Any
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 3)
        server.inject("reference2video", drop="after_read", times=1)
        out = tmp_path / "out"
        log = io.StringIO()
        with (
            _Rewriting(server.url, rewrite) as front,
            vidu.Client(
                server.api_key, base_url=front.url, max_retries=0, timeout=5
            ) as client,
            pytest.raises(batch.BatchStopped) as caught,
        ):
            batch.run(
                manifest,
                out,
                client=client,
                stream=log,
                **{**FAST, "concurrency": 3},
            )
        summary = caught.value.summary
        assert isinstance(caught.value.error, ListUnreadable)
        assert "not created" not in log.getvalue(), log.getvalue()
        assert (summary.stopped_by or "").startswith(
            "the task list cannot be read: page "
        ), log.getvalue()
        assert server.received["reference2video"] == 3
        assert all(n == 1 for n in _tasks_by_marker(server).values())
        with Ledger(out) as ledger:
            states = sorted(row.state for row in ledger.rows())
        assert "pending" not in states, states
        assert "creating" in states, states


def test_a_dangling_link_at_a_jobs_file_is_refused_before_sending(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 1)
        out = tmp_path / "out"
        out.mkdir()
        (out / "job-0.mp4").symlink_to(tmp_path / "elsewhere.mp4")
        with (
            vidu.Client(server.api_key, base_url=server.url) as client,
            pytest.raises(ManifestError),
        ):
            batch.run(manifest, out, client=client, stream=io.StringIO(), **FAST)
        assert server.received["reference2video"] == 0
        assert not (tmp_path / "elsewhere.mp4").exists()


@pytest.mark.parametrize("kind", ["dangling link", "file"])
def test_a_file_put_at_a_jobs_path_after_it_was_admitted_fails_the_job(
    tmp_path: Path, kind: str
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 1)
        out = tmp_path / "out"
        log = io.StringIO()
        with vidu.Client(server.api_key, base_url=server.url, max_retries=0) as client:
            server.inject("download", status=500, times=1)
            first = batch.run(
                manifest,
                out,
                client=client,
                stream=log,
                **{**FAST, "download_attempts": 1},
            )
            assert first.counts["finished"] == 1, log.getvalue()
            target = out / "job-0.mp4"
            if kind == "file":
                target.write_bytes(b"not the video")
            else:
                target.symlink_to(tmp_path / "elsewhere.mp4")
            again = batch.run(manifest, out, client=client, stream=log, **FAST)
        assert again.counts["failed"] == 1, log.getvalue()
        assert again.counts["downloaded"] == 0
        assert not (tmp_path / "elsewhere.mp4").exists()
        with Ledger(out) as ledger:
            row = ledger.by_key("job-0")
        assert row is not None
        assert row.error == (
            f"{target} exists and is not a file this batch saved "
            "(nothing is overwritten): move it away and run again"
        )


@pytest.mark.parametrize(
    "name", ["batch-ledger.sqlite3", "batch-ledger.lock", "batch-report.json"]
)
def test_a_link_among_the_runners_own_files_is_refused(
    tmp_path: Path, name: str
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 1)
        out = tmp_path / "out"
        log = io.StringIO()
        with vidu.Client(server.api_key, base_url=server.url) as client:
            if name == "batch-report.json":  # a folder the runner used before
                batch.run(manifest, out, client=client, stream=log, **FAST)
                (out / name).unlink()
            else:
                out.mkdir()
            outside = tmp_path / "outside"
            (out / name).symlink_to(outside)
            with pytest.raises(batch.LedgerError) as caught:
                batch.run(manifest, out, client=client, stream=log, **FAST)
        assert str(out / name) in str(caught.value)
        assert "symbolic link" in str(caught.value)
        assert not outside.exists()


def test_the_command_line_names_an_operation_a_batch_cannot_send(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 1)
        command = [
            sys.executable,
            "-m",
            "vidu",
            "--base-url",
            server.url,
            "batch",
            str(manifest),
            "--out",
            str(tmp_path / "out"),
            "--operation",
            "get-credits",
        ]
        env = {**os.environ, "VIDU_API_KEY": server.api_key}
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(
            "error: 'get-credits' is not a creating operation (those are: "
        ), done.stderr
        assert "Traceback" not in done.stderr
        assert not server.requests


def test_a_wrong_key_raises_once_the_ledger_and_report_are_saved(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 3)
        out = tmp_path / "out"
        log = io.StringIO()
        wrong = "wrong-key-0123456789abcdef"
        with (
            vidu.Client(wrong, base_url=server.url, max_retries=0) as client,
            pytest.raises(batch.BatchStopped) as caught,
        ):
            batch.run(manifest, out, client=client, stream=log, **FAST)
        stopped = caught.value
        assert isinstance(stopped, vidu.ViduError)
        assert isinstance(stopped.error, vidu.AuthenticationError)
        assert stopped.__cause__ is stopped.error
        summary = stopped.summary
        assert summary.stopped_by is not None
        assert summary.stopped_by.startswith("AuthenticationError: ")
        assert summary.counts["pending"] == 3, log.getvalue()
        assert summary.exit_status == 1
        assert "3 jobs not done" in str(stopped)
        assert str(out) in str(stopped)
        assert wrong not in str(stopped) + log.getvalue()
        report = json.loads(summary.report_json.read_text())
        assert [row["state"] for row in report] == ["pending"] * 3
        assert not server.task_ids
        with Ledger(out) as ledger:
            assert {row.state for row in ledger.rows()} == {"pending"}
        with vidu.Client(server.api_key, base_url=server.url, max_retries=0) as client:
            done = batch.run(manifest, out, client=client, stream=log, **FAST)
        assert done.counts["downloaded"] == 3, log.getvalue()
        assert len(server.task_ids) == 3


def test_the_command_line_with_a_wrong_key_exits_1_and_says_why(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 2)
        wrong = "wrong-key-0123456789abcdef"
        command = [
            sys.executable,
            "-m",
            "vidu",
            "--base-url",
            server.url,
            "--max-retries",
            "0",
            "batch",
            str(manifest),
            "--out",
            str(tmp_path / "out"),
        ]
        env = {**os.environ, "VIDU_API_KEY": wrong}
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 1, done.stderr
        assert "stopped: AuthenticationError: " in done.stderr
        assert "Traceback" not in done.stderr
        assert wrong not in done.stderr + done.stdout
        assert not server.task_ids
        assert (tmp_path / "out" / "batch-report.json").exists()


def _bare_items(answer: dict[str, Any]) -> dict[str, Any]:
    answer["tasks"] = [str(task.get("id")) for task in answer.get("tasks") or []]
    return answer


@pytest.mark.parametrize(
    ("rewrite", "message"),
    [
        (_no_items, "has no list 'tasks' (it has NoneType)"),
        (_bare_items, "holds str at tasks[0], not a task object"),
    ],
)
def test_a_list_read_by_id_that_cannot_be_read_is_an_error_not_an_absence(
    rewrite: Any, message: str
) -> None:
    from specgen_runtime.batch import create_operation
    from specgen_runtime.batch.service import ClientService

    with (
        fast_server() as server,
        _Rewriting(server.url, rewrite, by_id=True) as front,
        vidu.Client(server.api_key, base_url=front.url, max_retries=0) as client,
    ):
        task = client.reference2video(**BODY)
        service = ClientService(client, create_operation(client, "reference2video"))
        assert service.poll_batch > 0
        with pytest.raises(ListUnreadable) as caught:
            service.tasks_by_id([task.task_id])
        assert isinstance(caught.value, vidu.ViduError)
        assert str(caught.value).startswith(
            f"the task list filtered by id {message}"
        ), caught.value


def test_a_run_whose_list_by_id_cannot_be_read_reads_each_task_alone(
    tmp_path: Path,
) -> None:
    with fast_server() as server:
        manifest = write_manifest(tmp_path / "jobs.jsonl", 3)
        out = tmp_path / "out"
        log = io.StringIO()
        with (
            _Rewriting(server.url, _no_items, by_id=True) as front,
            vidu.Client(
                server.api_key, base_url=front.url, max_retries=0, timeout=5
            ) as client,
        ):
            summary = batch.run(manifest, out, client=client, stream=log, **FAST)
        assert summary.counts["downloaded"] == 3, log.getvalue()
        assert "cannot read tasks through the list" in log.getvalue()
        assert server.applied["reference2video"] == 3
        _check_ledger_matches_server(out, server)
