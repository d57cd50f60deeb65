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
                prefix, response, response field
field           a request field                            removed; added added, optional
                                                           and required
required        ``required``                               false -> true  true -> false
allowed         row ``allowed``                            true -> false  false -> true
exact           type, items, role, method, path, class     any change
                names, ``selected_by``, ``package``,
                ``auth.env``, response of an operation
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

Everything else is **notable**: a default changed (``default``), a field
newly ignored or no longer ignored (``ignored``), a warning rule added or
removed or its conditions, limit or count changed, an alias pointing
elsewhere, a known model added or removed (forms decide what is accepted),
and every text (summaries, notes, messages, ``describe``, enum of a field).
Keys of the spec this module does not know yet are compared too, as
*unclassified*: notable, marked "(not classified)" for a human to judge.

A fact whose owner (its operation, form, field, model or rule) was added or
removed is not reported on its own: "model viduq4 added to the form" says it.
Renames are never guessed: a renamed model is one removed and one added.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TextIO, TypeAlias, cast

import attrs

from vidu_codegen.load import model as sm
from vidu_codegen.pipeline import Loaded, load_spec

Kind: TypeAlias = Literal["breaking", "compatible", "notable"]
KINDS: tuple[Kind, ...] = ("breaking", "compatible", "notable")
PRESENT = True
"""The value of a fact that only says something exists."""
_CLIP = 100


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


@attrs.frozen
class Change:
    """One classified difference between two specs."""

    kind: Kind
    key: Key
    old: object
    new: object
    message: str

    def as_json(self) -> dict[str, object]:
        """The change as a JSON object."""
        return {
            "kind": self.kind,
            "operation": self.key.operation,
            "form": self.key.form,
            "model": self.key.model,
            "field": self.key.field,
            "what": self.key.what,
            "old": _jsonable(self.old),
            "new": _jsonable(self.new),
            "message": self.message,
        }


# values ----------------------------------------------------------------------


