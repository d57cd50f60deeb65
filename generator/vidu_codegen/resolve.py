"""Step 4: each form's rules as they take effect, worked out once.

A field's constraint for a model is the field's own value combined with the
model's ``by_model`` row; a rule's limit for a model is its row's ``max`` or
else the rule's; an operation is safe to repeat when the spec says so or,
when it says nothing, when its method is GET, PUT or DELETE. The Python
context, the OpenAPI export, the semantic diff and ``REFERENCE.md`` all read
these answers here, so they cannot disagree about them.

The resolved spec assumes :mod:`vidu_codegen.load.checks` found no errors.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from vidu_codegen.load import model as sm
from vidu_codegen.load.names import query_python_name
from vidu_codegen.text import pair

IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE"})
"""Methods safe to repeat when an operation does not say."""

BOUNDS = ("range", "length", "count")
"""The ``[min, max]`` constraints a field and its rows can have."""


def typed(value: object) -> object:
    """A comparison key that tells ``1`` from ``True`` and ``"5"`` from ``5``."""
    if isinstance(value, tuple | list):
        return ("seq", tuple(typed(v) for v in value))
    return (type(value).__name__, value)


def intersect(
    first: tuple[int, int] | None, second: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The bounds both ``[min, max]`` pairs allow (``None``: no bound)."""
    pairs = [p for p in (first, second) if p is not None]
    if not pairs:
        return None
    return max(p[0] for p in pairs), min(p[1] for p in pairs)


def idempotent(info: sm.OperationInfo) -> bool:
    """Whether the client may send the operation again after a failure."""
    if info.idempotent is not None:
        return info.idempotent
    return info.method in IDEMPOTENT_METHODS


@attrs.frozen
class FieldRules:
    """One field's rules: its own, each model's row, and the two combined.

    The ``*_by_model`` mappings hold what the rows say, for the models of the
    form in the form's order; the methods answer for one model as the rules
    take effect (``model=None``: the field's own rules).
    """

    name: str
    field: sm.Field
    models: tuple[str, ...]

    def row(self, model: str | None) -> sm.ModelRow | None:
        """The model's ``by_model`` row, if it has one."""
        return self.field.by_model.get(model) if model is not None else None

    def _rows(self) -> list[tuple[str, sm.ModelRow]]:
        rows = self.field.by_model
        return [(m, rows[m]) for m in self.models if m in rows]

    @property
    def choices_by_model(self) -> dict[str, tuple[sm.Scalar, ...]]:
        return {m: tuple(r.choices) for m, r in self._rows() if r.choices is not None}

    @property
    def defaults_by_model(self) -> dict[str, sm.Scalar]:
        return {m: r.default for m, r in self._rows() if r.default is not None}

    @property
    def patterns_by_model(self) -> dict[str, str]:
        return {m: r.pattern for m, r in self._rows() if r.pattern is not None}

    def bounds_by_model(self, key: str) -> dict[str, tuple[int, int]]:
        """Each row's ``range``, ``length`` or ``count``."""
        found = {m: pair(getattr(r, key)) for m, r in self._rows()}
        return {m: value for m, value in found.items() if value is not None}

    @property
    def ignored_by(self) -> tuple[str, ...]:
        """Models that accept the field but ignore it, in row order."""
        return tuple(m for m, r in self.field.by_model.items() if r.ignored)

    @property
    def unsupported_by(self) -> tuple[str, ...]:
        """Models that reject the field (``allowed: false``), in row order."""
        return tuple(m for m, r in self.field.by_model.items() if not r.allowed)

    @property
    def notes(self) -> tuple[tuple[str, str], ...]:
        """``(model, note)`` of each decision note: the field's own (model
        ``"all models"``) first, then each row's, in row order."""
        own = (("all models", self.field.note),) if self.field.note else ()
        rows = tuple((m, r.note) for m, r in self.field.by_model.items() if r.note)
        return own + rows

    def choices(self, model: str | None) -> tuple[sm.Scalar, ...] | None:
        """The values ``model`` accepts (``None``: any): the row's ``choices``
        (raw values) that also pass the field's (after ``aliases``)."""
        row = self.row(model)
        own = row.choices if row is not None else None
        field = self.field
        if field.choices is None:
            return tuple(own) if own is not None else None
        if own is None:
            return tuple(field.choices)
        allowed = {typed(v) for v in field.choices}
        aliases: dict[str, str] = dict(field.aliases or {})
        return tuple(v for v in own if typed(aliases.get(str(v), v)) in allowed)

    def bounds(self, key: str, model: str | None) -> tuple[int, int] | None:
        """The ``range``, ``length`` or ``count`` ``model`` must keep to."""
        row = self.row(model)
        own = pair(getattr(row, key)) if row is not None else None
        return intersect(pair(getattr(self.field, key)), own)

    def default(self, model: str | None) -> sm.Scalar | None:
        """What the service uses when ``model`` is sent without the field."""
        row = self.row(model)
        if row is not None and row.default is not None:
            return row.default
        return self.field.default

    def pattern_names(self, model: str | None) -> tuple[str, ...]:
        """The patterns a value must match for ``model``: the field's, the row's."""
        row = self.row(model)
        names = (self.field.pattern, row.pattern if row is not None else None)
        return tuple(n for n in names if n)

    def ignored(self, model: str | None) -> bool:
        row = self.row(model)
        return row is not None and row.ignored

    def allowed(self, model: str | None) -> bool:
        row = self.row(model)
        return row is None or row.allowed


