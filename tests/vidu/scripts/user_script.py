"""A user's script in the style of the README: typed calls, options, raw
access, the async client with cancellation, and the errors a user meets.

``tests/vidu/test_user_script.py`` checks it with ``mypy --strict`` and runs
it against the fake server (``main(server)``).
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import warnings
from pathlib import Path

import vidu
from vidu.testing import FakeServer

IMAGE = "https://example.com/bear.png"


def typed_calls(client: vidu.Client, server: FakeServer) -> Path:
    task: vidu.CreateTaskResponse = client.reference2video(
        model=vidu.Model.VIDUQ2, images=[IMAGE], prompt="A bear waves.", duration=5
    )
    creations: list[vidu.Creation] = client.wait(task.task_id)
    folder = Path(tempfile.mkdtemp())
    return client.download(creations[0], folder / "bear.mp4")


def options_and_raw(client: vidu.Client) -> int:
    quick = client.with_options(
        timeout=5.0, max_retries=0, extra_headers={"X-Trace": "1"}
    )
    raw = quick.with_raw_response.reference2video(
        model="viduq2", images=[IMAGE], prompt="x"
    )
    parsed: vidu.CreateTaskResponse = raw.parse()
    assert parsed.task_id
    return raw.status


async def cancelled_in_flight(
    server: FakeServer,
) -> vidu.OrphanedCreate[vidu.CreateTaskResponse]:
    server.inject("reference2video", delay=0.5)
    async with vidu.AsyncClient(server.api_key, base_url=server.url) as client:
        creating = asyncio.create_task(
            client.reference2video(
                model="viduq1", images=[IMAGE], prompt="x", payload="order-7"
            )
        )
        await asyncio.sleep(0.1)
        creating.cancel()
        try:
            await creating
        except asyncio.CancelledError as cancelled:
            orphan = vidu.AsyncClient.orphaned_create(cancelled)
            assert orphan is not None
            return await orphan.outcome()
    raise AssertionError("the create was not cancelled")


def errors(server: FakeServer) -> list[str]:
    """Each error a user meets, as the class name caught."""
    seen: list[str] = []
    os.environ.pop("VIDU_API_KEY", None)
    with vidu.Client(base_url=server.url) as keyless:
        try:
            keyless.get_credits()
        except vidu.MissingAPIKey:
            seen.append("MissingAPIKey")
    with vidu.Client(
        server.api_key,
        base_url=server.url,
        max_retries=0,
        sleep=server.advance,
        clock=server.clock.now,
    ) as client:
        try:
            client.reference2video(model="viduq2-pr", images=[IMAGE], prompt="x")
        except vidu.ValidationError as exc:
            hint = "did you mean viduq2-pro?" in str(exc)
            seen.append("ValidationError" + (" (did you mean)" if hint else ""))
        try:
            vidu.Image.from_path("no/such/bear.png")
        except FileNotFoundError:  # a vidu.LocalFileNotFound
            seen.append("LocalFileNotFound")
        task = client.reference2video(model="viduq2", images=[IMAGE], prompt="x")
        creations = client.wait(task.task_id)
        target = Path(tempfile.mkdtemp()) / "taken.mp4"
        target.write_bytes(b"mine")
        try:
            client.download(creations[0], target)
        except vidu.DestinationExists:
            seen.append("DestinationExists")
        try:
            client.get_creations("no-such-task")
        except vidu.APIError as exc:
            seen.append(type(exc).__name__)
    with vidu.Client("wrong-key", base_url=server.url, max_retries=0) as wrong:
        try:
            wrong.get_credits()
        except vidu.AuthenticationError:
            seen.append("AuthenticationError")
    with warnings.catch_warnings(), vidu.validation_mode("warn"):
        warnings.simplefilter("error", vidu.ValidationWarning)
        try:  # a model newer than the package: sent, with a warning
            vidu.Reference2VideoRequest(model="viduq9", images=[IMAGE], prompt="x")
        except vidu.ValidationWarning:
            seen.append("ValidationWarning")
    return seen


def main(server: FakeServer) -> dict[str, object]:
    with vidu.Client(
        server.api_key,
        base_url=server.url,
        sleep=server.advance,
        clock=server.clock.now,
    ) as client:
        video = typed_calls(client, server)
        status = options_and_raw(client)
    orphan = asyncio.run(cancelled_in_flight(server))
    return {
        "video": video,
        "status": status,
        "orphan": orphan,
        "errors": errors(server),
    }
