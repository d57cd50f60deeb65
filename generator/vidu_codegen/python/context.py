"""Step 4: the checked spec as the plain values the templates print.

Everything a template needs is computed here, so templates hold layout only.
It reads the rules as :mod:`vidu_codegen.resolve` worked them out; what it
adds are Python names and code fragments.
"""

from __future__ import annotations

import attrs

from vidu_codegen import resolve as rs
from vidu_codegen.load import model as sm
from vidu_codegen.load.names import constant, snake
from vidu_codegen.load.sources import SourceRow, provenance
from vidu_codegen.python.task_shapes import TaskShapesCtx, task_shapes
from vidu_codegen.text import pair, spell

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
    reader: str | None = None
    """For assets: the call that turns a local file into one
    (``vidu.Image.from_path``), named in messages about local paths."""

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

    @property
    def item_annotation(self) -> str | None:
        """The type of one item of a list field (``str``, an object's
        class), else ``None``."""
        if self.annotation.startswith("list[") and self.annotation.endswith("]"):
            return self.annotation[len("list[") : -1]
        return None


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
    body_note: str | None = None


@attrs.frozen
class ResponseCtx:
    class_name: str
    summary: str
    fields: tuple[FieldCtx, ...]
    examples: tuple[str, ...] = ()
    """Bodies the service may answer with, as JSON text."""


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
    note: str | None = None
    query: tuple[rs.QueryRules, ...] = ()
    """The query parameters, in the spec's order."""
    pagination: sm.Pagination | None = None
    page_item: str | None = None
    """The class (or type) of a paged operation's items."""
    concurrency: sm.Concurrency | None = None


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
    asset_variants: tuple[tuple[str, str, int], ...] = ()
    """Assets with a form-specific decoded-size limit: (name, base, limit)."""
    sources: dict[str, tuple[SourceRow, ...]] = attrs.field(factory=dict)
    """Each value's ``source:``, by group (see :func:`provenance`)."""

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
    def task_shapes(self) -> TaskShapesCtx | None:
        """The bodies a task appears in, as the fake server writes them."""
        return task_shapes(self)

    @property
    def request_classes(self) -> tuple[str, ...]:
        classes = [f.class_name for f in self.forms]
        classes += [o.class_name for f in self.forms for o in f.objects]
        return tuple(classes)


def _ratio(text: str) -> tuple[int, int]:
    width, height = text.split(":")
    return int(width), int(height)


def _kind(field: sm.Field) -> str:
    return "union" if isinstance(field.type, list) else str(field.type)


