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


def md_cell(value: object) -> str:
    """``value`` as the text of one Markdown table cell: ``None`` is empty,
    lists are comma-separated, ``|`` cannot end the cell, and the line
    breaks of a block scalar (``|`` or ``>``) are one space each run, none
    at the end."""
    text = listing(value).replace("|", "\\|")
    return _LINE_BREAKS.sub(" ", text.rstrip("\n"))


def pair(values: Iterable[int] | None) -> tuple[int, int] | None:
    """A ``[low, high]`` list of the spec as a tuple (``None`` stays ``None``)."""
    if values is None:
        return None
    low, high = values
    return low, high
