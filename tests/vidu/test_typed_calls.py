"""Typed calls behave as their types say.

Fields the spec marks as always sent are there, or the answer is refused
with the field named and the body kept; sequences (tuples) are taken where
lists are, and sent as lists; ``batch.run`` takes the fields of ``Options``.
Answers come over real HTTP on 127.0.0.1 (the fake server, or a small server
answering one body).
"""

from __future__ import annotations

import inspect
import io
import json
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
import vidu
from specgen_runtime.convert import MissingResponseField, ResponseWarning
from vidu import batch
from vidu.testing import FakeServer

from tests.vidu.loopback import JSON, Canned


@pytest.fixture
def serve(canned: Canned) -> Callable[[bytes], str]:
    """A server on 127.0.0.1 answering every request with one JSON body."""
    return lambda body: canned.answer(body, headers=JSON)


def client_of(url: str) -> vidu.Client:
    return vidu.Client("test-key", base_url=url, max_retries=0, timeout=5.0)


BODY = {"model": "viduq2", "images": ["https://a/b.png"], "prompt": "x"}


# --- fields the service always sends -------------------------------------------


def test_a_body_without_an_always_sent_field_is_refused_naming_it() -> None:
    body = {"state": "success", "creations": [{"url": "u1"}, {"id": "c2"}]}
    with pytest.raises(MissingResponseField) as caught:
        vidu.TaskCreations.from_json(body)
    error = caught.value
    assert error.field == "TaskCreations.creations[1].url"
    assert str(error).startswith("TaskCreations.creations[1].url is missing")
    assert json.loads(error.raw) == body
    assert isinstance(error, vidu.UnexpectedResponseError)
    assert isinstance(error, vidu.ClientError)
    assert isinstance(error, ValueError)


def test_null_counts_as_missing() -> None:
    with pytest.raises(MissingResponseField, match=r"^Creation\.url is missing"):
        vidu.Creation.from_json({"url": None, "id": "c1"})


def test_an_always_sent_field_of_another_type_is_kept_with_a_warning() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        creation = vidu.Creation.from_json({"url": 5})
    assert creation.url == 5
    assert [type(w.message) for w in caught] == [ResponseWarning]
    assert str(caught[0].message).startswith("Creation.url: expected a string")


def test_an_answer_without_an_always_sent_field_raises_with_the_body_kept(
    serve: Callable[[bytes], str],
) -> None:
    sent = b'{"state": "success", "err_code": "", "creations": [{"id": "c1"}]}'
    with (
        client_of(serve(sent)) as client,
        pytest.raises(vidu.UnexpectedResponseError) as caught,
    ):
        client.get_creations("t1")
    assert "TaskCreations.creations[0].url is missing" in str(caught.value)
    assert caught.value.raw == sent


@pytest.mark.parametrize(
    ("sent", "missing", "task_id", "says"),
    [
        (
            b'{"state": "created", "model": "viduq2"}',
            "CreateTaskResponse.task_id is missing",
            None,
            "look for it before sending the request again",
        ),
        (
            b'{"task_id": "42", "model": "viduq2"}',
            "CreateTaskResponse.state is missing",
            "42",
            "its id is 42",
        ),
    ],
    ids=["without-a-task-id", "without-its-state"],
)
def test_a_create_answer_without_an_always_sent_field_is_an_unreadable_create(
    serve: Callable[[bytes], str],
    sent: bytes,
    missing: str,
    task_id: str | None,
    says: str,
) -> None:
    """The answer is kept, and the task id when the answer has one: the task
    may exist."""
    with (
        client_of(serve(sent)) as client,
        pytest.raises(vidu.UnreadableCreateResponse) as caught,
    ):
        client.reference2video(**BODY)
    assert missing in str(caught.value)
    assert (caught.value.task_id, caught.value.raw) == (task_id, sent)
    assert says in str(caught.value)


def test_the_life_cycle_reads_the_always_sent_fields() -> None:
    with (
        FakeServer(api_key="test-key") as server,
        vidu.Client("test-key", base_url=server.url, sleep=server.advance) as client,
    ):
        task = client.reference2video(**BODY)
        assert isinstance(task.task_id, str)
        assert task.state == vidu.TaskState.CREATED
        creations = client.wait(task.task_id, timeout=60)
        assert creations[0].url.startswith(server.url)


# --- sequences ------------------------------------------------------------------


