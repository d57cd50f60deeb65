"""Reading and checking a batch manifest: JSON Lines, one job per line.

A line is either a request body as it would be sent::

    {"model": "viduq1", "images": ["https://example.com/a.png"], "prompt": "A bear waves."}

or a job with a key and a file name around it::

    {"key": "bear-1", "file": "bear-1.mp4", "request": {"model": "viduq1", ...}}

``key`` (default ``line-<number>``) names the job in the ledger, the log and
the report; it must be unique in the manifest. ``file`` (default the key
with every character but letters, digits, ``-``, ``_`` and ``.`` made
``_``, and ``.mp4``) is where the video is saved in the output folder; it is
a plain file name, unique too. An object with a
``request`` member is read as the second form; blank lines are skipped.

Every line is checked before anything is sent: that it is a JSON object of
one of the two forms, the request body against the spec's rules
(``validate_payload``, so either request form is accepted and every field
path is named), and that the payload still fits its length limit once the
job's marker is put in front of it. :func:`check_manifest` reports every
problem of every line, each with its line number.
"""

from __future__ import annotations

import difflib
import errno
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from ..client import safe_file_name
from ..errors import BaseError
from ..tables import ApiTables, Operation
from ..violations import Severity, Violation
from . import marker

__all__ = [
    "DEFAULT_MAX_JOBS",
    "DEFAULT_MAX_MANIFEST_BYTES",
    "RESERVED_PREFIX",
    "Checked",
    "Job",
    "ManifestError",
    "ManifestNotFound",
    "Problem",
    "Rules",
    "check_manifest",
    "file_name_problem",
    "job_digest",
]

DEFAULT_MAX_JOBS = 100_000
"""How many lines (jobs and blank lines) a manifest may hold unless told
otherwise."""

DEFAULT_MAX_MANIFEST_BYTES = 4 << 30
"""How many bytes a manifest may hold unless told otherwise (4 GiB)."""

RESERVED_PREFIX = "batch-"
"""File names starting with this are the runner's own (ledger, report)."""

_MAX_KEY_LENGTH = 200
_FALLBACK_LINE_BYTES = 64 << 20
_LINE_OVERHEAD = 64 << 10
"""Room for the key, the file name and the JSON around a request body."""
_SKIP_CHUNK = 1 << 20
_WRAPPER_FIELDS = frozenset({"key", "file", "request"})
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]")


class ManifestError(BaseError, ValueError):
    """The manifest cannot be used; the message says where and why."""


class ManifestNotFound(ManifestError, FileNotFoundError):
    """The manifest does not exist (a :class:`FileNotFoundError` too)."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.filename = path
        self.errno = errno.ENOENT

    def __str__(self) -> str:
        return self.message


@attrs.frozen
class Problem:
    """One thing wrong with one line of the manifest."""

    line: int
    field: str
    """A field path inside the request (``images[2]``), ``key``, ``file``,
    or empty for the line as a whole."""
    message: str
    rule: str = "manifest"
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"line {self.line}"
        if self.field:
            where += f": {self.field}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{prefix}{where}: {self.message} [{self.rule}]"


@attrs.frozen
class Job:
    """One valid line: a request to send and where its video goes."""

    line: int
    key: str
    file: str
    body: Mapping[str, Any]
    """The request body as the manifest gives it (without the marker)."""

    @property
    def digest(self) -> str:
        """A hash of what the job asks for, to notice a changed manifest."""
        return job_digest(self.file, self.body)


def job_digest(file: str, body: Mapping[str, Any]) -> str:
    """The hash of a job that saves ``file`` and sends ``body`` (its
    :attr:`Job.digest`; the ledger recomputes it from every row it reads)."""
    text = json.dumps(
        {"file": file, "request": body},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


@attrs.frozen
class Checked:
    """A line after checking: its job when valid, and everything found."""

    line: int
    job: Job | None
    problems: tuple[Problem, ...]


@attrs.frozen
class Rules:
    """What a line is checked against, worked out once from the tables."""

    api: ApiTables
    operation: Operation
    marker_field: str
    """The pass-through field that carries the job's marker (``payload``)."""
    marker_limit: int
    """The most characters that field may hold."""
    max_line_bytes: int
    max_jobs: int
    """The most lines, blank ones included."""
    max_bytes: int = DEFAULT_MAX_MANIFEST_BYTES
    """The most bytes of the whole manifest."""
    body_fields: frozenset[str] = frozenset()
    """The request fields of every form of the operation (a bare body with
    ``key`` or ``file`` among them is no wrapper)."""

    @classmethod
    def of(
        cls,
        api: ApiTables,
        operation: Operation,
        *,
        marker_field: str | None = None,
        max_line_bytes: int | None = None,
        max_jobs: int = DEFAULT_MAX_JOBS,
        max_bytes: int = DEFAULT_MAX_MANIFEST_BYTES,
    ) -> Rules:
        """The rules of ``operation``, whose forms must have ``marker_field``
        (default: the tables' ``tasks.pass_through_field``).

        :raises ManifestError: no form of the operation has that field, or
            it has no length limit.
        """
        if marker_field is None and api.tasks is not None:
            marker_field = api.tasks.pass_through_field
        if marker_field is None:
            raise ManifestError(
                f"the {api.name} spec's tasks section names no pass_through_field "
                "to carry a batch job's marker"
            )
        forms = [f for f in api.forms if f.operation == operation.id]
        limits = [
            f.fields[marker_field].length
            for f in forms
            if marker_field in f.fields and f.fields[marker_field].kind == "string"
        ]
        if not limits or any(limit is None for limit in limits):
            raise ManifestError(
                f"operation {operation.id} has no string field {marker_field!r} "
                "with a length limit to carry a batch job's marker"
            )
        limit = min(limit[1] for limit in limits if limit is not None)
        if max_line_bytes is None:
            bodies = [f.body_max_bytes for f in forms]
            max_line_bytes = (
                max(b for b in bodies if b is not None) + _LINE_OVERHEAD
                if bodies and None not in bodies
                else _FALLBACK_LINE_BYTES
            )
        if max_line_bytes < 2 or max_jobs < 1 or max_bytes < 1:
            raise ValueError(
                "max_line_bytes must be at least 2, max_jobs and max_bytes 1"
            )
        fields = frozenset(name for f in forms for name in f.fields)
        return cls(
            api,
            operation,
            marker_field,
            limit,
            max_line_bytes,
            max_jobs,
            max_bytes,
            fields,
        )


