"""Provenance: the spec's ``source:`` quotes, and where they are in a snapshot.

A spec that declares ``sources:`` (snapshots of the vendor's pages, kept in
the spec directory) says where each value came from: a ``source:`` beside
the value holds one short verbatim quote, a list of them, or ``decided``
(no text to quote; the ``note:`` beside it says why). A quote is anchored to
its place: a section of a snapshot (the quote's own ``section``, else the
``source_section`` of the enclosing form, object or response) and, where the
same words occur more than once there, an ``occurrence``.

Text is compared after whitespace normalisation (every run of blanks and line
breaks is one space), so a reflowed page still matches. A quote matches only
whole tokens: ``option: 5`` does not match inside ``option: 5-8``.

This module is shared by ``lint`` (:func:`check_sources`), ``docs-check``
(which locates the same quotes in a new copy of the page), the semantic
diff and ``REFERENCE.md`` (:func:`provenance`).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import attrs

from vidu_codegen.load import model as sm
from vidu_codegen.load.files import NotRegularFile, read_regular
from vidu_codegen.load.findings import Finding, Pos
from vidu_codegen.load.yaml import Seq, Table

DECIDED = "decided"
"""The ``source:`` of a value the spec decided without text to quote."""

MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024
"""Largest snapshot (or new page) read, in bytes."""

MAX_SNAPSHOTS = 16
"""Most snapshots a spec declares in ``sources:``."""

MAX_SNAPSHOTS_BYTES = 16 * 1024 * 1024
"""Most bytes of all the snapshots together."""

MAX_QUOTE_CHARS = 1000
"""Longest quote: a quote names a passage, it does not copy the page."""

_JOINERS = frozenset("-./:")
"""Characters that join two tokens into one (``5-8``, ``2.0``, ``16:9``)."""

_ASSET_KEYS = (
    "formats",
    "min_width",
    "min_height",
    "aspect_ratio",
    "max_file_bytes",
    "extra_prefixes",
)
"""The keys of an asset that take a ``source:`` (``source: {key: quote}``)."""


def _word(char: str) -> bool:
    """Whether ``char`` is part of a word: a letter, a digit or ``_``
    (``auto`` is no token of ``auto_subjects``)."""
    return char.isalnum() or char == "_"


def normalise(text: str) -> str:
    """``text`` with every run of whitespace as one space, trimmed."""
    return " ".join(text.split())


# pages -----------------------------------------------------------------------


@attrs.frozen
class Span:
    """A passage of a page: offsets into its normalised text, end exclusive."""

    start: int
    end: int


class Page:
    """A page's text, normalised, remembering the line each character is on."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        parts: list[str] = []
        self._starts: list[int] = []
        self._numbers: list[int] = []
        size = 0
        for number, line in enumerate(self.lines, start=1):
            words = normalise(line)
            if not words:
                continue
            if parts:
                size += 1
            self._starts.append(size)
            self._numbers.append(number)
            parts.append(words)
            size += len(words)
        self.text = " ".join(parts)

    def line_at(self, offset: int) -> int:
        """The 1-based line number of the character at ``offset``."""
        if not self._starts:
            return 1
        index = bisect.bisect_right(self._starts, offset) - 1
        return self._numbers[max(index, 0)]

    def line_span(self, span: Span) -> tuple[int, int]:
        """First and last line the passage is on."""
        return self.line_at(span.start), self.line_at(max(span.start, span.end - 1))

    def line_offsets(self) -> Iterator[tuple[int, Span]]:
        """Each non-blank line's number and its passage of the normalised text."""
        for index, start in enumerate(self._starts):
            end = (
                self._starts[index + 1] - 1
                if index + 1 < len(self._starts)
                else len(self.text)
            )
            yield self._numbers[index], Span(start, end)

    def _joined(self, before: int, after: int) -> bool:
        """Whether the characters at ``before`` and ``after`` belong to one token."""
        text = self.text
        if before < 0 or after >= len(text):
            return False
        first, second = text[before], text[after]
        if _word(first) and _word(second):
            return True
        if second in _JOINERS and after + 1 < len(text):
            return _word(first) and _word(text[after + 1])
        if first in _JOINERS and before > 0:
            return _word(text[before - 1]) and _word(second)
        return False

    def find_all(self, quote: str, within: Span | None = None) -> list[Span]:
        """Every place the normalised ``quote`` occurs as whole tokens."""
        words = normalise(quote)
        if not words:
            return []
        region = within or Span(0, len(self.text))
        found = []
        at = self.text.find(words, region.start, region.end)
        while at != -1:
            end = at + len(words)
            if not self._joined(at - 1, at) and not self._joined(end - 1, end):
                found.append(Span(at, end))
            at = self.text.find(words, at + 1, region.end)
        return found