@attrs.frozen
class RuleLimits:
    """One rule of a form or object, and the models and limits it applies with."""

    index: int
    rule: sm.Rule
    models: tuple[str, ...]
    """The models it applies to: its own ``models`` as listed, else the form's."""

    @property
    def restricted(self) -> bool:
        """Whether the rule lists its own models."""
        return self.rule.models is not None

    def limit(self, model: str | None) -> int | None:
        """The most items ``model`` may send (``None``: the rule counts nothing)."""
        require = self.rule.require
        if require is None:
            return None
        row = self.rule.by_model.get(model) if model is not None else None
        return row.max if row is not None else require.max

    @property
    def row_limits(self) -> dict[str, int]:
        """The limits the rule's ``by_model`` rows set, in row order."""
        return {m: r.max for m, r in self.rule.by_model.items()}

    @property
    def notes(self) -> tuple[tuple[str, str], ...]:
        """``(model, note)`` of each decision note: the rule's own (model
        ``"all models"``) first, then each row's, in row order."""
        own = (("all models", self.rule.note),) if self.rule.note else ()
        rows = tuple((m, r.note) for m, r in self.rule.by_model.items() if r.note)
        return own + rows


def _fields(
    fields: Mapping[str, sm.Field], models: tuple[str, ...]
) -> dict[str, FieldRules]:
    return {name: FieldRules(name, f, models) for name, f in fields.items()}


def _rules(rules: list[sm.Rule], models: tuple[str, ...]) -> tuple[RuleLimits, ...]:
    return tuple(
        RuleLimits(i, r, tuple(r.models) if r.models is not None else models)
        for i, r in enumerate(rules)
    )


@attrs.frozen
class ObjectRules:
    """An object of a form: its fields and rules, and the field that holds it."""

    name: str
    obj: sm.ObjectDef
    holder: str
    fields: dict[str, FieldRules]
    rules: tuple[RuleLimits, ...]


@attrs.frozen
class FormRules:
    """A request form, resolved."""

    name: str
    form: sm.Form
    models: tuple[str, ...]
    fields: dict[str, FieldRules]
    objects: dict[str, ObjectRules]
    rules: tuple[RuleLimits, ...]

    @property
    def model_field(self) -> str | None:
        """The field that names the model, if the form has one."""
        return next((n for n, f in self.form.fields.items() if f.role == "model"), None)

    def holder(self, object_name: str) -> str:
        """The array field holding objects ``object_name`` (else the name)."""
        found = self.objects.get(object_name)
        return found.holder if found is not None else object_name

    def all_fields(self) -> list[FieldRules]:
        """The form's fields, then each object's."""
        out = list(self.fields.values())
        for obj in self.objects.values():
            out += obj.fields.values()
        return out


def _holders(form: sm.Form) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, f in form.fields.items():
        if f.items is not None and f.items.object:
            found[f.items.object] = name
    return found


def resolve_form(name: str, form: sm.Form) -> FormRules:
    """The rules of one request form as they take effect."""
    models = tuple(form.models)
    holders = _holders(form)
    objects = {
        oname: ObjectRules(
            oname,
            obj,
            holders.get(oname, oname),
            _fields(obj.fields, models),
            _rules(list(obj.rules), models),
        )
        for oname, obj in form.objects.items()
    }
    return FormRules(
        name,
        form,
        models,
        _fields(form.fields, models),
        objects,
        _rules(list(form.rules), models),
    )


