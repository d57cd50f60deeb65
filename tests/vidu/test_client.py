"""The HTTP client against the package's own fake server (real HTTP on 127.0.0.1).

Nothing here mocks urllib3: every request goes over a socket. Waits are
recorded instead of slept (``sleep=``), jitter is fixed (``RetryPolicy``), and
tasks move on the fake server's manual clock.
"""

from __future__ import annotations

import email.utils
import logging
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from specgen_runtime.convert import ResponseWarning
from specgen_runtime.redaction import redact
from specgen_runtime.retry import RetryPolicy, parse_retry_after
from vidu import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestMayHaveSucceeded,
    ServerError,
    TaskFailed,
    UnexpectedResponseError,
    ValidationError,
    ValidationWarning,
    ViduError,
    WaitTimeout,
    tables,
)
from vidu.models import Reference2VideoRequest, Subject, TaskCreations
from vidu.testing import FakeServer

from tests.vidu.loopback import Canned

KEY = "sk-test-0123456789abcdef"
IMAGE = "https://example.com/a.png"
CREATE = {"model": "viduq2", "images": [IMAGE], "prompt": "A bear by the lake."}


class Sleeps(list[float]):
    """A ``sleep`` that records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(api_key=KEY) as fake:
        yield fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_client(server: FakeServer, sleeps: Sleeps) -> Iterator[Callable[..., Client]]:
    """Clients of the fake server: recorded sleeps, jitter fixed at 1/2."""
    made: list[Client] = []

    def make(**options: Any) -> Client:
        options.setdefault("api_key", server.api_key)
        options.setdefault("base_url", server.url)
        options.setdefault("sleep", sleeps)
        options.setdefault("timeout", 5.0)
        options.setdefault(
            "retry",
            RetryPolicy(max_retries=options.pop("max_retries", 2), jitter=lambda: 0.5),
        )
        client = Client(**options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., Client]) -> Client:
    return make_client()


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- the life of a task ------------------------------------------------------------


def test_create_wait_download(
    server: FakeServer, client: Client, tmp_path: Path
) -> None:
    task = client.reference2video(**CREATE, payload="order-1")
    assert task.task_id is not None
    assert task.payload == "order-1"

    states: list[str] = []

    def progress(current: TaskCreations) -> None:
        states.append(str(current.state))
        server.advance(2)

    creations = client.wait(task.task_id, poll_interval=0.01, on_progress=progress)
    assert states[-1] == "success"
    assert states == sorted(set(states), key=states.index), "each state once"
    assert len(creations) == 1

    target = tmp_path / "out.mp4"
    seen: list[tuple[int, int | None]] = []
    path = client.download(
        creations[0], target, on_progress=lambda d, t: seen.append((d, t))
    )
    assert path == target
    expected = urllib3.request("GET", creations[0].url).data
    assert target.read_bytes() == expected
    assert seen[-1] == (len(expected), len(expected))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


def test_wait_driven_by_the_sleep(server: FakeServer, sleeps: Sleeps) -> None:
    """Each poll's wait moves the fake clock: no thread, no real sleeping."""

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        server.advance(seconds)

    with Client(KEY, base_url=server.url, sleep=sleep) as client:
        task = client.reference2video(Reference2VideoRequest(**CREATE))
        assert task.task_id is not None
        creations = client.wait(task.task_id, poll_interval=1.0, max_interval=2.0)
    assert creations[0].url
    assert sleeps[:3] == [1.0, 1.5, 2.0], "polls back off up to max_interval"


def test_a_failed_task_raises_task_failed(server: FakeServer, client: Client) -> None:
    server.next_outcome("failed", err_code="CreationPolicyViolation")
    task = client.reference2video(**CREATE)
    assert task.task_id is not None
    with pytest.raises(TaskFailed) as caught:
        client.wait(
            task.task_id, poll_interval=0.01, on_progress=lambda _: server.advance(5)
        )
    assert caught.value.err_code == "CreationPolicyViolation"
    assert caught.value.task_id == task.task_id


