"""The client's methods are typed: mypy ``--strict`` on user scripts.

One mypy run over three scripts: one written as the README's users would,
which must pass; one with a misspelt keyword and a value of the wrong type,
each of which must be reported at its line; one that passes what typing
alone cannot check (an enum's value as text, subjects as dicts).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

GOOD = """\
from pathlib import Path

import vidu
from vidu.testing import FakeServer


def make(client: vidu.Client) -> list[vidu.Creation]:
    task: vidu.CreateTaskResponse = client.reference2video(
        model="viduq2",
        images=["https://a/b.png"],
        prompt="A bear waves.",
        duration=5,
        aspect_ratio=vidu.AspectRatio.RATIO_3_4,
        extra_body={"new_knob": 1},
        timeout=30.0,
    )
    creations: list[vidu.Creation] = client.wait(task.task_id)
    return creations


def raw(client: vidu.Client) -> int:
    answer = client.with_options(max_retries=0).with_raw_response.get_creations("1")
    parsed: vidu.TaskCreations = answer.parse()
    body: bytes = answer.body
    return answer.status + len(body) + len(parsed.creations or [])


with FakeServer() as server:
    with vidu.Client(server.api_key, base_url=server.url) as client:
        path: Path = client.download(make(client)[0], Path("v.mp4"))
"""

LOOSE = """\
import vidu

with vidu.Client("k") as client:
    client.reference2video(
        model="viduq3-new",
        subjects=[{"name": "bear", "images": ["https://a/b.png"]}],
        prompt="@bear waves",
        resolution="720p",
    )
    client.reference2video(vidu.Reference2VideoRequest(model="viduq2", prompt="x"))
"""

BAD = """\
import vidu

with vidu.Client("k") as client:
    client.reference2video(model="viduq2", images=["https://a/b.png"], prompt="x", durration=5)
    client.reference2video(model="viduq2", images=["https://a/b.png"], prompt="x", duration="5")
"""
"""Lines 4 and 5 must be reported: a misspelt keyword, a string for an integer."""


def test_mypy_reports_a_typo_and_a_wrong_type_and_passes_correct_code(
    tmp_path: Path,
) -> None:
    for name, text in (("good.py", GOOD), ("loose.py", LOOSE), ("bad.py", BAD)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-color-output",
            "--no-error-summary",
            "--hide-error-context",
            "good.py",
            "loose.py",
            "bad.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    shown = result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert all(line.startswith("bad.py:") for line in errors), shown
    assert sorted({line.split(":")[1] for line in errors}) == ["4", "5"], shown
    line_4 = " ".join(line for line in errors if line.startswith("bad.py:4:"))
    assert "durration" in line_4, shown
    line_5 = " ".join(line for line in errors if line.startswith("bad.py:5:"))
    assert '"str", "list[str]", "str", "str"' in line_5, shown  # duration="5"
    assert result.returncode == 1, shown