def _jsonable(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def _typed(value: object) -> object:
    """A comparison key that tells ``1`` from ``True`` and ``"5"`` from ``5``."""
    if isinstance(value, tuple | list):
        return ("seq", tuple(_typed(v) for v in value))
    return (type(value).__name__, value)


def _same(old: object, new: object) -> bool:
    return _typed(old) == _typed(new)


def show(value: object) -> str:
    """A value as the spec would spell it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return ", ".join(show(v) for v in value) or "nothing"
    return str(value)


def _code(value: object) -> str:
    return f"`{show(value)}`"


def _bounds_text(value: object) -> str:
    if value is None:
        return "`any`"
    low, high = cast(tuple[object, object], value)
    return f"`{show(low)}`" if low == high else f"`{show(low)}..{show(high)}`"


def _attributes(node: object) -> list[tuple[str, object]]:
    """``(name, value)`` of each attribute of a spec object (none for others)."""
    cls = type(node)
    if not attrs.has(cls):
        return []
    return [
        (a.name, getattr(node, a.name)) for a in attrs.fields(cls) if a.name != "at"
    ]


def _compact(value: object) -> str:
    """A spec value in YAML flow style, for what was added or removed."""
    if attrs.has(type(value)):
        parts = [
            f"{name.rstrip('_')}: {_compact(item)}"
            for name, item in _attributes(value)
            if item not in (None, {}, [])
        ]
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return show(value)


# facts -----------------------------------------------------------------------

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


def _pair(values: Iterable[int] | None) -> tuple[int, int] | None:
    if values is None:
        return None
    low, high = values
    return low, high


def _intersect(
    first: Iterable[int] | None, second: Iterable[int] | None
) -> tuple[int, int] | None:
    pairs = [p for p in (_pair(first), _pair(second)) if p is not None]
    if not pairs:
        return None
    return max(p[0] for p in pairs), min(p[1] for p in pairs)


def _choices(field: sm.Field, row: sm.ModelRow | None) -> tuple[sm.Scalar, ...] | None:
    """The values a model accepts: the row's ``choices`` (raw values) that
    also pass the field's ``choices`` (after ``aliases``); ``None``: any."""
    own = row.choices if row is not None else None
    if field.choices is None:
        return tuple(own) if own is not None else None
    if own is None:
        return tuple(field.choices)
    allowed = {_typed(v) for v in field.choices}
    aliases: dict[str, str] = dict(field.aliases or {})
    return tuple(v for v in own if _typed(aliases.get(str(v), v)) in allowed)


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
        for name, value in _attributes(node):
            if name not in handled:
                self.generic(value, base.under(name.rstrip("_")), owners)

    def generic(self, value: object, key: Key, owners: tuple[Key, ...]) -> None:
        """Facts for any spec value, by its shape alone."""
        if value is None:
            return
        inner = (*owners, key)
        if attrs.has(type(value)):
            self.add(key, PRESENT, "unclassified entity", owners, _compact(value))
            self.rest(value, set(), key, inner)
        elif isinstance(value, dict):
            self.add(key, PRESENT, "unclassified entity", owners, _compact(value))
            for name, item in value.items():
                self.generic(item, key.under(str(name)), inner)
        elif isinstance(value, list) and not all(
            isinstance(v, _SCALARS) for v in value
        ):
            self.add(key, PRESENT, "unclassified entity", owners, _compact(value))
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
        ):
            self.add(base.under(name), getattr(api, name), rule)
        auth = base.under("auth")
        self.add(auth.under("header"), api.auth.header, "doc")
        self.add(auth.under("scheme"), api.auth.scheme, "doc")
        self.add(auth.under("env"), api.auth.env, "exact")
        self.rest(api, {"name", "package", "summary", "base_url", "auth"}, base, ())
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

    def operation(self, op: sm.Operation) -> None:
        info = op.operation
        key = Key(info.id, what="operation")
        self.add(key, PRESENT, "entity", shown=f"{info.method} {info.path}")
        own = (key,)
        self.add(key.at("method"), info.method, "exact", own)
        self.add(key.at("path"), info.path, "exact", own)
        self.add(key.at("summary"), info.summary, "doc", own)
        self.add(key.at("response"), info.response, "exact", own)
        self.rest(
            info, {"id", "method", "path", "summary", "response"}, key.at(""), own
        )
        patterns = {name: p.regex for name, p in op.patterns.items()}
        for name, form in op.forms.items():
            self.form(info.id, name, form, patterns, own)
        for name, response in op.responses.items():
            self.response(info.id, name, response, own)
        for name, pattern in op.patterns.items():
            described = key.at(f"pattern {name} describe")
            self.add(described, pattern.describe, "doc", own)
            self.rest(pattern, {"regex", "describe"}, key.at(f"pattern {name}"), own)
        handled = {"operation", "forms", "responses", "patterns"}
        self.rest(op, handled, key.at(""), own)

    def form(
        self,
        op_id: str,
        name: str,
        form: sm.Form,
        patterns: dict[str, str],
        owners: tuple[Key, ...],
    ) -> None:
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
        models = tuple(form.models)
        for model in models:
            self.add(Key(op_id, name, model, what="model"), PRESENT, "entity", own)
        scope = _Scope(op_id, name, models, patterns, own)
        for field_name, field in form.fields.items():
            self.field(scope, field_name, field)
        for rule in form.rules:
            self.rule(scope, rule, None)
        users = {
            f.items.object: n
            for n, f in form.fields.items()
            if f.items is not None and f.items.object
        }
        for object_name, obj in form.objects.items():
            self.object(scope, users.get(object_name, object_name), obj)
        handled = {"class_", "summary", "models", "fields", "selected_by"}
        handled |= {"rules", "objects", "body"}
        self.rest(form, handled, key.at(""), own)

    def object(self, scope: _Scope, user: str, obj: sm.ObjectDef) -> None:
        """An object's facts, under the field that holds it (``subjects[]``)."""
        user_key = scope.key(None, user, "field")
        owners = (*scope.owners, user_key) if user_key in self.facts else scope.owners
        prefix = f"{user}[]"
        key = self.add(scope.key(None, prefix, "object"), PRESENT, "entity", owners)
        own = (*owners, key)
        self.add(key.at("summary"), obj.summary, "doc", own)
        inner = attrs.evolve(scope, owners=own)
        for name, field in obj.fields.items():
            self.field(inner, f"{prefix}.{name}", field)
        for rule in obj.rules:
            self.rule(inner, rule, prefix)
        self.rest(obj, {"summary", "fields", "rules"}, key.at(""), own)

    def field(self, scope: _Scope, path: str, field: sm.Field) -> None:
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
            self.model_row(scope, path, field, model, (*scope.model_owners(model), key))

    def model_row(
        self,
        scope: _Scope,
        path: str,
        field: sm.Field,
        model: str | None,
        owners: tuple[Key, ...],
    ) -> None:
        """The effective constraints of ``field`` for one model."""
        row = field.by_model.get(model) if model is not None else None
        key = scope.key(model, path, "")
        choices = _choices(field, row)
        self.add(key.at("choices"), choices, "choices", owners)
        for bound in ("range", "length", "count"):
            value = _intersect(getattr(field, bound), getattr(row, bound, None))
            self.add(key.at(bound), value, "bounds", owners)
        names = [n for n in (field.pattern, row.pattern if row else None) if n]
        regexes = tuple(sorted({scope.patterns.get(n, n) for n in names}))
        self.add(key.at("pattern"), regexes, "pattern", owners)
        default = row.default if row and row.default is not None else field.default
        self.add(key.at("default"), default, "default", owners)
        self.add(key.at("ignored"), bool(row and row.ignored), "ignored", owners)
        self.add(key.at("allowed"), row.allowed if row else True, "allowed", owners)
        self.add(key.at("note"), row.note if row else None, "doc", owners)
        if row is not None:
            handled = {"default", "choices", "range", "length", "count", "pattern"}
            self.rest(row, handled | {"ignored", "allowed", "note"}, key, owners)

    def rule(self, scope: _Scope, rule: sm.Rule, prefix: str | None) -> None:
        """A rule's facts, once per model it applies to."""
        models = tuple(rule.models) if rule.models is not None else scope.models
        for model in models or (None,):
            name = f"rule {rule.id}"
            key = scope.key(model, prefix, name)
            owners = scope.model_owners(model)
            self.add(key, rule.severity, "rule", owners, shown=rule.severity)
            own = (*owners, key)
            row = rule.by_model.get(model) if model is not None else None
            severity = rule.severity
            if rule.require is not None:
                limit = row.max if row else rule.require.max
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
            self.add(fkey, PRESENT, "entity", own)
            fown = (*own, fkey)
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
    for op in spec.operations:
        collector.operation(op)
    return collector.facts