def locate_sections(page: Page, snapshot: sm.Snapshot) -> dict[str, Span | str]:
    """Each section's passage of ``page``, or why it cannot be found.

    Sections are declared in page order: each starts at the first match of its
    ``starts`` after the previous section's start, and ends where the next
    found section starts.
    """
    starts: list[tuple[str, int | str]] = []
    after = 0
    for name, section in snapshot.sections.items():
        found = page.find_all(section.starts, Span(after, len(page.text)))
        if found:
            after = found[0].start
            starts.append((name, after))
        else:
            starts.append((name, f"section {name!r} not found: no {section.starts!r}"))
    result: dict[str, Span | str] = {}
    for index, (name, start) in enumerate(starts):
        if isinstance(start, str):
            result[name] = start
            continue
        later = [s for _, s in starts[index + 1 :] if isinstance(s, int)]
        result[name] = Span(start, later[0] if later else len(page.text))
    return result


# quotes in the spec ------------------------------------------------------------


@attrs.frozen
class QuoteRef:
    """One quote of the spec: its words, its anchor, and where it is written."""

    text: str
    pos: Pos
    owner: str
    snapshot: str
    section: str | None
    occurrence: int | None


@attrs.frozen
class Sourced:
    """A spec value that carries (or must carry) a ``source:``."""

    group: str
    what: str
    source: sm.Source | None
    note: str | None
    pos: Pos
    snapshot: str | None
    section: str | None
    required: bool = True
    label: str = ""
    """How ``REFERENCE.md`` names the value (Markdown); ``what`` if empty."""


def _sourced(
    group: str,
    what: str,
    node: sm.Node,
    source: sm.Source | None,
    note: str | None = None,
    section: str | None = None,
    *,
    default: str | None,
    required: bool = True,
    label: str = "",
) -> Sourced:
    """The value ``node`` of the spec, placed at its ``source:`` when it has
    one, else at itself; ``default`` is the spec's first snapshot."""
    pos = node.at.where("source") if source is not None else node.at.pos
    return Sourced(group, what, source, note, pos, default, section, required, label)


def _walk(spec: sm.Spec) -> Iterator[Sourced]:
    """Every value of ``spec`` that takes a ``source:``, in the spec's order."""
    root = spec.root
    default = next(iter(root.sources), None)
    item = functools.partial(_sourced, default=default)
    for name, info in root.models.items():
        yield item(
            "models", name, info, info.source, required=False, label=f"model {name}"
        )
    for name, enum in root.enums.items():
        yield item(
            "enums", name, enum, enum.source, required=False, label=f"enum {name}"
        )
    for name, asset in root.assets.items():
        keyed = asset.source or Table()
        for key in _ASSET_KEYS:
            if not _has_value(asset, key):
                continue
            pos = keyed.where(key) if key in keyed else asset.at.where_key(key)
            yield Sourced(
                "assets",
                f"{name} {key}",
                keyed.get(key),
                asset.note,
                pos,
                default,
                None,
                label=f"{name} `{key}`",
            )
    if root.errors is not None:
        for code, row in root.errors.codes.items():
            yield item(
                "errors", code, row, row.source, row.note, label=f"error `{code}`"
            )
    for op in spec.operations:
        endpoint = op.operation
        op_id = endpoint.id
        yield item(
            f"{op_id}/operation",
            "operation",
            endpoint,
            endpoint.source,
            endpoint.note,
            label=f"`{endpoint.method} {endpoint.path}`",
        )
        for name, param in endpoint.query.items():
            yield item(
                f"{op_id}/operation",
                f"query {name}",
                param,
                param.source,
                param.note,
                label=f"query `{name}`",
            )
        for form_name, form in op.forms.items():
            group = f"{op_id}/{form_name}"
            section = form.source_section
            if form.models:
                yield item(
                    group, "models", form, form.source, None, section, label="models"
                )
            if form.body is not None:
                body = form.body
                yield item(
                    group,
                    "body max_bytes",
                    body,
                    body.source,
                    body.note,
                    section,
                    label="body `max_bytes`",
                )
            yield from _fields(group, "", form.fields, default, section)
            yield from _rules(group, "", form.rules, default, section)
            for obj_name, obj in form.objects.items():
                inner = obj.source_section or section
                yield from _fields(group, f"{obj_name}.", obj.fields, default, inner)
                yield from _rules(group, f"{obj_name}.", obj.rules, default, inner)
        for name, response in op.responses.items():
            group = f"{op_id}/{name}"
            section = response.source_section
            for field_name, field in response.fields.items():
                yield item(
                    group,
                    field_name,
                    field,
                    field.source,
                    field.note,
                    section,
                    required=False,
                    label=f"`{field_name}`",
                )


