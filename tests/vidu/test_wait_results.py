"""What ``wait()`` returns: the task body's ``results_field`` (``creations``)."""

from __future__ import annotations

import http.server
import json
import threading
import warnings
from collections.abc import Iterator

import pytest
import vidu


class _Task(http.server.BaseHTTPRequestHandler):
    body: bytes = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _serve(task: dict[str, object]) -> Iterator[str]:
    handler = type("Handler", (_Task,), {"body": json.dumps(task).encode()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def odd_results() -> Iterator[str]:
    yield from _serve({"id": "t1", "state": "success", "creations": "not a list"})


@pytest.fixture
def no_results() -> Iterator[str]:
    yield from _serve({"id": "t1", "state": "success"})


def test_results_of_another_type_are_an_unexpected_response_naming_the_field(
    odd_results: str,
) -> None:
    with (
        vidu.Client("k", base_url=odd_results, max_retries=0) as client,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", vidu.ResponseWarning)
        with pytest.raises(vidu.UnexpectedResponseError, match="'creations'") as info:
            client.wait("t1", timeout=5)
    task = info.value.task
    assert isinstance(task, vidu.TaskCreations)
    assert task.to_dict()["creations"] == "not a list"


def test_a_task_without_results_gives_none(no_results: str) -> None:
    with vidu.Client("k", base_url=no_results, max_retries=0) as client:
        assert client.wait("t1", timeout=5) == []
