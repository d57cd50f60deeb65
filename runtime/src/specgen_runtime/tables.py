"""The shapes of a spec's tables, and the bundle that carries them.

A generated package renders its spec into values of these classes (in its own
``tables`` module) and hands them to the runtime as one :class:`ApiTables`
object. The runtime never imports a generated module: the HTTP client, the
command line, the fake server and the callback verifier all read the service's
facts from the ``ApiTables`` they are given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import attrs
import cattrs

from .patterns import check_pattern, fullmatch
from .violations import Severity, Violation

Kind = Literal["string", "integer", "boolean", "number", "array", "object", "union"]


@attrs.frozen
class Auth:
    """How a request carries the API key: ``{header}: {scheme} {key}``."""

    header: str
    scheme: str
    env: str | None = None

    def value(self, key: str) -> str:
        """The header value for ``key``."""
        return f"{self.scheme} {key}" if self.scheme else key


@attrs.frozen
class BodyShape:
    """A body as the spec's response class declares it: its fields, and the
    bodies the class's ``examples`` show (each with only those fields)."""

    name: str
    """The response class (for messages)."""
    fields: tuple[str, ...]
    """Its fields (wire names), in the spec's order."""
    examples: tuple[Mapping[str, Any], ...] = ()

    def time_fields(self) -> tuple[str, ...]:
        """The fields every example that gives them gives as an RFC 3339
        date-time with a timezone (when a task was created, in a task
        body), in the class's order."""
        given: dict[str, bool] = {}
        for example in self.examples:
            for name, value in example.items():
                given[name] = given.get(name, True) and _is_time(value)
        return tuple(name for name in self.fields if given.get(name))


@attrs.frozen
class TaskShapes:
    """The bodies a task appears in, as the spec's response classes give
    them (``None``: the spec has no such body). The fake server writes each
    in its shape."""

    created: BodyShape | None = None
    """The answer to the creating request."""
    body: BodyShape | None = None
    """The task as the task-reading operation, and a callback, show it."""
    listed: BodyShape | None = None
    """A task as the list shows it."""
    result: BodyShape | None = None
    """One item of the task body's ``results_field``."""
    files: Mapping[str, str] = attrs.field(factory=dict)
    """The result's URL fields that are files, each with the name the fake
    server serves it under (``{"url": "video.mp4"}``: the name its example
    URL ends in)."""
    download: str | None = None
    """The result's field with the URL of the result itself (one of
    :attr:`files`): what a batch downloads."""

    def time_fields(self) -> tuple[str, ...]:
        """The date-time fields of every body (see :meth:`BodyShape.time_fields`)."""
        shapes = (self.created, self.body, self.listed)
        found = [n for shape in shapes if shape for n in shape.time_fields()]
        return tuple(dict.fromkeys(found))


def _is_time(value: object) -> bool:
    """Whether ``value`` is RFC 3339 date-time text with a timezone."""
    if not isinstance(value, str) or len(value) < 11:
        return False
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return False
    return moment.tzinfo is not None


@attrs.frozen
class Tasks:
    """Where a task body keeps its id, state and error code."""

    id_field: str
    state_field: str
    states: tuple[str, ...]
    success: frozenset[str]
    failure: frozenset[str]
    error_code_field: str
    results_field: str | None = None
    """The task body's list of results, which ``wait()`` returns."""
    shapes: TaskShapes | None = None
    """The bodies a task appears in, from the spec's response classes."""
    body_id_field: str | None = None
    """The task's id in the task body and in the task list, when it is not
    :attr:`id_field` (the create's answer)."""
    credits_field: str | None = None
    """The field of a task (and of the create's answer) with the credits it
    costs."""
    pass_through_field: str | None = None
    """A text field of the creating request that the task keeps and shows
    again (task body, task list, callback): a batch's marker travels in it."""

    @property
    def terminal(self) -> frozenset[str]:
        """The states a task never leaves."""
        return self.success | self.failure

    @property
    def pending(self) -> tuple[str, ...]:
        """The states a task passes through before it ends, in order."""
        return tuple(s for s in self.states if s not in self.terminal)

    @property
    def success_state(self) -> str:
        """The first success state, in the spec's order."""
        return next(s for s in self.states if s in self.success)

    @property
    def failure_state(self) -> str:
        """The first failure state, in the spec's order."""
        return next(s for s in self.states if s in self.failure)


@attrs.frozen
class ErrorCode:
    """One row of the service's error-code table."""

    status: int
    message: str