# classification --------------------------------------------------------------

Verdict: TypeAlias = tuple[Kind, str] | None
ValueRule: TypeAlias = Callable[[str, Any, Any], Verdict]


def _changed(what: str, old: object, new: object) -> str:
    return f"{what}: {_code(old)} → {_code(new)}"


def _exact(what: str, old: object, new: object) -> Verdict:
    return "breaking", _changed(what, old, new)


def _doc(what: str, old: object, new: object) -> Verdict:
    if old is None:
        return "notable", f"{what} added: {_code(new)}"
    if new is None:
        return "notable", f"{what} removed (was {_code(old)})"
    return "notable", _changed(what, old, new)


def _unclassified(what: str, old: object, new: object) -> Verdict:
    kind, message = _doc(what, old, new) or ("notable", what)
    return kind, f"{message} (not classified)"


def _flag(raise_kind: Kind, lower_kind: Kind, on: str, off: str) -> ValueRule:
    def classify(what: str, old: object, new: object) -> Verdict:
        if bool(new) and not bool(old):
            return raise_kind, f"{what}: {on}"
        return lower_kind, f"{what}: {off}"

    return classify


def _bounds(what: str, old: Any, new: Any) -> Verdict:
    if old is None:
        return "breaking", f"{what}: now limited to {_bounds_text(new)}"
    if new is None:
        return "compatible", f"{what}: no longer limited (was {_bounds_text(old)})"
    narrowed = new[0] > old[0] or new[1] < old[1]
    widened = new[0] < old[0] or new[1] > old[1]
    how = "narrowed" if not widened else "widened" if not narrowed else "moved"
    text = f"{what}: {_bounds_text(old)} → {_bounds_text(new)} ({how})"
    return ("breaking" if narrowed else "compatible"), text