def _has_value(asset: sm.AssetDef, key: str) -> bool:
    """Whether the asset gives ``key`` (an empty ``extra_prefixes`` gives none)."""
    value = getattr(asset, key)
    return value is not None and (key != "extra_prefixes" or bool(value))


def _fields(
    group: str,
    prefix: str,
    fields: Table[sm.Field],
    default: str | None,
    section: str | None,
) -> Iterator[Sourced]:
    for name, field in fields.items():
        what, label = f"{prefix}{name}", f"`{prefix}{name}`"
        yield from _with_rows(group, what, label, field, default, section)


def _rules(
    group: str,
    prefix: str,
    rules: Seq[sm.Rule],
    default: str | None,
    section: str | None,
) -> Iterator[Sourced]:
    for rule in rules:
        models = f" ({', '.join(rule.models)})" if rule.models else ""
        what = f"rule {prefix}{rule.id}{models}"
        label = f"rule `{prefix}{rule.id}`{models}"
        yield from _with_rows(group, what, label, rule, default, section)


def _with_rows(
    group: str,
    what: str,
    label: str,
    node: sm.Field | sm.Rule,
    default: str | None,
    section: str | None,
) -> Iterator[Sourced]:
    """The field or rule ``node``, then each of its ``by_model`` rows."""
    yield _sourced(
        group, what, node, node.source, node.note, section, default=default, label=label
    )
    for model, row in node.by_model.items():
        yield _sourced(
            group,
            f"{what} {model}",
            row,
            row.source,
            row.note,
            section,
            default=default,
            label=f"{label} {model}",
        )


def quote_items(sourced: Sourced) -> list[tuple[sm.SourceItem, Pos]]:
    """The quotes of one ``source:`` with their positions (``decided`` excluded)."""
    source = sourced.source
    if source is None or source == DECIDED:
        return []
    if isinstance(source, Seq):
        return [
            (
                value,
                value.at.where("quote")
                if isinstance(value, sm.Quote)
                else source.where(i),
            )
            for i, value in enumerate(source)
        ]
    if isinstance(source, sm.Quote):
        return [(source, source.at.where("quote"))]
    return [(source, sourced.pos)]


def quotes(spec: sm.Spec) -> list[QuoteRef]:
    """Every quote of the spec, anchored: its snapshot and section resolved."""
    found = []
    for sourced in _walk(spec):
        for value, pos in quote_items(sourced):
            found.append(_anchor(spec, sourced, value, pos))
    return found


def _anchor(
    spec: sm.Spec, sourced: Sourced, value: sm.SourceItem, pos: Pos
) -> QuoteRef:
    owner = f"{sourced.group} {sourced.what}"
    if isinstance(value, str):
        snapshot = _snapshot_of(spec, sourced.section) or sourced.snapshot or ""
        return QuoteRef(value, pos, owner, snapshot, sourced.section, None)
    if value.snapshot is not None:
        section = value.section
        snapshot = value.snapshot
    else:
        section = value.section or sourced.section
        snapshot = _snapshot_of(spec, section) or sourced.snapshot or ""
    return QuoteRef(value.quote, pos, owner, snapshot, section, value.occurrence)


def _snapshot_of(spec: sm.Spec, section: str | None) -> str | None:
    """The snapshot that declares ``section`` (section names are unique)."""
    if section is None:
        return None
    for name, snapshot in spec.root.sources.items():
        if section in snapshot.sections:
            return name
    return None


