"""``vidu-codegen diff``: what a spec change means for people who call the client.

Each checked spec is flattened into *facts*: one value at a stable
:class:`Key` (operation, form, model, field, what), e.g.
``Key("reference2video", "images", "viduq1", "duration", "range") -> (5, 5)``.
Per-model facts hold the *effective* constraint for that model (the field's
own bounds intersected with the model's ``by_model`` row, the row's default
else the field's), so moving a value between a field and its rows is no
change, and a field-wide change shows up once per model it affects (the
Markdown report folds identical rows back together). Two fact sets are then
compared key by key; each difference is classified by the rule its fact
carries, according to this table:

=============== ========================================== ============== ==============
rule            facts                                      breaking       compatible
=============== ========================================== ============== ==============
entity          operation, form, model of a form, enum,    removed;       added
                enum member, asset, asset format, asset    value changed
                prefix, response
field           a request field                            removed; added added, optional
                                                           and required
response field  a response field                           removed; added added, optional
                                                           and required
query           a query parameter                          removed; added added, optional
                                                           and required
required        ``required`` of a request field or query   false -> true  true -> false
                parameter
always sent     ``required`` of a response field           either way
allowed         row ``allowed``                            true -> false  false -> true
exact           type, items, role, method, path, class     any change
                names, ``selected_by``, ``package``,
                ``auth.env``, response of an operation,
                ``pagination``, ``concurrency``, a query
                parameter's type, ``repeated`` and Python
                name
bounds          ``range``, ``length``, ``count`` (min,     either end     only widened;
                max), asset ``aspect_ratio``               narrowed       limit dropped
upper           ``max_bytes``, ``max_file_bytes``,         lowered;       raised; limit
                ``decoded_bytes_below``, a rule's ``max``  limit added    dropped
lower           ``min_width``, ``min_height``              raised; added  lowered; dropped
choices         effective ``choices`` of a model           value removed; only added;
                                                           list added     list dropped
pattern         effective row/field ``pattern`` regexes    added/changed  dropped
alias           one ``aliases`` entry                      removed        added
rule            a rule, per model it applies to (value:    error added;   error removed;
                severity)                                  warning->error error->warning
when            a rule's conditions (error rules)          fires more or  fires less
                                                           differently    (more
                                                                          conditions)
total           what a rule counts (error rules)           any change
=============== ========================================== ============== ==============

A request field (or query parameter) made required refuses calls that
left it out, so only ``false -> true`` is breaking there. A response field
is breaking either way: made required, the client refuses an answer without
it (``MissingResponseField``) where it gave ``None``, which breaks callers
whose service leaves it out; made optional, its type gains ``None``, which
breaks code (and type checking) that reads it as always present.

Everything else is **notable**: a default changed (``default``), a field
newly ignored or no longer ignored (``ignored``), a warning rule added or
removed or its conditions, limit or count changed, an alias pointing
elsewhere, a known model added or removed (forms decide what is accepted),
and every text (summaries, notes, messages, ``describe``, enum of a field),
including each value's ``source:`` quotes (``quote``): a changed quote is
notable beside the value it documents.
Keys of the spec this module does not know yet are compared too, as
*unclassified*: notable, marked "(not classified)" for a human to judge.

A fact whose owner (its operation, form, field, model or rule) was added or
removed is not reported on its own: "model viduq4 added to the form" says it.
Renames are never guessed: a renamed model is one removed and one added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

import attrs

from vidu_codegen import resolve as rs
from vidu_codegen.load import model as sm
from vidu_codegen.load.sources import quoted
from vidu_codegen.load.yaml import Table
from vidu_codegen.text import pair
from vidu_codegen.tools.diff.values import attributes, compact, show

PRESENT = True
"""The value of a fact that only says something exists."""


@attrs.frozen
class Key:
    """Where a fact sits: ``None`` parts do not apply (root facts have no operation)."""

    operation: str | None = None
    form: str | None = None
    model: str | None = None
    field: str | None = None
    what: str = ""

    def at(self, what: str) -> Key:
        """The same place, another fact."""
        return attrs.evolve(self, what=what)

    def under(self, name: str) -> Key:
        """A fact below this one: ``what`` extended by ``name``."""
        return self.at(f"{self.what}.{name}" if self.what else name)


@attrs.frozen
class Fact:
    """One value of the spec, how to classify its changes, and what owns it."""

    value: object
    rule: str
    owners: tuple[Key, ...] = ()
    shown: object = None


Facts: TypeAlias = dict[Key, Fact]


_SCALARS = (str, int, float, bool)


@attrs.frozen
class _Scope:
    operation: str
    form: str | None
    models: tuple[str, ...]
    patterns: dict[str, str]
    owners: tuple[Key, ...]

    def key(self, model: str | None, field: str | None, what: str) -> Key:
        return Key(self.operation, self.form, model, field, what)

    def model_owners(self, model: str | None) -> tuple[Key, ...]:
        if model is None:
            return self.owners
        return (*self.owners, self.key(model, None, "model"))


def _type_name(value: str | Iterable[str]) -> object:
    return value if isinstance(value, str) else tuple(value)


def _items(items: sm.Items | None) -> str | None:
    if items is None:
        return None
    if items.object is not None:
        return f"object {items.object}"
    if items.asset is not None:
        return f"asset {items.asset}"
    return str(items.type)


def _condition(name: str, condition: sm.Condition) -> str:
    if condition.present is not None:
        return f"{name} {'present' if condition.present else 'absent'}"
    values = list(condition.equals or ())
    if len(values) == 1:
        return f"{name} = {show(values[0])}"
    return f"{name} in [{show(values)}]"


class _Collector:
    """Flattens one checked spec into facts, in the spec's order."""

    def __init__(self) -> None:
        self.facts: Facts = {}

    def add(
        self,
        key: Key,
        value: object,
        rule: str,
        owners: tuple[Key, ...] = (),
        shown: object = None,
    ) -> Key:
        self.facts[key] = Fact(value, rule, owners, shown)
        return key

    def rest(
        self, node: object, handled: set[str], base: Key, owners: tuple[Key, ...]
    ) -> None:
        """Facts for every attribute of ``node`` not in ``handled``: unclassified."""
        for name, value in attributes(node):
            if name in handled:
                continue
            if name == "source" and isinstance(value, Table):
                for key, source in value.items():
                    self.add(
                        base.under(f"source {key}"), quoted(source), "quote", owners
                    )
            elif name in ("source", "source_section"):
                self.add(base.under(name), quoted(value), "quote", owners)
            else:
                self.generic(value, base.under(name.rstrip("_")), owners)

    def generic(self, value: object, key: Key, owners: tuple[Key, ...]) -> None:
        """Facts for any spec value, by its shape alone."""
        if value is None:
            return
        inner = (*owners, key)
        if attrs.has(type(value)):
            self.add(key, PRESENT, "unclassified entity", owners, compact(value))
            self.rest(value, set(), key, inner)
        elif isinstance(value, dict):
            self.add(key, PRESENT, "unclassified entity", owners, compact(value))
            for name, item in value.items():
                self.generic(item, key.under(str(name)), inner)
        elif isinstance(value, list) and not all(
            isinstance(v, _SCALARS) for v in value
        ):
            self.add(key, PRESENT, "unclassified entity", owners, compact(value))
            for index, item in enumerate(value):
                self.generic(item, key.at(f"{key.what}[{index}]"), inner)
        else:
            found = tuple(value) if isinstance(value, list) else value
            self.add(key, found, "unclassified", owners)

    # the root file -----------------------------------------------------------

    def root(self, root: sm.ApiFile) -> None:
        api = root.api
        base = Key(what="api")
        for name, rule in (
            ("name", "doc"),
            ("package", "exact"),
            ("summary", "doc"),
            ("base_url", "doc"),
            ("version", "doc"),
        ):
            self.add(base.under(name), getattr(api, name), rule)
        auth = base.under("auth")
        self.add(auth.under("header"), api.auth.header, "doc")
        self.add(auth.under("scheme"), api.auth.scheme, "doc")
        self.add(auth.under("env"), api.auth.env, "exact")
        handled = {"name", "package", "summary", "base_url", "version", "auth"}
        self.rest(api, handled, base, ())
        self.rest(api.auth, {"header", "scheme", "env"}, auth, ())
        for name, info in root.models.items():
            key = self.add(Key(model=name, what="known model"), PRESENT, "listed")
            self.add(key.at("known model summary"), info.summary, "doc", (key,))
            self.rest(info, {"summary"}, key.at(""), (key,))
        for name, enum in root.enums.items():
            self.enum(name, enum)
        for name, asset in root.assets.items():
            self.asset(name, asset)
        self.rest(root, {"api", "models", "enums", "assets"}, Key(), ())

    def enum(self, name: str, enum: sm.EnumDef) -> None:
        key = self.add(Key(what=f"enum {name}"), PRESENT, "entity")
        self.add(key.at(f"enum {name} summary"), enum.summary, "doc", (key,))
        for member, value in enum.members.items():
            self.add(key.at(f"enum {name} member {member}"), value, "entity", (key,))
        self.rest(enum, {"summary", "members"}, key, (key,))

    def asset(self, name: str, asset: sm.AssetDef) -> None:
        key = self.add(Key(what=f"asset {name}"), PRESENT, "entity", shown=asset.class_)
        own = (key,)

        def at(what: str) -> Key:
            return key.at(f"asset {name} {what}")

        self.add(at("class"), asset.class_, "exact", own)
        self.add(at("summary"), asset.summary, "doc", own)
        for media_type, form in asset.formats.items():
            self.add(at(f"format {media_type}"), form, "entity", own)
        self.add(at("min_width"), asset.min_width, "lower", own)
        self.add(at("min_height"), asset.min_height, "lower", own)
        ratio = tuple(asset.aspect_ratio) if asset.aspect_ratio else None
        self.add(at("aspect_ratio"), ratio, "ratio", own)
        self.add(at("max_file_bytes"), asset.max_file_bytes, "upper", own)
        for prefix in asset.extra_prefixes:
            self.add(at(f"prefix {prefix}"), PRESENT, "entity", own)
        handled = {"class_", "summary", "formats", "min_width", "min_height"}
        handled |= {"aspect_ratio", "max_file_bytes", "extra_prefixes"}
        self.rest(asset, handled, key, own)

    # operations --------------------------------------------------------------

    def operation(self, resolved: rs.OperationRules) -> None:
        op = resolved.op
        info = op.operation
        key = Key(info.id, what="operation")
        self.add(key, PRESENT, "entity", shown=f"{info.method} {info.path}")
        own = (key,)
        self.add(key.at("method"), info.method, "exact", own)
        self.add(key.at("path"), info.path, "exact", own)
        self.add(key.at("summary"), info.summary, "doc", own)
        self.add(key.at("response"), info.response, "exact", own)
        for query in resolved.query:
            self.query(info.id, query, own)
        for part in ("pagination", "concurrency"):
            # added, removed or changed, either changes what the method returns
            value = getattr(info, part)
            if value is None:
                continue
            parts = [(n, v) for n, v in attributes(value) if n != "note"]
            shown = ", ".join(f"{n}: {v}" for n, v in parts if v is not None)
            where = self.add(key.at(part), shown, "exact", own)
            self.add(key.at(f"{part} note"), value.note, "doc", (*own, where))
        handled = {"id", "method", "path", "summary", "response", "query"}
        self.rest(info, handled | {"pagination", "concurrency"}, key.at(""), own)
        patterns = {name: p.regex for name, p in op.patterns.items()}
        for form in resolved.forms.values():
            self.form(info.id, form, patterns, own)
        for name, response in op.responses.items():
            self.response(info.id, name, response, own)
        for name, pattern in op.patterns.items():
            described = key.at(f"pattern {name} describe")
            self.add(described, pattern.describe, "doc", own)
            self.rest(pattern, {"regex", "describe"}, key.at(f"pattern {name}"), own)
        handled = {"operation", "forms", "responses", "patterns"}
        self.rest(op, handled, key.at(""), own)

    def query(
        self, op_id: str, resolved: rs.QueryRules, owners: tuple[Key, ...]
    ) -> None:
        """A query parameter: added required or removed is breaking, so is a
        change of its type, list-ness or Python name; its range is bounds."""
        param = resolved.param
        key = Key(op_id, None, None, resolved.name, "query parameter")
        shown = "required" if param.required else "optional"
        self.add(key, PRESENT, "query", owners, shown)
        own = (*owners, key)
        self.add(key.at("required"), param.required, "required", own)
        self.add(key.at("type"), param.type, "exact", own)
        self.add(key.at("repeated"), param.repeated, "exact", own)
        self.add(key.at("python_name"), resolved.py_name, "exact", own)
        self.add(key.at("range"), pair(param.range), "bounds", own)
        self.add(key.at("enum"), param.enum, "doc", own)
        self.add(key.at("summary"), param.summary, "doc", own)
        handled = {"summary", "type", "enum", "repeated", "required", "range"}
        self.rest(param, handled | {"python_name"}, key.at(""), own)

    def form(
        self,
        op_id: str,
        resolved: rs.FormRules,
        patterns: dict[str, str],
        owners: tuple[Key, ...],
    ) -> None:
        name, form = resolved.name, resolved.form
        key = Key(op_id, name, what="form")
        self.add(key, PRESENT, "entity", owners, shown=form.class_)
        own = (*owners, key)
        self.add(key.at("class"), form.class_, "exact", own)
        self.add(key.at("summary"), form.summary, "doc", own)
        self.add(key.at("selected_by"), form.selected_by, "exact", own)
        limit = form.body.max_bytes if form.body else None
        self.add(key.at("body max_bytes"), limit, "upper", own)
        if form.body is not None:
            self.rest(form.body, {"max_bytes"}, key.at("body"), own)
        models = resolved.models
        for model in models:
            self.add(Key(op_id, name, model, what="model"), PRESENT, "entity", own)
        scope = _Scope(op_id, name, models, patterns, own)
        for field_name, field in resolved.fields.items():
            self.field(scope, field_name, field)
        for rule in resolved.rules:
            self.rule(scope, rule, None)
        for obj in resolved.objects.values():
            self.object(scope, obj)
        handled = {"class_", "summary", "models", "fields", "selected_by"}
        handled |= {"rules", "objects", "body"}
        self.rest(form, handled, key.at(""), own)

    def object(self, scope: _Scope, resolved: rs.ObjectRules) -> None:
        """An object's facts, under the field that holds it (``subjects[]``)."""
        user, obj = resolved.holder, resolved.obj
        user_key = scope.key(None, user, "field")
        owners = (*scope.owners, user_key) if user_key in self.facts else scope.owners
        prefix = f"{user}[]"
        key = self.add(scope.key(None, prefix, "object"), PRESENT, "entity", owners)
        own = (*owners, key)
        self.add(key.at("summary"), obj.summary, "doc", own)
        inner = attrs.evolve(scope, owners=own)
        for name, field in resolved.fields.items():
            self.field(inner, f"{prefix}.{name}", field)
        for rule in resolved.rules:
            self.rule(inner, rule, prefix)
        self.rest(obj, {"summary", "fields", "rules"}, key.at(""), own)

    def field(self, scope: _Scope, path: str, rules: rs.FieldRules) -> None:
        field = rules.field
        key = self.add(
            scope.key(None, path, "field"),
            PRESENT,
            "field",
            scope.owners,
            shown="required" if field.required else "optional",
        )
        own = (*scope.owners, key)
        self.add(key.at("type"), _type_name(field.type), "exact", own)
        self.add(key.at("required"), field.required, "required", own)
        self.add(key.at("enum"), field.enum, "doc", own)
        self.add(key.at("role"), field.role, "exact", own)
        self.add(key.at("items"), _items(field.items), "exact", own)
        below = field.items.decoded_bytes_below if field.items else None
        self.add(key.at("items decoded_bytes_below"), below, "upper", own)
        self.add(key.at("summary"), field.summary, "doc", own)
        for alias, target in (field.aliases or {}).items():
            self.add(key.at(f"alias {alias}"), target, "alias", own)
        if field.items is not None:
            handled = {"type", "object", "asset", "decoded_bytes_below"}
            self.rest(field.items, handled, key.at("items"), own)
        handled = {"summary", "type", "enum", "required", "role", "default", "choices"}
        handled |= {"aliases", "range", "length", "count", "pattern", "items"}
        self.rest(field, handled | {"by_model"}, key.at(""), own)
        if field.role == "model":
            return
        for model in scope.models or (None,):
            self.model_row(scope, path, rules, model, (*scope.model_owners(model), key))

    def model_row(
        self,
        scope: _Scope,
        path: str,
        rules: rs.FieldRules,
        model: str | None,
        owners: tuple[Key, ...],
    ) -> None:
        """The effective constraints of a field for one model."""
        row = rules.row(model)
        key = scope.key(model, path, "")
        self.add(key.at("choices"), rules.choices(model), "choices", owners)
        for bound in rs.BOUNDS:
            self.add(key.at(bound), rules.bounds(bound, model), "bounds", owners)
        names = rules.pattern_names(model)
        regexes = tuple(sorted({scope.patterns.get(n, n) for n in names}))
        self.add(key.at("pattern"), regexes, "pattern", owners)
        self.add(key.at("default"), rules.default(model), "default", owners)
        self.add(key.at("ignored"), rules.ignored(model), "ignored", owners)
        self.add(key.at("allowed"), rules.allowed(model), "allowed", owners)
        self.add(key.at("note"), row.note if row else None, "doc", owners)
        if row is not None:
            handled = {"default", "choices", "range", "length", "count", "pattern"}
            self.rest(row, handled | {"ignored", "allowed", "note"}, key, owners)

    def rule(self, scope: _Scope, limits: rs.RuleLimits, prefix: str | None) -> None:
        """A rule's facts, once per model it applies to."""
        rule = limits.rule
        for model in limits.models or (None,):
            name = f"rule {rule.id}"
            key = scope.key(model, prefix, name)
            owners = scope.model_owners(model)
            self.add(key, rule.severity, "rule", owners, shown=rule.severity)
            own = (*owners, key)
            row = rule.by_model.get(model) if model is not None else None
            severity = rule.severity
            if rule.require is not None:
                limit = limits.limit(model)
                self.add(key.at(f"{name} max"), limit, f"max.{severity}", own)
                self.add(
                    key.at(f"{name} total"),
                    rule.require.total,
                    f"total.{severity}",
                    own,
                )
            conditions = tuple(sorted(_condition(n, c) for n, c in rule.when.items()))
            self.add(key.at(f"{name} when"), conditions, f"when.{severity}", own)
            self.add(key.at(f"{name} field"), rule.field, "doc", own)
            self.add(key.at(f"{name} message"), rule.message, "doc", own)
            self.add(key.at(f"{name} summary"), rule.summary, "doc", own)
            self.add(key.at(f"{name} note"), row.note if row else None, "doc", own)
            source = quoted(row.source) if row else None
            self.add(key.at(f"{name} source"), source, "quote", own)
            handled = {"id", "message", "summary", "severity", "models", "when"}
            handled |= {"require", "by_model", "field"}
            self.rest(rule, handled, key, own)

    def response(
        self, op_id: str, name: str, response: sm.Response, owners: tuple[Key, ...]
    ) -> None:
        key = Key(op_id, None, None, name, "response")
        self.add(key, PRESENT, "entity", owners)
        own = (*owners, key)
        self.add(key.at("summary"), response.summary, "doc", own)
        for field_name, field in response.fields.items():
            fkey = Key(op_id, None, None, f"{name}.{field_name}", "response field")
            shown = "required" if field.required else "optional"
            self.add(fkey, PRESENT, "response field", own, shown)
            fown = (*own, fkey)
            self.add(fkey.at("required"), field.required, "always sent", fown)
            self.add(fkey.at("type"), _type_name(field.type), "exact", fown)
            self.add(fkey.at("items"), _items(field.items), "exact", fown)
            self.add(fkey.at("enum"), field.enum, "doc", fown)
            self.add(fkey.at("summary"), field.summary, "doc", fown)
            handled = {"summary", "type", "enum", "items", "required", "role"}
            self.rest(field, handled | {"by_model"}, fkey.at(""), fown)
        self.rest(response, {"summary", "fields"}, key.at(""), own)


def facts(spec: sm.Spec) -> Facts:
    """Every fact of a checked spec, in the spec's order."""
    collector = _Collector()
    collector.root(spec.root)
    for op in rs.resolve(spec).operations:
        collector.operation(op)
    return collector.facts