def _ratio(what: str, old: Any, new: Any) -> Verdict:
    def value(pair: Any) -> tuple[Fraction, Fraction] | None:
        if pair is None:
            return None
        low, high = (Fraction(*map(int, r.split(":"))) for r in pair)
        return low, high

    verdict = _bounds(what, value(old), value(new))
    if verdict is None:
        return None
    text = f"{what}: {_code(' to '.join(old) if old else 'any')} → "
    text += _code(" to ".join(new) if new else "any")
    return verdict[0], text


def _limit(higher_is_stricter: bool) -> ValueRule:
    def classify(what: str, old: Any, new: Any) -> Verdict:
        text = _changed(what, old if old is not None else "no limit", new)
        if new is None:
            return "compatible", f"{what}: no longer limited (was {_code(old)})"
        if old is None:
            return "breaking", f"{what}: now limited to {_code(new)}"
        stricter = new > old if higher_is_stricter else new < old
        return ("breaking" if stricter else "compatible"), text

    return classify


def _choices_rule(what: str, old: Any, new: Any) -> Verdict:
    if old is None:
        return "breaking", f"{what}: now only {_code(new)}"
    if new is None:
        return "compatible", f"{what}: any value now (was {_code(old)})"
    old_keys = {_typed(v) for v in old}
    new_keys = {_typed(v) for v in new}
    removed = tuple(v for v in old if _typed(v) not in new_keys)
    added = tuple(v for v in new if _typed(v) not in old_keys)
    if not removed and not added:
        return None
    parts = [f"no longer accepts {_code(removed)}"] if removed else []
    parts += [f"now accepts {_code(added)}"] if added else []
    return ("breaking" if removed else "compatible"), f"{what}: {'; '.join(parts)}"


def _pattern(what: str, old: Any, new: Any) -> Verdict:
    if not new:
        return "compatible", f"{what}: no longer checked (was {_code(old)})"
    return "breaking", _changed(what, old or "none", new)


def _alias(what: str, old: object, new: object) -> Verdict:
    if old is None:
        return "compatible", f"{what} added (read as {_code(new)})"
    if new is None:
        return "breaking", f"{what} removed (was read as {_code(old)})"
    return "notable", _changed(what, old, new)


def _conditions(kind_if_more: Kind, kind_if_less: Kind) -> ValueRule:
    def classify(what: str, old: Any, new: Any) -> Verdict:
        before, after = set(old or ()), set(new or ())
        if before == after:
            return None
        text = f"{what}: {_code(old or 'always')} → {_code(new or 'always')}"
        if before < after:
            return kind_if_less, f"{text} (applies less often)"
        if after < before:
            return kind_if_more, f"{text} (applies more often)"
        return kind_if_more, text

    return classify


def _notable_values(what: str, old: object, new: object) -> Verdict:
    return "notable", _changed(what, old, new)


_VALUE_RULES: dict[str, ValueRule] = {
    "exact": _exact,
    "doc": _doc,
    "default": _doc,
    "unclassified": _unclassified,
    "required": _flag("breaking", "compatible", "now required", "no longer required"),
    "allowed": _flag(
        "compatible", "breaking", "accepted again", "not accepted (unsupported)"
    ),
    "ignored": _flag("notable", "notable", "now ignored (a warning)", "now applied"),
    "bounds": _bounds,
    "ratio": _ratio,
    "upper": _limit(higher_is_stricter=False),
    "lower": _limit(higher_is_stricter=True),
    "choices": _choices_rule,
    "pattern": _pattern,
    "alias": _alias,
    "max.error": _limit(higher_is_stricter=False),
    "max.warning": _notable_values,
    "total.error": _exact,
    "total.warning": _notable_values,
    "when.error": _conditions("breaking", "compatible"),
    "when.warning": _conditions("notable", "notable"),
}


@attrs.frozen
class _EntityRule:
    """How to classify a thing that can be added or removed as a whole."""

    added: Callable[[str, Fact], tuple[Kind, str]]
    removed: Callable[[str, Fact], tuple[Kind, str]]
    changed: ValueRule = _exact


def _shown(fact: Fact) -> str:
    """``: `value``` for what was added: its display form, else its value."""
    shown = (
        fact.value if fact.shown is None and fact.value is not PRESENT else fact.shown
    )
    if shown is None:
        return ""
    text = show(shown)
    return f": `{text if len(text) <= _CLIP else text[: _CLIP - 1] + '…'}`"


