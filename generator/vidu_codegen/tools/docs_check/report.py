"""The docs-check result, as Markdown (for a pull request) or JSON."""

from __future__ import annotations

import json

import attrs

from vidu_codegen.text import md_cell
from vidu_codegen.tools.docs_check.compare import AddedLine, ChangedQuote
from vidu_codegen.tools.docs_check.coverage import Coverage


@attrs.frozen
class Report:
    """What a new copy of a page changed, for the spec's quotes of it."""

    snapshot: str
    snapshot_file: str
    page: str
    quotes: int
    identical: bool
    changed: tuple[ChangedQuote, ...]
    added: tuple[AddedLine, ...]
    coverage: Coverage

    @property
    def needs_review(self) -> bool:
        """Whether a spec entry or added text needs a human's eyes."""
        return bool(self.changed or self.added)

    def as_json(self) -> str:
        document = {
            "snapshot": self.snapshot,
            "snapshot_file": self.snapshot_file,
            "page": self.page,
            "needs_review": self.needs_review,
            "identical": self.identical,
            "quotes": self.quotes,
            "changed": [
                {
                    "entry": c.ref.owner,
                    "at": str(c.ref.pos),
                    "section": c.ref.section,
                    "problem": c.problem,
                    "old_text": c.ref.text,
                    "old_lines": list(c.old_lines) if c.old_lines else None,
                    "new_text": c.new_text,
                    "new_lines": list(c.new_lines) if c.new_lines else None,
                }
                for c in self.changed
            ],
            "added": [{"line": a.line, "text": a.text} for a in self.added],
            "coverage": {
                "counted": self.coverage.counted,
                "covered": self.coverage.covered,
                "percent": round(self.coverage.percent, 1),
                "uncovered": [
                    {"line": n, "text": t} for n, t in self.coverage.uncovered
                ],
            },
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def markdown(self) -> str:
        lines = [
            f"## Docs check: `{self.page}` against snapshot `{self.snapshot}` "
            f"(`{self.snapshot_file}`)",
            "",
        ]
        if not self.needs_review:
            lines.append(
                f"Every quoted place is unchanged ({self.quotes} quotes"
                + (
                    "; the page is identical)."
                    if self.identical
                    else "; whitespace aside)."
                )
            )
        else:
            lines.append(
                f"**{_count(len(self.changed), 'spec entry', 'spec entries')} to revisit, "
                f"{_count(len(self.added), 'added line', 'added lines')} to read.** "
                "Revisit each entry, then `docs-check --update` replaces the snapshot."
            )
        if self.changed:
            lines += [
                "",
                "### Quotes gone or changed",
                "",
                "| Spec entry | At | Old text | New text | Why |",
                "| --- | --- | --- | --- | --- |",
            ]
            for c in self.changed:
                lines.append(
                    f"| {md_cell(c.ref.owner)} | `{c.ref.pos}` "
                    f"| {_quoted(c.ref.text, c.old_lines)} "
                    f"| {_quoted(c.new_text, c.new_lines) if c.new_text else '(removed)'} "
                    f"| {md_cell(c.problem)} |"
                )
        if self.added:
            lines += [
                "",
                "### Added text no quote covers",
                "",
                "| Line | Text |",
                "| --- | --- |",
            ]
            lines += [f"| {a.line} | {md_cell(a.text)} |" for a in self.added]
        cov = self.coverage
        lines += [
            "",
            "### Coverage",
            "",
            f"The spec quotes {cov.covered} of the snapshot's {cov.counted} "
            f"constraint-bearing lines ({cov.percent:.1f}%).",
        ]
        return "\n".join(lines) + "\n"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _quoted(text: str | None, where: tuple[int, int] | None) -> str:
    shown = md_cell(" ".join((text or "").split()))
    if where is None:
        return f"“{shown}”"
    first, last = where
    place = f"line {first}" if first == last else f"lines {first}-{last}"
    return f"“{shown}” ({place})"