def test_a_request_takes_tuples_and_holds_lists() -> None:
    request = vidu.Reference2VideoRequest(
        model="viduq2", images=("https://a/b.png", "https://a/c.png"), prompt="x"
    )
    assert request.images == ["https://a/b.png", "https://a/c.png"]
    assert request.to_json()["images"] == ["https://a/b.png", "https://a/c.png"]
    subject = vidu.Subject(name="bear", images=("https://a/b.png",))
    assert subject.images == ["https://a/b.png"]
    assert subject.to_json() == {"name": "bear", "images": ["https://a/b.png"]}


def test_text_where_a_list_belongs_is_reported_not_split() -> None:
    """Text is a sequence of text to a type checker: the request's
    validation reports it, and it is never split into characters."""
    with pytest.raises(vidu.ValidationError) as caught:
        vidu.Reference2VideoRequest(
            model="viduq2", images="https://a/b.png", prompt="x"
        )
    assert [(v.field, v.rule) for v in caught.value.violations] == [
        ("images", "images.type")
    ]
    with vidu.validation_mode("off"):
        kept = vidu.Reference2VideoRequest(
            model="viduq2", images="https://a/b.png", prompt="x"
        )
    assert kept.to_json()["images"] == "https://a/b.png"


def test_the_client_sends_tuples_as_lists() -> None:
    with (
        FakeServer(api_key="test-key") as server,
        vidu.Client("test-key", base_url=server.url, max_retries=0) as client,
    ):
        client.reference2video(
            model="viduq2", images=("https://a/b.png", "https://a/c.png"), prompt="x"
        )
        client.reference2video(
            model="viduq2",
            subjects=[vidu.Subject(name="bear", images=("https://a/b.png",))],
            prompt="@bear",
        )
        page = client.list_tasks(
            states=(vidu.TaskState.SUCCESS, "failed"), task_ids=("t1", "t2")
        )
        assert (
            list(client.list_tasks(created_at_from=datetime(2025, 1, 2, tzinfo=UTC)))
            == []
        )
        assert list(page) == []
        bodies = [r.body for r in server.requests if r.method == "POST"]
        listed = [
            r.path for r in server.requests if r.path.startswith("/ent/v2/tasks?")
        ]
    assert bodies[0]["images"] == ["https://a/b.png", "https://a/c.png"]
    assert bodies[1]["subjects"] == [{"name": "bear", "images": ["https://a/b.png"]}]
    assert listed == [
        "/ent/v2/tasks?task_ids=t1&task_ids=t2&states=success&states=failed",
        "/ent/v2/tasks?created_at.from=2025-01-02T00%3A00%3A00Z",
    ]


# --- batch.run ----------------------------------------------------------------


def test_batch_run_takes_every_field_of_options_by_name() -> None:
    parameters = inspect.signature(batch.run).parameters
    keywords = {
        name
        for name, p in parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY
    }
    fields = {f.name for f in attrs.fields(batch.Options)}
    assert keywords == fields | {"client", "stream", "options"}
    assert not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def test_batch_run_refuses_options_with_its_fields(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text(json.dumps(BODY) + "\n")
    with (
        FakeServer(api_key="test-key") as server,
        vidu.Client("test-key", base_url=server.url) as client,
        pytest.raises(TypeError, match="not both"),
    ):
        batch.run(
            manifest,
            tmp_path / "out",
            client=client,
            options=batch.Options(),
            skip_invalid=True,
        )


def test_batch_run_skip_invalid_by_keyword(tmp_path: Path) -> None:
    manifest = tmp_path / "jobs.jsonl"
    manifest.write_text(json.dumps(BODY) + "\n" + json.dumps({"model": 1}) + "\n")
    log = io.StringIO()
    with (
        FakeServer(api_key="test-key") as server,
        vidu.Client("test-key", base_url=server.url) as client,
    ):
        with pytest.raises(batch.ManifestError):
            batch.run(manifest, tmp_path / "refused", client=client, stream=log)
        assert server.received["reference2video"] == 0
        with pytest.raises(batch.BatchStopped) as stopped:
            batch.run(
                manifest,
                tmp_path / "out",
                client=client,
                stream=log,
                skip_invalid=True,
                deadline=0.0,
            )
    assert "skipped 1 invalid lines of 2" in log.getvalue()
    assert sum(stopped.value.summary.counts.values()) == 1, log.getvalue()