def _severity_added(what: str, new: Fact) -> tuple[Kind, str]:
    kind: Kind = "breaking" if new.value == "error" else "notable"
    return kind, f"{what} added ({new.value})"


def _severity_removed(what: str, old: Fact) -> tuple[Kind, str]:
    kind: Kind = "compatible" if old.value == "error" else "notable"
    return kind, f"{what} removed (was {old.value})"


def _severity_changed(what: str, old: object, new: object) -> Verdict:
    kind: Kind = "breaking" if new == "error" else "compatible"
    return kind, f"{what}: {old} → {new}"


def _field_added(what: str, new: Fact) -> tuple[Kind, str]:
    kind: Kind = "breaking" if new.shown == "required" else "compatible"
    return kind, f"field added ({new.shown})"


_ENTITY_RULES: dict[str, _EntityRule] = {
    "entity": _EntityRule(
        added=lambda what, new: ("compatible", f"{what} added{_shown(new)}"),
        removed=lambda what, old: ("breaking", f"{what} removed"),
    ),
    "field": _EntityRule(
        added=_field_added,
        removed=lambda what, old: ("breaking", "field removed: no longer accepted"),
    ),
    "rule": _EntityRule(_severity_added, _severity_removed, _severity_changed),
    "listed": _EntityRule(
        added=lambda what, new: ("notable", f"{what} added"),
        removed=lambda what, old: ("notable", f"{what} removed"),
    ),
    "unclassified entity": _EntityRule(
        added=lambda what, new: (
            "notable",
            f"{what} added{_shown(new)} (not classified)",
        ),
        removed=lambda what, old: ("notable", f"{what} removed (not classified)"),
        changed=_unclassified,
    ),
}


def _verdict(what: str, rule: str, old: Fact | None, new: Fact | None) -> Verdict:
    entity = _ENTITY_RULES.get(rule)
    if entity is not None and old is None and new is not None:
        return entity.added(what, new)
    if entity is not None and new is None and old is not None:
        return entity.removed(what, old)
    before = old.value if old is not None else None
    after = new.value if new is not None else None
    if _same(before, after):
        return None
    if entity is not None:
        return entity.changed(what, before, after)
    return _VALUE_RULES[rule](what, before, after)


def _display(fact: Fact | None) -> object:
    if fact is None:
        return None
    return fact.shown if fact.shown is not None else fact.value


def classify(key: Key, old: Fact | None, new: Fact | None) -> Change | None:
    """The change from ``old`` to ``new`` at ``key`` (``None``: absent), if any."""
    fact = new or old
    if fact is None:
        return None
    verdict = _verdict(key.what, fact.rule, old, new)
    if verdict is None:
        return None
    return Change(verdict[0], key, _display(old), _display(new), verdict[1])


# comparing -------------------------------------------------------------------


def _positions(old: Facts, new: Facts) -> dict[Key, tuple[int, int, int]]:
    """Every key in the spec's order: the new spec's, old-only keys after
    the old key they followed."""
    positions = {key: (index, 0, 0) for index, key in enumerate(new)}
    last, count = -1, 0
    for key in old:
        if key in positions:
            last, count = positions[key][0], 0
        else:
            count += 1
            positions[key] = (last, 1, count)
    return positions


def _suppressed(fact: Fact, other: Facts) -> bool:
    """Whether ``fact`` exists on one side only because an owner does."""
    return any(owner not in other for owner in fact.owners)