_QUERY_TYPES = {
    "string": "str",
    "integer": "int",
    "boolean": "bool",
    "datetime": "str | datetime",
}
"""The Python type of each query type; a ``datetime`` takes RFC 3339 text or
a timezone-aware :class:`~datetime.datetime`."""


@attrs.frozen
class QueryRules:
    """One query parameter as the client and the tables use it."""

    name: str
    """The key on the wire, such as ``created_at.from``."""
    py_name: str
    """The client method's keyword argument, such as ``created_at_from``."""
    param: sm.QueryParam
    choices: tuple[str, ...] | None
    """The values of the parameter's enum, if it has one."""

    @property
    def annotation(self) -> str:
        """The keyword argument's type: ``str``, ``int``, ``bool`` (an enum's
        members are strings: they fit ``str``), or for a repeated parameter
        a ``Sequence`` of one, a tuple too (``Sequence[TaskState | str]``
        with an enum, which names the values to pick from)."""
        base = _QUERY_TYPES[self.param.type]
        if not self.param.repeated:
            return base
        if self.param.enum is not None:
            return f"Sequence[{self.param.enum} | {base}]"
        return f"Sequence[{base}]"

    @property
    def table(self) -> dict[str, object]:
        """The keyword arguments of its runtime ``QueryParam`` beyond the names."""
        param = self.param
        table: dict[str, object] = {"kind": param.type}
        if param.required:
            table["required"] = True
        if param.repeated:
            table["repeated"] = True
        if self.choices is not None:
            table["choices"] = self.choices
        bounds = pair(param.range)
        if bounds is not None:
            table["range"] = bounds
        return table


def resolve_query(spec: sm.Spec, info: sm.OperationInfo) -> tuple[QueryRules, ...]:
    """An operation's query parameters, in the spec's order."""
    rules = []
    for name, param in info.query.items():
        enum = spec.root.enums.get(param.enum or "")
        rules.append(
            QueryRules(
                name,
                param.python_name or query_python_name(name),
                param,
                tuple(enum.members.values()) if enum is not None else None,
            )
        )
    return tuple(rules)


@attrs.frozen
class OperationRules:
    """An operation file, resolved."""

    op: sm.Operation
    idempotent: bool
    forms: dict[str, FormRules]
    query: tuple[QueryRules, ...] = ()

    @property
    def pagination(self) -> sm.Pagination | None:
        """How the answer is paged, for a list operation."""
        return self.op.operation.pagination

    @property
    def page_items(self) -> sm.Field | None:
        """The response field that holds a page's items (paged operations)."""
        pages = self.pagination
        response = self.op.responses.get(self.op.operation.response)
        if pages is None or response is None:
            return None
        return response.fields.get(pages.items)

    def pattern(self, name: str) -> sm.Pattern | None:
        return self.op.patterns.get(name)


@attrs.frozen
class AssetVariant:
    """An asset with a form-specific limit on its decoded size."""

    asset: str
    below: int


@attrs.frozen
class Resolved:
    """The whole spec with every form's and operation's rules resolved."""

    spec: sm.Spec
    operations: tuple[OperationRules, ...]

    @property
    def root(self) -> sm.ApiFile:
        return self.spec.root

    def forms(self) -> list[FormRules]:
        """Every form of every operation, in spec order."""
        return [f for op in self.operations for f in op.forms.values()]

    def pattern(self, name: str) -> sm.Pattern | None:
        """The pattern ``name`` of whichever operation defines it."""
        return next(
            (p for op in self.operations if (p := op.pattern(name)) is not None),
            None,
        )

    @property
    def asset_variants(self) -> tuple[AssetVariant, ...]:
        """Each asset-with-a-size-limit the forms use, once, in spec order."""
        seen: dict[tuple[str, int], AssetVariant] = {}
        for form in self.forms():
            for rules in form.all_fields():
                items = rules.field.items
                if items and items.asset and items.decoded_bytes_below:
                    key = (items.asset, items.decoded_bytes_below)
                    seen.setdefault(key, AssetVariant(*key))
        return tuple(seen.values())


def resolve(spec: sm.Spec) -> Resolved:
    """Every operation's rules as they take effect."""
    return Resolved(
        spec,
        tuple(
            OperationRules(
                op,
                idempotent(op.operation),
                {n: resolve_form(n, f) for n, f in op.forms.items()},
                resolve_query(spec, op.operation),
            )
            for op in spec.operations
        ),
    )
