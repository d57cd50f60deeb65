"""Problems found in a spec, as values: positioned, with a severity."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import attrs


@attrs.frozen(order=True)
class Pos:
    """A place in a spec file: 1-based line and column."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


NOWHERE = Pos("<spec>", 0, 0)


@attrs.frozen(order=True)
class Finding:
    """One problem, at one place."""

    pos: Pos
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        """One line: ``file:line:col: message``, whatever text the message
        quotes from the spec (line breaks and other controls are escaped)."""
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.pos}: {prefix}{_one_line(self.message)}"


def _one_line(text: str) -> str:
    """``text`` with every character that is not printable escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class SpecError(Exception):
    """The spec has errors; ``findings`` lists every one, sorted by place."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = sorted(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it lies below it, for messages."""
    try:
        named = path.parent.resolve() / path.name  # a link by its name, not its target
        return named.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
