"""Step 4: the checked spec as the plain values the templates print.

Everything a template needs is computed here, so templates hold layout only.
The context assumes :mod:`vidu_codegen.load.checks` found no errors.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable

import attrs

from vidu_codegen.load import model as sm

_ANNOTATIONS = {"string": "str", "integer": "int", "boolean": "bool", "number": "float"}
_EXPECTED = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "a boolean",
    "number": "a number",
    "array": "an array",
}
_TYPE_TESTS = {
    "string": "type({v}) is not str",
    "integer": "type({v}) is not int",
    "boolean": "type({v}) is not bool",
    "number": "type({v}) is not float and type({v}) is not int",
    "array": "type({v}) is not list and type({v}) is not tuple",
}


def constant(*parts: str) -> str:
    """``("reference2video", "images")`` -> ``REFERENCE2VIDEO_IMAGES``."""
    return "_".join(re.sub(r"[^0-9A-Za-z]+", "_", p).strip("_").upper() for p in parts)


def snake(name: str) -> str:
    """A Python identifier for a spec name (keywords get a trailing ``_``)."""
    ident = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_").lower()
    return ident + "_" if keyword.iskeyword(ident) else ident


@attrs.frozen
class Ref:
    """A Python name to print as is (not as a string literal)."""

    name: str


@attrs.frozen
class Items:
    kind: str  # "scalar", "object" or "asset"
    type: str | None = None
    object_class: str | None = None
    object_func: str | None = None
    asset_const: str | None = None
    asset_base: str | None = None
    below: int | None = None

    @property
    def python_type(self) -> str:
        return _ANNOTATIONS.get(self.type or "", "object")

    @property
    def expected(self) -> str:
        return _EXPECTED.get(self.type or "", "a value")


@attrs.frozen
class FieldCtx:
    name: str
    py_name: str
    summary: str
    kind: str
    enum: str | None
    required: bool
    is_model: bool
    annotation: str
    type_test: str
    expected: str
    table: dict[str, object]
    items: Items | None
    rule_base: str
    notes: tuple[str, ...]
    default_doc: str | None

    def has(self, key: str) -> bool:
        return key in self.table


@attrs.frozen
class Condition:
    field: str
    present: bool | None
    values: tuple[object, ...]


@attrs.frozen
class RuleCtx:
    index: int
    id: str
    severity: str
    field: str
    models: tuple[str, ...]
    conditions: tuple[Condition, ...]
    total: str | None
    total_key: str | None
    max: int | None
    max_by_model: dict[str, int]
    message: str
    summary: str | None
    notes: tuple[str, ...] = ()


@attrs.frozen
class ObjectCtx:
    name: str
    class_name: str
    summary: str
    func: str
    fields: tuple[FieldCtx, ...]
    rules: tuple[RuleCtx, ...]
    effective: tuple[str, ...]


@attrs.frozen
class FormCtx:
    operation: str
    name: str
    class_name: str
    summary: str
    const: str
    func: str
    selected_by: str | None
    models: tuple[str, ...]
    model_field: str | None
    fields: tuple[FieldCtx, ...]
    objects: tuple[ObjectCtx, ...]
    rules: tuple[RuleCtx, ...]
    effective: tuple[str, ...]
    body_max_bytes: int | None
    label: str


@attrs.frozen
class ResponseCtx:
    class_name: str
    summary: str
    fields: tuple[FieldCtx, ...]


@attrs.frozen
class ParamCtx:
    name: str
    py_name: str
    summary: str


@attrs.frozen
class OperationCtx:
    id: str
    py_name: str
    method: str
    path: str
    summary: str
    const: str
    response: str
    task: str | None
    idempotent: bool
    params: tuple[ParamCtx, ...]
    forms: tuple[FormCtx, ...]
    default_form: FormCtx | None
    selected: tuple[FormCtx, ...]
    responses: tuple[ResponseCtx, ...]


@attrs.frozen
class AssetCtx:
    name: str
    class_name: str
    summary: str
    const: str
    formats: dict[str, str]
    min_width: int | None
    min_height: int | None
    min_aspect: tuple[int, int] | None
    max_aspect: tuple[int, int] | None
    max_file_bytes: int | None
    extra_prefixes: tuple[str, ...]


@attrs.frozen
class EnumCtx:
    name: str
    summary: str
    members: tuple[tuple[str, str], ...]


@attrs.frozen
class PatternCtx:
    name: str
    const: str
    regex: str
    describe: str


@attrs.frozen
class PackageCtx:
    package: str
    api: sm.Api
    root: sm.ApiFile
    models: tuple[str, ...]
    enums: tuple[EnumCtx, ...]
    assets: tuple[AssetCtx, ...]
    patterns: tuple[PatternCtx, ...]
    operations: tuple[OperationCtx, ...]

    @property
    def bodied(self) -> tuple[OperationCtx, ...]:
        """The operations that take a request body."""
        return tuple(op for op in self.operations if op.forms)

    @property
    def task_getter(self) -> OperationCtx | None:
        """The operation that reads a task, if the spec has one."""
        return next((op for op in self.operations if op.task == "get"), None)

    @property
    def responses(self) -> tuple[ResponseCtx, ...]:
        return tuple(r for op in self.operations for r in op.responses)

    @property
    def forms(self) -> tuple[FormCtx, ...]:
        return tuple(f for op in self.operations for f in op.forms)

    @property
    def asset_variants(self) -> tuple[tuple[str, str, int], ...]:
        """Assets with a form-specific decoded-size limit: (name, base, limit)."""
        seen: dict[str, tuple[str, str, int]] = {}
        for form in self.forms:
            fields = list(form.fields) + [f for o in form.objects for f in o.fields]
            for field in fields:
                items = field.items
                if items and items.asset_const and items.asset_base and items.below:
                    seen[items.asset_const] = (
                        items.asset_const,
                        items.asset_base,
                        items.below,
                    )
        return tuple(seen.values())

    @property
    def request_classes(self) -> tuple[str, ...]:
        classes = [f.class_name for f in self.forms]
        classes += [o.class_name for f in self.forms for o in f.objects]
        return tuple(classes)


def _ratio(text: str) -> tuple[int, int]:
    width, height = text.split(":")
    return int(width), int(height)


def _pair(values: Iterable[int] | None) -> tuple[int, int] | None:
    if values is None:
        return None
    low, high = values
    return low, high


def _kind(field: sm.Field) -> str:
    return "union" if isinstance(field.type, list) else str(field.type)


class _Builder:
    def __init__(self, spec: sm.Spec) -> None:
        self.spec = spec
        self.assets = {name: constant(name, "asset") for name in spec.root.assets}
        self.patterns: dict[str, str] = {}

    def build(self) -> PackageCtx:
        root = self.spec.root
        enums = tuple(
            EnumCtx(name, e.summary, tuple(e.members.items()))
            for name, e in root.enums.items()
        )
        assets = tuple(self._asset(name, a) for name, a in root.assets.items())
        operations = tuple(self._operation(op) for op in self.spec.operations)
        patterns = tuple(
            PatternCtx(name, constant(name, "pattern"), p.regex, p.describe)
            for op in self.spec.operations
            for name, p in op.patterns.items()
        )
        return PackageCtx(
            package=root.api.package,
            api=root.api,
            root=root,
            models=tuple(root.models),
            enums=enums,
            assets=assets,
            patterns=patterns,
            operations=operations,
        )

    def _asset(self, name: str, asset: sm.AssetDef) -> AssetCtx:
        low = high = None
        if asset.aspect_ratio:
            low, high = (_ratio(r) for r in asset.aspect_ratio)
        return AssetCtx(
            name=name,
            class_name=asset.class_,
            summary=asset.summary,
            const=self.assets[name],
            formats=dict(asset.formats),
            min_width=asset.min_width,
            min_height=asset.min_height,
            min_aspect=low,
            max_aspect=high,
            max_file_bytes=asset.max_file_bytes,
            extra_prefixes=tuple(asset.extra_prefixes),
        )

    def _operation(self, op: sm.Operation) -> OperationCtx:
        for name in op.patterns:
            self.patterns[name] = constant(name, "pattern")
        forms = tuple(self._form(op, name, form) for name, form in op.forms.items())
        default = next((f for f in forms if f.selected_by is None), None)
        responses = tuple(
            ResponseCtx(
                name,
                r.summary,
                tuple(self._field(n, f, n, ()) for n, f in r.fields.items()),
            )
            for name, r in op.responses.items()
        )
        info = op.operation
        idempotent = info.idempotent
        if idempotent is None:
            idempotent = info.method in ("GET", "PUT", "DELETE")
        return OperationCtx(
            id=op.operation.id,
            py_name=snake(op.operation.id),
            task=info.task,
            idempotent=idempotent,
            params=tuple(
                ParamCtx(name, p.python_name or snake(name), p.summary)
                for name, p in info.params.items()
            ),
            method=op.operation.method,
            path=op.operation.path,
            summary=op.operation.summary,
            const=constant(op.operation.id),
            response=op.operation.response,
            forms=forms,
            default_form=default,
            selected=tuple(f for f in forms if f.selected_by is not None),
            responses=responses,
        )

    def _form(self, op: sm.Operation, name: str, form: sm.Form) -> FormCtx:
        op_id = op.operation.id
        models = tuple(form.models)
        users = {
            f.items.object: fname
            for fname, f in form.fields.items()
            if f.items is not None and f.items.object
        }
        objects = tuple(
            self._object(op_id, name, oname, obj, users.get(oname, oname), models)
            for oname, obj in form.objects.items()
        )
        by_class = {o.name: o for o in objects}
        fields = tuple(
            self._field(fname, f, fname, models, by_class)
            for fname, f in form.fields.items()
        )
        rules = tuple(self._rule(i, r, models) for i, r in enumerate(form.rules))
        model_field = next((f.name for f in fields if f.is_model), None)
        label = f"the {name} form ({form.class_})"
        return FormCtx(
            operation=op_id,
            name=name,
            class_name=form.class_,
            summary=form.summary,
            const=constant(op_id, name),
            func=f"check_{snake(op_id)}_{snake(name)}",
            selected_by=form.selected_by,
            models=models,
            model_field=model_field,
            fields=fields,
            objects=objects,
            rules=rules,
            effective=_effective(rules),
            body_max_bytes=form.body.max_bytes if form.body else None,
            label=label,
        )

    def _object(
        self,
        op_id: str,
        form: str,
        name: str,
        obj: sm.ObjectDef,
        used_by: str,
        models: tuple[str, ...],
    ) -> ObjectCtx:
        fields = tuple(
            self._field(fname, f, f"{used_by}.{fname}", models)
            for fname, f in obj.fields.items()
        )
        rules = tuple(self._rule(i, r, models) for i, r in enumerate(obj.rules))
        return ObjectCtx(
            name=name,
            class_name=name,
            summary=obj.summary,
            func=f"_check_{snake(op_id)}_{snake(form)}_{snake(name)}",
            fields=fields,
            rules=rules,
            effective=_effective(rules),
        )

    def _field(
        self,
        name: str,
        field: sm.Field,
        rule_base: str,
        models: tuple[str, ...],
        objects: dict[str, ObjectCtx] | None = None,
    ) -> FieldCtx:
        kind = _kind(field)
        items = self._items(field.items, objects or {})
        table: dict[str, object] = {"kind": kind}
        if field.required:
            table["required"] = True
        if field.default is not None:
            table["default"] = field.default
        if field.choices is not None:
            table["choices"] = tuple(field.choices)
        if field.aliases:
            table["aliases"] = dict(field.aliases)
        for key in ("range", "length", "count"):
            value = _pair(getattr(field, key))
            if value is not None:
                table[key] = value
        rows = field.by_model
        per_model: dict[str, dict[str, object]] = {
            "default_by_model": {},
            "choices_by_model": {},
            "pattern_by_model": {},
            "range_by_model": {},
            "count_by_model": {},
        }
        ignored: list[str] = []
        unsupported: list[str] = []
        notes: list[str] = []
        for model, row in rows.items():
            if row.default is not None:
                per_model["default_by_model"][model] = row.default
            if row.choices is not None:
                per_model["choices_by_model"][model] = tuple(row.choices)
            if row.pattern is not None:
                per_model["pattern_by_model"][model] = Ref(
                    constant(row.pattern, "pattern")
                )
            if row.range is not None:
                per_model["range_by_model"][model] = _pair(row.range)
            if row.count is not None:
                per_model["count_by_model"][model] = _pair(row.count)
            if row.ignored:
                ignored.append(model)
            if not row.allowed:
                unsupported.append(model)
            if row.note:
                notes.append(f"{model}: {row.note}")
        for key, mapping in per_model.items():
            if mapping:
                table[key] = {m: mapping[m] for m in models if m in mapping}
        if ignored:
            table["ignored_by"] = frozenset(ignored)
        if unsupported:
            table["unsupported_by"] = frozenset(unsupported)
        return FieldCtx(
            name=name,
            py_name=snake(name),
            summary=field.summary,
            kind=kind,
            enum=field.enum,
            required=field.required,
            is_model=field.role == "model",
            annotation=self._annotation(field, items),
            type_test=_TYPE_TESTS.get(kind, ""),
            expected=_EXPECTED.get(kind, "a value"),
            table=table,
            items=items,
            rule_base=rule_base,
            notes=tuple(notes),
            default_doc=_default_doc(field, models),
        )

    def _items(
        self, items: sm.Items | None, objects: dict[str, ObjectCtx]
    ) -> Items | None:
        if items is None:
            return None
        if items.object is not None:
            obj = objects.get(items.object)
            return Items(
                "object",
                object_class=items.object,
                object_func=obj.func if obj else None,
            )
        if items.asset is not None:
            self.spec.root.assets[items.asset]
            const = self.assets[items.asset]
            if items.decoded_bytes_below is not None:
                const = f"{const}_BELOW_{items.decoded_bytes_below}"
            return Items(
                "asset",
                type="string",
                asset_const=const,
                asset_base=self.assets[items.asset],
                below=items.decoded_bytes_below,
            )
        return Items("scalar", type=items.type)

    def _annotation(self, field: sm.Field, items: Items | None) -> str:
        if isinstance(field.type, list):
            return " | ".join(_ANNOTATIONS[t] for t in field.type)
        if field.type == "array":
            inner = "str"
            if items is not None and items.kind == "object":
                inner = str(items.object_class)
            elif items is not None and items.type:
                inner = _ANNOTATIONS[items.type]
            return f"list[{inner}]"
        base = _ANNOTATIONS[field.type]
        return f"{field.enum} | {base}" if field.enum else base

    def _rule(self, index: int, rule: sm.Rule, models: tuple[str, ...]) -> RuleCtx:
        conditions = tuple(
            Condition(
                name,
                cond.present,
                tuple(cond.equals) if cond.equals is not None else (),
            )
            for name, cond in rule.when.items()
        )
        total = rule.require.total if rule.require else None
        total_key = None
        if total and "[]." in total:
            total, total_key = total.split("[].", 1)
        field = rule.field or (next(iter(rule.when), None)) or total or ""
        allowed = set(rule.models) if rule.models is not None else set()
        return RuleCtx(
            index=index,
            id=rule.id,
            severity=rule.severity,
            field=field,
            models=tuple(m for m in models if m in allowed),
            conditions=conditions,
            total=total,
            total_key=total_key,
            max=rule.require.max if rule.require else None,
            max_by_model={m: r.max for m, r in rule.by_model.items()},
            message=rule.message,
            summary=rule.summary,
            notes=tuple(f"{m}: {r.note}" for m, r in rule.by_model.items() if r.note),
        )


def _effective(rules: tuple[RuleCtx, ...]) -> tuple[str, ...]:
    names = {c.field for r in rules for c in r.conditions if c.present is None}
    return tuple(sorted(names))


def _default_doc(field: sm.Field, models: tuple[str, ...]) -> str | None:
    defaults = {
        m: r.default for m, r in field.by_model.items() if r.default is not None
    }
    if defaults:
        parts = [f"{m}: {_scalar_doc(defaults[m])}" for m in models if m in defaults]
        return "Default per model: " + ", ".join(parts) + "."
    if field.default is not None:
        return f"Default: {_scalar_doc(field.default)}."
    return None


def _scalar_doc(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def build_context(spec: sm.Spec) -> PackageCtx:
    """The template context for ``spec``."""
    return _Builder(spec).build()
