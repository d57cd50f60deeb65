"""How much of a snapshot the spec quotes.

A line of the snapshot is *constraint-bearing* when it holds a number, a
model name or an accepted value (a value of an enum, a ``choices`` list or an
alias of the spec), as a whole token. Lines in a section declared with
``counted: false`` (examples, navigation) are left out. The figure is the
share of constraint-bearing lines that some quote of the spec covers.
"""

from __future__ import annotations

import attrs

from vidu_codegen.load import model as sm
from vidu_codegen.load.sources import Page, Span
from vidu_codegen.tools.docs_check.anchors import Anchored


@attrs.frozen
class Coverage:
    """Constraint-bearing lines of a snapshot, and which of them are quoted."""

    counted: int
    covered: int
    uncovered: tuple[tuple[int, str], ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.counted if self.counted else 100.0


def accepted_values(spec: sm.Spec) -> set[str]:
    """Model names and every string value the spec accepts or names."""
    values = set(spec.root.models)
    for enum in spec.root.enums.values():
        values.update(enum.members.values())
    for op in spec.operations:
        for form in op.forms.values():
            fields = list(form.fields.values())
            fields += [f for obj in form.objects.values() for f in obj.fields.values()]
            for field in fields:
                values.update(str(c) for c in field.choices or ())
                values.update((field.aliases or {}).keys())
                for row in field.by_model.values():
                    values.update(str(c) for c in row.choices or ())
    return {v for v in values if v.strip()}


def constraint_bearing(text: str, values: set[str]) -> bool:
    """Whether a line holds a number, a model name or an accepted value."""
    if any(char.isdigit() for char in text):
        return True
    line = Page(text)
    return any(line.find_all(value) for value in values)


def coverage(spec: sm.Spec, snapshot: str, anchored: Anchored) -> Coverage:
    """The share of the snapshot's constraint-bearing lines that quotes cover."""
    values = accepted_values(spec)
    skipped = [
        anchored.sections[name]
        for name, section in spec.root.sources[snapshot].sections.items()
        if not section.counted
    ]
    covered_spans = anchored.spans()
    counted = covered = 0
    uncovered = []
    for number, span in anchored.page.line_offsets():
        if any(isinstance(s, Span) and s.start <= span.start < s.end for s in skipped):
            continue
        text = anchored.page.text[span.start : span.end]
        if not constraint_bearing(text, values):
            continue
        counted += 1
        if any(q.start < span.end and span.start < q.end for q in covered_spans):
            covered += 1
        else:
            uncovered.append((number, text))
    return Coverage(counted, covered, tuple(uncovered))
