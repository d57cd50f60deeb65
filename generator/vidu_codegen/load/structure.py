"""Step 2: positioned tables to typed spec objects, with cattrs.

Type problems (a string where a number belongs, an unknown key, a missing
key) become findings at the exact place; all of them are collected before the
step gives up, so one run reports every problem.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, override

from vidu_codegen.load import model as sm
from vidu_codegen.load.findings import Finding, Pos
from vidu_codegen.load.yaml import Seq, Table

T = TypeVar("T")

_TYPE_WORDS = {
    str: "a string",
    int: "an integer",
    bool: "true or false",
    float: "a number",
}


class _Reported(Exception):
    """A problem below this point was already recorded as a finding."""


def _describe(value: object) -> str:
    if isinstance(value, Table):
        return "a mapping"
    if isinstance(value, Seq):
        return "a list"
    if value is None:
        return "nothing"
    return repr(value)


class Structurer:
    """Builds spec objects from tables, recording findings as it goes."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=True)
        for scalar in (str, int, bool, float):
            conv.register_structure_hook(scalar, self._scalar_hook(scalar))
        conv.register_structure_hook(sm.Scalar, self._structure_scalar)
        conv.register_structure_hook(sm.Scalar | None, self._structure_scalar)
        conv.register_structure_hook(sm.Condition, self._structure_condition)
        conv.register_structure_hook(sm.Source, self._structure_source)
        conv.register_structure_hook(sm.Source | None, self._structure_source)
        conv.register_structure_hook(sm.SourceItem, self._structure_source_item)
        conv.register_structure_hook(
            sm.TypeName | Seq[sm.TypeName], self._structure_type_names
        )
        conv.register_structure_hook_factory(_is_literal, self._literal_hook)
        conv.register_structure_hook_factory(_is_table, self._table_hook)
        conv.register_structure_hook_factory(_is_seq, self._seq_hook)
        conv.register_structure_hook_factory(_is_node, self._node_hook)
        self.converter = conv

    def build(self, table: Table[Any], cls: type[T]) -> T | None:
        """Structure ``table`` as ``cls``; ``None`` when there were problems."""
        try:
            return self.converter.structure(table, cls)
        except _Reported:
            return None

    # scalars -------------------------------------------------------------

    @staticmethod
    def _scalar_hook(kind: type) -> Callable[[Any, Any], Any]:
        def hook(value: Any, _: Any) -> Any:
            if type(value) is not kind:
                raise TypeError(f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}")
            return value

        return hook

    @staticmethod
    def _structure_scalar(value: Any, _: Any) -> sm.Scalar:
        if type(value) not in (str, int, bool):
            raise TypeError(
                f"expected a string, integer or boolean, got {_describe(value)}"
            )
        return typing.cast(sm.Scalar, value)

    @staticmethod
    def _literal_hook(tp: Any) -> Callable[[Any, Any], Any]:
        allowed = get_args(tp)

        def hook(value: Any, _: Any) -> Any:
            if value not in allowed or type(value) is not type(allowed[0]):
                choices = ", ".join(repr(a) for a in allowed)
                raise ValueError(f"expected one of {choices}, got {_describe(value)}")
            return value

        return hook

    def _structure_type_names(
        self, value: Any, _: Any
    ) -> sm.TypeName | Seq[sm.TypeName]:
        if isinstance(value, Seq):
            return self.converter.structure(value, Seq[sm.TypeName])
        return self.converter.structure(value, sm.TypeName)  # type: ignore[arg-type]

    def _structure_condition(self, value: Any, _: Any) -> sm.Condition:
        if isinstance(value, Table):
            return self.converter.structure(value, _PresentCondition).to_condition()
        values = value if isinstance(value, Seq) else Seq([value])
        return sm.Condition(equals=self.converter.structure(values, Seq[sm.Scalar]))

    def _structure_source(self, value: Any, _: Any) -> sm.Source:
        if isinstance(value, Seq):
            if not value:
                raise ValueError("expected at least one quote, got an empty list")
            return self.converter.structure(value, Seq[sm.SourceItem])
        return self._structure_source_item(value, None)

    def _structure_source_item(self, value: Any, _: Any) -> sm.SourceItem:
        if isinstance(value, Table):
            return self.converter.structure(value, sm.Quote)
        if type(value) is not str:
            raise TypeError(
                f"expected a quote (a string or a mapping with `quote`), "
                f"`decided` or a list of quotes, got {_describe(value)}"
            )
        return str(value)

    # containers ----------------------------------------------------------

    def _each(
        self, entries: Iterable[tuple[Pos, str, Any]], item_type: Any
    ) -> list[Any]:
        """Each ``(position, label, value)`` entry's value as ``item_type``.
        Every entry is tried; each one that fails is recorded at its position
        (its message led by its label), and then :class:`_Reported` raised."""
        out: list[Any] = []
        failed = False
        for pos, label, item in entries:
            try:
                out.append(self.converter.structure(item, item_type))
            except _Reported:
                failed = True
            except (TypeError, ValueError) as exc:
                self._record(pos, f"{label}: {exc}")
                failed = True
        if failed:
            raise _Reported
        return out

    def _table_hook(self, tp: Any) -> Callable[[Any, Any], Any]:
        (item_type,) = get_args(tp) or (Any,)

        def hook(value: Any, _: Any) -> Table[Any]:
            if not isinstance(value, Table):
                raise TypeError(f"expected a mapping, got {_describe(value)}")
            entries = ((value.where(key), key, item) for key, item in value.items())
            values = self._each(entries, item_type)
            out: Table[Any] = Table(zip(value, values, strict=True))
            out.pos, out.key_pos, out.value_pos = (
                value.pos,
                value.key_pos,
                value.value_pos,
            )
            return out

        return hook

    def _seq_hook(self, tp: Any) -> Callable[[Any, Any], Any]:
        (item_type,) = get_args(tp) or (Any,)

        def hook(value: Any, _: Any) -> Seq[Any]:
            if not isinstance(value, Seq):
                raise TypeError(f"expected a list, got {_describe(value)}")
            entries = (
                (value.where(index), f"item {index + 1}", item)
                for index, item in enumerate(value)
            )
            out: Seq[Any] = Seq(self._each(entries, item_type))
            out.pos, out.item_pos = value.pos, value.item_pos
            return out

        return hook

    def _node_hook(self, cls: type[sm.Node]) -> Callable[[Any, Any], Any]:
        renames = {
            a.name: override(rename=a.name.rstrip("_"))
            for a in attrs.fields(cls)
            if a.name.endswith("_")
        }
        base = make_dict_structure_fn(cls, self.converter, **renames)  # type: ignore[arg-type]
        keys = {a.name: a.name.rstrip("_") for a in attrs.fields(cls) if a.init}

        def hook(value: Any, _: Any) -> sm.Node:
            if not isinstance(value, Table):
                raise TypeError(f"expected a mapping, got {_describe(value)}")
            try:
                node = base(value, cls)
            except ClassValidationError as group:
                self._record_group(group, value, keys)
                raise _Reported from None
            except ForbiddenExtraKeysError as exc:
                self._record_extra(exc, value, keys)
                raise _Reported from None
            node.at = value
            return node

        return hook

    # findings ------------------------------------------------------------

    def _record(self, pos: Pos, message: str) -> None:
        self.findings.append(Finding(pos, message))

    def _record_extra(
        self, exc: ForbiddenExtraKeysError, table: Table[Any], keys: dict[str, str]
    ) -> None:
        known = ", ".join(sorted(keys.values()))
        for key in sorted(exc.extra_fields):
            self._record(
                table.where_key(key), f"unknown key {key!r}; known keys: {known}"
            )

    def _record_group(
        self, group: ClassValidationError, table: Table[Any], keys: dict[str, str]
    ) -> None:
        with_notes, without = group.group_exceptions()
        for exc, note in with_notes:
            key = keys.get(note.name, note.name)
            if isinstance(exc, _Reported):
                continue
            if isinstance(exc, KeyError):
                self._record(table.pos, f"missing required key {key!r}")
            else:
                self._record(table.where(key), f"{key}: {exc}")
        for exc in without:
            if isinstance(exc, ForbiddenExtraKeysError):
                self._record_extra(exc, table, keys)
            elif not isinstance(exc, _Reported):
                self._record(table.pos, str(exc))


@attrs.define
class _PresentCondition(sm.Node):
    present: bool

    def to_condition(self) -> sm.Condition:
        return sm.Condition(present=self.present)


def _is_literal(tp: Any) -> bool:
    return get_origin(tp) is Literal


def _is_table(tp: Any) -> bool:
    return tp is Table or get_origin(tp) is Table


def _is_seq(tp: Any) -> bool:
    return tp is Seq or get_origin(tp) is Seq


def _is_node(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, sm.Node)
