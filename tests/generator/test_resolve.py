"""The resolve step: each model's rules as they take effect."""

from __future__ import annotations

from pathlib import Path

from vidu_codegen import resolve as rs
from vidu_codegen.load import model as sm
from vidu_codegen.pipeline import load_spec

from tests.conftest import PROJECT, TINY_SPEC

PAINT = PROJECT / "tests" / "specs" / "diff" / "base"


def _resolved(spec_dir: Path) -> rs.Resolved:
    loaded = load_spec(spec_dir)
    assert loaded.spec is not None, loaded.findings
    return rs.resolve(loaded.spec)


def _field(**kwargs: object) -> sm.Field:
    return sm.Field(summary="s", type="integer", **kwargs)  # type: ignore[arg-type]


def test_bounds_combine_the_field_and_the_row() -> None:
    field = _field(range=[1, 10], by_model={"a": sm.ModelRow(range=[5, 20])})
    rules = rs.FieldRules("f", field, ("a", "b"))
    assert rules.bounds("range", "a") == (5, 10)
    assert rules.bounds("range", "b") == (1, 10)
    assert rules.bounds("range", None) == (1, 10)
    assert rules.bounds_by_model("range") == {"a": (5, 20)}


def test_defaults_and_choices_per_model() -> None:
    field = sm.Field(
        summary="s",
        type="string",
        choices=["x", "y"],
        aliases={"ex": "x"},
        default="x",
        by_model={
            "b": sm.ModelRow(choices=["ex", "z"], default="ex"),
            "a": sm.ModelRow(ignored=True),
        },
    )
    rules = rs.FieldRules("f", field, ("a", "b"))
    assert rules.default("a") == "x"
    assert rules.default("b") == "ex"
    assert rules.choices("a") == ("x", "y")
    assert rules.choices("b") == ("ex",)
    assert rules.defaults_by_model == {"b": "ex"}
    assert rules.ignored("a")
    assert not rules.ignored("b")
    assert rules.ignored_by == ("a",)


def test_unsupported_models_and_notes_in_row_order() -> None:
    field = _field(
        by_model={
            "b": sm.ModelRow(allowed=False, note="docs say so"),
            "a": sm.ModelRow(pattern="p"),
        },
    )
    rules = rs.FieldRules("f", field, ("a", "b"))
    assert rules.unsupported_by == ("b",)
    assert not rules.allowed("b")
    assert rules.allowed("a")
    assert rules.notes == (("b", "docs say so"),)
    assert rules.patterns_by_model == {"a": "p"}
    assert rules.pattern_names("a") == ("p",)


def test_rule_limits_per_model() -> None:
    rule = sm.Rule(
        id="r",
        message="m",
        models=["b"],
        require=sm.Requirement(total="items", max=3),
        by_model={"b": sm.RequirementRow(max=2)},
    )
    limits = rs.RuleLimits(0, rule, ("b",))
    assert limits.restricted
    assert limits.limit("b") == 2
    assert limits.limit("c") == 3
    assert limits.limit(None) == 3
    assert limits.row_limits == {"b": 2}


def test_idempotent_unless_the_spec_says() -> None:
    def info(method: str, idempotent: bool | None = None) -> sm.OperationInfo:
        return sm.OperationInfo(
            id="o",
            method=method,  # type: ignore[arg-type]
            path="/",
            summary="s",
            response="R",
            idempotent=idempotent,
        )

    assert [rs.idempotent(info(m)) for m in ("GET", "PUT", "DELETE")] == [True] * 3
    assert not rs.idempotent(info("POST"))
    assert not rs.idempotent(info("PATCH"))
    assert rs.idempotent(info("POST", True))
    assert not rs.idempotent(info("GET", False))


def test_forms_know_which_field_holds_each_object() -> None:
    resolved = _resolved(PAINT)
    (form,) = resolved.forms()
    assert form.models == tuple(form.form.models)
    for name, obj in form.objects.items():
        holder = form.form.fields[obj.holder]
        assert holder.items is not None
        assert holder.items.object == name
        assert form.holder(name) == obj.holder
    assert form.holder("nothing") == "nothing"


def test_rules_without_models_apply_to_every_model_of_the_form() -> None:
    for form in _resolved(PAINT).forms():
        for limits in form.rules:
            expected = limits.rule.models or list(form.models)
            assert list(limits.models) == list(expected)


def test_asset_variants_are_listed_once() -> None:
    variants = _resolved(TINY_SPEC).asset_variants
    assert len(set(variants)) == len(variants)
    for variant in variants:
        assert variant.below > 0
