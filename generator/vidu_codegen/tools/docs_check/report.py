"""The docs-check result, as Markdown (for a pull request) or JSON.

The page is untrusted text and the report is posted publicly, so its size is
bounded whatever the page: each quoted text is cut at
:data:`MAX_CELL_CHARS` (with an ellipsis; its line range is given), the
Markdown at :data:`MAX_REPORT_CHARS` (a closing line says what was left
out), and each JSON list at :data:`MAX_JSON_ROWS` rows (``left_out`` counts
the rest).
"""

from __future__ import annotations

import json

import attrs

from vidu_codegen.text import md_cell, md_code
from vidu_codegen.tools.docs_check.compare import AddedLine, ChangedQuote
from vidu_codegen.tools.docs_check.coverage import Coverage

MAX_CELL_CHARS = 300
"""Longest text shown of a quote or a page line (more ends in ``…``)."""

MAX_REPORT_CHARS = 60_000
"""Longest Markdown report (a pull-request comment holds 65,536 characters)."""

MAX_JSON_ROWS = 1000
"""Most rows of each list of the JSON report."""


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
                    "old_text": _cut(c.ref.text),
                    "old_lines": list(c.old_lines) if c.old_lines else None,
                    "new_text": _cut(c.new_text) if c.new_text else None,
                    "new_lines": list(c.new_lines) if c.new_lines else None,
                }
                for c in self.changed[:MAX_JSON_ROWS]
            ],
            "added": [
                {"line": a.line, "text": _cut(a.text)}
                for a in self.added[:MAX_JSON_ROWS]
            ],
            "coverage": {
                "counted": self.coverage.counted,
                "covered": self.coverage.covered,
                "percent": round(self.coverage.percent, 1),
                "uncovered": [
                    {"line": n, "text": _cut(t)}
                    for n, t in self.coverage.uncovered[:MAX_JSON_ROWS]
                ],
            },
        }
        left_out = {
            "changed": len(self.changed),
            "added": len(self.added),
            "uncovered": len(self.coverage.uncovered),
        }
        left_out = {
            k: n - MAX_JSON_ROWS for k, n in left_out.items() if n > MAX_JSON_ROWS
        }
        if left_out:
            document["left_out"] = left_out
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def markdown(self) -> str:
        head = [
            f"## Docs check: {md_code(_cut(self.page), cell=False)} against snapshot "
            f"`{self.snapshot}` (`{self.snapshot_file}`)",
            "",
        ]
        if not self.needs_review:
            head.append(
                f"Every quoted place is unchanged ({self.quotes} quotes"
                + (
                    "; the page is identical)."
                    if self.identical
                    else "; whitespace aside)."
                )
            )
        else:
            head.append(
                f"**{_count(len(self.changed), 'spec entry', 'spec entries')} to revisit, "
                f"{_count(len(self.added), 'added line', 'added lines')} to read.** "
                "Revisit each entry, then `docs-check --update` replaces the snapshot."
            )
        cov = self.coverage
        tail = [
            "",
            "### Coverage",
            "",
            f"The spec quotes {cov.covered} of the snapshot's {cov.counted} "
            f"constraint-bearing lines ({cov.percent:.1f}%).",
        ]
        changed = [
            f"| {md_cell(c.ref.owner)} | `{c.ref.pos}` "
            f"| {_quoted(c.ref.text, c.old_lines)} "
            f"| {_quoted(c.new_text, c.new_lines) if c.new_text else '(removed)'} "
            f"| {md_cell(c.problem)} |"
            for c in self.changed
        ]
        added = [f"| {a.line} | {md_cell(_cut(a.text))} |" for a in self.added]
        # The closing line, if rows are left out, is under 200 characters.
        budget = MAX_REPORT_CHARS - 200 - _size(head) - _size(tail)
        lines = head
        shown_changed = shown_added = 0
        if changed:
            table = [
                "",
                "### Quotes gone or changed",
                "",
                "| Spec entry | At | Old text | New text | Why |",
                "| --- | --- | --- | --- | --- |",
            ]
            budget -= _size(table)
            lines += table
            shown_changed = _fill(lines, changed, budget)
            budget -= _size(changed[:shown_changed])
        if added and shown_changed == len(changed):
            table = [
                "",
                "### Added text no quote covers",
                "",
                "| Line | Text |",
                "| --- | --- |",
            ]
            if _size(table) < budget:
                budget -= _size(table)
                lines += table
                shown_added = _fill(lines, added, budget)
        left = []
        if shown_changed < len(changed):
            left.append(
                _count(len(changed) - shown_changed, "changed quote", "changed quotes")
            )
        if shown_added < len(added):
            left.append(_count(len(added) - shown_added, "added line", "added lines"))
        lines += tail
        if left:
            lines += [
                "",
                f"_The report stops at {MAX_REPORT_CHARS} characters: "
                f"{' and '.join(left)} left out (`docs-check --format json` "
                "lists them)._",
            ]
        return "\n".join(lines) + "\n"


def _size(lines: list[str]) -> int:
    """Characters of ``lines`` joined by line breaks, one after each."""
    return sum(len(line) + 1 for line in lines)


def _fill(lines: list[str], rows: list[str], budget: int) -> int:
    """Append the rows of ``rows`` that fit in ``budget`` characters, in
    order; how many were appended."""
    used = 0
    for count, row in enumerate(rows):
        used += len(row) + 1
        if used > budget:
            return count
        lines.append(row)
    return len(rows)


def _cut(text: str) -> str:
    """``text`` (whitespace normalised) of at most :data:`MAX_CELL_CHARS`
    characters, the last an ellipsis when it was longer."""
    words = " ".join(text.split())
    if len(words) <= MAX_CELL_CHARS:
        return words
    return words[: MAX_CELL_CHARS - 1] + "…"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _quoted(text: str | None, where: tuple[int, int] | None) -> str:
    shown = md_cell(_cut(text or ""))
    if where is None:
        return f"“{shown}”"
    first, last = where
    place = f"line {first}" if first == last else f"lines {first}-{last}"
    return f"“{shown}” ({place})"