@attrs.frozen
class Report:
    """Every classified change between two specs, in the spec's order."""

    changes: tuple[Change, ...]
    positions: dict[Key, tuple[int, int, int]]
    form_models: dict[tuple[str, str], tuple[str, ...]]

    def count(self, kind: Kind) -> int:
        """How many changes are of ``kind``."""
        return sum(1 for c in self.changes if c.kind == kind)

    @property
    def breaking(self) -> bool:
        return self.count("breaking") > 0

    def ordered(self) -> list[Change]:
        """Breaking first, then compatible, then notable; each in spec order."""
        return sorted(
            self.changes,
            key=lambda c: (KINDS.index(c.kind), self.positions[c.key]),
        )

    def as_json(self) -> str:
        """The report as JSON: counts per kind and the list of changes."""
        data = {
            "counts": {kind: self.count(kind) for kind in KINDS},
            "changes": [c.as_json() for c in self.ordered()],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def markdown(self) -> str:
        """The report as Markdown for a pull-request comment."""
        return render_markdown(self)


def _form_models(*specs: sm.Spec) -> dict[tuple[str, str], tuple[str, ...]]:
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for spec in specs:
        for op in spec.operations:
            for name, form in op.forms.items():
                found.setdefault((op.operation.id, name), tuple(form.models))
    return found


def diff_facts(old: Facts, new: Facts) -> list[Change]:
    """Every classified change from ``old`` to ``new``."""
    changes = []
    for key in _positions(old, new):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None and _suppressed(after, old):
            continue
        if after is None and before is not None and _suppressed(before, new):
            continue
        change = classify(key, before, after)
        if change is not None:
            changes.append(change)
    return changes


def diff_specs(old: sm.Spec, new: sm.Spec) -> Report:
    """Compare two checked specs."""
    old_facts, new_facts = facts(old), facts(new)
    return Report(
        changes=tuple(diff_facts(old_facts, new_facts)),
        positions=_positions(old_facts, new_facts),
        form_models=_form_models(new, old),
    )


# Markdown --------------------------------------------------------------------

_TITLES = {"breaking": "Breaking", "compatible": "Compatible", "notable": "Notable"}
_NOWHERE = (-1, 0, 0)


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


@attrs.frozen
class _Row:
    """One line of a Markdown table: a change, for one or more models."""

    change: Change
    models: tuple[str, ...]
    everyone: bool

    def models_cell(self) -> str:
        return "all models" if self.everyone else ", ".join(self.models)


def _fold(report: Report, changes: list[Change]) -> list[_Row]:
    """Changes that differ only in their model, as one row listing the models."""
    groups: dict[tuple[object, ...], list[Change]] = {}
    for change in changes:
        key = change.key
        group = (key.form, key.field, key.what, change.message, key.model is None)
        groups.setdefault(group, []).append(change)
    rows = []
    for members in groups.values():
        key = members[0].key
        models = tuple(c.key.model for c in members if c.key.model is not None)
        form_models = report.form_models.get((key.operation or "", key.form or ""))
        everyone = len(models) > 1 and set(models) == set(form_models or ())
        rows.append(_Row(members[0], models, everyone))
    return rows


def _row_order(report: Report, row: _Row) -> tuple[object, ...]:
    """Form by form; in a form, all-model rows first, then model by model."""
    key = row.change.key
    form = report.positions.get(Key(key.operation, key.form, what="form"), _NOWHERE)
    models = report.form_models.get((key.operation or "", key.form or ""), ())
    model = -1
    if row.models and not row.everyone:
        first = row.models[0]
        model = models.index(first) if first in models else len(models)
    return form, model, report.positions[key]


def _table(rows: list[_Row]) -> list[str]:
    lines = ["| Form | Model | Field | Change |", "| --- | --- | --- | --- |"]
    for row in rows:
        key = row.change.key
        field = f"`{key.field}`" if key.field else ""
        cells = [key.form or "", row.models_cell(), field, row.change.message]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _sections(report: Report) -> dict[str | None, dict[Kind, list[_Row]]]:
    """Rows by operation (``None``: the whole API first) and kind."""
    by_operation: dict[str | None, list[Change]] = {}
    for change in report.changes:
        by_operation.setdefault(change.key.operation, []).append(change)

    def where(op: str | None) -> tuple[bool, tuple[int, int, int]]:
        return op is not None, report.positions.get(Key(op, what="operation"), _NOWHERE)

    sections: dict[str | None, dict[Kind, list[_Row]]] = {}
    for op in sorted(by_operation, key=where):
        sections[op] = {}
        for kind in KINDS:
            of_kind = [c for c in by_operation[op] if c.kind == kind]
            rows = sorted(_fold(report, of_kind), key=lambda r: _row_order(report, r))
            if rows:
                sections[op][kind] = rows
    return sections


def render_markdown(report: Report) -> str:
    """Markdown grouped by operation, breaking changes first in each.

    Rows are counted as shown: a change folded over several models is one.
    """
    lines = ["## Spec changes", ""]
    if not report.changes:
        return "\n".join([*lines, "No semantic changes.", ""])
    sections = _sections(report)
    counts = {
        kind: sum(len(kinds.get(kind, [])) for kinds in sections.values())
        for kind in KINDS
    }
    summary = [f"{counts[k]} {k}" for k in KINDS]
    if counts["breaking"]:
        summary[0] = f"**{summary[0]}**"
    lines += [", ".join(summary) + ".", ""]
    for op, kinds in sections.items():
        lines += [f"### Operation `{op}`" if op is not None else "### Whole API", ""]
        for kind, rows in kinds.items():
            lines += [f"#### {_TITLES[kind]}", "", *_table(rows), ""]
    return "\n".join(lines)


# loading ---------------------------------------------------------------------


@attrs.frozen
class Problem:
    """Why a spec could not be read; printed, exit status 2."""

    message: str


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)


