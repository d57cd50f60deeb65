"""Step 1: YAML text to plain data that remembers where each piece came from.

Mappings become :class:`Table` (a ``dict`` that knows the position of itself,
of each key and of each value) and sequences become :class:`Seq` (a ``list``
that knows the position of each item). Scalars become plain ``str``, ``int``,
``float``, ``bool`` or ``None``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from vidu_codegen.load.findings import NOWHERE, Finding, Pos

V = TypeVar("V")


class Table(dict[str, V]):
    """A mapping read from YAML, with the positions of its parts."""

    pos: Pos = NOWHERE
    key_pos: dict[str, Pos]
    value_pos: dict[str, Pos]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_pos = {}
        self.value_pos = {}

    def where(self, key: str) -> Pos:
        """Position of ``key``'s value, else of the key, else of the mapping."""
        return self.value_pos.get(key) or self.key_pos.get(key) or self.pos

    def where_key(self, key: str) -> Pos:
        """Position of ``key`` itself, else of the mapping."""
        return self.key_pos.get(key) or self.pos


class Seq(list[V]):
    """A sequence read from YAML, with the positions of its items."""

    pos: Pos = NOWHERE
    item_pos: list[Pos]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_pos = []

    def where(self, index: int) -> Pos:
        """Position of item ``index``, else of the sequence."""
        return self.item_pos[index] if index < len(self.item_pos) else self.pos


def _plain(node: Any, file: str) -> Any:
    if isinstance(node, CommentedMap):
        table: Table[Any] = Table()
        table.pos = Pos(file, node.lc.line + 1, node.lc.col + 1)
        for key, value in node.items():
            name = str(key)
            kline, kcol = node.lc.key(key)
            vline, vcol = node.lc.value(key)
            table.key_pos[name] = Pos(file, kline + 1, kcol + 1)
            table.value_pos[name] = Pos(file, vline + 1, vcol + 1)
            table[name] = _plain(value, file)
        return table
    if isinstance(node, CommentedSeq):
        seq: Seq[Any] = Seq()
        seq.pos = Pos(file, node.lc.line + 1, node.lc.col + 1)
        for index, item in enumerate(node):
            line, col = node.lc.item(index)
            seq.item_pos.append(Pos(file, line + 1, col + 1))
            seq.append(_plain(item, file))
        return seq
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)


def load_yaml(path: Path, display: str) -> tuple[Table[Any] | None, list[Finding]]:
    """Read one YAML file; a problem comes back as a finding, never raised."""
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [Finding(Pos(display, 1, 1), f"cannot read: {exc.strerror}")]
    except UnicodeDecodeError:
        return None, [Finding(Pos(display, 1, 1), "not UTF-8 text")]
    try:
        node = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(display, mark.line + 1, mark.column + 1) if mark else NOWHERE
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        problem = problem.split(" with value ", 1)[0]
        return None, [Finding(pos, f"invalid YAML: {problem}")]
    data = _plain(node, display)
    if not isinstance(data, Table):
        return None, [Finding(Pos(display, 1, 1), "a spec file must be a mapping")]
    return data, []
