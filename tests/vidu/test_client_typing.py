"""The client's methods are typed: mypy ``--strict`` on user scripts.

One mypy run over four scripts: the README's task life cycle as printed,
and one written as the README's users would, which must pass; one with a
misspelt keyword and values of the wrong type, each of which must be
reported at its line; one that passes what typing alone cannot check (an
enum's value as text, subjects as dicts).
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.vidu.typecheck import strict_errors

README = Path(__file__).resolve().parents[2] / "README.md"


def life_cycle_example() -> str:
    """The README's task life cycle, the Python block under its heading."""
    text = README.read_text(encoding="utf-8")
    found = re.search(
        r"^### The task life cycle\n.*?^```python\n(.*?)^```", text, re.S | re.M
    )
    assert found, "README.md has no task life cycle example"
    return found.group(1)


GOOD = """\
from datetime import UTC, datetime
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


def always_sent(client: vidu.Client) -> bool:
    task = client.reference2video(
        model="viduq2", images=("https://a/b.png",), prompt="x"
    )
    task_id: str = task.task_id
    client.cancel(task_id)
    url: str = client.wait(task_id)[0].url
    return url.startswith("https://")


def sequences(client: vidu.Client) -> vidu.Reference2VideoRequest:
    client.list_tasks(
        created_at_from=datetime(2025, 1, 1, tzinfo=UTC),
        created_at_to="2025-01-02T00:00:00Z",
        states=(vidu.TaskState.SUCCESS, "failed"),
        resolutions=[vidu.Resolution.R720P],
        task_ids=("t1", "t2"),
    )
    subject = vidu.Subject(name="bear", images=("https://a/b.png",))
    client.reference2video(model="viduq2", subjects=[subject], prompt="@bear")
    return vidu.Reference2VideoRequest(
        model="viduq2", images=("https://a/b.png",), prompt="x"
    )


def submodules(client: vidu.Client) -> vidu.batch.Summary:
    task: vidu.TaskCreations = vidu.webhooks.parse(b"{}")
    server: type[vidu.testing.FakeServer] = vidu.testing.FakeServer
    bodies = vidu.strategies.bodies("reference2video")
    return vidu.batch.run(
        "jobs.jsonl", "out", client=client, skip_invalid=True, concurrency=2
    )


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
    vidu.batch.run("jobs.jsonl", "out", client=client, skipinvalid=True)
    client.list_tasks(states=[1])
    client.reference2video(model="viduq2", images=("https://a/b.png", 2), prompt="x")
"""
"""Lines 4 to 8 must be reported: a misspelt keyword, a string for an integer,
a misspelt batch setting, an integer for a state, an integer among images."""


def test_mypy_reports_a_typo_and_a_wrong_type_and_passes_correct_code(
    tmp_path: Path,
) -> None:
    scripts = (
        ("readme.py", life_cycle_example()),
        ("good.py", GOOD),
        ("loose.py", LOOSE),
        ("bad.py", BAD),
    )
    errors, shown = strict_errors(tmp_path, dict(scripts))
    assert all(line.startswith("bad.py:") for line in errors), shown
    assert sorted({line.split(":")[1] for line in errors}) == [
        "4",
        "5",
        "6",
        "7",
        "8",
    ], shown
    line_4 = " ".join(line for line in errors if line.startswith("bad.py:4:"))
    assert "durration" in line_4, shown
    line_5 = " ".join(line for line in errors if line.startswith("bad.py:5:"))
    assert '"str", "list[str]", "str", "str"' in line_5, shown  # duration="5"
    line_6 = " ".join(line for line in errors if line.startswith("bad.py:6:"))
    assert "skipinvalid" in line_6, shown
    line_7 = " ".join(line for line in errors if line.startswith("bad.py:7:"))
    assert 'incompatible type "int"' in line_7, shown  # states=[1]
    line_8 = " ".join(line for line in errors if line.startswith("bad.py:8:"))
    assert '"tuple[str, int]"' in line_8, shown