def check_manifest(
    stream: IO[bytes],
    rules: Rules,
    *,
    out_dir: Path | None = None,
    known: Callable[[str], bool] = lambda key: False,
) -> Iterator[Checked]:
    """Check every line of ``stream``; yield each non-blank line, checked.

    Keys and files are checked for being unique across the manifest (only
    they are remembered, not the bodies, so a long manifest takes little
    memory). With ``out_dir``, the file of a job that is not ``known`` yet
    (not in the ledger) must not exist there: the runner never overwrites
    one. The caller decides what to
    do with lines that have problems.

    A line longer than ``rules.max_line_bytes``, more lines than
    ``rules.max_jobs`` (blank ones count too) and more bytes in all than
    ``rules.max_bytes`` are problems naming the limit; the last two end the
    check, so no stream is read without end (``/dev/zero``, ``yes``).
    """
    keys: dict[str, int] = {}
    files: dict[str, int] = {}
    capped = _Capped(stream, rules.max_bytes)
    number = 0
    try:
        for number, raw in _lines(capped, rules.max_line_bytes):
            if number > rules.max_jobs:
                yield _whole(
                    number,
                    f"more than {rules.max_jobs} lines (blank lines count too): "
                    "pass max_jobs= (--max-jobs) to raise the limit",
                    "manifest.jobs",
                )
                return
            if raw is None:
                yield _whole(
                    number,
                    f"longer than the limit of {rules.max_line_bytes} bytes: "
                    "pass max_line_bytes= (--max-line-bytes) to raise it",
                    "manifest.line_length",
                )
                continue
            if not raw.strip():
                continue
            yield _check_line(number, raw, rules, keys, files, out_dir, known)
    except _TooBig:
        yield _whole(
            number + 1,
            f"the manifest goes on past the limit of {rules.max_bytes} bytes: "
            "pass max_manifest_bytes= (--max-manifest-bytes) to raise it",
            "manifest.size",
        )


def _whole(number: int, message: str, rule: str) -> Checked:
    """A line with one problem of the line as a whole."""
    return Checked(number, None, (Problem(number, "", message, rule),))


class _TooBig(Exception):
    """The manifest holds more than its limit of bytes."""