def spec_at_revision(rev: str, spec_dir: Path, into: Path) -> Path | Problem:
    """Write the spec directory as it is at git revision ``rev`` below ``into``;
    return where it is (``into`` / the spec's path in the repository)."""
    spec_dir = spec_dir.resolve()
    try:
        top = _git(["rev-parse", "--show-toplevel"], spec_dir)
    except OSError as exc:
        return Problem(f"cannot run git: {exc.strerror}")
    if top.returncode != 0:
        return Problem(f"{spec_dir} is not in a git repository")
    root = Path(top.stdout.decode().strip()).resolve()
    relative = spec_dir.relative_to(root).as_posix()
    listing = _git(["ls-tree", "-r", "-z", "--name-only", rev, "--", relative], root)
    if listing.returncode != 0:
        reason = listing.stderr.decode(errors="replace").strip().splitlines()
        return Problem(
            f"cannot read revision {rev!r}: {reason[-1] if reason else 'git failed'}"
        )
    names = [n for n in listing.stdout.decode().split("\0") if n.endswith(".yaml")]
    if not names:
        return Problem(f"{relative}/ has no spec files at revision {rev!r}")
    for name in names:
        shown = _git(["show", f"{rev}:{name}"], root)
        if shown.returncode != 0:
            return Problem(f"cannot read {rev}:{name}")
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shown.stdout)
    return into / relative


def _report_findings(loaded: Loaded, label: str, err: TextIO) -> None:
    for finding in loaded.findings:
        print(f"{label}{finding}", file=err)


def _load(spec_dir: Path, base: Path, label: str, err: TextIO) -> sm.Spec | None:
    loaded = load_spec(spec_dir, base=base)
    if loaded.errors or loaded.spec is None:
        _report_findings(loaded, label, err)
        count = len(loaded.errors)
        where = label.rstrip(":") or str(spec_dir)
        print(
            f"{count} error{'s' if count != 1 else ''} in the spec at {where}", file=err
        )
        return None
    return loaded.spec


def run_diff(
    old: Path | None,
    new: Path,
    *,
    base_rev: str | None = None,
    output: Literal["markdown", "json"] = "markdown",
    fail_on_breaking: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The ``diff`` command. Exit status: 0 compared, 1 breaking changes with
    ``fail_on_breaking``, 2 a spec has errors or cannot be read."""
    out = out or sys.stdout
    err = err or sys.stderr
    cwd = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="vidu-diff-") as temp:
        if base_rev is not None:
            where = spec_at_revision(base_rev, new, Path(temp))
            if isinstance(where, Problem):
                print(where.message, file=err)
                return 2
            old_spec = _load(where, Path(temp), f"{base_rev}:", err)
        elif old is not None:
            old_spec = _load(old, cwd, "", err)
        else:
            print("diff needs OLD and NEW spec directories, or --base REV", file=err)
            return 2
        new_spec = _load(new, cwd, "", err)
        if old_spec is None or new_spec is None:
            return 2
    report = diff_specs(old_spec, new_spec)
    out.write(report.as_json() if output == "json" else report.markdown())
    return 1 if fail_on_breaking and report.breaking else 0


__all__ = [
    "KINDS",
    "Change",
    "Fact",
    "Key",
    "Report",
    "diff_facts",
    "diff_specs",
    "facts",
    "run_diff",
    "spec_at_revision",
]
