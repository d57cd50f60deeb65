"""A create's answer may echo the request (Vidu's repeats its images): the
answer's size limit grows by the size of the body sent, so an upload is never
refused for its own echo, while an answer bigger than both still is."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator

import pytest
import vidu
from vidu.testing import FakeServer


def _png_uri(decoded_bytes: int) -> str:
    """A PNG data URI of 256x256 pixels, padded to ``decoded_bytes``."""
    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk
    png += struct.pack(">I", zlib.crc32(chunk))
    data = png + b"\0" * (decoded_bytes - len(png))
    return "data:image/png;base64," + base64.b64encode(data).decode()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


def test_an_answer_echoing_a_large_upload_is_read(server: FakeServer) -> None:
    image = _png_uri(2 * 1024 * 1024)
    with vidu.Client(
        server.api_key, base_url=server.url, max_response_bytes=64 * 1024
    ) as client:
        task = client.reference2video(model="viduq2", images=[image], prompt="x")
    assert task.task_id
    assert server.received["reference2video"] == 1


def test_an_answer_bigger_than_the_limit_and_the_body_is_refused(
    server: FakeServer,
) -> None:
    with (
        vidu.Client(
            server.api_key, base_url=server.url, max_response_bytes=16
        ) as client,
        pytest.raises(vidu.ResponseTooLarge, match="max_response_bytes"),
    ):
        client.get_creations("no-such-task")
