"""Hypothesis strategies for request bodies, drawn from a spec's contract view.

A generated package's ``strategies`` module renders its spec as
:class:`~specgen_runtime.contract.ContractSpec` data and hands it to
:class:`FormStrategies`; everything here names no field, model or value of any
particular API. The rules are read through :mod:`specgen_runtime.contract`,
the same independent reading of the spec the contract tests use:

- :meth:`FormStrategies.bodies` draws bodies every rule accepts: each field
  within its bounds for the model, assets as URLs, and cross-field rules kept
  (a body that breaks one is repaired: a condition made false, or a total
  trimmed); warnings only where the spec says (``warnings=False``: none);
- :meth:`FormStrategies.broken_bodies` draws a valid body with exactly one
  field broken, and says where and which error the spec implies
  (:class:`Broken`);
- :func:`json_values` draws any JSON-like value.

Needs hypothesis (a generated package's ``testing`` extra).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeAlias

from hypothesis import reject
from hypothesis import strategies as st

from .contract import (
    MISSING,
    Condition,
    ContractSpec,
    Field,
    Form,
    Obj,
    Rule,
    counts,
    expected_for,
    field_hits,
    find,
    for_model,
    hit,
    holds,
    ranges,
    rule_hits,
    total,
    type_ok,
)
from .tables import AssetRules

Draw: TypeAlias = Callable[[st.SearchStrategy[Any]], Any]
"""The ``draw`` of a composite strategy."""

MORE_CHARACTERS: Final = 24
"""Made-up text is at most this much longer than its least length."""
MORE_ITEMS: Final = 8
"""An array without an upper count holds at most this many more items than
its least count."""
LONGEST_BROKEN: Final = 65_536
"""Strings and arrays are not made longer than their upper bound when that
bound is above this (the value would be too large to be a useful example)."""
_SCHEME: Final = re.compile(r"[A-Za-z0-9+.-]*:")
"""The start of a URL, a data URI or a prefixed reference (``ssupload:``)."""
REPAIRS: Final = 16
"""Repairs tried on one body or object before it is given up."""

SCALARS: Final = {
    "string": st.text(max_size=MORE_CHARACTERS),
    "integer": st.integers(),
    "number": st.floats(allow_nan=False, allow_infinity=False) | st.integers(),
    "boolean": st.booleans(),
}
"""Any value of each JSON type an item may have."""


@dataclasses.dataclass(frozen=True)
class Broken:
    """A body with exactly one field broken, and the error it must cause."""

    body: dict[str, Any]
    """The body: valid but for ``field``."""
    field: str
    """Where the error is reported: ``duration``, ``images[2]``,
    ``subjects[0].name``; an unknown key is reported at the key."""
    rule: str
    """The rule id of that error, such as ``duration.range``."""


def json_values(keys: Sequence[str] = ()) -> st.SearchStrategy[Any]:
    """Any JSON-like value: null, booleans, numbers (NaN and infinities
    too), text, and arrays and objects of them, nested a few levels; objects
    take their keys mostly from ``keys`` when it is given."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
    names = st.sampled_from(keys) | st.text(max_size=8) if keys else st.text(max_size=8)
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=6)
        ),
        max_leaves=16,
    )


def _bounds(pairs: Sequence[tuple[int, int]]) -> tuple[int | None, int | None]:
    """The values every ``[min, max]`` of ``pairs`` allows (``None``: no bound)."""
    if not pairs:
        return None, None
    return max(p[0] for p in pairs), min(p[1] for p in pairs)


def _text(length: tuple[int, int] | None) -> st.SearchStrategy[str]:
    low, high = length if length is not None else (0, None)
    most = low + MORE_CHARACTERS if high is None else min(high, low + MORE_CHARACTERS)
    if most > 1_000:
        # Hypothesis draws text a character at a time: repeat one instead.
        return st.characters().map(lambda c: c * low)
    return st.text(min_size=low, max_size=most)


def _wrong_type(kind: str | None) -> st.SearchStrategy[Any]:
    """A value that is not of the JSON type ``kind``."""
    others: st.SearchStrategy[Any] = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=8),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    )
    if kind == "object":
        return others.filter(lambda value: not isinstance(value, Mapping))
    return others.filter(lambda value: not type_ok(kind, value))