def test_cancel_then_wait_reports_the_cancellation(
    server: FakeServer, client: Client
) -> None:
    task = client.reference2video(**CREATE)
    assert task.task_id is not None
    client.cancel(task.task_id)
    assert server.received["cancel"] == 1
    with pytest.raises(TaskFailed) as caught:
        client.wait(task.task_id, poll_interval=0.01)
    assert caught.value.err_code == "UserCancelled"


def test_wait_times_out(server: FakeServer, make_client: Callable[..., Client]) -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    client = make_client(sleep=sleep, clock=lambda: now[0])
    task = client.reference2video(**CREATE)
    assert task.task_id is not None
    with pytest.raises(WaitTimeout) as caught:
        client.wait(task.task_id, timeout=10.0, poll_interval=1.0)
    assert now[0] == pytest.approx(10.0)
    assert isinstance(caught.value.task, TaskCreations)
    assert isinstance(caught.value, TimeoutError)


# --- requests are checked before they are sent -------------------------------------


def test_an_invalid_request_sends_nothing(server: FakeServer, client: Client) -> None:
    with pytest.raises(ValidationError) as caught:
        client.reference2video(model="viduq2", images=[IMAGE], duration=80)
    rules = {v.rule for v in caught.value.errors}
    assert rules >= {"prompt.required"}
    with pytest.raises(ValidationError) as caught:
        client.reference2video(**CREATE, duration=80)
    assert [v.field for v in caught.value.errors] == ["duration"]
    with pytest.raises(ValidationError):
        client.reference2video(**CREATE, colour="blue")
    assert not server.received
    assert not server.requests


def test_a_typed_request_built_unchecked_is_checked_again(
    server: FakeServer, client: Client
) -> None:
    from vidu import validation_mode

    with validation_mode("off"):
        request = Reference2VideoRequest(**CREATE, duration=80)
    with pytest.raises(ValidationError):
        client.reference2video(request)
    assert not server.received


def test_warn_mode_warns_and_sends(server: FakeServer, client: Client) -> None:
    with (
        pytest.warns(ValidationWarning, match="duration"),
        pytest.raises(BadRequestError) as caught,
    ):
        client.reference2video(**CREATE, duration=80, validation="warn")
    assert server.received["reference2video"] == 1
    assert caught.value.reason == "FieldInvalid"


def test_warnings_do_not_stop_a_request(server: FakeServer, client: Client) -> None:
    with pytest.warns(ValidationWarning, match="movement_amplitude"):
        task = client.reference2video(**CREATE, movement_amplitude="small")
    assert task.task_id


def test_subjects_select_their_form(server: FakeServer, client: Client) -> None:
    subjects = [
        {"name": "bear", "images": [IMAGE]},
        Subject(name="santa", images=[IMAGE]),
    ]
    task = client.reference2video(
        model="viduq2", subjects=subjects, prompt="@bear hugs @santa"
    )
    assert task.task_id
    sent = server.requests[-1].body
    assert sent["subjects"][0] == {"name": "bear", "images": [IMAGE]}
    assert "images" not in sent


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_each_error_status_has_its_exception(
    server: FakeServer,
    make_client: Callable[..., Client],
    status: int,
    error: type[APIError],
) -> None:
    client = make_client(max_retries=0)
    server.inject("get_creations", status=status)
    with pytest.raises(error) as caught:
        client.get_creations("123")
    assert caught.value.status == status
    assert caught.value.reason
    assert caught.value.trace_id
    assert caught.value.message
    assert caught.value.trace_id in str(caught.value)
    assert isinstance(caught.value, ViduError)


def test_the_service_error_body_is_read(server: FakeServer, client: Client) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_creations("no-such-task")
    assert caught.value.reason == "TaskNotFound"
    assert caught.value.message == "task not found"
    assert isinstance(caught.value.body, dict)


def test_a_wrong_key_is_an_authentication_error(
    server: FakeServer, make_client: Callable[..., Client]
) -> None:
    client = make_client(api_key="sk-wrong-key-000000")
    with pytest.raises(AuthenticationError) as caught:
        client.get_creations("123")
    assert caught.value.reason == "Unauthorized"


