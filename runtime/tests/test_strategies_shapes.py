"""The strategies engine on a made-up spec of shapes Vidu's does not have:
a form without models, a total over a plain array, a rule on an integer
value, an object whose own total has a per-model limit, two selected forms."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from specgen_runtime.contract import (
    Condition,
    ContractSpec,
    Field,
    Form,
    Obj,
    Rule,
    expected_for,
)
from specgen_runtime.strategies import Broken, FormStrategies, form_strategies
from specgen_runtime.tables import AssetRules

FEW = settings(max_examples=60, deadline=None, database=None)

PHOTO = AssetRules(kind="photo", formats={"image/png": "png"}, extra_prefixes=("s3/",))

SPEC = ContractSpec(
    operation="paint",
    known_models=("a", "b", "c"),
    forms=(
        Form(
            name="layers",
            class_name="LayersRequest",
            const="PAINT_LAYERS",
            selected_by="layers",
            models=("a", "b"),
            model_field="engine",
            fields=(
                Field(name="engine", kind="string", is_model=True, required=True),
                Field(
                    name="layers",
                    kind="array",
                    items="object",
                    items_object="Layer",
                    count=(1, 5),
                ),
                Field(name="level", kind="integer", range_by_model={"a": (0, 3)}),
                Field(name="fast", kind="boolean", default=False),
            ),
            objects={
                "Layer": Obj(
                    name="Layer",
                    class_name="Layer",
                    fields=(
                        Field(name="name", kind="string", required=True, length=(2, 4)),
                        Field(
                            name="photos",
                            kind="array",
                            path="layers.photos",
                            items="asset",
                            items_type="string",
                            count=(1, 4),
                        ),
                    ),
                ),
            },
            rules=(
                Rule(
                    id="layers.photos.total",
                    severity="error",
                    field="layers",
                    total="layers",
                    total_key="photos",
                    max=5,
                    max_by_model={"b": 2},
                ),
                Rule(
                    id="fast.level",
                    severity="error",
                    field="fast",
                    conditions=(
                        Condition("fast", values=(True,)),
                        Condition("level", values=(2, 3)),
                    ),
                ),
            ),
        ),
        Form(
            name="plain",
            class_name="PlainRequest",
            const="PAINT_PLAIN",
            fields=(
                Field(
                    name="tags",
                    kind="array",
                    items="scalar",
                    items_type="string",
                    count=(0, 3),
                ),
                Field(name="size", kind="integer", range=(1, 9)),
            ),
            rules=(
                Rule(
                    id="tags.total", severity="error", field="tags", total="tags", max=2
                ),
            ),
        ),
    ),
    responses=(),
)
FORMS = form_strategies(SPEC, {"layers.photos": PHOTO})


def _errors(body: Any) -> list[tuple[str, str, str]]:
    return [t for t in expected_for(SPEC, body) if t[2] == "error"]


@FEW
@given(st.sampled_from(sorted(FORMS)).flatmap(lambda name: FORMS[name].bodies()))
def test_valid_bodies_break_no_rule(body: dict[str, Any]) -> None:
    assert _errors(body) == []
    if body.get("engine") == "b":
        assert sum(len(layer.get("photos", [])) for layer in body["layers"]) <= 2
    for layer in body.get("layers", []):
        for photo in layer.get("photos", []):
            assert photo.startswith(("http://", "https://", "s3/"))


@FEW
@given(st.sampled_from(sorted(FORMS)).flatmap(lambda name: FORMS[name].broken_bodies()))
def test_a_broken_body_has_the_error_it_names(broken: Broken) -> None:
    if broken.rule.endswith(".encoding"):
        assert broken.rule == "layers.photos.encoding"
        return
    assert (broken.rule, broken.field, "error") in expected_for(SPEC, broken.body)


def test_an_unknown_model_is_refused() -> None:
    with pytest.raises(ValueError, match="does not take model 'c'"):
        FORMS["layers"].bodies("c")


def test_a_form_without_models_draws_none() -> None:
    assert isinstance(FORMS["plain"], FormStrategies)
    assert FORMS["plain"].absent == frozenset({"layers"})
