"""The HTTP client with hand-built tables of shapes the bundled spec does not have.

A ``Notes`` API: the key in ``X-Notes-Key`` with no scheme and no environment
variable, errors as ``{"problem": {"kind", "text"}, "ref"}``, no tasks, no
error-code table entries for most statuses, no callback. A small server on
127.0.0.1 answers what each test scripts and records what it received.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import attrs
import pytest
from shapes import Received, Reply, Responder, api_tables, http_server
from specgen_runtime.client import BaseClient
from specgen_runtime.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientError,
    NotFoundError,
)
from specgen_runtime.redaction import REDACTED
from specgen_runtime.tables import (
    ApiTables,
    Auth,
    ErrorCode,
    ErrorFields,
    Errors,
    FieldTable,
    FormTable,
    Operation,
)
from specgen_runtime.violations import (
    ValidationError,
    Violation,
    current_mode,
    enforce,
)

ADD = Operation("add_note", "POST", "/notes", "Add a note", has_body=True)
READ = Operation("read_note", "GET", "/notes/{note}", "Read a note", ("note",))

FORM = FormTable(
    operation="add_note",
    name="note",
    request_class="NoteRequest",
    models=(),
    fields={"text": FieldTable("string", required=True, length=(1, 20))},
)


def _validate(operation_id: str, body: Mapping[str, Any]) -> list[Violation]:
    text = body.get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= 20:
        return [Violation("error", "text", "text.length", "text must be 1-20 chars")]
    return []


NOTES = api_tables(
    "Notes",
    ADD,
    READ,
    auth=Auth("X-Notes-Key", ""),
    errors=Errors(
        ErrorFields(
            code="problem.status",
            reason="problem.kind",
            message="problem.text",
            trace_id="ref",
        ),
        {"NoSuchNote": ErrorCode(404, "There is no such note.")},
    ),
    validate=_validate,
    forms=(FORM,),
    hosts={"eu": "https://eu.notes.example"},
    version="3.1.4",
)


@attrs.frozen(kw_only=True)
class Note:
    id: str | None = None
    text: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Note:
        return cls(id=data.get("id"), text=data.get("text"))


@attrs.frozen(kw_only=True)
class NoteRequest:
    text: str

    def __attrs_post_init__(self) -> None:
        mode = current_mode()
        if mode != "off":
            enforce(self.violations(), mode)

    def violations(self) -> list[Violation]:
        return _validate("add_note", self.to_json())

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}


class NotesClient(BaseClient[Note]):
    """What a package generated from the Notes spec would hold."""

    _api: ClassVar[ApiTables] = NOTES

    def add_note(self, **fields: Any) -> Note:
        body = self._body(ADD, None, fields, None, NoteRequest)
        return self._call(ADD, {}, body, Note.from_json)

    def read_note(self, note: str, /) -> Note:
        return self._call(READ, {"note": note}, None, Note.from_json)

    def _get_task(self, task_id: str, /) -> Note:
        return self.read_note(task_id)


@attrs.define
class Script(Responder):
    """What the server answers next, and what it was sent."""

    status: int = 200
    body: bytes = b'{"id": "n1", "text": "hello"}'

    def reply(self, request: Received) -> Reply:
        return Reply(self.status, self.body, {"Content-Type": "application/json"})


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()
    with http_server(script) as url:
        yield url, script


def test_the_key_travels_in_the_specs_header_without_a_scheme(
    server: tuple[str, Script],
) -> None:
    url, script = server
    with NotesClient("k-123456789", base_url=url) as client:
        assert client.read_note("n1") == Note(id="n1", text="hello")
    method, path, headers, _ = script.received[0]
    assert (method, path) == ("GET", "/notes/n1")
    assert headers["X-Notes-Key"] == "k-123456789"
    assert "Authorization" not in headers
    assert headers["User-Agent"] == "notes-python/3.1.4"


def test_a_body_is_checked_with_the_apis_validator_before_sending(
    server: tuple[str, Script],
) -> None:
    url, script = server
    with NotesClient("k-123456789", base_url=url) as client:
        with pytest.raises(ValidationError) as caught:
            client.add_note(text="")
        assert [v.rule for v in caught.value.violations] == ["text.length"]
        assert script.received == []
        client.add_note(text="hi")
    assert json.loads(script.received[0][3]) == {"text": "hi"}


@pytest.mark.parametrize(
    ("status", "body", "error_class", "read"),
    [
        (
            400,
            b'{"problem": {"kind": "Bad", "text": "bad note"}, "ref": "r-9"}',
            BadRequestError,
            ("Bad", "bad note", "r-9"),
        ),
        (
            404,
            b'{"problem": {"kind": "NoSuchNote"}}',
            NotFoundError,
            ("NoSuchNote", "There is no such note.", None),
        ),
    ],
    ids=["error-layout", "message-from-the-error-table"],
)
def test_errors_are_read_from_the_apis_error_layout_and_table(
    server: tuple[str, Script],
    status: int,
    body: bytes,
    error_class: type[APIError],
    read: tuple[str, str, str | None],
) -> None:
    """Reason, message and trace id come from the API's own paths; a missing
    message comes from the API's table of error codes."""
    url, script = server
    script.status, script.body = status, body
    with (
        NotesClient("k-123456789", base_url=url, max_retries=0) as client,
        pytest.raises(error_class) as caught,
    ):
        client.read_note("n1")
    error = caught.value
    assert (error.reason, error.message, error.trace_id) == read


