"""Responses keep everything the service sends; requests take plain mappings
for their objects. Bodies are served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

import pytest
import vidu
from specgen_runtime.convert import ResponseWarning
from vidu.testing import FakeServer

from tests.vidu.loopback import JSON, Canned


@pytest.fixture
def serve(canned: Canned) -> Callable[[dict[str, Any]], str]:
    """A server on 127.0.0.1 answering every request with one JSON body."""
    return lambda body: canned.answer(json.dumps(body).encode(), headers=JSON)


def client_of(url: str) -> vidu.Client:
    return vidu.Client("test-key", base_url=url, max_retries=0, timeout=5.0)


CREATED: dict[str, Any] = {
    "task_id": "42",
    "state": "created",
    "model": "viduq2",
    "images": ["https://example.com/a.png"],
    "duration": 5,
    "credits": 10,
    "created_at": "2025-01-01T00:00:00Z",
}


def test_a_create_answer_with_new_fields_keeps_them(
    serve: Callable[[dict[str, Any]], str],
) -> None:
    body = {**CREATED, "watermark": True, "quota": {"left": 3}}
    with client_of(serve(body)) as client, warnings.catch_warnings():
        warnings.simplefilter("error")
        task = client.reference2video(
            model="viduq2", images=["https://example.com/a.png"], prompt="x"
        )
    assert task.task_id == "42"
    assert task.state is vidu.TaskState.CREATED
    assert task.extra == {"watermark": True, "quota": {"left": 3}}
    assert task.to_dict() == body
    assert task.to_json() == body
    assert vidu.CreateTaskResponse.from_json(task.to_dict()) == task


def test_a_wrong_type_is_kept_with_a_warning_naming_the_field(
    serve: Callable[[dict[str, Any]], str],
) -> None:
    body = {**CREATED, "duration": 5.5, "seed": "7"}
    client = client_of(serve(body))
    with client, pytest.warns(ResponseWarning) as caught:
        task = client.reference2video(
            model="viduq2", images=["https://example.com/a.png"], prompt="x"
        )
    messages = sorted(str(w.message) for w in caught)
    assert messages == [
        "CreateTaskResponse.duration: expected an integer, got 5.5 (float); "
        "kept as sent",
        "CreateTaskResponse.seed: expected an integer, got '7' (str); kept as sent",
    ]
    assert task.task_id == "42"  # the rest of the answer is read
    assert task.duration == 5.5  # not truncated to 5
    assert task.to_dict() == body


def test_a_new_task_state_and_a_bad_creation_are_kept(
    serve: Callable[[dict[str, Any]], str],
) -> None:
    body = {
        "id": "42",
        "state": "paused",
        "creations": [{"id": "c", "url": "https://x/v.mp4", "duration": 8}, 5],
    }
    client = client_of(serve(body))
    with client, pytest.warns(ResponseWarning, match=r"creations\[1\]: expected a"):
        task = client.get_creations("42")
    assert task.state == "paused"
    assert task.creations is not None
    first = task.creations[0]
    assert isinstance(first, vidu.Creation)
    assert first.url == "https://x/v.mp4"
    assert first.extra == {"duration": 8}
    assert task.creations[1] == 5
    assert task.to_dict() == body


def test_the_fake_servers_answers_read_back_to_what_it_sent() -> None:
    with FakeServer() as server, warnings.catch_warnings():
        warnings.simplefilter("error")
        client = vidu.Client(server.api_key, base_url=server.url, sleep=server.advance)
        with client:
            task = client.reference2video(
                model="viduq1", images=["https://example.com/a.png"], prompt="x"
            )
            assert task.task_id is not None
            creations = client.wait(task.task_id)
            done = client.get_creations(task.task_id)
        assert done.to_dict() == server.task(task.task_id)
        assert [c.to_dict() for c in creations] == server.task(task.task_id)[
            "creations"
        ]


def test_subjects_given_as_mappings_are_built_into_subjects() -> None:
    request = vidu.Reference2VideoSubjectsRequest(
        model="viduq2",
        subjects=[{"name": "bear", "images": ["https://example.com/bear.png"]}],
        prompt="@bear waves",
    )
    assert request.subjects == [
        vidu.Subject(name="bear", images=["https://example.com/bear.png"])
    ]
    assert request.to_json()["subjects"] == [
        {"name": "bear", "images": ["https://example.com/bear.png"]}
    ]
    assert request.to_dict() == request.to_json()


def test_a_mapping_that_is_not_a_subject_is_reported_with_its_path() -> None:
    with pytest.raises(vidu.ValidationError) as caught:
        vidu.Reference2VideoSubjectsRequest(
            model="viduq2",
            subjects=[
                {"name": "bear", "images": ["https://example.com/bear.png"]},
                {"nmae": "fox", "images": ["https://example.com/fox.png"]},
            ],
            prompt="@bear waves",
        )
    fields = {v.field for v in caught.value.violations}
    assert "subjects[1].nmae" in fields
    assert not any(f.startswith("subjects[0]") for f in fields)


def test_the_client_sends_subjects_given_as_mappings() -> None:
    with FakeServer() as server:
        with vidu.Client(server.api_key, base_url=server.url) as client:
            client.reference2video(
                model="viduq2",
                subjects=[{"name": "bear", "images": ["https://example.com/b.png"]}],
                prompt="@bear waves",
            )
        sent = server.requests[-1].body
    assert isinstance(sent, dict)
    assert sent["subjects"] == [
        {"name": "bear", "images": ["https://example.com/b.png"]}
    ]


def test_a_state_of_another_type_does_not_end_a_wait(
    serve: Callable[[dict[str, Any]], str],
) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = vidu.Client(
        "test-key",
        base_url=serve({"id": "42", "state": ["success"]}),
        sleep=sleep,
        clock=lambda: now[0],
    )
    warned = pytest.warns(ResponseWarning, match=r"TaskCreations\.state: ")
    with client, warned, pytest.raises(vidu.WaitTimeout) as caught:
        client.wait("42", timeout=10)
    assert isinstance(caught.value, vidu.ViduError)
    assert caught.value.task.state == ["success"]
