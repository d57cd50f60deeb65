"""The client refuses a caller's mistakes before anything is sent, and hides
the key in every byte it hands back: against the fake server and small
servers on 127.0.0.1.

A request of another operation, a list filter outside the spec's choices or
formats, a bad limit or key given to the client, a call queued when the
asyncio client closes, and a server echoing the key JSON-escaped.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
import vidu
from specgen_runtime.retry import RetryPolicy
from vidu import (
    AsyncClient,
    CancelRequest,
    Client,
    ClientClosed,
    InvalidAPIKey,
    LocalFileTooLarge,
    ServerError,
    UnexpectedResponseError,
    UnreadableCreateResponse,
    ValidationError,
    ValidationWarning,
)
from vidu.testing import FakeServer

from tests.vidu import images, loopback

KEY = "sk-test-0123456789abcdef"
CREATE: dict[str, Any] = {
    "model": "viduq2",
    "images": ["https://example.com/a.png"],
    "prompt": "A bear.",
}


def make(url: str, **options: Any) -> Client:
    options.setdefault("timeout", 5.0)
    options.setdefault("sleep", lambda seconds: None)
    options.setdefault("retry", RetryPolicy(max_retries=0, jitter=lambda: 0.0))
    return Client(options.pop("api_key", KEY), base_url=url, **options)


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer(api_key=KEY) as fake:
        yield fake


# --- 1. a request of another operation --------------------------------------------


def test_a_request_of_another_operation_is_refused_unsent(server: FakeServer) -> None:
    with make(server.url) as client, pytest.raises(TypeError) as caught:
        client.reference2video(CancelRequest(id="1"))  # type: ignore[call-overload]
    message = str(caught.value)
    assert "reference2video() takes a Reference2VideoRequest" in message
    assert "not a CancelRequest" in message
    assert server.received["reference2video"] == 0


def test_a_mapping_for_a_request_says_how_to_pass_it(server: FakeServer) -> None:
    with make(server.url) as client, pytest.raises(TypeError) as caught:
        client.reference2video(dict(CREATE))  # type: ignore[call-overload]
    assert "not a dict" in str(caught.value)
    assert "reference2video(**fields)" in str(caught.value)
    assert server.received["reference2video"] == 0


def test_the_asyncio_client_refuses_a_request_of_another_operation(
    server: FakeServer,
) -> None:
    async def main() -> None:
        async with AsyncClient(KEY, base_url=server.url, timeout=5.0) as client:
            with pytest.raises(TypeError, match="not a CancelRequest"):
                await client.reference2video(CancelRequest(id="1"))  # type: ignore[call-overload]

    asyncio.run(asyncio.wait_for(main(), 30))
    assert server.received["reference2video"] == 0


def test_the_request_the_operation_takes_is_sent(server: FakeServer) -> None:
    with make(server.url) as client:
        task = client.reference2video(vidu.Reference2VideoRequest(**CREATE))
    assert task.task_id
    assert server.received["reference2video"] == 1


# --- 2. list filters against the spec's query tables ------------------------------


@pytest.mark.parametrize(
    ("given", "where", "hint"),
    [
        ({"states": ["sucess"]}, "states[0]", "(did you mean success?)"),
        ({"resolutions": ["720"]}, "resolutions[0]", "(did you mean 720p?)"),
        ({"states": "sucess"}, "states", "(did you mean success?)"),
        ({"created_at_from": "yesterday"}, "created_at_from", "RFC 3339"),
        ({"created_at_to": "2025-01-02"}, "created_at_to", "RFC 3339"),
    ],
)
def test_a_filter_the_spec_rules_out_is_refused_in_strict_mode(
    server: FakeServer, given: dict[str, Any], where: str, hint: str
) -> None:
    with make(server.url) as client, pytest.raises(ValidationError) as caught:
        client.list_tasks(**given)
    (violation,) = caught.value.errors
    assert violation.field == where.partition("[")[0]
    assert violation.message.startswith(where + " ")
    assert hint in str(caught.value)
    assert server.received["list-tasks"] == 0


def test_good_filters_are_sent(server: FakeServer) -> None:
    with make(server.url) as client:
        page = client.list_tasks(
            states=["success", vidu.TaskState.FAILED],
            resolutions=["720p"],
            created_at_from="2025-01-01T00:00:00Z",
            created_at_to="2025-01-02T00:00:00+08:00",
        )
    assert page.items is not None


def test_a_ruled_out_filter_warns_and_is_sent_in_warn_mode(
    canned: loopback.Canned,
) -> None:
    url = canned.answer(b'{"tasks": [], "next_page_token": ""}')
    with (
        make(url, validation="warn") as client,
        pytest.warns(ValidationWarning, match="did you mean success") as seen,
    ):
        client.list_tasks(states=["sucess"])
    assert seen[0].filename == __file__  # the caller's line
    assert "states=sucess" in canned.seen[-1].path


def test_a_ruled_out_filter_is_sent_silently_in_off_mode(
    canned: loopback.Canned,
) -> None:
    url = canned.answer(b'{"tasks": [], "next_page_token": ""}')
    with make(url, validation="off") as client, warnings.catch_warnings():
        warnings.simplefilter("error")
        client.list_tasks(created_at_from="yesterday")
    assert "created_at.from=yesterday" in canned.seen[-1].path


def test_a_value_of_the_wrong_type_is_refused_in_every_mode(
    canned: loopback.Canned,
) -> None:
    url = canned.answer(b'{"tasks": [], "next_page_token": ""}')
    with (
        make(url, validation="off") as client,
        pytest.raises(ValidationError, match="page_size must be an integer"),
    ):
        client.list_tasks(page_size="10")  # type: ignore[arg-type]
    assert canned.seen == []


# --- 4. an asyncio client closing with calls queued --------------------------------


def test_calls_queued_for_a_worker_are_dropped_unsent_on_close(
    server: FakeServer,
) -> None:
    server.inject("reference2video", delay=0.3, times=100)

    async def main() -> list[object]:
        client = AsyncClient(KEY, base_url=server.url, max_concurrency=2, timeout=5)
        calls = [
            asyncio.create_task(client.reference2video(**CREATE, payload=f"p{n}"))
            for n in range(8)
        ]
        await asyncio.sleep(0.1)  # two in flight, six queued
        await client.aclose()
        return list(await asyncio.gather(*calls, return_exceptions=True))

    outcomes = asyncio.run(asyncio.wait_for(main(), 30))
    closed = [o for o in outcomes if isinstance(o, ClientClosed)]
    created = [o for o in outcomes if isinstance(o, vidu.CreateTaskResponse)]
    assert len(closed) == 6, outcomes
    assert len(created) == 2, outcomes
    assert server.received["reference2video"] == 2


def test_leaving_the_block_after_a_cancelled_download_logs_nothing(
    server: FakeServer, tmp_path: Any
) -> None:
    reported: list[dict[str, Any]] = []

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            for _ in range(50):  # 2.5 s at most, a small chunk at a time
                try:
                    self.wfile.write(b"x" * 1024)
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.05)

        def log_message(self, format: str, *args: object) -> None:
            pass

    async def main(url: str) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda loop, context: reported.append(context))
        async with AsyncClient(KEY, base_url=server.url, timeout=5) as client:
            download = asyncio.create_task(
                client.download(url + "/v.mp4", tmp_path, chunk_size=1024)
            )
            await asyncio.sleep(0.3)
            download.cancel()
            with pytest.raises(asyncio.CancelledError):
                await download
        gc.collect()
        await asyncio.sleep(0)

    with loopback.running(Slow) as url:
        asyncio.run(asyncio.wait_for(main(url), 30))
    gc.collect()
    assert reported == []
    assert list(tmp_path.iterdir()) == []


# --- 6. limits and the key given to the client --------------------------------------


@pytest.mark.parametrize("timeout", [0, -1, 0.0])
def test_a_download_timeout_that_is_not_positive_is_refused_up_front(
    canned: loopback.Canned, tmp_path: Any, timeout: float
) -> None:
    url = canned.answer(b"video")
    with make(url) as client:
        with pytest.raises(ValueError, match=rf"timeout={timeout!r}: give a positive"):
            client.download(url + "/v.mp4", tmp_path, timeout=timeout)
        with pytest.raises(ValueError, match="idle_timeout"):
            client.download(url + "/v.mp4", tmp_path, idle_timeout=timeout)
    assert canned.seen == []


def test_a_negative_max_retries_says_what_with_options_says() -> None:
    with pytest.raises(ValueError, match="max_retries") as built:
        Client(KEY, max_retries=-1)
    with Client(KEY) as client, pytest.raises(ValueError, match="max_") as changed:
        client.with_options(max_retries=-1)
    assert (
        str(built.value) == str(changed.value) == "max_retries must be at least 0: -1"
    )


def test_a_bad_base_url_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("VIDU_BASE_URL", "europe")
    with pytest.raises(ValueError, match=r"^\$VIDU_BASE_URL 'europe' is neither"):
        Client(KEY)
    with pytest.raises(ValueError, match=r"^base_url 'europe' is neither"):
        Client(KEY, base_url="europe")


@pytest.mark.parametrize("key", [123, b"sk-key-123456"])
def test_a_key_that_is_not_text_is_refused_by_type(key: object) -> None:
    with pytest.raises(InvalidAPIKey, match=r"^api_key must be a str, got"):
        Client(key)  # type: ignore[arg-type]


def test_a_key_outside_ascii_is_refused_without_showing_it() -> None:
    with pytest.raises(InvalidAPIKey) as caught:
        Client("sekrétKEY123")
    assert "outside ASCII at position 5" in str(caught.value)
    assert "sekr" not in str(caught.value)


def test_wait_for_an_empty_id_says_the_caller_passed_one(server: FakeServer) -> None:
    with make(server.url) as client:
        with pytest.raises(ValueError, match="task_id is empty"):
            client.wait("")
        with pytest.raises(ValueError, match="task_id is None"):
            client.wait(None)  # type: ignore[arg-type]
    assert server.received["get-creations"] == 0


# --- 8. an echoed key, JSON-escaped or short ------------------------------------------


def _escaped(key: str) -> str:
    """``key`` as JSON text may spell it: its first letter as ``\\uXXXX``."""
    return f"\\u{ord(key[0]):04x}" + key[1:]


def test_a_json_escaped_echo_of_the_key_is_hidden_in_raw_bodies(
    canned: loopback.Canned,
) -> None:
    echo = _escaped(KEY)
    body = ('{"task_id": "1", "state": "created", "echo": "' + echo + '"}').encode()
    url = canned.answer(body)
    with make(url) as client:
        raw = client.with_raw_response.get_creations("1")
        assert KEY not in json.loads(raw.body)["echo"]
        assert echo.encode() not in raw.body
        canned.answer(b'{"task_id": 7, "echo": "' + echo.encode() + b'"')
        with pytest.raises(UnreadableCreateResponse) as unreadable:
            client.reference2video(**CREATE)
        assert echo.encode() not in unreadable.value.raw
        assert b"***" in unreadable.value.raw
        canned.answer(b'["' + echo.replace("-", "\\u002d").encode() + b'"]')
        with pytest.raises(UnexpectedResponseError) as unexpected:
            client.get_creations("1")
        assert b"***" in unexpected.value.raw
        assert b"0123456789abcdef" not in unexpected.value.raw


def test_an_escaped_echo_in_an_error_body_is_hidden(canned: loopback.Canned) -> None:
    url = canned.answer(
        b'{"reason": "bad key \\/ ' + _escaped(KEY).encode() + b'"', 503
    )
    with make(url) as client, pytest.raises(ServerError) as caught:
        client.get_creations("1")
    shown = f"{caught.value} {caught.value.body!r}"
    assert "0123456789abcdef" not in shown


def test_a_short_key_is_hidden_too(canned: loopback.Canned) -> None:
    url = canned.answer(b'{"task_id": "1", "echo": "k3y"}')
    with make(url, api_key="k3y") as client:
        raw = client.with_raw_response.get_creations("1")
        task = client.get_creations("1")
    assert b"k3y" not in raw.body
    assert "k3y" not in repr(task)


# --- 3. a local file too large for a data URI ------------------------------------------


def _sparse(path: Path, head: bytes, size: int) -> Path:
    """A file of ``size`` bytes starting with ``head`` (the rest a hole)."""
    with path.open("wb") as file:
        file.write(head)
        file.truncate(size)
    return path


def test_an_image_over_the_data_uri_limit_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = vidu.Image.DATA_URI_BYTES
    assert limit == 10 * 1024 * 1024  # the images field's "under 10MB"
    big = _sparse(tmp_path / "big.png", images.png(256, 256), 20 * 1024 * 1024)
    opened: list[object] = []
    real_open = open

    def watched_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(file)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watched_open)
    with pytest.raises(LocalFileTooLarge) as caught:
        vidu.Image.from_path(big)
    monkeypatch.undo()
    error = caught.value
    assert isinstance(error, vidu.LocalFileError)
    assert isinstance(error, vidu.ViduError)
    assert (error.size, error.limit, error.filename) == (
        20 * 1024 * 1024,
        limit,
        str(big),
    )
    message = str(error)
    assert str(big) in message
    assert "20,971,520 bytes" in message
    assert "10,485,760 bytes" in message
    assert "upload it and pass its URL" in message
    assert "max_bytes=52428800" in message  # the subjects' images take more
    assert opened == []  # refused on its size alone


def test_a_video_over_the_data_uri_limit_is_refused_too(tmp_path: Path) -> None:
    big = _sparse(tmp_path / "big.mp4", b"\x00\x00\x00\x18ftypmp42", 21 * 1024 * 1024)
    with pytest.raises(LocalFileTooLarge, match=r"big\.mp4: it is 22,020,096 bytes"):
        vidu.Video.from_path(big)


def test_max_bytes_sets_the_limit_of_from_path(tmp_path: Path) -> None:
    small = tmp_path / "small.png"
    small.write_bytes(images.png(256, 256))
    size = small.stat().st_size
    assert vidu.Image.from_path(small).startswith("data:image/png;base64,")
    with pytest.raises(LocalFileTooLarge) as caught:
        vidu.Image.from_path(small, max_bytes=size - 1)
    assert caught.value.limit == size - 1
    assert "max_bytes=" in str(caught.value)


# --- 7. urllib3's own DEBUG records ----------------------------------------------------


def test_urllib3_debug_records_of_a_redirect_echoing_the_key_hide_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    class Redirecting(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/start?k=1":
                self.send_response(302)
                self.send_header("Location", f"/{KEY}/video.mp4")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b"video" if KEY in self.path else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    caplog.set_level(logging.DEBUG)
    with loopback.running(Redirecting) as url, make(url) as client:
        saved = client.download(url + "/start?k=1", tmp_path / "v.mp4")
    assert saved.read_bytes() == b"video"
    urllib3_lines = [
        r.getMessage() for r in caplog.records if r.name.startswith("urllib3")
    ]
    assert any("Redirecting" in line for line in urllib3_lines)  # nothing removed
    assert any("/***/video.mp4" in line for line in urllib3_lines)
    assert KEY not in caplog.text


def test_records_of_urllib3_without_the_key_are_left_as_they_are() -> None:
    record = logging.LogRecord(
        "urllib3.connectionpool", logging.DEBUG, __file__, 1, "GET %s", ("/x",), None
    )
    with Client(KEY, base_url="http://127.0.0.1:9"):
        filters = logging.getLogger("urllib3.connectionpool").filters
        assert filters  # installed by the client
        assert all(one.filter(record) for one in filters)
    assert (record.msg, record.args) == ("GET %s", ("/x",))


def test_a_redirect_of_an_api_call_is_not_followed_and_says_where(
    canned: loopback.Canned,
) -> None:
    url = canned.answer(b"", 302, {"Location": f"http://127.0.0.1:1/{KEY}"})
    with make(url) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.get_credits()
    assert "a redirect to http://127.0.0.1:1/***: not followed" in str(caught.value)
    assert len(canned.seen) == 1  # the key went nowhere else
