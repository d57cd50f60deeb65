"""Signed callbacks from the fake server, delivered from a background thread.

Only loopback ``http`` URLs are called: a test's fake server must never reach
out to the network. A callback to any other URL is recorded as refused.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import queue
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import attrs

from ..tables import Callback, Tasks
from ..webhooks import Webhooks


@attrs.frozen
class CallbackRecord:
    """One callback the fake server sent (or refused to send)."""

    url: str
    state: str
    body: dict[str, Any]
    headers: dict[str, str]
    """The headers of the last attempt, signature included."""
    status: int | None
    """The receiver's HTTP status; ``None`` when it never answered."""
    error: str | None = None
    """Why delivery failed, if it did."""
    attempts: int = 1

    @property
    def delivered(self) -> bool:
        """Whether the receiver answered with a 2xx status."""
        return self.status is not None and 200 <= self.status < 300


def is_loopback_http(url: str) -> bool:
    """Whether ``url`` is an ``http`` URL on this machine's loopback interface."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        _ = parts.port
    except ValueError:
        return False
    if parts.scheme != "http" or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _post(
    method: str, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> int:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port or 80, timeout=timeout
    )
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class CallbackSender:
    """Delivers callbacks in order, one at a time, on a background thread.

    ``callback`` is the API's callback section (its method and signature
    scheme), ``tasks`` its task section (to tell an end state); ``secret``
    is the key callbacks are signed with. A callback for an end state is retried ``retries`` times after a failed
    delivery (the service's documented behaviour), ``retry_delay`` apart.
    """

    def __init__(
        self,
        secret: str,
        *,
        callback: Callback,
        tasks: Tasks,
        on_done: Callable[[CallbackRecord], None],
        retries: int = 3,
        retry_delay: float = 0.2,
        timeout: float = 5.0,
    ) -> None:
        self.secret = secret
        self.callback = callback
        self.tasks = tasks
        self._signer: Webhooks[dict[str, Any]] = Webhooks(callback.signature, dict)
        self.retries = retries
        self.retry_delay = retry_delay
        self.timeout = timeout
        self._on_done = on_done
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the delivery thread."""
        self._thread = threading.Thread(
            target=self._run, name="fake-server-callbacks", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the callback in flight; undelivered ones are dropped."""
        self._stopping.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout)

    def send(self, url: str, body: dict[str, Any]) -> None:
        """Queue a callback of ``body`` to ``url``."""
        self._queue.put((url, body))

    def _run(self) -> None:
        while not self._stopping.is_set():
            item = self._queue.get()
            if item is None:
                return
            self._on_done(self.deliver(*item))

    def deliver(self, url: str, body: dict[str, Any]) -> CallbackRecord:
        """POST ``body`` to ``url`` now, signed, retrying as the service does."""
        state = str(body.get(self.tasks.state_field, ""))
        if not is_loopback_http(url):
            return CallbackRecord(
                url,
                state,
                body,
                {},
                None,
                "refused: the fake server only calls back loopback http URLs",
                attempts=0,
            )
        payload = json.dumps(body).encode()
        tries = 1 + (self.retries if state in self.tasks.terminal else 0)
        headers: dict[str, str] = {}
        status: int | None = None
        error: str | None = None
        attempt = 0
        for attempt in range(1, tries + 1):
            if attempt > 1 and self._stopping.wait(self.retry_delay):
                break
            headers = {
                "Content-Type": "application/json",
                **self._signer.signed_headers(self.callback.method, url, self.secret),
            }
            try:
                status = _post(
                    self.callback.method, url, payload, headers, self.timeout
                )
            except OSError as exc:
                status, error = None, f"{type(exc).__name__}: {exc}"
                continue
            if 200 <= status < 300:
                error = None
                break
            error = f"receiver answered HTTP {status}"
        return CallbackRecord(url, state, body, headers, status, error, attempt)
