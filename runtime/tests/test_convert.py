"""The runtime's converter on hand-built classes: lenient responses, requests
that take mappings for their objects."""

from __future__ import annotations

import enum
import warnings
from typing import Any

import attrs
import pytest
from specgen_runtime.convert import (
    ResponseWarning,
    dump_response,
    make_converter,
    structure_items,
)


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@attrs.frozen(kw_only=True)
class Part:
    name: str | None = None
    size: int | None = None
    extra: dict[str, object] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Node:
    """A class that holds itself: its plan must be made in bounded steps."""

    label: str | None = None
    children: list[Node] | None = None
    extra: dict[str, object] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Answer:
    id: str | None = None
    colour: Colour | str | None = None
    strict_colour: Colour | None = None
    count: int | None = None
    ratio: float | None = None
    done: bool | None = None
    cost: int | str | None = None
    parts: list[Part] | None = None
    labels: dict[str, int] | None = None
    extra: dict[str, object] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class NoExtra:
    id: str | None = None


@attrs.frozen(kw_only=True)
class Item:
    name: str
    tags: list[str] | None = None


@attrs.frozen(kw_only=True)
class Request:
    items: list[Item]
    words: list[str] | None = None


CONVERTER = make_converter(
    requests=(Request, Item), responses=(Answer, Part, Node, NoExtra)
)


def read(data: dict[str, object], cls: type = Answer) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value: object = CONVERTER.structure(data, cls)
    assert all(w.category is ResponseWarning for w in caught)
    return value, [str(w.message) for w in caught]


def test_a_body_of_the_expected_types_reads_without_a_warning() -> None:
    body: dict[str, object] = {
        "id": "1",
        "colour": "red",
        "strict_colour": "blue",
        "count": 3,
        "ratio": 2,
        "done": False,
        "cost": "12",
        "parts": [{"name": "a", "size": 1}],
        "labels": {"x": 1},
    }
    answer, problems = read(body)
    assert problems == []
    assert answer == Answer(
        id="1",
        colour=Colour.RED,
        strict_colour=Colour.BLUE,
        count=3,
        ratio=2,
        done=False,
        cost="12",
        parts=[Part(name="a", size=1)],
        labels={"x": 1},
    )
    assert dump_response(answer) == body
    assert CONVERTER.unstructure(answer) == body


def test_unknown_fields_are_kept_in_extra_and_written_back() -> None:
    body: dict[str, object] = {
        "id": "1",
        "added_later": {"deep": [1, 2]},
        "parts": [{"name": "a", "shape": "round"}],
    }
    answer, problems = read(body)
    assert problems == []
    assert isinstance(answer, Answer)
    assert answer.extra == {"added_later": {"deep": [1, 2]}}
    assert answer.parts == [Part(name="a", extra={"shape": "round"})]
    assert dump_response(answer) == body


def test_a_class_without_extra_drops_unknown_fields() -> None:
    value, problems = read({"id": "1", "other": 2}, NoExtra)
    assert value == NoExtra(id="1")
    assert problems == []


def test_a_value_outside_an_enum_is_kept_as_text() -> None:
    answer, problems = read({"colour": "green"})
    assert isinstance(answer, Answer)
    assert answer.colour == "green"
    assert not isinstance(answer.colour, Colour)
    assert problems == []


def test_a_value_outside_a_closed_enum_is_kept_with_a_warning() -> None:
    answer, problems = read({"strict_colour": "green"})
    assert isinstance(answer, Answer)
    assert answer.strict_colour == "green"
    assert problems == [
        "Answer.strict_colour: expected one of the Colour values, got 'green' "
        "(str); kept as sent"
    ]


def test_a_float_for_an_integer_is_kept_not_truncated() -> None:
    answer, problems = read({"count": 5.5, "id": "1"})
    assert isinstance(answer, Answer)
    assert answer.count == 5.5
    assert answer.id == "1"
    assert problems == [
        "Answer.count: expected an integer, got 5.5 (float); kept as sent"
    ]
    assert dump_response(answer) == {"count": 5.5, "id": "1"}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("count", True, "an integer"),
        ("done", 1, "a boolean"),
        ("ratio", "2", "a number"),
        ("id", 7, "a string"),
        ("cost", 1.5, "an integer or a string"),
        ("parts", {"name": "a"}, "a list"),
        ("labels", [1], "an object"),
    ],
)
def test_every_wrong_type_is_named_with_its_field(
    field: str, value: object, expected: str
) -> None:
    answer, problems = read({field: value})
    assert getattr(answer, field) == value
    assert len(problems) == 1
    assert problems[0].startswith(f"Answer.{field}: expected {expected}, got ")


def test_the_path_of_a_nested_problem_is_exact() -> None:
    body: dict[str, object] = {
        "parts": [{"name": "a"}, {"size": "big"}, "oops"],
        "labels": {"x": 1, "y": "two"},
    }
    answer, problems = read(body)
    assert problems == [
        "Answer.parts[1].size: expected an integer, got 'big' (str); kept as sent",
        "Answer.parts[2]: expected a Part object, got 'oops' (str); kept as sent",
        "Answer.labels.y: expected an integer, got 'two' (str); kept as sent",
    ]
    assert dump_response(answer) == body


def test_null_is_unset_without_a_warning() -> None:
    answer, problems = read({"count": None, "parts": [None]})
    assert answer == Answer(parts=[None])  # type: ignore[list-item]
    assert problems == []


def test_a_class_that_holds_itself_reads_at_any_depth() -> None:
    body: dict[str, object] = {"label": "a"}
    for depth in range(50):
        body = {"label": str(depth), "children": [body]}
    node, problems = read(body, Node)
    assert problems == []
    assert isinstance(node, Node)
    assert dump_response(node) == body


def test_a_body_that_is_not_an_object_is_misuse() -> None:
    with pytest.raises(TypeError, match="Answer is read from a JSON object, not list"):
        CONVERTER.structure([1], Answer)


def test_structure_items_builds_mappings_that_fit_and_keeps_the_rest() -> None:
    given: Any = [{"name": "a"}, Item(name="b"), {"nam": "c"}, {"tags": []}, 3]
    built: object = structure_items(given, Item)
    assert built == [Item(name="a"), Item(name="b"), {"nam": "c"}, {"tags": []}, 3]
    text: Any = "not a list"
    kept: object = structure_items(text, Item)
    assert kept == "not a list"
    assert structure_items((), Item) == []


def test_a_request_keeps_what_its_validation_must_report() -> None:
    request = Request(items=[Item(name="a")], words="one")  # type: ignore[arg-type]
    assert CONVERTER.unstructure(request) == {"items": [{"name": "a"}], "words": "one"}
    odd = Request(items=[Item(name="a"), {"nam": "b"}])  # type: ignore[list-item]
    assert CONVERTER.unstructure(odd) == {"items": [{"name": "a"}, {"nam": "b"}]}
