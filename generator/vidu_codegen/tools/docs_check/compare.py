"""The snapshot against a new copy of the page.

The two pages are lined up line by line first, then word by word inside the
lines that differ (after whitespace normalisation, so reflowed text is no
change): a line added to the page is one insertion, never words borrowed
from the lines around it. A quote that no longer occurs at its anchor in
the new page is reported with the text now in its place; words the new page
adds, on lines no quote covers, are reported with their line numbers.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

import attrs

from vidu_codegen.load.sources import Page, QuoteRef, Span
from vidu_codegen.tools.docs_check.anchors import Anchored


@attrs.frozen
class ChangedQuote:
    """A quote that is gone or changed in the new page."""

    ref: QuoteRef
    problem: str
    old_lines: tuple[int, int] | None
    new_text: str | None
    new_lines: tuple[int, int] | None


@attrs.frozen
class AddedLine:
    """A line of the new page with words the snapshot does not have."""

    line: int
    text: str


class _Alignment:
    """Word offsets of two pages, and how the words of one map to the other."""

    def __init__(self, old: Page, new: Page) -> None:
        self.old, self.new = old, new
        self.old_words, self.old_at = _words(old.text)
        self.new_words, self.new_at = _words(new.text)
        self.opcodes = _opcodes(old, new, self.old_words, self.new_words)

    def old_word(self, offset: int) -> int:
        """The index of the old word at character ``offset``."""
        return _index(self.old_at, offset)

    def new_span(self, first: int, last: int) -> Span | None:
        """The new page's passage in the place of old words ``first..last``."""
        start = end = None
        for tag, a1, a2, b1, b2 in self.opcodes:
            if a1 == a2:
                continue  # words only the new page has: not in the place of any
            if start is None and a1 <= first < a2:
                start = b1 + (first - a1) if tag == "equal" else b1
            if a1 <= last < a2:
                end = b1 + (last - a1) + 1 if tag == "equal" else b2
                break
        if start is None or end is None or end <= start:
            return None
        return Span(
            self.new_at[start], self.new_at[end - 1] + len(self.new_words[end - 1])
        )

    def inserted(self) -> list[int]:
        """Indices of the new page's words that the old page does not have
        (a word without a letter or digit, such as a bullet, is no text)."""
        return [
            index
            for tag, _, _, b1, b2 in self.opcodes
            if tag in ("insert", "replace")
            for index in range(b1, b2)
            if any(char.isalnum() for char in self.new_words[index])
        ]


_Opcode = tuple[str, int, int, int, int]


def _lines(page: Page) -> tuple[list[str], list[int]]:
    """Each non-blank line of ``page``, normalised, and the index of its first
    word; one more index at the end: the number of words."""
    lines, firsts, count = [], [], 0
    for _, span in page.line_offsets():
        line = page.text[span.start : span.end]
        lines.append(line)
        firsts.append(count)
        count += len(line.split(" "))
    firsts.append(count)
    return lines, firsts


def _opcodes(
    old: Page, new: Page, old_words: list[str], new_words: list[str]
) -> list[_Opcode]:
    """``difflib`` opcodes over the words of two pages: equal lines are equal
    words, and the words of the lines that differ are lined up between them."""
    old_lines, old_first = _lines(old)
    new_lines, new_first = _lines(new)
    by_line = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    opcodes: list[_Opcode] = []
    for tag, i1, i2, j1, j2 in by_line.get_opcodes():
        a1, a2 = old_first[i1], old_first[i2]
        b1, b2 = new_first[j1], new_first[j2]
        if tag == "equal":
            opcodes.append((tag, a1, a2, b1, b2))
            continue
        by_word = difflib.SequenceMatcher(
            None, old_words[a1:a2], new_words[b1:b2], autojunk=False
        )
        opcodes += [
            (sub, a1 + x1, a1 + x2, b1 + y1, b1 + y2)
            for sub, x1, x2, y1, y2 in by_word.get_opcodes()
        ]
    return opcodes


def _words(text: str) -> tuple[list[str], list[int]]:
    words = text.split(" ") if text else []
    offsets, at = [], 0
    for word in words:
        offsets.append(at)
        at += len(word) + 1
    return words, offsets


def _index(offsets: Sequence[int], offset: int) -> int:
    low, high = 0, len(offsets)
    while low + 1 < high:
        middle = (low + high) // 2
        if offsets[middle] <= offset:
            low = middle
        else:
            high = middle
    return low


def changed_quotes(old: Anchored, new: Anchored) -> list[ChangedQuote]:
    """Each quote found in the snapshot but not at its anchor in the new page."""
    alignment = _Alignment(old.page, new.page)
    changed = []
    for (ref, was), (_, now) in zip(old.found, new.found, strict=True):
        if now.span is not None:
            continue
        old_lines = new_text = new_lines = None
        if was.span is not None:
            old_lines = old.page.line_span(was.span)
            first = alignment.old_word(was.span.start)
            last = alignment.old_word(was.span.end - 1)
            span = alignment.new_span(first, last)
            if span is not None:
                new_text = new.page.text[span.start : span.end]
                new_lines = new.page.line_span(span)
        changed.append(
            ChangedQuote(
                ref, now.problem or "not found", old_lines, new_text, new_lines
            )
        )
    return changed


def added_lines(
    old: Anchored, new: Anchored, changed: Sequence[ChangedQuote] = ()
) -> list[AddedLine]:
    """Lines of the new page holding added words that no quote covers (the
    new text of a ``changed`` quote is reported with it, not here)."""
    alignment = _Alignment(old.page, new.page)
    covered = new.spans()
    reported = {
        line
        for c in changed
        if c.new_lines is not None
        for line in range(c.new_lines[0], c.new_lines[1] + 1)
    }
    lines: dict[int, AddedLine] = {}
    for index in alignment.inserted():
        start = alignment.new_at[index]
        if any(s.start <= start < s.end for s in covered):
            continue
        number = new.page.line_at(start)
        if number not in lines and number not in reported:
            lines[number] = AddedLine(number, new.page.lines[number - 1].strip())
    return [lines[n] for n in sorted(lines)]