def test_no_key_and_no_environment_variable_says_pass_api_key() -> None:
    with (
        NotesClient(base_url="http://127.0.0.1:9") as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.read_note("n1")
    assert "pass api_key=" in str(caught.value)
    assert "$" not in str(caught.value)


def test_hosts_come_from_the_api() -> None:
    assert NotesClient("k").base_url == "https://notes.example"
    assert NotesClient("k", base_url="eu").base_url == "https://eu.notes.example"
    with pytest.raises(ValueError, match=r"known hosts: eu"):
        NotesClient("k", base_url="china")


def test_waiting_needs_a_tasks_section() -> None:
    with pytest.raises(LookupError, match="the Notes spec has no tasks section"):
        NotesClient("k").wait("n1")


def test_logs_go_to_the_packages_logger_with_the_key_hidden(
    server: tuple[str, Script], caplog: pytest.LogCaptureFixture
) -> None:
    url, _ = server
    with (
        caplog.at_level(logging.DEBUG, logger="notes"),
        NotesClient("k-123456789", base_url=url) as client,
    ):
        client.read_note("n1")
    text = caplog.text
    assert "GET" in text
    assert REDACTED in text
    assert "k-123456789" not in text
    assert {record.name for record in caplog.records} == {"notes"}


def test_every_error_is_a_client_error() -> None:
    for error in (ValidationError, AuthenticationError, BadRequestError):
        assert issubclass(error, ClientError)


def test_a_query_is_url_encoded_with_dotted_names_as_they_are(
    server: tuple[str, Script],
) -> None:
    url, script = server
    query: dict[str, str | int | float | bool] = {
        "created_at.from": "2025-01-01T00:00:00+08:00",
        "page_size": 10,
        "ratio": 0.5,
        "deep": True,
        "shallow": False,
        "q": "a b&c=d/é",
    }
    with NotesClient("k-123456789", base_url=url) as client:
        note = client._call(READ, {"note": "n 1"}, None, Note.from_json, query=query)
    assert note == Note(id="n1", text="hello")
    path = script.received[0][1]
    assert path == (
        "/notes/n%201?created_at.from=2025-01-01T00%3A00%3A00%2B08%3A00"
        "&page_size=10&ratio=0.5&deep=true&shallow=false&q=a%20b%26c%3Dd%2F%C3%A9"
    )
    parsed = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    assert parsed["created_at.from"] == ["2025-01-01T00:00:00+08:00"]
    assert parsed["q"] == ["a b&c=d/é"]


def test_an_empty_query_adds_nothing(server: tuple[str, Script]) -> None:
    url, script = server
    with NotesClient("k-123456789", base_url=url) as client:
        client._call(READ, {"note": "n1"}, None, Note.from_json, query={})
    assert script.received[0][1] == "/notes/n1"
