"""The client over TLS, against a server on 127.0.0.1 with a certificate made
for the test: an answer is read, and a server trickling its headers is cut
off at the call's deadline (the watchdog holds TLS connections too)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from specgen_runtime.retry import RetryPolicy
from vidu import APITimeoutError, Client

KEY = "sk-test-0123456789abcdef"
BODY = b'{"id": "t-1", "state": "processing", "creations": []}'


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ssl.SSLContext:
    """A server context whose certificate (for 127.0.0.1) the client trusts."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


@contextlib.contextmanager
def tls_server(
    context: ssl.SSLContext, *, trickle: bool, finished: threading.Event | None = None
) -> Iterator[str]:
    """Answers each request with :data:`BODY`, or (``trickle``) sends its
    headers a byte every 50 ms, never finishing them (bounded: 10 s, then
    ``finished`` is set)."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def answer(connection: ssl.SSLSocket) -> None:
        connection.settimeout(2.0)
        received = b""
        for _ in range(64):
            received += connection.recv(65536)
            if b"\r\n\r\n" in received or not received:
                break
        if not trickle:
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY)}\r\n\r\n"
            connection.sendall(head.encode() + BODY)
            return
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(200):
            if stop.wait(0.05):
                return
            connection.sendall(b"X")
        if finished is not None:
            finished.set()

    def serve() -> None:
        end = time.monotonic() + 20.0
        while not stop.is_set() and time.monotonic() < end:
            try:
                raw, _ = listener.accept()
            except TimeoutError:
                continue
            with (
                contextlib.suppress(OSError),
                raw,
                context.wrap_socket(raw, server_side=True) as connection,
            ):
                answer(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5.0)
        listener.close()


def _client(url: str, timeout: float) -> Client:
    return Client(
        KEY,
        base_url=url,
        timeout=timeout,
        retry=RetryPolicy(max_retries=0, jitter=lambda: 0.0),
    )


def test_an_answer_over_tls_is_read(certificate: ssl.SSLContext) -> None:
    with (
        tls_server(certificate, trickle=False) as url,
        _client(url, 5.0) as client,
    ):
        assert client.get_creations("t-1").state == "processing"


def test_headers_trickled_over_tls_are_cut_off_at_the_deadline(
    certificate: ssl.SSLContext,
) -> None:
    finished = threading.Event()
    with (
        tls_server(certificate, trickle=True, finished=finished) as url,
        _client(url, 1.0) as client,
    ):
        with pytest.raises(APITimeoutError, match="within the call's deadline"):
            client.get_creations("t-1")
        # the client closed the connection; it did not wait for the server
        assert not finished.is_set()