class _Capped:
    """A stream that raises :class:`_TooBig` once more than ``limit`` bytes
    were read from it."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._left = limit + 1

    def readline(self, size: int) -> bytes:
        raw = self._stream.readline(min(size, self._left))
        self._left -= len(raw)
        if self._left <= 0:
            raise _TooBig
        return raw


def _lines(stream: _Capped, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)``; ``None`` for a line over ``limit`` bytes.

    Every read takes at most ``limit + 1`` bytes, so a huge line is never
    held whole.
    """
    reads = iter(lambda: stream.readline(limit + 1), b"")
    for number, raw in enumerate(reads, start=1):
        if len(raw) > limit and not raw.endswith(b"\n"):
            _skip_rest(stream)
            yield number, None
        else:
            yield number, raw


def _skip_rest(stream: _Capped) -> None:
    """Read past the end of the current line, a chunk at a time (the
    stream's limit of bytes bounds it)."""
    for chunk in iter(lambda: stream.readline(_SKIP_CHUNK), b""):
        if chunk.endswith(b"\n"):
            return


def _check_line(
    number: int,
    raw: bytes,
    rules: Rules,
    keys: dict[str, int],
    files: dict[str, int],
    out_dir: Path | None,
    known: Callable[[str], bool],
) -> Checked:
    problems: list[Problem] = []

    def problem(field: str, message: str, rule: str) -> Checked:
        problems.append(Problem(number, field, message, rule))
        return Checked(number, None, tuple(problems))

    try:
        data = json.loads(raw, object_pairs_hook=_unique_members)
    except _DuplicateMember as exc:
        return problem(
            exc.name,
            f"the member {exc.name!r} appears twice in one object: give it once",
            "manifest.json",
        )
    except RecursionError:
        return problem("", "JSON nested too deeply", "manifest.json")
    except ValueError as exc:
        return problem("", f"not JSON: {exc}", "manifest.json")
    if not isinstance(data, dict):
        return problem(
            "", f"a JSON {type(data).__name__}, not an object", "manifest.shape"
        )
    if "request" in data:
        unknown = sorted(set(data) - _WRAPPER_FIELDS)
        if unknown:
            problems.append(
                Problem(
                    number,
                    unknown[0],
                    f"unknown member(s) {', '.join(map(repr, unknown))}: a line is "
                    'a request body or {"key": ..., "file": ..., "request": {...}}',
                    "manifest.shape",
                )
            )
        body = data["request"]
        key: object = data.get("key", f"line-{number}")
        file: object = data.get("file")
        if not isinstance(body, dict):
            return problem(
                "request", "must be a JSON object (the request body)", "manifest.shape"
            )
    else:
        wrapper = _wrapper_members(data, rules)
        if wrapper:
            return problem(
                wrapper[0][0],
                f"{wrapper[0][1]}: a line with {', '.join(repr(n) for n, _ in wrapper)} "
                'is {"key": ..., "file": ..., "request": {...}}, and this one has no '
                '"request"',
                "manifest.shape",
            )
        body, key, file = data, f"line-{number}", None
    problems.extend(_check_key(number, key, keys))
    if isinstance(key, str) and file is None:
        file = _file_for(key)
    fresh = out_dir if isinstance(key, str) and not known(key) else None
    problems.extend(_check_file(number, file, files, fresh))
    for violation in rules.api.validate(rules.operation.id, body):
        problems.append(_from_violation(number, violation, rules.api.package))
    problems.extend(_check_marker_room(number, body, rules))
    if any(p.severity == "error" for p in problems):
        return Checked(number, None, tuple(problems))
    if not isinstance(key, str) or not isinstance(file, str):  # reported above
        return Checked(number, None, tuple(problems))
    return Checked(number, Job(number, key, file, body), tuple(problems))


class _DuplicateMember(ValueError):
    """A JSON object of a line names one member twice."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members; a name given twice is refused (JSON parsers
    disagree on which one wins)."""
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise _DuplicateMember(name)
        found[name] = value
    return found


_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in "123456789¹²³"}
)
"""Names Windows keeps for devices, with or without an extension."""


def _reserved_name(file: str) -> bool:
    stem = file.split(".", 1)[0].rstrip(" ").upper()
    return stem in _RESERVED_NAMES or file.endswith((".", " "))


def _file_for(key: str) -> str:
    """The default file of a job: its key with only letters, digits, ``-``,
    ``_`` and ``.`` kept (others become ``_``), and ``.mp4``."""
    name = _UNSAFE_IN_NAME.sub("_", key).lstrip(".")[:150] or "video"
    return name + ".mp4"