class _Builder:
    def __init__(self, resolved: rs.Resolved) -> None:
        self.resolved = resolved
        self.spec = resolved.spec
        self.assets = {name: constant(name, "asset") for name in self.spec.root.assets}
        self.patterns: dict[str, str] = {}

    def build(self) -> PackageCtx:
        root = self.spec.root
        enums = tuple(
            EnumCtx(name, e.summary, tuple(e.members.items()))
            for name, e in root.enums.items()
        )
        assets = tuple(self._asset(name, a) for name, a in root.assets.items())
        operations = tuple(self._operation(op) for op in self.resolved.operations)
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
            asset_variants=tuple(
                (self._asset_const(v.asset, v.below), self.assets[v.asset], v.below)
                for v in self.resolved.asset_variants
            ),
            sources=provenance(self.spec),
        )

    def _asset_const(self, asset: str, below: int | None) -> str:
        base = self.assets[asset]
        return base if below is None else f"{base}_BELOW_{below}"

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

    def _operation(self, resolved: rs.OperationRules) -> OperationCtx:
        op = resolved.op
        for name in op.patterns:
            self.patterns[name] = constant(name, "pattern")
        forms = tuple(self._form(op, form) for form in resolved.forms.values())
        default = next((f for f in forms if f.selected_by is None), None)
        responses = tuple(
            ResponseCtx(
                name,
                r.summary,
                tuple(
                    self._field(rs.FieldRules(n, f, ()), n) for n, f in r.fields.items()
                ),
                tuple(r.examples),
            )
            for name, r in op.responses.items()
        )
        info = op.operation
        return OperationCtx(
            id=op.operation.id,
            py_name=snake(op.operation.id),
            task=info.task,
            idempotent=resolved.idempotent,
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
            note=info.note,
            query=resolved.query,
            pagination=resolved.pagination,
            page_item=_page_item(resolved.page_items),
            concurrency=info.concurrency,
        )

    def _form(self, op: sm.Operation, resolved: rs.FormRules) -> FormCtx:
        op_id = op.operation.id
        name, form, models = resolved.name, resolved.form, resolved.models
        objects = tuple(
            self._object(op_id, name, obj, models) for obj in resolved.objects.values()
        )
        by_class = {o.name: o for o in objects}
        fields = tuple(
            self._field(rules, fname, by_class)
            for fname, rules in resolved.fields.items()
        )
        rules = tuple(self._rule(r, models) for r in resolved.rules)
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
            model_field=resolved.model_field,
            fields=fields,
            objects=objects,
            rules=rules,
            effective=_effective(rules),
            body_max_bytes=form.body.max_bytes if form.body else None,
            body_note=form.body.note if form.body else None,
            label=label,
        )

    def _object(
        self,
        op_id: str,
        form: str,
        resolved: rs.ObjectRules,
        models: tuple[str, ...],
    ) -> ObjectCtx:
        name, obj = resolved.name, resolved.obj
        fields = tuple(
            self._field(rules, f"{resolved.holder}.{fname}")
            for fname, rules in resolved.fields.items()
        )
        rules = tuple(self._rule(r, models) for r in resolved.rules)
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
        rules: rs.FieldRules,
        rule_base: str,
        objects: dict[str, ObjectCtx] | None = None,
    ) -> FieldCtx:
        name, field = rules.name, rules.field
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
        for key in rs.BOUNDS:
            value = pair(getattr(field, key))
            if value is not None:
                table[key] = value
        per_model: dict[str, dict[str, object]] = {
            "default_by_model": dict(rules.defaults_by_model),
            "choices_by_model": dict(rules.choices_by_model),
            "pattern_by_model": {
                m: Ref(constant(p, "pattern"))
                for m, p in rules.patterns_by_model.items()
            },
            "range_by_model": dict(rules.bounds_by_model("range")),
            "count_by_model": dict(rules.bounds_by_model("count")),
        }
        for key, mapping in per_model.items():
            if mapping:
                table[key] = mapping
        if rules.ignored_by:
            table["ignored_by"] = frozenset(rules.ignored_by)
        if rules.unsupported_by:
            table["unsupported_by"] = frozenset(rules.unsupported_by)
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
            notes=tuple(f"{m}: {note}" for m, note in rules.notes),
            default_doc=_default_doc(rules),
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
            const = self._asset_const(items.asset, items.decoded_bytes_below)
            return Items(
                "asset",
                type="string",
                asset_const=const,
                asset_base=self.assets[items.asset],
                below=items.decoded_bytes_below,
                reader=self._reader(items.asset),
            )
        return Items("scalar", type=items.type)

    def _reader(self, asset: str) -> str:
        root = self.spec.root
        return f"{root.api.package}.{root.assets[asset].class_}.from_path"

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

    def _rule(self, resolved: rs.RuleLimits, models: tuple[str, ...]) -> RuleCtx:
        rule = resolved.rule
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
        allowed = set(resolved.models) if resolved.restricted else set()
        return RuleCtx(
            index=resolved.index,
            id=rule.id,
            severity=rule.severity,
            field=field,
            models=tuple(m for m in models if m in allowed),
            conditions=conditions,
            total=total,
            total_key=total_key,
            max=resolved.limit(None),
            max_by_model=resolved.row_limits,
            message=rule.message,
            summary=rule.summary,
            notes=tuple(f"{m}: {note}" for m, note in resolved.notes),
        )


def _effective(rules: tuple[RuleCtx, ...]) -> tuple[str, ...]:
    names = {c.field for r in rules for c in r.conditions if c.present is None}
    return tuple(sorted(names))


def _default_doc(rules: rs.FieldRules) -> str | None:
    defaults = rules.defaults_by_model
    if defaults:
        parts = [f"{m}: {spell(value)}" for m, value in defaults.items()]
        return "Default per model: " + ", ".join(parts) + "."
    if rules.field.default is not None:
        return f"Default: {spell(rules.field.default)}."
    return None


def _page_item(field: sm.Field | None) -> str | None:
    """The Python type of a page's items: an object's class or a scalar type."""
    items = field.items if field is not None else None
    if items is None:
        return None
    if items.object is not None:
        return items.object
    return _ANNOTATIONS.get(items.type or "", "str")


def build_context(resolved: rs.Resolved) -> PackageCtx:
    """The template context for a resolved spec."""
    return _Builder(resolved).build()