# locating a quote ----------------------------------------------------------------


@attrs.frozen
class Located:
    """Where a quote is in a page, or why it is not (``problem``)."""

    span: Span | None
    problem: str | None = None
    region: Span | None = None


def locate(ref: QuoteRef, page: Page, sections: dict[str, Span | str]) -> Located:
    """Find ``ref`` at its anchor in ``page`` (whose sections are ``sections``)."""
    region: Span | None = None
    where = "the page"
    if ref.section is not None:
        found_section = sections.get(ref.section)
        if found_section is None:
            return Located(
                None, f"no section {ref.section!r} in snapshot {ref.snapshot!r}"
            )
        if isinstance(found_section, str):
            return Located(None, found_section)
        region = found_section
        where = f"section {ref.section!r}"
    found = page.find_all(ref.text, region)
    if ref.occurrence is not None:
        if ref.occurrence < 1 or ref.occurrence > len(found):
            return Located(
                None,
                f"occurrence {ref.occurrence} of the quote is not in {where} "
                f"(it occurs {len(found)} time{'s' if len(found) != 1 else ''})",
                region,
            )
        return Located(found[ref.occurrence - 1], region=region)
    if not found:
        return Located(None, f"the quote does not occur in {where}", region)
    if len(found) > 1:
        return Located(
            None,
            f"the quote occurs {len(found)} times in {where}: give `occurrence:` "
            f"(1 to {len(found)}) or quote more words",
            region,
        )
    return Located(found[0], region=region)


# snapshots on disk -----------------------------------------------------------


@attrs.frozen
class Unreadable:
    """Why a page could not be read."""

    message: str


