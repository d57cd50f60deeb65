"""A ValidationWarning points at the user's line, wherever it is raised from.

The warning of a typed request names the line that built it; that of a client
call (a model the spec does not know, a field sent through ``extra_body``)
names the line of the call, never a line of the runtime, of the generated
package or of the ``__init__`` attrs made. Calls go to the fake server over
HTTP on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Iterator

import pytest
from vidu import AsyncClient, Client, ValidationWarning, ViduError
from vidu.models import Reference2VideoRequest
from vidu.testing import FakeServer

KEY = "sk-test-0123456789abcdef"
IMAGES = ["https://example.com/a.png"]
PROMPT = "A bear by the lake."


@pytest.fixture
def client() -> Iterator[Client]:
    with (
        FakeServer(api_key=KEY) as server,
        Client(api_key=KEY, base_url=server.url, timeout=5.0) as client,
    ):
        yield client


def _only(caught: list[warnings.WarningMessage]) -> warnings.WarningMessage:
    found = [w for w in caught if issubclass(w.category, ValidationWarning)]
    assert len(found) == 1, [str(w.message) for w in caught]
    return found[0]


def test_a_typed_request_warns_at_its_construction() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Reference2VideoRequest(
            model="viduq2", images=IMAGES, prompt=PROMPT, movement_amplitude="small"
        )
        line = _line()
    warning = _only(caught)
    assert (warning.filename, warning.lineno) == (__file__, line - 3)
    assert "movement_amplitude" in str(warning.message)


def test_a_bad_model_warns_at_the_client_call(client: Client) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # the fake server may refuse the model; the warning comes first
        with contextlib.suppress(ViduError):
            client.reference2video(
                model="viduq9", images=IMAGES, prompt=PROMPT, validation="warn"
            )
        line = _line()
    warning = _only(caught)
    assert (warning.filename, warning.lineno) == (__file__, line - 3)
    message = str(warning.message)
    assert "unknown model 'viduq9'" in message
    assert 'pass validation="warn"' not in message
    assert "warn mode" in message


def test_extra_body_warns_at_the_client_call(client: Client) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ViduError, match="new_knob"):  # the fake server refuses it
            client.reference2video(
                model="viduq2", images=IMAGES, prompt=PROMPT, extra_body={"new_knob": 1}
            )
        line = _line()
    warning = _only(caught)
    assert (warning.filename, warning.lineno) == (__file__, line - 3)
    assert "new_knob" in str(warning.message)


def test_strict_mode_still_advises_warn_mode() -> None:
    from vidu import validate_payload

    body = {"model": "viduq9", "images": IMAGES, "prompt": PROMPT}
    (found,) = validate_payload("reference2video", body)
    assert 'pass validation="warn"' in found.message


def _line() -> int:
    """The line of the caller's call of this function."""
    import sys

    return sys._getframe(1).f_lineno


def test_the_async_client_warns_at_the_awaited_call() -> None:
    async def send(url: str) -> int:
        async with AsyncClient(api_key=KEY, base_url=url, timeout=5.0) as client:
            line = _line() + 2
            with pytest.raises(ViduError, match="new_knob"):
                await client.reference2video(
                    model="viduq2",
                    images=IMAGES,
                    prompt=PROMPT,
                    extra_body={"new_knob": 1},
                )
            return line

    with (
        FakeServer(api_key=KEY) as server,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        line = asyncio.run(send(server.url))
    warning = _only(caught)
    assert (warning.filename, warning.lineno) == (__file__, line)
