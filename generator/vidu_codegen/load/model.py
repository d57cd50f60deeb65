"""Step 2's target: the spec as typed objects.

Every class here is built from a :class:`~vidu_codegen.load.yaml.Table` by
:mod:`vidu_codegen.load.structure` and keeps that table's positions in ``at``, so that
a later check can point at the exact line and column of any key or value.
Keys are spelt as in the YAML; ``class`` is ``class_`` here.
"""

from __future__ import annotations

from typing import Any, Literal, TypeAlias

import attrs

from vidu_codegen.load.yaml import Seq, Table

Scalar: TypeAlias = str | int | bool
TypeName: TypeAlias = Literal["string", "integer", "boolean", "array", "number"]


def _no_table() -> Table[Any]:
    return Table()


@attrs.define
class Node:
    """Base of spec objects: ``at`` is the table it was read from."""

    at: Table[Any] = attrs.field(init=False, factory=_no_table, eq=False, repr=False)


@attrs.define
class Quote(Node):
    """Words of a snapshot of the vendor's docs, anchored to their place.

    ``section`` (a section of the snapshot) and ``snapshot`` default to those
    inherited from the enclosing form, object or response; ``occurrence``
    picks one of several equal passages in that place (1-based).
    """

    quote: str
    section: str | None = None
    occurrence: int | None = None
    snapshot: str | None = None


SourceItem: TypeAlias = str | Quote
Source: TypeAlias = str | Quote | Seq[str | Quote]
"""Where a value comes from: ``decided``, one quote, or a list of quotes."""


@attrs.define
class Section(Node):
    """A part of a snapshot: from the first line matching ``starts`` (after the
    previous section's start) to the next section's start."""

    starts: str
    summary: str | None = None
    counted: bool = True


@attrs.define
class Snapshot(Node):
    """A copy of a vendor page the spec was written from (``sources:``)."""

    file: str
    summary: str
    sections: Table[Section] = attrs.field(factory=Table)


@attrs.define
class Auth(Node):
    header: str
    scheme: str
    env: str | None = None


@attrs.define
class Api(Node):
    name: str
    package: str
    summary: str
    version: str
    base_url: str
    auth: Auth
    hosts: Table[str] = attrs.field(factory=Table)
    base_url_env: str | None = None
    """Environment variable that may hold the base URL (a URL or a host name)."""


@attrs.define
class TasksDef(Node):
    """Where a task's id, state and error code are, and which states end it."""

    id_field: str
    state_field: str
    states: str
    success: Seq[str]
    failure: Seq[str]
    error_code_field: str
    results_field: str | None = None
    """The task body's list of results (what ``wait()`` returns), if any."""
    body_id_field: str | None = None
    """The task's id in the task body and the task list, if not ``id_field``."""
    credits_field: str | None = None
    """The field of a task (and of the create's answer) with its credits."""
    pass_through_field: str | None = None
    """A text field of the create that the task keeps and shows again."""


@attrs.define
class ErrorFields(Node):
    """Dotted paths of the parts of an error body."""

    code: str
    reason: str
    message: str
    trace_id: str


@attrs.define
class ErrorCode(Node):
    status: int
    message: str
    source: Source | None = None
    note: str | None = None


@attrs.define
class ErrorsDef(Node):
    fields: ErrorFields
    codes: Table[ErrorCode]
    note: str | None = None


@attrs.define
class SignatureDef(Node):
    algorithm: str
    access_key: str
    date_header: str
    nonce_header: str
    signed_headers_header: str
    signature_header: str
    algorithm_header: str
    access_key_header: str
    vectors: Seq[SignatureVector] = attrs.field(factory=Seq)


@attrs.define
class SignatureVector(Node):
    """A callback request and the signature the scheme gives it (``vectors``)."""

    key: str
    url: str
    date: str
    nonce: str
    signature: str
    note: str


@attrs.define
class CallbackDef(Node):
    method: str
    body: str
    signature: SignatureDef
    note: str | None = None


@attrs.define
class ModelInfo(Node):
    summary: str
    source: Source | None = None


@attrs.define
class EnumDef(Node):
    summary: str
    members: Table[str]
    source: Source | None = None


@attrs.define
class AssetDef(Node):
    class_: str
    summary: str
    formats: Table[str]
    min_width: int | None = None
    min_height: int | None = None
    aspect_ratio: Seq[str] | None = None
    max_file_bytes: int | None = None
    extra_prefixes: Seq[str] = attrs.field(factory=Seq)
    source: Table[Source] | None = None
    note: str | None = None


@attrs.define
class Pattern(Node):
    regex: str
    describe: str


@attrs.define
class Items(Node):
    """What an array holds: a plain type, an object, or an asset."""

    type: TypeName | None = None
    object: str | None = None
    asset: str | None = None
    decoded_bytes_below: int | None = None


@attrs.define
class ModelRow(Node):
    """One model's constraints on one field."""

    default: Scalar | None = None
    choices: Seq[Scalar] | None = None
    range: Seq[int] | None = None
    length: Seq[int] | None = None
    count: Seq[int] | None = None
    pattern: str | None = None
    ignored: bool = False
    allowed: bool = True
    note: str | None = None
    source: Source | None = None