@attrs.frozen
class ErrorFields:
    """Dotted paths of the parts of an error body."""

    code: str
    reason: str
    message: str
    trace_id: str


@attrs.frozen
class Signature:
    """The callback signature scheme: algorithm, access key and header names."""

    algorithm: str
    access_key: str
    date_header: str
    nonce_header: str
    signed_headers_header: str
    signature_header: str
    algorithm_header: str
    access_key_header: str


@attrs.frozen
class Callback:
    """How the service calls back: method and signature."""

    method: str
    signature: Signature


QueryKind = Literal["string", "integer", "boolean", "datetime"]
"""What a query parameter carries; a ``datetime`` travels as RFC 3339 text,
a ``boolean`` as ``true`` or ``false``."""


@attrs.frozen
class QueryParam:
    """One query parameter of an operation.

    ``name`` is the key on the wire (it may be dotted, ``created_at.from``),
    ``py_name`` the client method's keyword argument. A ``repeated``
    parameter takes a list, sent as one ``name=value`` pair per item.
    """

    name: str
    py_name: str
    kind: QueryKind = "string"
    required: bool = False
    repeated: bool = False
    choices: tuple[str, ...] | None = None
    """The values of the parameter's enum; another is refused as a body field
    outside its choices is, in the validation mode in force."""
    range: tuple[int, int] | None = None
    """An integer parameter's bounds, inclusive."""


@attrs.frozen
class Pagination:
    """Page-token pagination of a list operation.

    ``token`` and ``page_size`` are query parameters (wire names); ``items``
    and ``next_token`` fields of the answer. An empty or missing next token
    ends the list.
    """

    token: str
    items: str
    next_token: str
    page_size: str | None = None


@attrs.frozen
class Concurrency:
    """The fields of an answer that report the account's concurrency."""

    limit: str
    running: str
    queued: str


@attrs.frozen
class Operation:
    """One endpoint: where it is and how it may be retried."""

    id: str
    method: str
    path: str
    summary: str
    params: tuple[str, ...] = ()
    task: Literal["create", "get", "cancel", "list"] | None = None
    idempotent: bool = False
    """Whether sending it twice has the effect of sending it once."""
    has_body: bool = False
    query: tuple[QueryParam, ...] = ()
    """The query parameters, in the spec's order."""
    pagination: Pagination | None = None
    """How the answer is paged, for a list operation."""
    concurrency: Concurrency | None = None
    """Where the answer reports the account's concurrency, if it does."""

    def url_path(self, values: Mapping[str, str]) -> str:
        """The path with its parameters filled in (quoted for a URL)."""
        path = self.path
        for name in self.params:
            path = path.replace("{" + name + "}", quote(values[name], safe=""))
        return path


@attrs.frozen
class Pattern:
    """A regular expression a value must match, and how to say so.

    Building one checks the regex against the safe-pattern rule
    (:mod:`specgen_runtime.patterns`) and raises
    :class:`~specgen_runtime.patterns.UnsafePattern` if it breaks it.
    """

    regex: str
    describe: str
    compiled: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "compiled", check_pattern(self.regex))

    def matches(self, value: str) -> bool:
        """Whether all of ``value`` matches; a value longer than
        :data:`~specgen_runtime.patterns.MAX_MATCH_LENGTH` never does."""
        return fullmatch(self.compiled, value)


@attrs.frozen
class FieldTable:
    """The constraints on one request field, overall and per model.

    A ``*_by_model`` mapping holds a row for each model that has one; a model
    without a row has no such constraint.
    """

    kind: Kind
    required: bool = False
    default: object = None
    choices: tuple[str, ...] | None = None
    aliases: Mapping[str, str] = attrs.field(factory=dict)
    range: tuple[int, int] | None = None
    length: tuple[int, int] | None = None
    count: tuple[int, int] | None = None
    default_by_model: Mapping[str, object] = attrs.field(factory=dict)
    choices_by_model: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    pattern_by_model: Mapping[str, Pattern] = attrs.field(factory=dict)
    range_by_model: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    count_by_model: Mapping[str, tuple[int, int]] = attrs.field(factory=dict)
    ignored_by: frozenset[str] = frozenset()
    unsupported_by: frozenset[str] = frozenset()

    def default_for(self, model: str | None) -> object:
        """The value the service uses when the field is left out."""
        if model is not None and model in self.default_by_model:
            return self.default_by_model[model]
        return self.default


