"""Mistakes refused before sending and keys hidden in every spelling, on
hand-built tables: query values outside a parameter's choices or format in
each validation mode, and an API key echoed JSON-escaped."""

from __future__ import annotations

import warnings

import pytest
from specgen_runtime.errors import InvalidAPIKey
from specgen_runtime.pagination import query_values
from specgen_runtime.redaction import Secret, check_key
from specgen_runtime.tables import Operation, QueryParam
from specgen_runtime.violations import ValidationError, ValidationWarning

LIST = Operation(
    "list_notes",
    "GET",
    "/notes",
    "List notes",
    task="list",
    idempotent=True,
    query=(
        QueryParam("written.from", "written_from", kind="datetime"),
        QueryParam("tags", "tags", repeated=True, choices=("red", "blue")),
        QueryParam("colour", "colour", choices=("Crimson", "Navy")),
        QueryParam("page.size", "page_size", kind="integer", range=(1, 50)),
    ),
)


@pytest.mark.parametrize(
    ("given", "field", "text"),
    [
        ({"tags": ["red", "rde"]}, "tags[1]", "tags[1] 'rde' is not one of red, blue"),
        ({"tags": "bleu"}, "tags", "(did you mean blue?)"),
        ({"colour": "crimson"}, "colour", "(did you mean Crimson?)"),
        ({"colour": "Nav"}, "colour", "(did you mean Navy?)"),
        ({"written_from": "yesterday"}, "written_from", "not an RFC 3339 date-time"),
        ({"written_from": "2025-01-01T00:00:00"}, "written_from", "with a timezone"),
        ({"written_from": "2025-13-01T00:00:00Z"}, "written_from", "RFC 3339"),
        ({"page_size": 51}, "page_size", "page_size 51 is outside 1-50"),
    ],
)
def test_a_value_the_tables_rule_out_is_refused_in_strict_mode(
    given: dict[str, object], field: str, text: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        query_values(LIST, given)
    (violation,) = caught.value.errors
    assert violation.field == field.partition("[")[0]
    assert violation.message.startswith(field + " ")
    assert text in violation.message


def test_warn_mode_warns_and_keeps_the_value() -> None:
    with pytest.warns(ValidationWarning) as seen:
        query = query_values(LIST, {"tags": ["rde"], "page_size": 60}, "warn")
    assert [str(w.message).split(":")[0] for w in seen] == ["tags", "page_size"]
    assert "did you mean red" in str(seen[0].message)
    assert query == {"tags": ["rde"], "page.size": 60}


def test_off_mode_keeps_the_value_silently() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        query = query_values(LIST, {"written_from": "yesterday"}, "off")
    assert query == {"written.from": "yesterday"}


def test_a_wrong_type_is_refused_even_off_with_the_ruled_out_values() -> None:
    with pytest.raises(ValidationError) as caught:
        query_values(LIST, {"page_size": "5", "tags": ["rde"]}, "off")
    assert [v.field for v in caught.value.errors] == ["page_size", "tags"]


def test_good_values_pass_in_every_spelling() -> None:
    query = query_values(
        LIST,
        {"written_from": "2025-01-01t10:00:00+02:00", "tags": ("red", "blue")},
    )
    assert query == {
        "written.from": "2025-01-01t10:00:00+02:00",
        "tags": ["red", "blue"],
    }


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="lenient"):
        query_values(LIST, {}, "lenient")  # type: ignore[arg-type]


# --- the key in JSON text -----------------------------------------------------------


@pytest.mark.parametrize(
    "spelt",
    [
        b'\\u0073k/key\\"0123',
        b"\\u0073\\u006B\\/key\\u00220123",
        b'sk\\u002fkey\\"0123',
        b'sk/key"0123',
    ],
)
def test_every_json_spelling_of_the_key_is_hidden(spelt: bytes) -> None:
    key = Secret('sk/key"0123')
    raw = b'{"echo": "<' + spelt + b'>"}'
    assert key.scrub_bytes(raw) == b'{"echo": "<***>"}'
    assert key.scrub(raw.decode()) == '{"echo": "<***>"}'


def test_text_without_a_backslash_is_searched_once() -> None:
    key = Secret("sk-0123456789")
    assert key.scrub_bytes(b"a sk-0123456789 b") == b"a *** b"
    assert key.scrub_bytes(b"nothing here") == b"nothing here"


def test_a_short_key_is_hidden_where_it_stands_alone() -> None:
    key = Secret("k1")
    assert key.scrub('{"key": "k1", "auth": "Bearer k1"}') == (
        '{"key": "***", "auth": "Bearer ***"}'
    )
    assert key.scrub_bytes(b'["\\u006b1", "k1"]') == b'["***", "***"]'
    # inside a longer word or token it is not the key: the text stays readable
    assert key.scrub("tak1ng k1-2 k1_x") == "tak1ng k1-2 k1_x"
    assert key.scrub_headers({"X-A": "k1", "X-B": "tok1"}) == {
        "x-a": "***",
        "x-b": "tok1",
    }


def test_no_key_hides_nothing() -> None:
    assert Secret(None).scrub_bytes(b"\\u0073k") == b"\\u0073k"


@pytest.mark.parametrize("key", ["sekr\u00e9tKEY123", "sk-\u20ac"])
def test_a_key_outside_ascii_is_refused_naming_its_position(key: str) -> None:
    with pytest.raises(InvalidAPIKey, match="outside ASCII at position"):
        check_key(key)