def read_page(
    path: Path,
    *,
    root: Path | None = None,
    name: str | None = None,
) -> str | Unreadable:
    """The text of a page (a snapshot or a new copy), bounded in size: a
    regular file, not a symbolic link (with ``root``, no directory between
    it and the page is one either); ``name`` is how messages call it."""
    shown = name or str(path)
    try:
        raw = read_regular(path, MAX_SNAPSHOT_BYTES, root=root)
    except NotRegularFile as exc:
        return Unreadable(exc.message(shown))
    except OSError as exc:
        return Unreadable(f"cannot read {shown}: {exc.strerror}")
    if len(raw) > MAX_SNAPSHOT_BYTES:
        return Unreadable(
            f"{shown} is larger than {MAX_SNAPSHOT_BYTES} bytes (the limit of a page)"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return Unreadable(f"{shown} is not UTF-8 text")


def snapshot_path(spec_dir: Path, snapshot: sm.Snapshot) -> Path | Unreadable:
    """The snapshot's file: a relative path that stays inside the spec directory."""
    relative = PurePosixPath(snapshot.file)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        return Unreadable(
            f"file {snapshot.file!r} must be a path inside the spec directory "
            "(relative, without `..`)"
        )
    return spec_dir / Path(*relative.parts)


@attrs.frozen
class Snapshots:
    """The spec's snapshots, read and split into sections."""

    pages: dict[str, Page]
    sections: dict[str, dict[str, Span | str]]


def load_snapshots(spec: sm.Spec, spec_dir: Path) -> tuple[Snapshots, list[Finding]]:
    """Read every snapshot the spec declares (each file once, at most
    :data:`MAX_SNAPSHOTS` of them, :data:`MAX_SNAPSHOTS_BYTES` together);
    problems are findings."""
    pages: dict[str, Page] = {}
    sections: dict[str, dict[str, Span | str]] = {}
    findings: list[Finding] = []
    read: dict[Path, Page | None] = {}
    total = 0
    for index, (name, snapshot) in enumerate(spec.root.sources.items()):
        if index == MAX_SNAPSHOTS:
            findings.append(
                Finding(
                    spec.root.sources.where_key(name),
                    f"more than {MAX_SNAPSHOTS} snapshots in `sources:` (the limit "
                    "of snapshots a spec reads; quote fewer pages, or raise "
                    "MAX_SNAPSHOTS in vidu_codegen/load/sources.py)",
                )
            )
            break
        path = snapshot_path(spec_dir, snapshot)
        if isinstance(path, Unreadable):
            findings.append(Finding(snapshot.at.where("file"), path.message))
            continue
        if path not in read:
            text = read_page(path, root=spec_dir, name=f"file {snapshot.file!r}")
            if isinstance(text, Unreadable):
                findings.append(Finding(snapshot.at.where("file"), text.message))
                read[path] = None
                continue
            total += len(text.encode("utf-8"))
            if total > MAX_SNAPSHOTS_BYTES:
                findings.append(
                    Finding(
                        snapshot.at.where("file"),
                        f"file {snapshot.file!r} brings the snapshots to more than "
                        f"{MAX_SNAPSHOTS_BYTES} bytes (the limit of all snapshots "
                        "together; quote smaller pages, or raise MAX_SNAPSHOTS_BYTES "
                        "in vidu_codegen/load/sources.py)",
                    )
                )
                break
            read[path] = Page(text)
        page = read[path]
        if page is None:
            continue  # reported at the first snapshot of this file
        pages[name] = page
        sections[name] = locate_sections(page, snapshot)
        for section_name, found in sections[name].items():
            if isinstance(found, str):
                where = snapshot.sections[section_name].at.where("starts")
                findings.append(Finding(where, found))
    return Snapshots(pages, sections), findings


# lint --------------------------------------------------------------------------


def check_sources(spec: sm.Spec, spec_dir: Path) -> list[Finding]:
    """Every problem with the spec's provenance.

    Only a spec that declares ``sources:`` needs them: then every value that
    takes a ``source:`` has one, ``decided`` comes with a ``note:``, and each
    quote occurs, once, at its anchor in its snapshot.
    """
    root = spec.root
    if not root.sources:
        return _undeclared(spec)
    snapshots, findings = load_snapshots(spec, spec_dir)
    section_names: dict[str, str] = {}
    for name, snapshot in root.sources.items():
        for section in snapshot.sections:
            if section in section_names:
                findings.append(
                    Finding(
                        snapshot.sections.where_key(section),
                        f"section {section!r} is declared twice "
                        f"(also in snapshot {section_names[section]!r})",
                    )
                )
            section_names[section] = name
    findings += _check_section_keys(spec, section_names)
    findings += _check_asset_keys(spec)
    for sourced in _walk(spec):
        if sourced.source is None:
            if sourced.required:
                findings.append(
                    Finding(
                        sourced.pos,
                        f"{sourced.what}: no `source:`; quote the page it comes from, "
                        "or write `source: decided` with a `note:` saying why",
                    )
                )
            continue
        if sourced.source == DECIDED and not sourced.note:
            findings.append(
                Finding(
                    sourced.pos, f"{sourced.what}: `source: decided` needs a `note:`"
                )
            )
        for value, pos in quote_items(sourced):
            findings += _check_quote(
                spec, sourced, value, pos, snapshots, section_names
            )
    return findings


def _undeclared(spec: sm.Spec) -> list[Finding]:
    """A spec without ``sources:`` may not quote: there is nothing to check against."""
    for sourced in _walk(spec):
        if sourced.source is not None and sourced.source != DECIDED:
            return [
                Finding(
                    sourced.pos,
                    "a quote needs a snapshot: declare the page in `sources:` of api.yaml",
                )
            ]
    return []


def _check_section_keys(spec: sm.Spec, section_names: dict[str, str]) -> list[Finding]:
    findings = []
    holders: list[sm.Node] = []
    for op in spec.operations:
        for form in op.forms.values():
            holders.append(form)
            holders.extend(form.objects.values())
        holders.extend(op.responses.values())
    for node in holders:
        section = getattr(node, "source_section", None)
        if section is not None and section not in section_names:
            findings.append(
                Finding(
                    node.at.where("source_section"),
                    f"no section {section!r} in `sources:`; "
                    f"known: {', '.join(section_names) or 'none'}",
                )
            )
    return findings


def _check_asset_keys(spec: sm.Spec) -> list[Finding]:
    """An asset's ``source:`` names only keys the asset gives."""
    findings = []
    for name, asset in spec.root.assets.items():
        for key in asset.source or ():
            if key in _ASSET_KEYS and _has_value(asset, key):
                continue
            given = ", ".join(k for k in _ASSET_KEYS if _has_value(asset, k))
            findings.append(
                Finding(
                    (asset.source or Table()).where_key(key),
                    f"asset {name!r} gives no {key!r} to quote a source for; "
                    f"its sourced keys: {given}",
                )
            )
    return findings


def _check_quote(
    spec: sm.Spec,
    sourced: Sourced,
    value: sm.SourceItem,
    pos: Pos,
    snapshots: Snapshots,
    section_names: dict[str, str],
) -> list[Finding]:
    ref = _anchor(spec, sourced, value, pos)
    if isinstance(value, sm.Quote):
        if value.snapshot is not None and value.snapshot not in spec.root.sources:
            known = ", ".join(spec.root.sources)
            return [
                Finding(
                    value.at.where("snapshot"),
                    f"no snapshot {value.snapshot!r} in `sources:`; known: {known}",
                )
            ]
        if value.section is not None and value.section not in section_names:
            return [
                Finding(
                    value.at.where("section"),
                    f"no section {value.section!r} in `sources:`",
                )
            ]
        if (
            value.snapshot is not None
            and value.section is not None
            and section_names[value.section] != value.snapshot
        ):
            return [
                Finding(
                    value.at.where("section"),
                    f"section {value.section!r} is in snapshot "
                    f"{section_names[value.section]!r}, not {value.snapshot!r}",
                )
            ]
    if ref.section is not None and ref.section not in section_names:
        return []  # reported at the unknown section
    if not normalise(ref.text):
        return [Finding(pos, "an empty quote")]
    if len(ref.text) > MAX_QUOTE_CHARS:
        return [Finding(pos, f"a quote longer than {MAX_QUOTE_CHARS} characters")]
    page = snapshots.pages.get(ref.snapshot)
    if page is None:
        return []
    located = locate(ref, page, snapshots.sections[ref.snapshot])
    if located.problem is not None:
        return [
            Finding(pos, f"{located.problem} (snapshot {ref.snapshot!r}): {ref.text!r}")
        ]
    return []


def quoted(source: object) -> object:
    """A ``source:`` as compared by ``diff``: ``decided``, or its quotes'
    words (whitespace normalised), anchors included; ``None`` stays ``None``."""
    if source is None or isinstance(source, str):
        return normalise(source) if isinstance(source, str) else None
    items = source if isinstance(source, Seq) else [source]
    shown = []
    for item in items:
        if isinstance(item, sm.Quote):
            anchor = [
                f"{k} {v}"
                for k, v in (
                    ("in", item.snapshot),
                    ("section", item.section),
                    ("occurrence", item.occurrence),
                )
                if v is not None
            ]
            shown.append(
                normalise(item.quote) + (f" ({', '.join(anchor)})" if anchor else "")
            )
        else:
            shown.append(normalise(str(item)))
    return tuple(shown) if isinstance(source, Seq) else shown[0]


# REFERENCE.md ------------------------------------------------------------------


@attrs.frozen
class SourceRow:
    """One value's provenance as ``REFERENCE.md`` prints it: its quotes (with
    the reading taken of them, if noted), or ``decided`` and why."""

    what: str
    quotes: tuple[str, ...]
    decided: str | None
    reading: str | None = None

    @property
    def text(self) -> str:
        if self.decided is not None:
            return f"decided: {self.decided}"
        shown = "; ".join(self.quotes)
        return f"{shown}; reading: {self.reading}" if self.reading else shown


def provenance(spec: sm.Spec) -> dict[str, tuple[SourceRow, ...]]:
    """Each value's source, grouped: ``models``, ``enums``, ``assets``,
    ``errors``, and ``<operation id>/<form or response>``, and
    ``<operation id>/operation`` (its method and path, and query parameters)."""
    groups: dict[str, list[SourceRow]] = {}
    for sourced in _walk(spec):
        if sourced.source is None:
            continue
        decided = (sourced.note or "") if sourced.source == DECIDED else None
        shown = tuple(
            _shown(_anchor(spec, sourced, value, pos))
            for value, pos in quote_items(sourced)
        )
        reading = sourced.note if decided is None else None
        row = SourceRow(sourced.label or sourced.what, shown, decided, reading)
        groups.setdefault(sourced.group, []).append(row)
    return {group: tuple(rows) for group, rows in groups.items()}


def _shown(ref: QuoteRef) -> str:
    place = ref.section or ref.snapshot
    if ref.occurrence is not None:
        place += f", occurrence {ref.occurrence}"
    return f"“{normalise(ref.text)}” ({place})"