@attrs.frozen
class RuleTable:
    """A rule across fields; ``models`` empty means every model of the form."""

    id: str
    severity: Severity
    field: str
    message: str
    models: frozenset[str] = frozenset()
    max: int | None = None
    max_by_model: Mapping[str, int] = attrs.field(factory=dict)

    def limit(self, model: str) -> int:
        """The rule's ``max`` for ``model``."""
        return self.max_by_model.get(model, self.max or 0)


@attrs.frozen
class FormTable:
    """One request form of an operation: its models, fields and rules."""

    operation: str
    name: str
    request_class: str
    models: tuple[str, ...]
    fields: Mapping[str, FieldTable]
    rules: tuple[RuleTable, ...] = ()
    objects: Mapping[str, Mapping[str, FieldTable]] = attrs.field(factory=dict)
    object_rules: Mapping[str, tuple[RuleTable, ...]] = attrs.field(factory=dict)
    body_max_bytes: int | None = None


@attrs.frozen
class AssetRules:
    """What the service accepts for one kind of asset field."""

    kind: str
    """``"image"`` or ``"video"``: names the asset in messages."""
    formats: Mapping[str, str]
    """Accepted declared media types, each mapped to its format name as
    :func:`sniff` reports it, e.g. ``{"image/jpg": "jpeg"}``."""
    min_width: int | None = None
    min_height: int | None = None
    min_aspect: tuple[int, int] | None = None
    """``(1, 4)``: width / height must be at least 1/4 (inclusive)."""
    max_aspect: tuple[int, int] | None = None
    """``(4, 1)``: width / height must be at most 4 (inclusive)."""
    max_file_bytes: int | None = None
    """The decoded size must be at most this."""
    decoded_bytes_below: int | None = None
    """The decoded size must be strictly less than this."""
    url_schemes: tuple[str, ...] = ("http", "https")
    extra_prefixes: tuple[str, ...] = ()
    """Other accepted reference strings, such as ``"ssupload:"``; like URLs,
    they are accepted without inspection."""
    _accepted_prefixes: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)
    """Every prefix accepted as is, for one ``str.startswith`` call."""

    @_accepted_prefixes.default
    def _join_prefixes(self) -> tuple[str, ...]:
        schemes = tuple(f"{scheme}://" for scheme in self.url_schemes)
        return schemes + tuple(self.extra_prefixes)


@attrs.frozen
class Errors:
    """How the service reports errors: where an error body keeps its parts,
    and its table of error codes (``reason``) with their HTTP status."""

    fields: ErrorFields
    codes: Mapping[str, ErrorCode]


Validate = Callable[[str, Mapping[str, Any]], list[Violation]]
"""A rendered ``validate_payload``: an operation id and a body to violations."""


@attrs.frozen(kw_only=True)
class ApiTables:
    """Everything the runtime knows about one API, as the generated package
    rendered it from the spec.

    Sections the spec leaves out are ``None`` (``tasks``, ``errors``,
    ``callback``); the parts of the runtime that need them say so when they
    are missing.
    """

    name: str
    """The API's name, as the spec gives it (``"Acme Render"``)."""
    package: str
    """The generated package's import name."""
    version: str
    """The generated package's version."""
    base_url: str
    """Where requests go unless told otherwise."""
    hosts: Mapping[str, str]
    """Other hosts of the same API, by name."""
    auth: Auth
    models: tuple[str, ...]
    """Every model name the spec knows."""
    operations: Mapping[str, Operation]
    """Every operation, by id, in the spec's order."""
    forms: tuple[FormTable, ...]
    """Every request form of every operation."""
    validate: Validate
    """The rendered validator of request bodies (``validate_payload``)."""
    converter: cattrs.Converter
    """The converter of the package's typed requests and responses."""
    assets: Mapping[str, AssetRules] = attrs.field(factory=dict)
    """The rules of each kind of asset (``"image"``, ``"video"``), by kind."""
    tasks: Tasks | None = None
    errors: Errors | None = None
    callback: Callback | None = None

    @property
    def bodied(self) -> tuple[str, ...]:
        """The ids of the operations that take a request body."""
        return tuple(op.id for op in self.operations.values() if op.has_body)

    @property
    def user_agent(self) -> str:
        """``<package>-python/<version>``, sent with every request."""
        return f"{self.package}-python/{self.version}"

    def require_tasks(self) -> Tasks:
        """:attr:`tasks`, or a clear error for an API that has none."""
        if self.tasks is None:
            raise LookupError(f"the {self.name} spec has no tasks section")
        return self.tasks

    def require_callback(self) -> Callback:
        """:attr:`callback`, or a clear error for an API that has none."""
        if self.callback is None:
            raise LookupError(f"the {self.name} spec has no callback section")
        return self.callback