def _wrapper_members(data: Mapping[str, Any], rules: Rules) -> list[tuple[str, str]]:
    """The members of an object without ``request`` that show it was meant
    as a job around a request (``key``, ``file``, or a misspelt ``request``),
    each with what to say of it; none of them is a field of the request."""
    found: list[tuple[str, str]] = []
    for name in data:
        if name in rules.body_fields:
            continue
        if name in ("key", "file"):
            found.append((name, f"{name!r} is a member of a job, not a request field"))
        elif difflib.get_close_matches(name.lower(), ["request"], n=1, cutoff=0.75):
            found.append((name, f"unknown member {name!r} (did you mean 'request'?)"))
    # the misspelt request first: it is what to fix
    return sorted(found, key=lambda pair: pair[0] in ("key", "file"))


_LOCAL_FILE_HINT = "; to send a local file, use "
"""How a violation of an asset field tells a program to read a local file,
which a manifest cannot do."""
_NEWER_MODEL_HINT = "; for a model newer than this package, pass "
"""How a violation of an unknown model tells a program to send it anyway."""


def _from_violation(number: int, violation: Violation, package: str) -> Problem:
    """The problem of a violation, its advice made one a manifest can follow."""
    message = violation.message
    head, found, _ = message.partition(_LOCAL_FILE_HINT)
    if found:
        message = (
            f"{head}; a manifest gives a file as a URL or a data: URI, such as "
            f"the text {package}.Image.from_path(<path>) returns, written in the line"
        )
    head, found, _ = message.partition(_NEWER_MODEL_HINT)
    if found:
        message = (
            f"{head}; a batch sends only the models this package knows: for a "
            f"newer model, upgrade {package}"
        )
    return Problem(number, violation.field, message, violation.rule, violation.severity)


def _check_key(number: int, key: object, keys: dict[str, int]) -> list[Problem]:
    if not isinstance(key, str) or not key:
        return [Problem(number, "key", "must be a non-empty string", "manifest.key")]
    if len(key) > _MAX_KEY_LENGTH or not key.isprintable():
        return [
            Problem(
                number,
                "key",
                f"must be at most {_MAX_KEY_LENGTH} printable characters",
                "manifest.key",
            )
        ]
    first = keys.setdefault(key, number)
    if first != number:
        return [
            Problem(
                number, "key", f"{key!r} is the key of line {first} too", "manifest.key"
            )
        ]
    return []


def file_name_problem(file: object) -> str | None:
    """What is wrong with ``file`` as a job's file name, or ``None``: it must
    be a plain file name of the output folder (no folder, no leading dot, no
    control or reserved character, not a device name of Windows, not one of
    the runner's own names). The ledger checks every row's file with it too.
    """
    if not isinstance(file, str) or not file:
        return "must be a non-empty string"
    if safe_file_name(file, default="") != file:
        return (
            f"{file!r} is not a plain file name (no folder, no leading dot, "
            "no control or reserved character, at most 200 bytes)"
        )
    if _reserved_name(file):
        return (
            f"{file!r} is not a plain file name: Windows keeps it for a device "
            "(CON, PRN, AUX, NUL, COM1-9, LPT1-9) or drops its trailing dot "
            "or space"
        )
    if file.startswith(RESERVED_PREFIX):
        return f"names starting with {RESERVED_PREFIX!r} are the runner's own"
    return None


def _check_file(
    number: int, file: object, files: dict[str, int], out_dir: Path | None
) -> list[Problem]:
    wrong = file_name_problem(file)
    if wrong is not None or not isinstance(file, str):
        return [Problem(number, "file", wrong or "", "manifest.file")]
    # folders that ignore case (macOS, Windows) hold a.mp4 and A.mp4 as one
    first = files.setdefault(file.casefold(), number)
    if first != number:
        return [
            Problem(
                number,
                "file",
                f"{file!r} is the file of line {first} too (letter case aside, "
                'as some folders ignore it): give one a "file"',
                "manifest.file",
            )
        ]
    if out_dir is not None and os.path.lexists(out_dir / file):
        return [
            Problem(
                number,
                "file",
                f"{out_dir / file} exists; nothing is overwritten",
                "manifest.file",
            )
        ]
    return []


def _check_marker_room(
    number: int, body: Mapping[str, Any], rules: Rules
) -> list[Problem]:
    payload = body.get(rules.marker_field)
    if not isinstance(payload, str | None):
        return []  # the validator reports its type
    length = marker.wrapped_length(payload)
    if length <= rules.marker_limit:
        return []
    return [
        Problem(
            number,
            rules.marker_field,
            f"with the job's marker ({marker.MARKER_LENGTH} characters) in front, "
            f"it would be {length} characters, over the limit of "
            f"{rules.marker_limit}: shorten it by {length - rules.marker_limit}",
            "manifest.marker",
        )
    ]