@attrs.define
class Field(Node):
    summary: str
    type: TypeName | Seq[TypeName]
    enum: str | None = None
    required: bool = False
    role: Literal["model"] | None = None
    default: Scalar | None = None
    choices: Seq[Scalar] | None = None
    aliases: Table[str] | None = None
    range: Seq[int] | None = None
    length: Seq[int] | None = None
    count: Seq[int] | None = None
    pattern: str | None = None
    items: Items | None = None
    by_model: Table[ModelRow] = attrs.field(factory=Table)
    source: Source | None = None
    note: str | None = None


@attrs.define
class Condition(Node):
    """One test of a rule's ``when``: equal to a value, one of values, present."""

    equals: Seq[Scalar] | None = None
    present: bool | None = None


@attrs.define
class Requirement(Node):
    """What a rule demands: at most ``max`` items in ``total``."""

    total: str
    max: int


@attrs.define
class RequirementRow(Node):
    max: int
    note: str | None = None
    source: Source | None = None


@attrs.define
class Rule(Node):
    id: str
    message: str
    summary: str | None = None
    severity: Literal["error", "warning"] = "error"
    models: Seq[str] | None = None
    when: Table[Condition] = attrs.field(factory=Table)
    require: Requirement | None = None
    by_model: Table[RequirementRow] = attrs.field(factory=Table)
    field: str | None = None
    source: Source | None = None
    note: str | None = None


@attrs.define
class ObjectDef(Node):
    summary: str
    fields: Table[Field]
    rules: Seq[Rule] = attrs.field(factory=Seq)
    source_section: str | None = None


@attrs.define
class BodyLimits(Node):
    max_bytes: int
    source: Source | None = None
    note: str | None = None


@attrs.define
class Form(Node):
    class_: str
    summary: str
    fields: Table[Field]
    models: Seq[str] = attrs.field(factory=Seq)
    selected_by: str | None = None
    rules: Seq[Rule] = attrs.field(factory=Seq)
    objects: Table[ObjectDef] = attrs.field(factory=Table)
    body: BodyLimits | None = None
    source: Source | None = None
    source_section: str | None = None


@attrs.define
class Response(Node):
    summary: str
    fields: Table[Field]
    source_section: str | None = None
    examples: Seq[str] = attrs.field(factory=Seq)
    """Bodies the service may answer with, each as JSON text."""


@attrs.define
class Param(Node):
    """A path parameter, such as ``{id}`` in ``/tasks/{id}``."""

    summary: str
    python_name: str | None = None


QueryType: TypeAlias = Literal["string", "integer", "boolean", "datetime"]
"""What a query parameter carries; ``datetime`` is an RFC 3339 string,
``boolean`` travels as ``true`` or ``false``."""


@attrs.define
class QueryParam(Node):
    """A query parameter, such as ``created_at.from`` in ``/tasks?created_at.from=``.

    ``repeated``: the parameter may be given several times (a list in Python,
    ``name=a&name=b`` on the wire).
    """

    summary: str
    type: QueryType
    enum: str | None = None
    repeated: bool = False
    required: bool = False
    range: Seq[int] | None = None
    python_name: str | None = None
    source: Source | None = None
    note: str | None = None


@attrs.define
class Pagination(Node):
    """Page-token pagination: which query parameter carries the token, and
    which response fields hold the page's items and the next token."""

    token: str
    items: str
    next_token: str
    page_size: str | None = None
    note: str | None = None


@attrs.define
class Concurrency(Node):
    """Which integer fields of a response report the account's concurrency:
    the limit, the tasks running and the tasks queued."""

    limit: str
    running: str
    queued: str
    note: str | None = None


@attrs.define
class OperationInfo(Node):
    id: str
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    summary: str
    response: str
    task: Literal["create", "get", "cancel", "list"] | None = None
    idempotent: bool | None = None
    params: Table[Param] = attrs.field(factory=Table)
    concurrency: Concurrency | None = None
    query: Table[QueryParam] = attrs.field(factory=Table)
    pagination: Pagination | None = None
    note: str | None = None
    source: Source | None = None


@attrs.define
class Operation(Node):
    """One operation file: the endpoint, its request forms and responses."""

    operation: OperationInfo
    forms: Table[Form] = attrs.field(factory=Table)
    responses: Table[Response] = attrs.field(factory=Table)
    patterns: Table[Pattern] = attrs.field(factory=Table)


@attrs.define
class ApiFile(Node):
    """The root file: what every operation shares."""

    api: Api
    models: Table[ModelInfo]
    enums: Table[EnumDef] = attrs.field(factory=Table)
    assets: Table[AssetDef] = attrs.field(factory=Table)
    tasks: TasksDef | None = None
    errors: ErrorsDef | None = None
    callback: CallbackDef | None = None
    sources: Table[Snapshot] = attrs.field(factory=Table)


@attrs.define
class Spec:
    """The whole spec: the root file and every operation file."""

    root: ApiFile
    operations: list[Operation]
