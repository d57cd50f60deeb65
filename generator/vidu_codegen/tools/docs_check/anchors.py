"""The spec's quotes of one snapshot, located in a page."""

from __future__ import annotations

import attrs

from vidu_codegen.load import model as sm
from vidu_codegen.load.sources import (
    Located,
    Page,
    QuoteRef,
    Span,
    locate,
    locate_sections,
    quotes,
)


@attrs.frozen
class Anchored:
    """A page, its sections, and where each quote of the spec is in it."""

    page: Page
    sections: dict[str, Span | str]
    found: tuple[tuple[QuoteRef, Located], ...]

    def spans(self) -> list[Span]:
        """The passages some quote covers."""
        return [loc.span for _, loc in self.found if loc.span is not None]


def anchor_all(spec: sm.Spec, snapshot: str, text: str) -> Anchored:
    """Locate every quote of ``spec`` from ``snapshot`` in the page ``text``."""
    page = Page(text)
    sections = locate_sections(page, spec.root.sources[snapshot])
    found = tuple(
        (ref, locate(ref, page, sections))
        for ref in quotes(spec)
        if ref.snapshot == snapshot
    )
    return Anchored(page, sections, found)
