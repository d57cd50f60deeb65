"""Component schemas: enums, assets, request forms and objects, responses, errors."""

from __future__ import annotations

from vidu_codegen.load import model as sm
from vidu_codegen.tools.openapi.base import (
    DATA_URI_PREFIX,
    ERROR_FIELD_DOCS,
    ERROR_FIELD_TYPES,
    INTEGER_NOTE,
    URL_PREFIXES,
    Schema,
    bounds,
    error_parts,
    models_doc,
    prefix_pattern,
    ref,
    shown,
)
from vidu_codegen.tools.openapi.constraints import Constraints


class Schemas(Constraints):
    """The ``components.schemas`` of the document."""

    def _schemas(self) -> Schema:
        schemas: Schema = {}
        for name, enum in self.root.enums.items():
            values = list(enum.members.values())
            schemas[name] = {
                "type": "string",
                "description": enum.summary,
                "enum": values,
                "x-enum-varnames": list(enum.members),
            }
        for name, asset in self.root.assets.items():
            schemas[asset.class_] = self._asset_schema(name, asset)
        for op in self.spec.operations:
            forms = list(op.forms.items())
            selectors = [f.selected_by for _, f in forms if f.selected_by]
            for name, form in forms:
                schemas[form.class_] = self._form_schema(op, name, form, selectors)
                for oname, obj in form.objects.items():
                    schemas[oname] = self._object_schema(form, oname, obj)
        for op in self.spec.operations:
            for name, response in op.responses.items():
                schemas[name] = self._response_schema(response)
        if self.root.errors is not None:
            schemas[self.error_schema] = self._error_schema(self.root.errors)
        return schemas

    def _asset_schema(self, name: str, asset: sm.AssetDef) -> Schema:
        prefixes = [*URL_PREFIXES, *asset.extra_prefixes]
        lines = [
            asset.summary,
            "",
            f"An {' or '.join(p.rstrip(':/') for p in URL_PREFIXES)} URL"
            + (
                f" or a string starting with {', '.join(asset.extra_prefixes)}"
                if asset.extra_prefixes
                else ""
            )
            + " is accepted as it is. Anything else must be a data URI "
            "`data:<media type>;base64,<data>` (strict base64, padded), which "
            "the service decodes and checks:",
            "",
            f"- media type one of {', '.join(asset.formats)}, and the data "
            "really in that format (by its magic bytes);",
        ]
        if asset.min_width or asset.min_height:
            lines.append(
                f"- at least {asset.min_width or 0} x {asset.min_height or 0} pixels;"
            )
        if asset.aspect_ratio:
            low, high = asset.aspect_ratio
            lines.append(f"- width:height from {low} to {high}, inclusive;")
        if asset.max_file_bytes:
            lines.append(f"- at most {asset.max_file_bytes} bytes decoded;")
        lines.append(
            "- a field may set a lower limit on the decoded size (see its description)."
        )
        lines += [
            "",
            "JSON Schema cannot check a data URI's content: the pattern only "
            "says how an accepted string starts.",
        ]
        return {
            "type": "string",
            "description": "\n".join(lines),
            "pattern": prefix_pattern([*prefixes, DATA_URI_PREFIX]),
            "x-asset": name,
        }

    def _form_schema(
        self, op: sm.Operation, name: str, form: sm.Form, selectors: list[str]
    ) -> Schema:
        model_field = next(
            (n for n, f in form.fields.items() if f.role == "model"), None
        )
        required = [n for n, f in form.fields.items() if f.required]
        if form.selected_by and form.selected_by not in required:
            required.append(form.selected_by)
        schema: Schema = {
            "type": "object",
            "description": self._form_doc(op, name, form),
            "properties": {
                fname: self._field_schema(field, form, model_field=fname == model_field)
                for fname, field in form.fields.items()
            },
        }
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        excluded = (
            selectors[: selectors.index(form.selected_by)]
            if form.selected_by
            else selectors
        )
        if len(excluded) == 1:
            schema["not"] = {"required": excluded}
        elif excluded:
            schema["not"] = {"anyOf": [{"required": [k]} for k in excluded]}
        entries = self._per_model_entries(form, model_field)
        entries += self._rule_entries(form, model_field)
        if entries:
            schema["allOf"] = entries
        return schema

    def _form_doc(self, op: sm.Operation, name: str, form: sm.Form) -> str:
        parts = [form.summary]
        if form.selected_by:
            parts.append(
                f"The {name} form of `{op.operation.id}`: a body with "
                f"`{form.selected_by}` is checked as this form."
            )
        elif len(op.forms) > 1:
            parts.append(
                f"The {name} form of `{op.operation.id}`: the form of any body "
                "that no other form's key selects."
            )
        if form.models:
            parts.append(f"Models: {models_doc(form.models)}.")
        warnings = self._warnings(form)
        if warnings:
            parts.append(
                "Warnings (the service accepts the body but ignores something; "
                "not errors, so not in this schema):\n\n"
                + "\n".join(f"- {w}" for w in warnings)
            )
        unsaid = self._unsaid(form)
        if unsaid:
            parts.append(
                "Also checked, but not expressible in JSON Schema:\n\n"
                + "\n".join(f"- {u}" for u in unsaid)
            )
        return "\n\n".join(parts)

    def _warnings(self, form: sm.Form) -> list[str]:
        out = []
        fields: list[tuple[str, sm.Field]] = list(form.fields.items())
        for oname, obj in form.objects.items():
            holder = self._holder(form, oname)
            fields += [(f"{holder}[].{n}", f) for n, f in obj.fields.items()]
        for fname, field in fields:
            ignored = [m for m, row in field.by_model.items() if row.ignored]
            if ignored:
                out.append(
                    f"`{fname}` is ignored by {models_doc(ignored)} "
                    f"(`{fname.replace('[]', '')}.ignored`)."
                )
        rules = list(form.rules) + [r for o in form.objects.values() for r in o.rules]
        for rule in rules:
            if rule.severity == "warning":
                text = (rule.summary or rule.message).rstrip(".")
                models = f", on {models_doc(rule.models)}" if rule.models else ""
                out.append(f"{text}{models} (`{rule.id}`).")
        return out

    def _unsaid(self, form: sm.Form) -> list[str]:
        out = []
        assets = sorted(
            {
                self.asset_names[f.items.asset]
                for f in self._all_fields(form)
                if f.items is not None and f.items.asset
            }
        )
        if assets:
            out.append(
                "The content of data URIs ("
                + ", ".join(f"`{a}`" for a in assets)
                + "): media type, format, pixel size, aspect ratio, decoded size."
            )
        if form.body is not None:
            out.append(
                f"The body, as compact UTF-8 JSON, is at most "
                f"{form.body.max_bytes} bytes (`body.size`)."
            )
        if any(f.type == "integer" for f in self._all_fields(form)):
            out.append(INTEGER_NOTE)
        for rule in self._inexpressible_rules(form):
            out.append(f"{rule.summary or rule.message} (`{rule.id}`).")
        return out

    def _object_schema(self, form: sm.Form, name: str, obj: sm.ObjectDef) -> Schema:
        holder = self._holder(form, name)
        required = [n for n, f in obj.fields.items() if f.required]
        schema: Schema = {
            "type": "object",
            "description": f"{obj.summary}\n\nAn item of `{holder}` in "
            f"`{form.class_}`. Per-model constraints on its fields are in "
            f"`{form.class_}`.",
            "properties": {
                fname: self._field_schema(field, form, model_field=False)
                for fname, field in obj.fields.items()
            },
        }
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        entries = []
        for rule in obj.rules:
            for models, entry in self._rule_groups(rule, obj.fields, form):
                if models is None:
                    entries.append(entry)
        if entries:
            schema["allOf"] = entries
        return schema

    def _field_schema(
        self, field: sm.Field, form: sm.Form, *, model_field: bool
    ) -> Schema:
        kind = field.type
        assert isinstance(kind, str), "a union type in a request form"
        schema: Schema = {"type": kind}
        if model_field:
            schema["enum"] = list(form.models)
        elif kind == "string":
            if field.choices is not None:
                values: list[object] = list(field.choices)
                for alias, target in (field.aliases or {}).items():
                    if target in field.choices and alias not in values:
                        values.append(alias)
                schema["enum"] = values
            bounds(schema, field.length, "minLength", "maxLength")
        elif kind == "integer":
            bounds(schema, field.range, "minimum", "maximum")
        elif kind == "array":
            bounds(schema, field.count, "minItems", "maxItems")
            if field.items is not None:
                schema["items"] = self._items(field.items)
        if field.default is not None:
            schema["default"] = field.default
        return {"description": self._field_doc(field, form, model_field), **schema}

    def _field_doc(self, field: sm.Field, form: sm.Form, model_field: bool) -> str:
        parts = [field.summary]
        if model_field:
            parts.append(
                f"A model this form takes: {models_doc(form.models)}."
                + (f" See `{field.enum}` for every known model." if field.enum else "")
            )
            return "\n\n".join(parts)
        if field.enum and field.choices is None:
            parts.append(
                f"`{field.enum}` names common values; the allowed ones depend on "
                "the model (below)."
            )
        if field.aliases:
            parts.append(
                "Also accepted (sent unchanged): "
                + ", ".join(f"`{a}` for `{t}`" for a, t in field.aliases.items())
                + "."
            )
        defaults = [
            (m, row.default)
            for m, row in field.by_model.items()
            if row.default is not None
        ]
        if defaults:
            parts.append(
                "Default (what the service uses when it is left out) per model: "
                + ", ".join(f"{m}: {shown(v)}" for m, v in defaults)
                + "."
            )
        elif field.default is not None:
            parts.append(
                f"Default (what the service uses when it is left out): "
                f"{shown(field.default)}."
            )
        per_model = []
        for model, row in field.by_model.items():
            said = []
            if not row.allowed:
                said.append("not accepted")
            if row.ignored:
                said.append("accepted but ignored (a warning)")
            if row.choices is not None:
                said.append("one of " + ", ".join(shown(c) for c in row.choices))
            if row.range is not None:
                said.append(f"{row.range[0]} to {row.range[1]}")
            if row.count is not None:
                said.append(f"{row.count[0]} to {row.count[1]} items")
            if row.pattern is not None:
                said.append(self._pattern_doc(row.pattern))
            if said:
                per_model.append(f"- {model}: {'; '.join(said)}")
        if per_model:
            parts.append("Per model:\n\n" + "\n".join(per_model))
        notes = [f"- {m}: {row.note}" for m, row in field.by_model.items() if row.note]
        if notes:
            parts.append(
                "Decisions taken where the vendor's docs are unclear:\n\n"
                + "\n".join(notes)
            )
        if field.items is not None and field.items.decoded_bytes_below is not None:
            parts.append(
                f"Each data URI item decodes to fewer than "
                f"{field.items.decoded_bytes_below} bytes."
            )
        if field.type == "integer":
            parts.append(INTEGER_NOTE)
        return "\n\n".join(parts)

    def _pattern_doc(self, name: str) -> str:
        pattern = self._pattern(name)
        if pattern is None:
            return f"matches pattern {name}"
        return f"{pattern.describe} (`{pattern.regex}`)"

    def _response_schema(self, response: sm.Response) -> Schema:
        return {
            "type": "object",
            "description": response.summary
            + "\n\nRead leniently, as the client reads it: every field is "
            "optional and other fields may be present.",
            "properties": {
                name: self._response_field(field)
                for name, field in response.fields.items()
            },
        }

    def _response_field(self, field: sm.Field) -> Schema:
        kind = field.type
        schema: Schema = {"description": field.summary}
        if isinstance(kind, list):
            schema["type"] = list(kind)
        elif field.enum and kind == "string":
            schema["description"] += (
                f" Values outside `{field.enum}` are kept as plain strings."
            )
            schema["anyOf"] = [ref(field.enum), {"type": "string"}]
        else:
            schema["type"] = kind
        if kind == "array" and field.items is not None:
            schema["items"] = self._items(field.items)
        return schema

    def _error_schema(self, errors: sm.ErrorsDef) -> Schema:
        schema: Schema = {
            "type": "object",
            "description": "The body of every error answer. Fields other than "
            "these may be present.",
            "properties": {},
        }
        for part, dotted in error_parts(errors.fields):
            *parents, last = dotted.split(".")
            node = schema
            for name in parents:
                child = node["properties"].setdefault(
                    name, {"type": "object", "properties": {}}
                )
                node = child
            node["properties"][last] = {
                "type": ERROR_FIELD_TYPES.get(part, "string"),
                "description": ERROR_FIELD_DOCS[part],
            }
        return schema
