"""A minimal valid example body of each form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from vidu_codegen.load import model as sm
from vidu_codegen.tools.openapi.base import Base, Schema


class Examples(Base):
    """The smallest body each form accepts with neither an error nor a warning,
    for the first model it lists."""

    def _example(self, form: sm.Form) -> Schema:
        model = form.models[0] if form.models else None
        return self._example_object(form.fields, form.rules, form, model)

    def _example_object(
        self,
        fields: Mapping[str, sm.Field],
        rules: Sequence[sm.Rule],
        form: sm.Form,
        model: str | None,
    ) -> Schema:
        wanted = [n for n, f in fields.items() if f.required or f.role == "model"]
        for rule in rules:
            applies = rule.models is None or model in rule.models
            conds = list(rule.when.values())
            if (
                applies
                and rule.require is None
                and conds
                and all(c.present is False for c in conds)
            ):
                first = rule.field or next(iter(rule.when))
                if first not in wanted:
                    wanted.append(first)
        return {
            name: self._example_value(fields[name], form, model)
            for name in fields
            if name in wanted
        }

    def _example_value(self, field: sm.Field, form: sm.Form, model: str | None) -> Any:
        if field.role == "model":
            return model
        row = field.by_model.get(model) if model is not None else None
        if row is not None and row.default is not None:
            return row.default
        if field.default is not None:
            return field.default
        if row is not None and row.choices:
            return row.choices[0]
        if field.choices:
            return field.choices[0]
        kind = field.type
        if kind == "integer":
            bounds = row.range if row is not None and row.range else field.range
            return bounds[0] if bounds else 1
        if kind == "boolean":
            return False
        if kind == "number":
            return 1
        if kind == "array":
            count = row.count if row is not None and row.count else field.count
            size = max(count[0], 1) if count else 1
            return [self._example_item(field.items, form, model) for _ in range(size)]
        low, high = field.length if field.length else (1, 7)
        size = max(low, min(7, high))
        return ("example" * (size // 7 + 1))[:size]

    def _example_item(
        self, items: sm.Items | None, form: sm.Form, model: str | None
    ) -> Any:
        if items is None:
            return "example"
        if items.object is not None:
            obj = form.objects[items.object]
            return self._example_object(obj.fields, obj.rules, form, model)
        if items.asset is not None:
            asset = self.root.assets[items.asset]
            extension = next(iter(asset.formats.values()), "bin")
            return f"https://example.com/{items.asset}.{extension}"
        return {"integer": 1, "number": 1, "boolean": False}.get(
            items.type or "", "example"
        )
