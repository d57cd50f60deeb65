"""What users annotate is typed and exported: mypy ``--strict`` on user scripts.

``vidu.Page``, ``vidu.AsyncPage`` and ``vidu.RawResponse`` annotate code
without private imports; ``download`` takes a URL or a result with a
``url``, not the list ``wait`` returns; ``wait`` takes a ``str``; and
``WaitTimeout.task`` is not ``Any`` (using it needs a check).
"""

from __future__ import annotations

from pathlib import Path

import vidu

from tests.vidu.typecheck import strict_errors

GOOD = """\
from pathlib import Path

import vidu


def first(client: vidu.Client) -> vidu.Page[vidu.TaskList, vidu.ListedTask]:
    return client.list_tasks(states=["success"])


async def first_async(
    client: vidu.AsyncClient,
) -> vidu.AsyncPage[vidu.TaskList, vidu.ListedTask]:
    return await client.list_tasks()


def raw(client: vidu.Client) -> vidu.RawResponse[vidu.TaskCreations]:
    return client.with_raw_response.get_creations("1")


def save(client: vidu.Client, task_id: str) -> list[Path]:
    creations = client.wait(task_id)
    return [client.download(creations[0], "a.mp4"), client.download("https://x/v.mp4", ".")]


def last_state(error: vidu.WaitTimeout) -> str | None:
    task = error.task
    return task.state if isinstance(task, vidu.TaskCreations) else None
"""

BAD = """\
import vidu


def mistakes(client: vidu.Client, error: vidu.WaitTimeout) -> None:
    client.download(client.wait("1"), "x.mp4")
    client.wait(None)
    error.task.state
"""
"""Lines 5 to 7 must be reported: the list ``wait`` returns given to
``download``, ``None`` for a task id, an attribute of an unchecked task."""


def test_the_names_users_annotate_with_are_exported() -> None:
    from specgen_runtime.async_client import AsyncPage
    from specgen_runtime.client import RawResponse
    from specgen_runtime.pagination import Page

    assert (vidu.Page, vidu.AsyncPage, vidu.RawResponse) == (
        Page,
        AsyncPage,
        RawResponse,
    )
    assert {"Page", "AsyncPage", "RawResponse"} <= set(vidu.__all__)


def test_mypy_passes_annotated_code_and_reports_each_mistake(tmp_path: Path) -> None:
    errors, shown = strict_errors(tmp_path, {"good.py": GOOD, "bad.py": BAD})
    assert all(line.startswith("bad.py:") for line in errors), shown
    assert sorted({line.split(":")[1] for line in errors}) == ["5", "6", "7"], shown
    line_5 = " ".join(line for line in errors if line.startswith("bad.py:5:"))
    assert '"list[Creation]"' in line_5, shown
    line_7 = " ".join(line for line in errors if line.startswith("bad.py:7:"))
    assert '"object" has no attribute "state"' in line_7, shown
