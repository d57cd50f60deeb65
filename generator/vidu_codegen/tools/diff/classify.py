"""How each difference between two fact sets is classified.

Every fact carries the name of its rule (see the table in
:mod:`vidu_codegen.tools.diff.facts`); the rule turns the old and new value
into a kind (breaking, compatible, notable) and a message.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any, Literal, TypeAlias

import attrs

from vidu_codegen.resolve import typed
from vidu_codegen.tools.diff.facts import PRESENT, Fact, Facts, Key
from vidu_codegen.tools.diff.values import bounds_text, code, jsonable, same, show

Kind: TypeAlias = Literal["breaking", "compatible", "notable"]
KINDS: tuple[Kind, ...] = ("breaking", "compatible", "notable")
_CLIP = 100


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
            "old": jsonable(self.old),
            "new": jsonable(self.new),
            "message": self.message,
        }


Verdict: TypeAlias = tuple[Kind, str] | None
ValueRule: TypeAlias = Callable[[str, Any, Any], Verdict]


def _changed(what: str, old: object, new: object) -> str:
    return f"{what}: {code(old)} → {code(new)}"


def _exact(what: str, old: object, new: object) -> Verdict:
    return "breaking", _changed(what, old, new)


def _doc(what: str, old: object, new: object) -> Verdict:
    if old is None:
        return "notable", f"{what} added: {code(new)}"
    if new is None:
        return "notable", f"{what} removed (was {code(old)})"
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


def _always_sent(what: str, old: object, new: object) -> Verdict:
    """A response field's ``required``: breaking either way (see
    :mod:`~vidu_codegen.tools.diff.facts`)."""
    if new:
        return "breaking", f"{what}: now required (an answer without it is refused)"
    return "breaking", f"{what}: no longer required (it may now be None)"


def _limit_added_or_dropped(
    what: str, old: Any, new: Any, spelt: Callable[[Any], str]
) -> Verdict:
    """A limit that appears (breaking) or disappears (compatible), each side
    written by ``spelt``; ``None`` when both sides have one."""
    if old is None:
        return "breaking", f"{what}: now limited to {spelt(new)}"
    if new is None:
        return "compatible", f"{what}: no longer limited (was {spelt(old)})"
    return None


def _bounds(what: str, old: Any, new: Any) -> Verdict:
    if old is None or new is None:
        return _limit_added_or_dropped(what, old, new, bounds_text)
    narrowed = new[0] > old[0] or new[1] < old[1]
    widened = new[0] < old[0] or new[1] > old[1]
    how = "narrowed" if not widened else "widened" if not narrowed else "moved"
    text = f"{what}: {bounds_text(old)} → {bounds_text(new)} ({how})"
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
    text = f"{what}: {code(' to '.join(old) if old else 'any')} → "
    text += code(" to ".join(new) if new else "any")
    return verdict[0], text


def _limit(higher_is_stricter: bool) -> ValueRule:
    def classify(what: str, old: Any, new: Any) -> Verdict:
        if old is None or new is None:
            return _limit_added_or_dropped(what, old, new, code)
        stricter = new > old if higher_is_stricter else new < old
        return ("breaking" if stricter else "compatible"), _changed(what, old, new)

    return classify


def _choices_rule(what: str, old: Any, new: Any) -> Verdict:
    if old is None:
        return "breaking", f"{what}: now only {code(new)}"
    if new is None:
        return "compatible", f"{what}: any value now (was {code(old)})"
    old_keys = {typed(v) for v in old}
    new_keys = {typed(v) for v in new}
    removed = tuple(v for v in old if typed(v) not in new_keys)
    added = tuple(v for v in new if typed(v) not in old_keys)
    if not removed and not added:
        return None
    parts = [f"no longer accepts {code(removed)}"] if removed else []
    parts += [f"now accepts {code(added)}"] if added else []
    return ("breaking" if removed else "compatible"), f"{what}: {'; '.join(parts)}"


def _pattern(what: str, old: Any, new: Any) -> Verdict:
    if not new:
        return "compatible", f"{what}: no longer checked (was {code(old)})"
    return "breaking", _changed(what, old or "none", new)


def _alias(what: str, old: object, new: object) -> Verdict:
    if old is None:
        return "compatible", f"{what} added (read as {code(new)})"
    if new is None:
        return "breaking", f"{what} removed (was read as {code(old)})"
    return "notable", _changed(what, old, new)


def _conditions(kind_if_more: Kind, kind_if_less: Kind) -> ValueRule:
    def classify(what: str, old: Any, new: Any) -> Verdict:
        before, after = set(old or ()), set(new or ())
        if before == after:
            return None
        text = f"{what}: {code(old or 'always')} → {code(new or 'always')}"
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
    "quote": _doc,
    "default": _doc,
    "unclassified": _unclassified,
    "required": _flag("breaking", "compatible", "now required", "no longer required"),
    "always sent": _always_sent,
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


def _added_as(label: str | None) -> Callable[[str, Fact], tuple[Kind, str]]:
    """A field or parameter added: breaking when required, else compatible;
    the message names it ``label`` (else by its ``what``)."""

    def added(what: str, new: Fact) -> tuple[Kind, str]:
        kind: Kind = "breaking" if new.shown == "required" else "compatible"
        return kind, f"{label or what} added ({new.shown})"

    return added


_ENTITY_RULES: dict[str, _EntityRule] = {
    "query": _EntityRule(
        added=_added_as(None),
        removed=lambda what, old: ("breaking", f"{what} removed: no longer accepted"),
    ),
    "entity": _EntityRule(
        added=lambda what, new: ("compatible", f"{what} added{_shown(new)}"),
        removed=lambda what, old: ("breaking", f"{what} removed"),
    ),
    "field": _EntityRule(
        added=_added_as("field"),
        removed=lambda what, old: ("breaking", "field removed: no longer accepted"),
    ),
    "response field": _EntityRule(
        added=_added_as(None),
        removed=lambda what, old: ("breaking", f"{what} removed"),
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
    if same(before, after):
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


def positions(old: Facts, new: Facts) -> dict[Key, tuple[int, int, int]]:
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


def diff_facts(old: Facts, new: Facts) -> list[Change]:
    """Every classified change from ``old`` to ``new``."""
    changes = []
    for key in positions(old, new):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None and _suppressed(after, old):
            continue
        if after is None and before is not None and _suppressed(before, new):
            continue
        change = classify(key, before, after)
        if change is not None:
            changes.append(change)
    return changes
