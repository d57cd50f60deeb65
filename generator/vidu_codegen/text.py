"""How spec values are spelt in text: one spelling for every output.

``REFERENCE.md``, the ``diff`` report, the OpenAPI descriptions and the
docstrings of the generated package all spell a value the way the spec
does (``true``, not ``True``) and put it in a Markdown table cell the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable


def spell(value: object) -> str:
    """A scalar as the spec spells it: booleans ``true``/``false``, else ``str``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def listing(value: object) -> str:
    """``value`` as text: ``None`` is empty, collections are comma-separated
    (sets sorted), scalars as :func:`spell` spells them."""
    if value is None:
        return ""
    if isinstance(value, frozenset | set):
        value = sorted(value, key=str)
    if isinstance(value, tuple | list):
        return ", ".join(listing(v) for v in value)
    return spell(value)


_LINE_BREAKS = re.compile(r"[ \t]*\n\s*")

_CODE_SPAN = re.compile(r"(?<![`\\])(`+)(?!`)(.+?)(?<!`)\1(?!`)")
"""A Markdown code span: a run of backticks, text, the same run again (not
after a backslash, which would make the first backtick text)."""

_PLAIN = {"|": "\\|", "<": "&lt;", ">": "&gt;"}
"""What spec text outside a code span cannot hold as is: ``|`` would end a
table cell, ``<`` and ``>`` could start raw HTML (or an autolink)."""

_ESCAPABLE = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
"""ASCII punctuation, which a backslash before it escapes."""

_LEADING = re.compile(r"(?:#{1,6}|[-+*_=]|\d{1,9}[.)])(?=\s|$)|[-_*=]{3,}|`{3,}|~{3,}")
"""Text at the start of a line that Markdown reads as a block: a heading, a
list item, a thematic break or setext underline, a fenced code block."""


def _plain(text: str) -> str:
    out = []
    for i, char in enumerate(text):
        if char == "\\" and text[i + 1 : i + 2] in _ESCAPABLE:
            out.append("\\\\")
        else:
            out.append(_PLAIN.get(char, char))
    return "".join(out)


def _markdown(value: object, *, cell: bool) -> str:
    text = _LINE_BREAKS.sub(" ", listing(value).strip())
    out, start = [], 0
    for span in _CODE_SPAN.finditer(text):
        out.append(_plain(text[start : span.start()]))
        code = span.group(0)
        out.append(code.replace("|", "\\|") if cell else code)
        start = span.end()
    out.append(_plain(text[start:]))
    escaped = "".join(out)
    lead = _LEADING.match(escaped)
    if lead is None:
        return escaped
    if lead.group(0)[-1] in ".)":
        return escaped[: lead.end() - 1] + "\\" + escaped[lead.end() - 1 :]
    return "\\" + escaped


def md_cell(value: object) -> str:
    """``value`` as the text of one Markdown table cell: ``None`` is empty,
    lists are comma-separated, and whatever the text holds it stays in its
    cell as text: its line breaks (a block scalar's ``|`` or ``>``, blank
    lines too) are one space each run, none at the ends; ``|`` is escaped
    (in its code spans too), ``<`` and ``>`` become entities outside code
    spans (no raw HTML), a backslash that would escape the next character
    is doubled, and Markdown syntax at its start (``#``, ``-``, ``1.``...)
    is escaped."""
    return _markdown(value, cell=True)


def md_text(value: object) -> str:
    """``value`` as text inside a Markdown paragraph or list item, escaped as
    :func:`md_cell` escapes a cell (its line breaks one space, so it can
    never start a heading, list or block of its own), except that ``|`` in
    a code span is left as is (outside a table, a backslash there shows)."""
    return _markdown(value, cell=False)


def md_code(value: object, *, cell: bool = True) -> str:
    """``value`` as one Markdown code span: fenced by more backticks than any
    run in it (padded with spaces when it starts or ends with one), its line
    breaks one space, and ``|`` escaped when the span is in a table ``cell``."""
    text = _LINE_BREAKS.sub(" ", listing(value).strip())
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    if text.startswith("`") or text.endswith("`"):
        text = f" {text} "
    if cell:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def pair(values: Iterable[int] | None) -> tuple[int, int] | None:
    """A ``[low, high]`` list of the spec as a tuple (``None`` stays ``None``)."""
    if values is None:
        return None
    low, high = values
    return low, high