@dataclasses.dataclass(frozen=True)
class FormStrategies:
    """The strategies of one request form of ``spec``.

    ``assets`` holds the rules of each asset field, by the field's ``path``
    (``images``, ``subjects.images``): valid items are URLs or references
    with one of the accepted prefixes.
    """

    spec: ContractSpec
    form: Form
    assets: Mapping[str, AssetRules] = dataclasses.field(default_factory=dict)

    @property
    def absent(self) -> frozenset[str]:
        """Keys a body of this form must not have: they would select a form
        that comes before it."""
        keys = set()
        for other in self.spec.forms:
            if other is self.form:
                break
            if other.selected_by is not None:
                keys.add(other.selected_by)
        if self.form.selected_by is None:
            keys |= {f.selected_by for f in self.spec.forms if f.selected_by}
        return frozenset(keys)

    @property
    def names(self) -> frozenset[str]:
        """The names of the form's fields and of its objects' fields."""
        owners: list[Form | Obj] = [self.form, *self.form.objects.values()]
        return frozenset(f.name for owner in owners for f in owner.fields)

    def models(self, model: str | None) -> st.SearchStrategy[str | None]:
        """``model`` (checked against the form's), or any of the form's."""
        if model is not None:
            if model not in self.form.models:
                listed = ", ".join(self.form.models) or "none"
                raise ValueError(
                    f"the {self.form.name} form does not take model {model!r}: "
                    f"its models are {listed}"
                )
            return st.just(model)
        if not self.form.models:
            return st.none()
        return st.sampled_from(self.form.models)

    # Valid values.

    def values(
        self, f: Field, model: str | None, warnings: bool = True
    ) -> st.SearchStrategy[Any]:
        """Values of ``f`` that break none of its rules for ``model`` (with
        ``warnings=False``, objects that draw no warning either)."""
        if f.kind == "string":
            return self._strings(f, model)
        if f.kind == "integer":
            low, high = _bounds(ranges(f, model))
            if low is not None and high is not None and low > high:
                return st.nothing()
            return st.integers(min_value=low, max_value=high)
        if f.kind == "array":
            low, high = _bounds(counts(f, model))
            least = max(low or 0, 0)
            most = least + MORE_ITEMS if high is None else min(high, least + MORE_ITEMS)
            if most < least:
                return st.nothing()
            items = self._items(f, model, warnings)
            return st.lists(items, min_size=least, max_size=most)
        return SCALARS.get(f.kind, st.nothing())

    def _strings(self, f: Field, model: str | None) -> st.SearchStrategy[str]:
        row = for_model(f.choices_by_model, model)
        if row is not None or f.choices is not None:
            listed = list(row) if row is not None else list(f.choices or ())
            if row is None:
                listed += [a for a, target in f.aliases.items() if target in listed]
            valid = [
                v for v in listed if not field_hits(self.form, f, model, v, f.name)
            ]
            return st.sampled_from(valid) if valid else st.nothing()
        pattern = for_model(f.pattern_by_model, model)
        if pattern is not None:
            return st.from_regex(pattern, fullmatch=True).filter(
                lambda v: not field_hits(self.form, f, model, v, f.name)
            )
        return _text(f.length)

    def _items(
        self, f: Field, model: str | None, warnings: bool = True
    ) -> st.SearchStrategy[Any]:
        if f.items == "object":
            obj = self.form.objects[str(f.items_object)]
            return self.objects(obj, model, warnings)
        rules = self.assets.get(f.path)
        if rules is not None:
            prefixes = [f"{s}://" for s in rules.url_schemes] + list(
                rules.extra_prefixes
            )
            tails = st.text(
                st.characters(codec="ascii", categories=("L", "N")), max_size=16
            )
            return st.builds(
                lambda p, t: f"{p}example.com/{t}", st.sampled_from(prefixes), tails
            )
        return SCALARS.get(str(f.items_type), st.nothing())

    def objects(
        self, obj: Obj, model: str | None, warnings: bool
    ) -> st.SearchStrategy[dict[str, Any]]:
        """Objects ``obj`` that break none of its rules for ``model``."""

        @st.composite
        def draw_object(draw: Draw) -> dict[str, Any]:
            item = self._fill(draw, obj.fields, model, warnings, frozenset())
            self._repair(draw, obj.fields, obj.rules, model, item, warnings)
            return item

        return draw_object()

    def _fill(
        self,
        draw: Draw,
        fields: Sequence[Field],
        model: str | None,
        warnings: bool,
        absent: frozenset[str],
    ) -> dict[str, Any]:
        source: dict[str, Any] = {}
        for f in fields:
            if f.is_model:
                source[f.name] = model
                continue
            if f.name in absent or not self._may_send(f, model, warnings):
                continue
            needed = f.required or f.name == self.form.selected_by
            if needed or draw(st.booleans()):
                source[f.name] = draw(self.values(f, model, warnings))
        return source

    @staticmethod
    def _may_send(f: Field, model: str | None, warnings: bool) -> bool:
        if model is not None and model in f.unsupported_by:
            return False
        return warnings or model is None or model not in f.ignored_by

    # Keeping the cross-field rules.

    def _repair(
        self,
        draw: Draw,
        fields: Sequence[Field],
        rules: Sequence[Rule],
        model: str | None,
        source: dict[str, Any],
        warnings: bool,
    ) -> None:
        """Change ``source`` until no error rule (and, without ``warnings``,
        no warning rule) fires; give the example up if that fails."""
        kept = [r for r in rules if r.severity == "error" or not warnings]
        for _ in range(REPAIRS):
            firing = [r for r in kept if rule_hits(fields, [r], model, source, "")]
            if not firing:
                return
            rule = firing[0]
            if rule.total is not None and self._trim(
                fields, rule, model, source, warnings
            ):
                continue
            changes = [
                change
                for c in rule.conditions
                if (change := self._unmet(fields, c, model, source, warnings))
            ]
            if not changes:
                break
            draw(st.sampled_from(changes))(draw)
        reject()

    def _unmet(
        self,
        fields: Sequence[Field],
        c: Condition,
        model: str | None,
        source: dict[str, Any],
        warnings: bool,
    ) -> Callable[[Draw], None] | None:
        """A change that makes condition ``c`` false, if one is allowed."""
        f = find(fields, c.field)
        optional = not f.required and f.name != self.form.selected_by
        sendable = self._may_send(f, model, warnings) and f.name not in self.absent

        def remove(_: Draw) -> None:
            source.pop(f.name, None)

        def put(draw: Draw) -> None:
            others = self.values(f, model, warnings).filter(
                lambda v: not holds(c, fields, model, {**source, f.name: v})
            )
            source[f.name] = draw(others)

        if c.present is True:
            return remove if optional else None
        if c.present is None and optional and f.name in source:
            rest = {k: v for k, v in source.items() if k != f.name}
            if not holds(c, fields, model, rest):
                return remove
        return put if sendable else None

    def _trim(
        self,
        fields: Sequence[Field],
        rule: Rule,
        model: str | None,
        source: dict[str, Any],
        warnings: bool,
    ) -> bool:
        """Make ``rule``'s total fit its limit by dropping items; whether it
        could be done without breaking a count or another rule."""
        limit = rule.limit(model)
        name = str(rule.total)
        items = source.get(name)
        if not isinstance(items, list):
            return False
        holder = find(fields, name)
        least = max(_bounds(counts(holder, model))[0] or 0, 0)
        if rule.total_key is None:
            if limit < least:
                return False
            source[name] = items[:limit]
            return True
        obj = self.form.objects[str(holder.items_object)]
        inner = find(obj.fields, rule.total_key)
        inner_least = max(_bounds(counts(inner, model))[0] or 0, 0)
        kept = [dict(item) for item in items]
        excess = total(source, rule) - limit
        for item in reversed(kept):
            values = item.get(inner.name)
            if excess <= 0 or not isinstance(values, list):
                continue
            cut = min(excess, len(values) - inner_least)
            if cut > 0:
                item[inner.name] = values[: len(values) - cut]
                excess -= cut
            rest = {k: v for k, v in item.items() if k != inner.name}
            left = len(item[inner.name])
            if (
                excess > 0
                and not inner.required
                and not self._fires(obj, model, rest, warnings)
            ):
                item.pop(inner.name)
                excess -= left
        while excess > 0 and len(kept) > least:
            dropped = kept.pop()
            inner_items = dropped.get(inner.name)
            excess -= len(inner_items) if isinstance(inner_items, list) else 0
        if excess > 0:
            return False
        source[name] = kept
        return True

    @staticmethod
    def _fires(
        obj: Obj, model: str | None, item: Mapping[str, Any], warnings: bool
    ) -> bool:
        """Whether a rule of ``obj`` that must hold fires for ``item``."""
        return any(
            severity == "error" or not warnings
            for _, _, severity in rule_hits(obj.fields, obj.rules, model, item, "")
        )

    # Public strategies.

    def bodies(
        self, model: str | None = None, *, warnings: bool = True
    ) -> st.SearchStrategy[dict[str, Any]]:
        """Bodies of the form that break none of its rules (see the module)."""
        models = self.models(model)

        @st.composite
        def draw_body(draw: Draw) -> dict[str, Any]:
            chosen = draw(models)
            body = self._fill(draw, self.form.fields, chosen, warnings, self.absent)
            self._repair(
                draw, self.form.fields, self.form.rules, chosen, body, warnings
            )
            return body

        return draw_body()

    def broken_bodies(self, model: str | None = None) -> st.SearchStrategy[Broken]:
        """Bodies of the form with exactly one field broken."""
        models = self.models(model)

        @st.composite
        def draw_broken(draw: Draw) -> Broken:
            chosen = draw(models)
            body = draw(self.bodies(chosen))
            breaks = self._breaks(chosen, body)
            way: Callable[[Draw], Broken] = draw(st.sampled_from(breaks))
            broken = way(draw)
            if not broken.rule.endswith(".encoding"):
                expected = expected_for(self.spec, broken.body)
                if hit(broken.rule, broken.field) not in expected:
                    reject()
            return broken

        return draw_broken()

    # Breaking one field.

    def _breaks(
        self, model: str | None, body: dict[str, Any]
    ) -> list[Callable[[Draw], Broken]]:
        """Every way to break one field of ``body``."""
        out = self._field_breaks(self.form.fields, model, body, None, "")
        for f in self.form.fields:
            items = body.get(f.name)
            if f.items != "object" or not isinstance(items, list):
                continue
            obj = self.form.objects[str(f.items_object)]
            for i in range(len(items)):
                out += self._field_breaks(
                    obj.fields, model, body, (f.name, i), f"{f.name}[{i}]."
                )
        return out

    def _field_breaks(
        self,
        fields: Sequence[Field],
        model: str | None,
        body: dict[str, Any],
        at: tuple[str, int] | None,
        prefix: str,
    ) -> list[Callable[[Draw], Broken]]:
        source: Mapping[str, Any] = body if at is None else body[at[0]][at[1]]
        names = {f.name for f in fields} | {
            f.selected_by for f in self.spec.forms if f.selected_by
        }

        def change(key: str, value: Any, where: str, rule: str) -> Broken:
            out = dict(body)
            target = out
            if at is not None:
                target = dict(out[at[0]][at[1]])
                out[at[0]] = [*out[at[0]][: at[1]], target, *out[at[0]][at[1] + 1 :]]
            if value is MISSING:
                target.pop(key, None)
            else:
                target[key] = value
            return Broken(out, where, rule)

        def unknown(draw: Draw) -> Broken:
            key = draw(st.text(min_size=1, max_size=8).filter(lambda k: k not in names))
            return change(key, draw(SCALARS["integer"]), prefix + key, "unknown_field")

        breaks: list[Callable[[Draw], Broken]] = [unknown]
        for f in fields:
            breaks += self._breaks_of(f, model, source, prefix + f.name, change)
        return breaks

    def _breaks_of(
        self,
        f: Field,
        model: str | None,
        source: Mapping[str, Any],
        where: str,
        change: Callable[[str, Any, str, str], Broken],
    ) -> list[Callable[[Draw], Broken]]:
        """Every way to break field ``f`` of ``source``, reported at ``where``."""
        value = source.get(f.name, MISSING)
        ways: list[tuple[st.SearchStrategy[Any], str]] = []
        if f.is_model:
            known = self.spec.known_models
            ways.append(
                (st.text(max_size=12).filter(lambda v: v not in known), "unknown")
            )
            others = [m for m in known if m not in self.form.models]
            if others:
                ways.append((st.sampled_from(others), "form"))
            ways += [(_wrong_type("string"), "type"), (st.just(MISSING), "required")]
        elif value is MISSING:
            if model is not None and model in f.unsupported_by:
                ways.append((self.values(f, None), "unsupported"))
        else:
            if f.required and f.name != self.form.selected_by:
                ways.append((st.just(MISSING), "required"))
            ways.append((_wrong_type(f.kind), "type"))
            if f.kind == "string":
                ways += self._string_breaks(f, model)
            elif f.kind == "integer":
                for low, high in ranges(f, model):
                    ways.append((st.integers(max_value=low - 1), "range"))
                    ways.append((st.integers(min_value=high + 1), "range"))
            elif f.kind == "array":
                for low, high in counts(f, model):
                    items = self._items(f, model)
                    if low > 0:
                        ways.append((st.lists(items, max_size=low - 1), "count"))
                    if high < LONGEST_BROKEN:
                        more = st.lists(items, min_size=high + 1, max_size=high + 2)
                        ways.append((more, "count"))
        out = [self._way(f, values, where, rule, change) for values, rule in ways]
        if f.kind == "array" and isinstance(value, list) and value:
            out.append(self._item_break(f, value, where, change))
        return out

    @staticmethod
    def _way(
        f: Field,
        values: st.SearchStrategy[Any],
        where: str,
        rule: str,
        change: Callable[[str, Any, str, str], Broken],
    ) -> Callable[[Draw], Broken]:
        return lambda draw: change(f.name, draw(values), where, f"{f.path}.{rule}")

    def _string_breaks(
        self, f: Field, model: str | None
    ) -> list[tuple[st.SearchStrategy[Any], str]]:
        def breaks(rule: str) -> Callable[[str], bool]:
            def test(value: str) -> bool:
                found = field_hits(self.form, f, model, value, f.name)
                return hit(f"{f.path}.{rule}", f.name) in found

            return test

        ways: list[tuple[st.SearchStrategy[Any], str]] = []
        if f.choices is not None or for_model(f.choices_by_model, model) is not None:
            ways.append((st.text(max_size=12).filter(breaks("choice")), "choice"))
        if for_model(f.pattern_by_model, model) is not None:
            ways.append((st.text(max_size=12).filter(breaks("pattern")), "pattern"))
        if f.length is not None:
            low, high = f.length
            if low > 0:
                ways.append((st.text(max_size=low - 1), "length"))
            if high < LONGEST_BROKEN:
                ways.append((st.characters().map(lambda c: c * (high + 1)), "length"))
        return ways

    def _item_break(
        self,
        f: Field,
        value: list[Any],
        where: str,
        change: Callable[[str, Any, str, str], Broken],
    ) -> Callable[[Draw], Broken]:
        """One item of array ``f`` of the wrong type, or not an asset."""
        asset = self.assets.get(f.path)
        kind = "object" if f.items == "object" else f.items_type

        def item(draw: Draw) -> Broken:
            i = draw(st.integers(0, len(value) - 1))
            if asset is not None and draw(st.booleans()):
                bad, rule = draw(self._not_an_asset(asset)), f"{f.path}.encoding"
            else:
                bad, rule = draw(_wrong_type(kind)), f"{f.path}.type"
            items = [*value[:i], bad, *value[i + 1 :]]
            return change(f.name, items, f"{where}[{i}]", rule)

        return item

    @staticmethod
    def _not_an_asset(rules: AssetRules) -> st.SearchStrategy[str]:
        """Strings that are no URL, accepted reference or data URI."""
        accepted = tuple(rules.extra_prefixes)
        return st.text(min_size=1, max_size=16).filter(
            lambda v: (
                not re.match(r"(?i)[a-z0-9+.-]*:", v) and not v.startswith(accepted)
            )
        )


def form_strategies(
    spec: ContractSpec, assets: Mapping[str, AssetRules]
) -> dict[str, FormStrategies]:
    """The strategies of each form of ``spec``, by form name."""
    return {form.name: FormStrategies(spec, form, assets) for form in spec.forms}


__all__ = [
    "Broken",
    "FormStrategies",
    "form_strategies",
    "json_values",
]
