"""Per-model constraints and rules across fields as ``if``/``then`` schemas."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping

from vidu_codegen import resolve as rs
from vidu_codegen.load import model as sm
from vidu_codegen.tools.openapi.base import (
    Base,
    Schema,
    anchored,
    bounds,
    merge_if,
    model_if,
    models_doc,
    same,
)


class Constraints(Base):
    """Schemas of what a model's rows and a form's rules demand."""

    def _row_schema(self, field: sm.Field, row: sm.ModelRow) -> Schema | bool | None:
        """What ``row`` adds to ``field`` for its model (``False``: not allowed)."""
        if not row.allowed:
            return False
        schema: Schema = {}
        if row.choices is not None:
            schema["enum"] = list(row.choices)
        if row.pattern is not None:
            pattern = self._pattern(row.pattern)
            if pattern is not None:
                schema["pattern"] = anchored(pattern.regex)
        if row.range is not None:
            schema["minimum"], schema["maximum"] = row.range
        if row.count is not None:
            bounds(schema, row.count, "minItems", "maxItems")
        if row.default is not None:
            schema["default"] = row.default
        # `length` rows are not applied by the validator: not expressed.
        return schema or None

    def _per_model_entries(
        self, form: sm.Form, model_field: str | None
    ) -> list[Schema]:
        if model_field is None:
            return []
        entries = []
        for model in form.models:
            props: Schema = {}
            for fname, field in form.fields.items():
                row = field.by_model.get(model)
                added = self._row_schema(field, row) if row is not None else None
                if added is not None:
                    props[fname] = added
            for oname, obj in form.objects.items():
                inner: Schema = {}
                for fname, field in obj.fields.items():
                    row = field.by_model.get(model)
                    added = self._row_schema(field, row) if row is not None else None
                    if added is not None:
                        inner[fname] = added
                holder = self._holder(form, oname)
                if inner and props.get(holder) is not False:
                    props.setdefault(holder, {})["items"] = {"properties": inner}
            if props:
                entries.append(
                    {
                        "if": model_if(model_field, [model]),
                        "then": {"properties": props},
                    }
                )
        return entries

    def _rule_entries(self, form: sm.Form, model_field: str | None) -> list[Schema]:
        entries: list[Schema] = []
        for rule in form.rules:
            for models, entry in self._rule_groups(rule, form.fields, form):
                if models is not None and model_field is not None:
                    entry = self._with_model(entry, model_field, models)
                entries.append(entry)
        for oname, obj in form.objects.items():
            holder = self._holder(form, oname)
            for rule in obj.rules:
                for models, entry in self._rule_groups(rule, obj.fields, form):
                    if models is None or model_field is None:
                        continue  # in the object's own schema
                    description = entry.pop("description", None)
                    lifted: Schema = {
                        "if": model_if(model_field, models),
                        "then": {"properties": {holder: {"items": entry}}},
                    }
                    if description:
                        lifted = {"description": description, **lifted}
                    entries.append(lifted)
        return entries

    @staticmethod
    def _with_model(entry: Schema, model_field: str, models: list[str]) -> Schema:
        condition = model_if(model_field, models)
        out: Schema = {}
        if "description" in entry:
            out["description"] = entry["description"]
        if "if" in entry:
            out["if"] = merge_if([condition, entry["if"]])
            out["then"] = entry["then"]
        else:
            out["if"] = condition
            out["then"] = {k: v for k, v in entry.items() if k != "description"}
        return out

    def _inexpressible_rules(self, form: sm.Form) -> list[sm.Rule]:
        out = []
        for rule in form.rules:
            if rule.severity == "error" and not self._rule_groups(
                rule, form.fields, form
            ):
                out.append(rule)
        for obj in form.objects.values():
            for rule in obj.rules:
                if rule.severity == "error" and not self._rule_groups(
                    rule, obj.fields, form
                ):
                    out.append(rule)
        return out

    def _rule_groups(
        self, rule: sm.Rule, fields: Mapping[str, sm.Field], form: sm.Form
    ) -> list[tuple[list[str] | None, Schema]]:
        """The schema entries of an error rule, each for a group of models.

        ``None`` for the models: the entry holds whatever the model, as the
        rule does. An empty list: the rule cannot be expressed.
        """
        if rule.severity != "error":
            return []
        models = list(rule.models) if rule.models is not None else list(form.models)
        groups: dict[str, tuple[list[str], Schema]] = {}
        for model in models:
            entry = self._rule_entry(rule, fields, form, model)
            if entry is None:
                return []
            key = json.dumps(entry, sort_keys=True)
            groups.setdefault(key, ([], entry))[0].append(model)
        found: list[tuple[list[str] | None, Schema]] = list(groups.values())
        if rule.models is None and rule.require is None:
            entry = self._rule_entry(rule, fields, form, None)
            key = json.dumps(entry, sort_keys=True)
            if entry is not None and (not groups or list(groups) == [key]):
                found = [(None, entry)]
        return [
            (group, {"description": self._rule_doc(rule, group), **entry})
            for group, entry in found
        ]

    @staticmethod
    def _rule_doc(rule: sm.Rule, models: list[str] | None) -> str:
        text = rule.summary
        if text is None:
            text = rule.message.replace("{{", "{").replace("}}", "}")
            text = text.replace(
                "{model}", models_doc(models) if models else "the model"
            )
            text = text.replace("{max}", "the limit").replace("{value}", "the total")
        doc = f"`{rule.id}` ({models_doc(models) if models else 'any model'}): {text}"
        notes = [f"{m}: {r.note}" for m, r in rule.by_model.items() if r.note]
        if notes:
            doc += " Notes: " + "; ".join(notes) + "."
        return doc

    def _rule_entry(
        self,
        rule: sm.Rule,
        fields: Mapping[str, sm.Field],
        form: sm.Form,
        model: str | None,
    ) -> Schema | None:
        """The schema of ``rule`` for ``model`` (``None``: an invalid model)."""
        conditions = []
        for name, condition in rule.when.items():
            field = fields.get(name)
            if field is None:
                return None
            conditions.append(self._condition(name, condition, field, model))
        if rule.require is None:
            if rule.when and all(c.present is False for c in rule.when.values()):
                demands = [{"required": [name]} for name in rule.when]
                return demands[0] if len(demands) == 1 else {"anyOf": demands}
            return {"if": merge_if(conditions), "then": False}
        limit = rs.RuleLimits(0, rule, ()).limit(model) or 0
        total = self._total(rule.require.total, limit, fields, form, model)
        if total is None:
            return None
        if not conditions:
            return total
        return {"if": merge_if(conditions), "then": total}

    def _condition(
        self, name: str, condition: sm.Condition, field: sm.Field, model: str | None
    ) -> Schema:
        """A schema that holds where ``condition`` on ``name`` holds."""
        if condition.present is True:
            return {"required": [name]}
        if condition.present is False:
            return {"not": {"required": [name]}}
        values: list[object] = list(condition.equals or [])
        for alias, target in (field.aliases or {}).items():
            if any(same(target, v) for v in values) and alias not in values:
                values.append(alias)
        test: Schema = {"const": values[0]} if len(values) == 1 else {"enum": values}
        given: Schema = {"properties": {name: test}, "required": [name]}
        default = rs.FieldRules(name, field, ()).default(model)
        if default is not None and any(same(default, v) for v in values):
            # Left out, the field takes its default, which meets the condition.
            return {"anyOf": [{"not": {"required": [name]}}, given]}
        return given

    def _total(
        self,
        total: str,
        limit: int,
        fields: Mapping[str, sm.Field],
        form: sm.Form,
        model: str | None,
    ) -> Schema | None:
        """A schema that holds where ``total`` counts at most ``limit`` items."""
        if "[]." not in total:
            return {"properties": {total: {"maxItems": limit}}}
        outer, inner = total.split("[].", 1)
        holder = fields.get(outer)
        if holder is None or holder.items is None or holder.items.object is None:
            return None
        obj = form.objects.get(holder.items.object)
        field = obj.fields.get(inner) if obj is not None else None
        if field is None:
            return None
        count = field.count
        row = field.by_model.get(model) if model is not None else None
        if row is not None and row.count is not None:
            count = row.count
        if count is None:
            return None  # no bound on each object's items: cannot be counted
        most = count[1]
        # n_k objects with exactly k items: sum of k * n_k <= limit. Each
        # alternative fixes n_k for k >= 2 and gives the rest of the limit to
        # k = 1; together they admit exactly the bodies within the limit.
        alternatives = []
        ranges = [range(limit // k + 1) for k in range(2, most + 1)]
        for counts in itertools.product(*ranges):
            used = sum(k * n for k, n in zip(range(2, most + 1), counts, strict=True))
            if used > limit:
                continue
            bounds = [limit - used, *counts]
            alternatives.append(
                {
                    "allOf": [
                        {
                            "contains": {
                                "type": "object",
                                "properties": {
                                    inner: {
                                        "type": "array",
                                        "minItems": k,
                                        "maxItems": k,
                                    }
                                },
                                "required": [inner],
                            },
                            "minContains": 0,
                            "maxContains": n,
                        }
                        for k, n in zip(range(1, most + 1), bounds, strict=True)
                    ]
                }
            )
        if len(alternatives) == 1:
            return {"properties": {outer: alternatives[0]}}
        return {"properties": {outer: {"anyOf": alternatives}}}