def test_a_missing_key_fails_at_the_first_request(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tables.AUTH.env
    monkeypatch.delenv(tables.AUTH.env, raising=False)
    client = Client(base_url=server.url)  # no key: fine so far
    with client, pytest.raises(AuthenticationError, match=tables.AUTH.env):
        client.get_creations("123")
    assert not server.received


def test_the_key_comes_from_the_environment(
    server: FakeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert tables.AUTH.env
    monkeypatch.setenv(tables.AUTH.env, server.api_key)
    with Client(base_url=server.url) as client:
        assert client.reference2video(**CREATE).task_id


# --- retries ---------------------------------------------------------------------------


def test_429_is_retried_after_retry_after(
    server: FakeServer, client: Client, sleeps: Sleeps
) -> None:
    server.inject("reference2video", status=429, retry_after="3", times=2)
    assert client.reference2video(**CREATE).task_id
    assert sleeps == [3.0, 3.0]
    assert server.received["reference2video"] == 3
    assert server.applied["reference2video"] == 1


def test_retry_after_as_a_date_is_capped(
    server: FakeServer, make_client: Callable[..., Client], sleeps: Sleeps
) -> None:
    client = make_client(
        timeout=30.0,
        retry=RetryPolicy(max_retries=1, retry_after_cap=7.0, jitter=lambda: 0.5),
    )
    later = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server.inject("get_creations", status=429, retry_after=later)
    with pytest.raises(NotFoundError):  # retried, then the task is unknown
        client.get_creations("123")
    assert sleeps == [7.0]


def test_503_is_retried_with_backoff(
    server: FakeServer, client: Client, sleeps: Sleeps
) -> None:
    server.inject("reference2video", status=503, times=2)
    assert client.reference2video(**CREATE).task_id
    assert sleeps == [0.25, 0.5], "jitter 1/2 of 0.5 s, then of 1 s"
    assert server.applied["reference2video"] == 1


def test_max_retries_is_respected(
    server: FakeServer, client: Client, sleeps: Sleeps
) -> None:
    server.inject("get_creations", status=503, times=5)
    with pytest.raises(ServerError):
        client.get_creations("123")
    assert server.received["get_creations"] == 3
    assert len(sleeps) == 2


def test_a_create_is_not_retried_after_a_gateway_error(
    server: FakeServer, client: Client, sleeps: Sleeps
) -> None:
    server.inject("reference2video", status=504)
    with pytest.raises(ServerError):
        client.reference2video(**CREATE)
    assert server.received["reference2video"] == 1
    assert sleeps == []


def test_a_get_is_retried_after_a_gateway_error(
    server: FakeServer, client: Client, sleeps: Sleeps
) -> None:
    task = client.reference2video(**CREATE)
    assert task.task_id is not None
    server.inject("get_creations", status=502)
    assert client.get_creations(task.task_id).state
    assert len(sleeps) == 1


def test_a_dropped_connection_is_retried_for_a_get(
    server: FakeServer, client: Client
) -> None:
    task = client.reference2video(**CREATE)
    assert task.task_id is not None
    server.inject("get_creations", drop="before_read")
    assert client.get_creations(task.task_id).state
    assert server.received["get_creations"] == 2


def test_a_create_that_may_have_succeeded_is_not_sent_again(
    server: FakeServer, client: Client, sleeps: Sleeps
) -> None:
    server.inject("reference2video", drop="after_read")
    with pytest.raises(RequestMayHaveSucceeded) as caught:
        client.reference2video(**CREATE, payload="order-42")
    assert caught.value.payload == "order-42"
    assert "order-42" in str(caught.value)
    assert server.received["reference2video"] == 1
    assert server.applied["reference2video"] == 1, "the task does exist"
    assert sleeps == []


def test_a_create_that_timed_out_is_not_sent_again(
    server: FakeServer, make_client: Callable[..., Client]
) -> None:
    client = make_client(timeout=0.2)
    server.inject("reference2video", delay=1.0)
    with pytest.raises(RequestMayHaveSucceeded):
        client.reference2video(**CREATE)
    assert server.received["reference2video"] == 1


def test_a_get_is_retried_after_a_read_timeout(
    server: FakeServer, make_client: Callable[..., Client]
) -> None:
    # a urllib3.Timeout bounds each attempt; a number would bound the whole call
    client = make_client(timeout=urllib3.Timeout(connect=1.0, read=0.2))
    task = client.reference2video(**CREATE)
    assert task.task_id is not None
    server.inject("get_creations", delay=1.0)
    assert client.get_creations(task.task_id).state
    assert server.received["get_creations"] == 2


def test_a_get_that_keeps_timing_out_raises_a_timeout(
    server: FakeServer, make_client: Callable[..., Client]
) -> None:
    client = make_client(timeout=urllib3.Timeout(connect=1.0, read=0.2), max_retries=1)
    server.inject("get_creations", delay=1.0, times=2)
    with pytest.raises(APITimeoutError):
        client.get_creations("123")


def test_connection_failures_are_retried_even_for_a_create(
    make_client: Callable[..., Client], sleeps: Sleeps
) -> None:
    client = make_client(base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(APIConnectionError) as caught:
        client.reference2video(**CREATE)
    assert not isinstance(caught.value, RequestMayHaveSucceeded)
    assert len(sleeps) == 2


# --- unexpected answers ------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b""])
def test_a_success_that_is_not_a_json_object_is_unexpected(
    canned: Canned,
    make_client: Callable[..., Client],
    body: bytes,
) -> None:
    client = make_client(base_url=canned.answer(body))
    with pytest.raises(UnexpectedResponseError) as caught:
        client.get_creations("123")
    assert caught.value.raw == body
    assert caught.value.status == 200


def test_an_error_page_that_is_not_json_still_maps_its_status(
    canned: Canned, make_client: Callable[..., Client]
) -> None:
    client = make_client(
        base_url=canned.answer(b"<html>down</html>", 500), max_retries=0
    )
    with pytest.raises(ServerError) as caught:
        client.get_creations("123")
    assert caught.value.reason is None
    assert caught.value.body == b"<html>down</html>"


def test_a_field_of_the_wrong_type_is_kept_with_a_warning(
    canned: Canned, make_client: Callable[..., Client]
) -> None:
    client = make_client(base_url=canned.answer(b'{"creations": 5}'))
    with pytest.warns(
        ResponseWarning, match=r"TaskCreations\.creations: expected a list"
    ):
        task = client.get_creations("123")
    assert task.creations == 5


# --- the key stays secret ------------------------------------------------------------------


def test_the_key_never_shows(
    server: FakeServer,
    make_client: Callable[..., Client],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    assert KEY not in repr(client)
    assert "<set>" in repr(client)
    errors: list[BaseException] = []
    task = client.reference2video(**CREATE)
    server.inject("get_creations", status=429, retry_after="0")
    server.inject("get_creations", status=401)
    server.inject("reference2video", drop="after_read")
    for call in (
        lambda: client.get_creations(str(task.task_id)),
        lambda: client.reference2video(**CREATE),
        lambda: client.get_creations("missing"),
    ):
        with pytest.raises(ViduError) as caught:
            call()
        errors.append(caught.value)
    assert len(errors) == 3
    for error in errors:
        assert KEY not in str(error)
        assert KEY not in repr(error)
    messages = [record.getMessage() for record in caplog.records]
    assert any("Token ***" in m for m in messages), "headers are logged, redacted"
    assert any("retrying" in m for m in messages)
    assert any("-> 200" in m for m in messages)
    assert not [m for m in messages if KEY in m]


def test_redact_hides_the_auth_header_whatever_its_case() -> None:
    headers = {tables.AUTH.header.upper(): f"Token {KEY}", "Accept": "x"}
    shown = redact(headers, tables.AUTH)
    assert KEY not in str(shown)
    assert shown["Accept"] == "x"


# --- downloads -------------------------------------------------------------------------------


@pytest.fixture
def done_task(server: FakeServer, client: Client) -> Any:
    """The creation of a task that succeeded."""
    task = client.reference2video(**CREATE)
    assert task.task_id is not None
    server.advance(60)
    return client.wait(task.task_id, poll_interval=0.01)[0]


def test_a_failed_download_leaves_no_file(
    server: FakeServer,
    make_client: Callable[..., Client],
    done_task: Any,
    tmp_path: Path,
) -> None:
    client = make_client(max_retries=1)
    server.inject("download", drop="mid_body", times=2)
    target = tmp_path / "out.mp4"
    with pytest.raises(APIConnectionError):
        client.download(done_task, target)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_download_keeps_the_old_file(
    server: FakeServer, client: Client, done_task: Any, tmp_path: Path
) -> None:
    target = tmp_path / "out.mp4"
    target.write_bytes(b"old")

    def interrupt(done: int, total: int | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        client.download(
            done_task, target, on_progress=interrupt, chunk_size=1024, overwrite=True
        )
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_a_broken_download_is_retried(
    server: FakeServer, client: Client, done_task: Any, tmp_path: Path
) -> None:
    server.inject("download", drop="mid_body")
    path = client.download(done_task, tmp_path)  # a directory: the URL's name
    assert path == tmp_path / "video.mp4"
    assert path.read_bytes() == urllib3.request("GET", done_task.url).data


def test_a_missing_file_is_not_found(
    server: FakeServer, client: Client, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError):
        client.download(f"{server.files_url}/1/video.mp4", tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


# --- construction --------------------------------------------------------------------------


def test_base_url_by_host_name() -> None:
    for name, url in tables.HOSTS.items():
        assert Client("k", base_url=name).base_url == url
    assert Client("k").base_url == tables.BASE_URL
    assert Client("k", base_url="http://127.0.0.1:9/").base_url == "http://127.0.0.1:9"
    with pytest.raises(ValueError, match="china"):
        Client("k", base_url="mars")


def test_the_context_manager_closes_its_own_pool_only() -> None:
    shared = urllib3.PoolManager()
    shared.connection_from_url("http://127.0.0.1:9")
    with Client("k", pool=shared):
        pass
    assert len(shared.pools) == 1
    with Client("k") as client:
        client._pool.connection_from_url("http://127.0.0.1:9")
    assert len(client._pool.pools) == 0


# --- the retry policy alone ------------------------------------------------------------------


def test_retry_policy_decisions() -> None:
    policy = RetryPolicy()
    for status in (429, 502, 503, 504):
        assert policy.retries_status(status, idempotent=True)
    assert policy.retries_status(429, idempotent=False)
    assert policy.retries_status(503, idempotent=False)
    assert not policy.retries_status(502, idempotent=False)
    assert not policy.retries_status(504, idempotent=False)
    assert not policy.retries_status(500, idempotent=True)
    assert policy.retries_failure("connect", idempotent=False)
    assert not policy.retries_failure("dropped", idempotent=False)
    assert not policy.retries_failure("read_timeout", idempotent=False)
    assert policy.retries_failure("read_timeout", idempotent=True)


def test_backoff_is_full_jitter_up_to_the_maximum() -> None:
    top = RetryPolicy(backoff=1.0, max_backoff=5.0, jitter=lambda: 0.999)
    assert [round(top.delay(n), 2) for n in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert RetryPolicy(jitter=lambda: 0.0).delay(3) == 0.0
    assert RetryPolicy(retry_after_cap=2.0).delay(0, "30") == 2.0


def test_parse_retry_after() -> None:
    now = 1_700_000_000.0
    assert parse_retry_after("5", now=now) == 5.0
    assert parse_retry_after("0.5", now=now) == 0.5
    assert parse_retry_after("-3", now=now) == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon", now=now) is None
    later = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(30.0)
    earlier = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(earlier, now=now) == 0.0
