"""The classified changes between two specs, as Markdown or JSON."""

from __future__ import annotations

import json

import attrs

from vidu_codegen.load import model as sm
from vidu_codegen.text import md_cell
from vidu_codegen.tools.diff.classify import (
    KINDS,
    Change,
    Kind,
    diff_facts,
    positions,
)
from vidu_codegen.tools.diff.facts import Key, facts

_NOWHERE = (-1, 0, 0)


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


VERSION_BUMP = Key(what="api.version major")
"""Where the missing major version bump is reported."""


def _major(version: str) -> int:
    return int(version.split(".", 1)[0])


def version_bump(old: sm.Spec, new: sm.Spec, changes: list[Change]) -> Change | None:
    """A breaking change of its own when ``changes`` break callers but the
    major part of ``api.version`` did not go up."""
    breaking = sum(1 for c in changes if c.kind == "breaking")
    before, after = old.root.api.version, new.root.api.version
    if not breaking or _major(after) > _major(before):
        return None
    count = f"{breaking} breaking change{'s' if breaking != 1 else ''}"
    return Change(
        "breaking",
        VERSION_BUMP,
        before,
        after,
        f"{count} without a major version bump: api.version `{before}` → "
        f"`{after}` (needs {_major(before) + 1}.0.0 or later)",
    )


def diff_specs(old: sm.Spec, new: sm.Spec) -> Report:
    """Compare two checked specs."""
    old_facts, new_facts = facts(old), facts(new)
    changes = diff_facts(old_facts, new_facts)
    order = positions(old_facts, new_facts)
    bump = version_bump(old, new, changes)
    if bump is not None:
        changes.insert(0, bump)
        order[bump.key] = _NOWHERE
    return Report(
        changes=tuple(changes),
        positions=order,
        form_models=_form_models(new, old),
    )


# Markdown --------------------------------------------------------------------

_TITLES = {"breaking": "Breaking", "compatible": "Compatible", "notable": "Notable"}


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
        lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
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
