"""Step 3: semantic checks of a structured spec.

Structure (types, unknown keys) was checked in step 2; this step checks what
the parts say about each other: names that must exist, values that must be
allowed, ranges that must not be empty or inverted, duplicates. Every problem
is returned as a positioned finding; nothing is raised.
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from specgen_runtime.patterns import fullmatch, pattern_problem

from vidu_codegen.load import model as sm
from vidu_codegen.load import names as nm
from vidu_codegen.load.findings import Finding, Pos
from vidu_codegen.load.yaml import Seq, Table

_TYPES = {"string": str, "integer": int, "boolean": bool, "number": float}
_RATIO = re.compile(r"([1-9][0-9]*):([1-9][0-9]*)")
_PLACEHOLDERS = {"model", "max", "value"}


def _listed(names: Iterable[str]) -> str:
    return ", ".join(names) or "none"


_VERSION = re.compile(r"(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})")
"""A package version: three whole numbers (major.minor.patch)."""


_FIELD_KEYS = {
    "choices": "CHOICES",
    "aliases": "ALIASES",
    "range": "RANGE",
    "length": "LENGTH",
    "count": "COUNT",
}
"""Field keys that give a field a constant of its own (``<FIELD>_COUNT``)."""

_ROW_KEYS = {
    "default": "DEFAULT_BY_MODEL",
    "choices": "CHOICES_BY_MODEL",
    "pattern": "PATTERN_BY_MODEL",
    "range": "RANGE_BY_MODEL",
    "count": "COUNT_BY_MODEL",
}
"""``by_model`` row keys that give a field a per-model constant."""

_TABLE_NAMES = frozenset(
    {
        "VERSION",
        "KNOWN_MODELS",
        "BASE_URL",
        "HOSTS",
        "AUTH",
        "TASKS",
        "ERROR_FIELDS",
        "ERROR_CODES",
        "CALLBACK",
        "OPERATION_INFO",
        "OPERATIONS",
        "MISSING",
    }
)
"""Module-level names of the generated ``tables`` and ``_validators``."""


def _type_ok(value: object, type_name: str) -> bool:
    expected = _TYPES.get(type_name)
    if expected is float:
        return type(value) in (int, float)
    return expected is not None and type(value) is expected


class _Checker:
    def __init__(self, spec: sm.Spec) -> None:
        self.spec = spec
        self.findings: list[Finding] = []
        self.models = list(spec.root.models)
        self.classes: dict[str, Pos] = {}

    def error(self, pos: Pos, message: str) -> None:
        self.findings.append(Finding(pos, message))

    def warn(self, pos: Pos, message: str) -> None:
        self.findings.append(Finding(pos, message, "warning"))

    def known(self, pos: Pos, kind: str, name: str, defined: Collection[str]) -> bool:
        """Whether ``name`` is one of the ``defined`` names of a ``kind``
        (enum, response, ...); if not, an error at ``pos`` lists them."""
        if name in defined:
            return True
        self.error(pos, f"unknown {kind} {name!r}; defined: {_listed(defined)}")
        return False

    def run(self) -> list[Finding]:
        root = self.spec.root
        self.name(
            root.api.at.where("package"),
            root.api.package,
            nm.PACKAGE,
            "package",
            nm.RESERVED_PACKAGES,
        )
        if self.name(root.api.at.where("name"), root.api.name, nm.DISPLAY_NAME, "name"):
            self.claim_class(nm.error_base(root.api.name), root.api.at.where("name"))
        if root.api.auth.env is not None:
            self.name(
                root.api.auth.at.where("env"),
                root.api.auth.env,
                nm.ENV_VAR,
                "environment variable",
            )
        if root.api.base_url_env is not None:
            self.name(
                root.api.at.where("base_url_env"),
                root.api.base_url_env,
                nm.ENV_VAR,
                "environment variable",
            )
            if root.api.base_url_env == root.api.auth.env:
                self.error(
                    root.api.at.where("base_url_env"),
                    f"base_url_env {root.api.base_url_env!r} is also auth.env: "
                    "the API key would be taken for the base URL; name another "
                    "environment variable",
                )
        if not _VERSION.fullmatch(root.api.version):
            self.error(
                root.api.at.where("version"),
                f"version {root.api.version!r} is not MAJOR.MINOR.PATCH "
                "(whole numbers, such as 1.4.0)",
            )
        for name, enum in root.enums.items():
            self.check_enum(name, enum)
        for name, asset in root.assets.items():
            self.check_asset(name, asset)
        if root.tasks is not None:
            self.check_tasks(root.tasks)
        if root.errors is not None:
            self.check_errors(root.errors)
        if root.callback is not None:
            self.check_callback(root.callback)
        ids: dict[str, tuple[str, Pos]] = {}
        for op in self.spec.operations:
            op_id = op.operation.id
            where = op.operation.at.where("id")
            if self.name(
                where, op_id, nm.OPERATION, "operation id", nm.RESERVED_OPERATIONS
            ):
                py_name = nm.snake(op_id)
                if py_name in nm.RESERVED_OPERATIONS:
                    self.error(
                        where,
                        f"operation id {op_id!r} becomes {py_name}, a name the generated client already uses",
                    )
                elif py_name in ids:
                    other, pos = ids[py_name]
                    same = (
                        "is defined twice"
                        if other == op_id
                        else f"and {other!r} both become {py_name}"
                    )
                    self.error(where, f"operation {op_id!r} {same} (first at {pos})")
                ids.setdefault(py_name, (op_id, where))
            self.check_operation(op)
        self.check_constants()
        return self.findings

    def name(
        self,
        pos: Pos,
        value: str,
        pattern: re.Pattern[str],
        what: str,
        reserved: frozenset[str] = frozenset(),
    ) -> bool:
        """Check a spec value that becomes a Python name; ``True`` if it may."""
        problem = nm.name_problem(value, pattern, what, reserved)
        if problem is not None:
            self.error(pos, problem)
        return problem is None

    def claim_class(self, name: str, pos: Pos) -> None:
        if not self.name(pos, name, nm.CLASS, "class name", nm.RESERVED_CLASSES):
            return
        if name in self.classes:
            self.error(
                pos,
                f"class name {name!r} is used twice (first at {self.classes[name]})",
            )
        else:
            self.classes[name] = pos

    # root ------------------------------------------------------------------

    def check_enum(self, name: str, enum: sm.EnumDef) -> None:
        self.claim_class(name, enum.at.pos)
        seen: dict[str, str] = {}
        for member, value in enum.members.items():
            where = enum.members.where_key(member)
            self.name(where, member, nm.MEMBER, "enum member")
            if value in seen:
                self.error(
                    enum.members.where(member),
                    f"value {value!r} is listed twice in enum {name} (also {seen[value]})",
                )
            seen[value] = member
        if not enum.members:
            self.error(enum.at.where("members"), f"enum {name} has no members")

    def check_asset(self, name: str, asset: sm.AssetDef) -> None:
        self.name(
            self.spec.root.assets.where_key(name), name, nm.LOWER_NAME, "asset name"
        )
        self.claim_class(asset.class_, asset.at.where("class"))
        if not asset.formats:
            self.error(asset.at.where("formats"), f"asset {name} accepts no formats")
        for key in ("min_width", "min_height", "max_file_bytes"):
            value = getattr(asset, key)
            if value is not None and value <= 0:
                self.error(asset.at.where(key), f"{key} must be positive, got {value}")
        ratios = asset.aspect_ratio
        if ratios is not None:
            parsed = []
            for index, text in enumerate(ratios):
                match = _RATIO.fullmatch(text)
                if match is None:
                    self.error(
                        ratios.where(index), f"aspect ratio {text!r} must look like W:H"
                    )
                else:
                    parsed.append(int(match[1]) / int(match[2]))
            if len(ratios) != 2:
                self.error(
                    asset.at.where("aspect_ratio"),
                    "aspect_ratio needs exactly two ratios: [lowest, highest]",
                )
            elif len(parsed) == 2 and parsed[0] > parsed[1]:
                self.error(
                    asset.at.where("aspect_ratio"),
                    f"aspect ratio range {ratios[0]}..{ratios[1]} is inverted",
                )

    def check_tasks(self, tasks: sm.TasksDef) -> None:
        enums = self.spec.root.enums
        if not self.known(tasks.at.where("states"), "enum", tasks.states, enums):
            return
        values = list(enums[tasks.states].members.values())
        for key in ("success", "failure"):
            states = getattr(tasks, key)
            self.check_values_in(states, values, f"enum {tasks.states}")
            if not states:
                self.error(tasks.at.where(key), f"{key} lists no states")
        self.check_results_field(tasks)

    def check_results_field(self, tasks: sm.TasksDef) -> None:
        """``results_field`` is a list field of the task body, as the
        operation that reads a task answers it."""
        if tasks.results_field is None:
            return
        getter = next(
            (op for op in self.spec.operations if op.operation.task == "get"),
            None,
        )
        if getter is None:
            self.error(
                tasks.at.where("results_field"),
                "results_field needs an operation that reads a task (task: get)",
            )
            return
        body = getter.responses.get(getter.operation.response)
        field = None if body is None else body.fields.get(tasks.results_field)
        kinds = (
            ()
            if field is None
            else (field.type if not isinstance(field.type, str) else (field.type,))
        )
        if "array" not in kinds:
            self.error(
                tasks.at.where("results_field"),
                f"results_field {tasks.results_field!r} is not a list field of"
                f" the task body {getter.operation.response!r}",
            )

    def check_errors(self, errors: sm.ErrorsDef) -> None:
        for name, code in errors.codes.items():
            if not 400 <= code.status <= 599:
                self.error(
                    code.at.where("status"),
                    f"error {name}: status {code.status} is not an HTTP error status",
                )

    def check_callback(self, callback: sm.CallbackDef) -> None:
        bodies = [r for op in self.spec.operations for r in op.responses]
        self.known(callback.at.where("body"), "response", callback.body, bodies)

    # operations --------------------------------------------------------------

    def check_operation(self, op: sm.Operation) -> None:
        info = op.operation
        self.known(info.at.where("response"), "response", info.response, op.responses)
        if not info.path.startswith("/"):
            self.error(info.at.where("path"), f"path {info.path!r} must start with '/'")
        for name, pattern in op.patterns.items():
            self.name(op.patterns.where_key(name), name, nm.LOWER_NAME, "pattern name")
            problem = pattern_problem(pattern.regex)
            if problem is not None:
                self.error(
                    pattern.at.where("regex"), f"pattern {name}: the regex {problem}"
                )
        defaults = [name for name, form in op.forms.items() if form.selected_by is None]
        if op.forms and len(defaults) != 1:
            self.error(
                op.at.where_key("forms"),
                f"exactly one form must have no selected_by (the default form); found {len(defaults)}: {_listed(defaults)}",
            )
        selectors: dict[str, str] = {}
        for name, form in op.forms.items():
            self.name(op.forms.where_key(name), name, nm.FIELD, "form name")
            if form.selected_by is not None:
                if form.selected_by in selectors:
                    self.error(
                        form.at.where("selected_by"),
                        f"forms {selectors[form.selected_by]} and {name} are both selected by {form.selected_by!r}",
                    )
                selectors[form.selected_by] = name
            self.check_form(op, name, form)
        self.check_params(info)
        self.check_query(op)
        for name, response in op.responses.items():
            self.claim_class(name, op.responses.where_key(name))
            for fname, field in response.fields.items():
                self.check_field(
                    op, response.fields, fname, field, (), op.responses, request=False
                )
                if field.required and self.spec.root.sources and field.source is None:
                    self.error(
                        response.fields.where_key(fname),
                        f"response field {fname} is required (the service always "
                        "sends it): give the source: that says so",
                    )
            self.check_examples(name, response, op.responses)
        tasks = self.spec.root.tasks
        created = op.responses.get(info.response)
        if (
            info.task == "create"
            and tasks is not None
            and created is not None
            and tasks.id_field not in created.fields
        ):
            self.error(
                info.at.where("task"),
                f"a creating operation's response needs the task id field {tasks.id_field!r}",
            )

    def check_examples(
        self, name: str, response: sm.Response, responses: Table[sm.Response]
    ) -> None:
        """Each example is the JSON text of an object that holds the
        response's required fields (and its objects' in lists)."""
        for i, text in enumerate(response.examples):
            try:
                value = json.loads(text)
            except ValueError as exc:
                self.error(
                    response.examples.where(i),
                    f"response {name}: example {i} is not JSON: {exc}",
                )
                continue
            if not isinstance(value, dict):
                self.error(
                    response.examples.where(i),
                    f"response {name}: example {i} is not a JSON object",
                )
                continue
            for path in _missing_required(name, response, value, responses):
                self.error(
                    response.examples.where(i),
                    f"response {name}: example {i} lacks {path}, which is required",
                )

    def check_params(self, info: sm.OperationInfo) -> None:
        taken: dict[str, Pos] = {}
        for name, param in info.params.items():
            where = info.params.where_key(name)
            if not self.name(where, name, nm.LOWER_NAME, "path parameter"):
                continue
            py_name = param.python_name or nm.snake(name)
            what = "path parameter"
            if param.python_name is not None:
                where, what = param.at.where("python_name"), "python_name"
            if not self.name(where, py_name, nm.LOWER_NAME, what, nm.RESERVED_PARAMS):
                continue
            if py_name in taken:
                self.error(
                    where,
                    f"python_name {py_name!r} is used twice (first at {taken[py_name]})",
                )
            taken.setdefault(py_name, where)
        in_path = re.findall(r"{([^{}]*)}", info.path)
        for name in in_path:
            if name not in info.params:
                self.error(
                    info.at.where("path"),
                    f"path parameter {{{name}}} is not described in params",
                )
        for name in info.params:
            if name not in in_path:
                self.error(
                    info.params.where_key(name),
                    f"parameter {name!r} does not appear in the path",
                )

    def check_query(self, op: sm.Operation) -> None:
        """Query parameters: names, Python names, types; then the pagination."""
        info = op.operation
        taken: dict[str, Pos] = {
            p.python_name or nm.snake(n): info.params.where_key(n)
            for n, p in info.params.items()
        }
        for name, param in info.query.items():
            where = info.query.where_key(name)
            # the name on the wire may be anything of this form, a keyword too
            if len(name) > nm.MAX_NAME or not nm.QUERY.fullmatch(name):
                self.name(where, name, nm.QUERY, "query parameter")
                continue
            py_name = param.python_name or nm.query_python_name(name)
            if param.python_name is not None:
                where = param.at.where("python_name")
                if not self.name(
                    where, py_name, nm.FIELD, "python_name", nm.RESERVED_QUERY
                ):
                    continue
            else:
                problem = nm.name_problem(
                    py_name, nm.FIELD, "its Python name", nm.RESERVED_QUERY
                )
                if problem is not None:
                    self.error(
                        where,
                        f"query parameter {name!r}: {problem}; give it a python_name",
                    )
                    continue
            if py_name in taken:
                self.error(
                    where,
                    f"python_name {py_name!r} is used twice (first at {taken[py_name]})",
                )
            taken.setdefault(py_name, where)
            forms = [f for f, form in op.forms.items() if py_name in form.fields]
            if forms:
                self.error(
                    where,
                    f"query parameter {name!r}: its Python name {py_name!r} is a field "
                    f"of form {forms[0]} too (the method takes both as keywords)",
                )
            self.check_query_param(name, param)
        if info.pagination is not None:
            self.check_pagination(op, info.pagination)
        elif info.task == "list":
            self.error(
                info.at.where("task"),
                "a task: list operation needs pagination (where its items are)",
            )
        if info.concurrency is not None:
            self.check_concurrency(op, info.concurrency)

    def check_concurrency(self, op: sm.Operation, counts: sm.Concurrency) -> None:
        """Each count is an integer field of the operation's response."""
        response = op.responses.get(op.operation.response)
        if response is None:
            return  # reported with the operation's response
        for key in ("limit", "running", "queued"):
            name = getattr(counts, key)
            field = response.fields.get(name)
            if field is None or field.type != "integer":
                self.error(
                    counts.at.where(key),
                    f"concurrency {key} {name!r} is not an integer field of response "
                    f"{op.operation.response}; fields: {_listed(response.fields)}",
                )

    def check_query_param(self, name: str, param: sm.QueryParam) -> None:
        at = param.at
        if param.enum is not None:
            enums = self.spec.root.enums
            known = self.known(at.where("enum"), "enum", param.enum, enums)
            if known and param.type != "string":
                self.error(
                    at.where("enum"),
                    f"query parameter {name}: only a string parameter can have an enum",
                )
        bounds = param.range
        if bounds is None:
            return
        if param.type != "integer":
            self.error(
                at.where_key("range"),
                f"range does not apply to a {param.type} query parameter",
            )
        elif len(bounds) != 2:
            self.error(
                at.where("range"),
                f"range needs two numbers [min, max], got {len(bounds)}",
            )
        elif bounds[0] > bounds[1]:
            self.error(
                at.where("range"),
                f"range [{bounds[0]}, {bounds[1]}] is inverted: min is above max",
            )

    def check_pagination(self, op: sm.Operation, pages: sm.Pagination) -> None:
        """The token and page size are query parameters; the items and next
        token are fields of the operation's response."""
        query = op.operation.query
        for key, kind in (("token", "string"), ("page_size", "integer")):
            name = getattr(pages, key)
            if name is None:
                continue
            param = query.get(name)
            if param is None:
                self.error(
                    pages.at.where(key),
                    f"pagination {key} {name!r} is not a query parameter; "
                    f"query parameters: {_listed(query)}",
                )
            elif param.type != kind or param.repeated or param.enum is not None:
                self.error(
                    pages.at.where(key),
                    f"pagination {key} {name!r} must be a single {kind} query parameter",
                )
            elif param.required:
                self.error(
                    pages.at.where(key),
                    f"pagination {key} {name!r} cannot be required: the first page is asked without it",
                )
        response = op.responses.get(op.operation.response)
        if response is None:
            return  # reported with the operation's response
        for key, kind in (("items", "an array"), ("next_token", "a string")):
            name = getattr(pages, key)
            field = response.fields.get(name)
            if field is None:
                self.error(
                    pages.at.where(key),
                    f"pagination {key} {name!r} is not a field of response "
                    f"{op.operation.response}; fields: {_listed(response.fields)}",
                )
            elif field.type != kind.split()[1]:
                self.error(
                    pages.at.where(key),
                    f"pagination {key} {name!r} must be {kind} field of response "
                    f"{op.operation.response}, not {_listed(field.type) if isinstance(field.type, list) else field.type}",
                )

    def check_form(self, op: sm.Operation, name: str, form: sm.Form) -> None:
        self.claim_class(form.class_, form.at.where("class"))
        seen: set[str] = set()
        for index, model in enumerate(form.models):
            if model not in self.models:
                self.error(
                    form.models.where(index),
                    f"unknown model {model!r}; known models: {_listed(self.models)}",
                )
            elif model in seen:
                self.error(form.models.where(index), f"model {model!r} is listed twice")
            seen.add(model)

        if form.selected_by is not None and form.selected_by not in form.fields:
            self.error(
                form.at.where("selected_by"),
                f"selected_by names {form.selected_by!r}, which is not a field of this form; fields: {_listed(form.fields)}",
            )
        roles = [f for f, field in form.fields.items() if field.role == "model"]
        if len(roles) > 1:
            self.error(
                form.at.where_key("fields"),
                f"at most one field may have role: model; found {_listed(roles)}",
            )
        if roles and not form.models:
            self.error(
                form.at.where_key("fields"),
                f"form {name} has a model field but lists no models",
            )
        if form.models and not roles:
            self.error(
                form.at.where("models"),
                f"form {name} lists models but no field has role: model",
            )
        for role_name in roles:
            self.check_model_field(form, role_name, form.fields[role_name])
        models = tuple(form.models)
        used: dict[str, str] = {}
        for fname, field in form.fields.items():
            self.check_field(op, form.fields, fname, field, models, form.objects)
            if field.items is not None and field.items.object is not None:
                other = used.get(field.items.object)
                if other is not None:
                    self.error(
                        field.items.at.where("object"),
                        f"object {field.items.object} is already used by field {other}; an object serves one field",
                    )
                used[field.items.object] = fname
        for oname, obj in form.objects.items():
            self.claim_class(oname, form.objects.where_key(oname))
            if oname not in used:
                self.warn(
                    form.objects.where_key(oname),
                    f"object {oname} is not used by any field",
                )
            for fname, field in obj.fields.items():
                self.check_field(op, obj.fields, fname, field, models, form.objects)
            self.check_rules(obj.rules, obj.fields, form)
        self.check_rules(form.rules, form.fields, form)
        if form.body is not None and form.body.max_bytes <= 0:
            self.error(form.body.at.where("max_bytes"), "max_bytes must be positive")

    def check_model_field(self, form: sm.Form, name: str, field: sm.Field) -> None:
        where = form.fields.where_key(name)
        if field.type != "string" or not field.required:
            self.error(where, f"the model field {name} must be a required string")
        enum = self.spec.root.enums.get(field.enum or "")
        if enum is not None:
            missing = [m for m in form.models if m not in enum.members.values()]
            if missing:
                self.error(
                    field.at.where("enum"),
                    f"enum {field.enum} lacks models of this form: {_listed(missing)}",
                )

    # fields ------------------------------------------------------------------

    def check_field(
        self,
        op: sm.Operation,
        parent: Table[sm.Field],
        name: str,
        field: sm.Field,
        models: Sequence[str],
        objects: Mapping[str, object] | None = None,
        *,
        request: bool = True,
    ) -> None:
        at = field.at
        types = list(field.type) if isinstance(field.type, list) else [field.type]
        kind = types[0] if len(types) == 1 else "union"
        self.name(
            parent.where_key(name), name, nm.FIELD, "field name", nm.RESERVED_FIELDS
        )
        if kind == "union" and request:
            self.error(
                at.where("type"),
                "a type list is for response fields; a request field has one type",
            )
        if field.pattern is not None and request:
            self.error(
                at.where_key("pattern"), "give pattern per model, in by_model rows"
            )
        for row in field.by_model.values():
            if row.length is not None:
                self.error(
                    row.at.where_key("length"),
                    "length is set for the whole field, not per model",
                )
        if kind == "union" and "array" in types:
            self.error(at.where("type"), "an array cannot be part of a type list")
        choices = field.choices
        enums = self.spec.root.enums
        if field.enum is not None and self.known(
            at.where("enum"), "enum", field.enum, enums
        ):
            if kind != "string":
                self.error(at.where("enum"), "only a string field can have an enum")
            else:
                values = list(enums[field.enum].members.values())
                self.check_values_in(field.choices, values, f"enum {field.enum}")
                for row in field.by_model.values():
                    self.check_values_in(row.choices, values, f"enum {field.enum}")
        self.check_constraints(
            at,
            kind,
            field.choices,
            field.range,
            field.length,
            field.count,
            field.pattern,
            op,
        )
        if choices is not None:
            self.check_unique(choices)
        if field.aliases:
            for alias, target in field.aliases.items():
                if choices is None or target not in choices:
                    self.error(
                        field.aliases.where(alias),
                        f"alias {alias!r} points to {target!r}, which is not one of the choices",
                    )
                elif alias in choices:
                    self.error(
                        field.aliases.where_key(alias),
                        f"alias {alias!r} is itself a choice",
                    )
        if field.default is not None:
            self.check_default(
                at.where("default"),
                field.default,
                kind,
                choices,
                field.range,
                field.pattern,
                op,
            )
        if kind == "array":
            if field.items is None:
                self.error(at.pos, f"array field {name} needs items")
            else:
                self.check_items(field.items, objects)
        elif field.items is not None:
            self.error(at.where("items"), "only an array field has items")
        if field.role == "model" and not request:
            self.error(
                at.where("role"), "role: model belongs to a request form's field"
            )
        for model, row in field.by_model.items():
            where = field.by_model.where_key(model)
            if model not in models:
                known = "this form's models" if models else "request forms only"
                self.error(
                    where, f"model {model!r} is not one of {known}: {_listed(models)}"
                )
            self.check_constraints(
                row.at,
                kind,
                row.choices,
                row.range,
                row.length,
                row.count,
                row.pattern,
                op,
            )
            if row.choices is not None:
                self.check_unique(row.choices)
            if row.default is not None:
                self.check_default(
                    row.at.where("default"),
                    row.default,
                    kind,
                    row.choices if row.choices is not None else choices,
                    row.range if row.range is not None else field.range,
                    row.pattern,
                    op,
                )
            if row.ignored and not row.allowed:
                self.error(
                    row.at.where("ignored"),
                    "a field cannot be both ignored and not allowed",
                )

    def check_values_in(
        self, values: Seq[sm.Scalar] | None, allowed: list[str], what: str
    ) -> None:
        for index, value in enumerate(values or ()):
            if value not in allowed:
                self.error(
                    values.where(index) if values else Pos("", 0, 0),
                    f"{value!r} is not a value of {what}: {_listed(allowed)}",
                )

    def check_unique(self, values: Seq[sm.Scalar]) -> None:
        seen: set[object] = set()
        for index, value in enumerate(values):
            key = (type(value), value)
            if key in seen:
                self.error(values.where(index), f"{value!r} is listed twice")
            seen.add(key)

    def check_constraints(
        self,
        at: Table[Any],
        kind: str,
        choices: Seq[sm.Scalar] | None,
        range_: Seq[int] | None,
        length: Seq[int] | None,
        count: Seq[int] | None,
        pattern: str | None,
        op: sm.Operation,
    ) -> None:
        for key, bounds, fits in (
            ("range", range_, kind == "integer"),
            ("length", length, kind == "string"),
            ("count", count, kind == "array"),
        ):
            if bounds is None:
                continue
            if not fits:
                self.error(at.where_key(key), f"{key} does not apply to a {kind} field")
            elif len(bounds) != 2:
                self.error(
                    at.where(key),
                    f"{key} needs two numbers [min, max], got {len(bounds)}",
                )
            elif bounds[0] > bounds[1]:
                self.error(
                    at.where(key),
                    f"{key} [{bounds[0]}, {bounds[1]}] is inverted: min is above max",
                )
            elif key != "range" and bounds[0] < 0:
                self.error(at.where(key), f"{key} cannot be negative")
        if choices is not None:
            if kind != "string":
                self.error(
                    at.where_key("choices"),
                    f"choices apply to string fields, not to a {kind} field",
                )
            elif not choices:
                self.error(
                    at.where("choices"), "choices is empty: nothing would be allowed"
                )
            for index, value in enumerate(choices):
                if kind in _TYPES and not _type_ok(value, kind):
                    self.error(
                        choices.where(index), f"choice {value!r} is not a {kind}"
                    )
        if pattern is not None:
            if kind != "string":
                self.error(
                    at.where_key("pattern"), f"pattern does not apply to a {kind} field"
                )
            else:
                self.known(at.where("pattern"), "pattern", pattern, op.patterns)
            if choices is not None:
                self.error(
                    at.where_key("pattern"), "give choices or a pattern, not both"
                )

    def check_default(
        self,
        pos: Pos,
        value: sm.Scalar,
        kind: str,
        choices: Seq[sm.Scalar] | None,
        range_: Seq[int] | None,
        pattern: str | None,
        op: sm.Operation,
    ) -> None:
        if kind in _TYPES and not _type_ok(value, kind):
            self.error(pos, f"default {value!r} is not a {kind}")
            return
        if choices is not None and value not in choices:
            self.error(
                pos,
                f"default {value!r} is not one of the allowed values: {_listed(str(c) for c in choices)}",
            )
        if (
            range_ is not None
            and len(range_) == 2
            and type(value) is int
            and not range_[0] <= value <= range_[1]
        ):
            self.error(
                pos, f"default {value} is outside the range {range_[0]}-{range_[1]}"
            )
        named = op.patterns.get(pattern or "")
        if (
            named is not None
            and isinstance(value, str)
            and pattern_problem(named.regex) is None
            and not fullmatch(re.compile(named.regex), value)
        ):
            self.error(pos, f"default {value!r} does not match pattern {pattern}")

    def check_items(
        self, items: sm.Items, objects: Mapping[str, object] | None
    ) -> None:
        given = [
            k for k in ("type", "object", "asset") if getattr(items, k) is not None
        ]
        if len(given) != 1:
            self.error(
                items.at.pos,
                f"items needs exactly one of type, object, asset; got {_listed(given)}",
            )
        if items.object is not None:
            where = items.at.where("object")
            self.known(where, "object", items.object, objects or {})
        if items.asset is not None:
            assets = self.spec.root.assets
            self.known(items.at.where("asset"), "asset", items.asset, assets)
        if items.type == "array":
            self.error(items.at.where("type"), "arrays of arrays are not supported")
        if items.decoded_bytes_below is not None:
            if items.asset is None:
                self.error(
                    items.at.where_key("decoded_bytes_below"),
                    "decoded_bytes_below applies to assets only",
                )
            elif items.decoded_bytes_below <= 0:
                self.error(
                    items.at.where("decoded_bytes_below"),
                    "decoded_bytes_below must be positive",
                )

    # rules -------------------------------------------------------------------

    def check_rules(
        self, rules: Seq[sm.Rule], fields: Table[sm.Field], form: sm.Form
    ) -> None:
        seen: dict[str, list[tuple[set[str], Pos]]] = {}
        for rule in rules:
            models = set(rule.models) if rule.models is not None else set(form.models)
            for other_models, pos in seen.get(rule.id, []):
                if models & other_models:
                    self.error(
                        rule.at.where("id"),
                        f"rule {rule.id!r} is defined twice for {_listed(sorted(models & other_models))} (first at {pos})",
                    )
            seen.setdefault(rule.id, []).append((models, rule.at.where("id")))
            self.check_rule(rule, fields, form)

    def check_rule(self, rule: sm.Rule, fields: Table[sm.Field], form: sm.Form) -> None:
        at = rule.at
        if rule.models is not None:
            for index, model in enumerate(rule.models):
                if model not in form.models:
                    self.error(
                        rule.models.where(index),
                        f"model {model!r} is not one of this form's models: {_listed(form.models)}",
                    )
            if not rule.models:
                self.error(
                    at.where("models"), "models is empty: the rule would never apply"
                )
        if not rule.when and rule.require is None:
            self.error(at.pos, f"rule {rule.id} needs when, require or both")
        for name, condition in rule.when.items():
            field = fields.get(name)
            if field is None:
                self.error(
                    rule.when.where_key(name),
                    f"unknown field {name!r} in when; fields: {_listed(fields)}",
                )
                continue
            if field.role == "model":
                self.error(
                    rule.when.where_key(name),
                    "use models: to limit a rule to some models, not when",
                )
            kind = field.type if isinstance(field.type, str) else "union"
            for value in condition.equals or ():
                if kind in _TYPES and not _type_ok(value, kind):
                    self.error(
                        rule.when.where(name),
                        f"{value!r} can never equal {name}, a {kind} field",
                    )
        if rule.require is not None:
            self.check_total(rule.require, fields, form)
        elif rule.by_model:
            self.error(
                at.where_key("by_model"), "by_model rows need a require to override"
            )
        for model, row in rule.by_model.items():
            if model not in form.models:
                self.error(
                    rule.by_model.where_key(model),
                    f"model {model!r} is not one of this form's models: {_listed(form.models)}",
                )
            if row.max < 0:
                self.error(row.at.where("max"), "max cannot be negative")
        if rule.field is not None and rule.field not in fields:
            self.error(
                at.where("field"),
                f"unknown field {rule.field!r}; fields: {_listed(fields)}",
            )
        if rule.field is None and not rule.when and rule.require is None:
            return
        self.check_message(rule)

    def check_total(
        self, require: sm.Requirement, fields: Table[sm.Field], form: sm.Form
    ) -> None:
        where = require.at.where("total")
        outer, _, inner = require.total.partition("[].")
        field = fields.get(outer)
        if field is None or field.type != "array":
            self.error(
                where, f"total names {outer!r}, which is not an array field here"
            )
            return
        if not inner:
            return
        obj_name = field.items.object if field.items else None
        obj = form.objects.get(obj_name or "")
        if obj is None:
            self.error(where, f"{outer}[] does not hold objects")
            return
        inner_field = obj.fields.get(inner)
        if inner_field is None or inner_field.type != "array":
            self.error(where, f"{inner!r} is not an array field of {obj_name}")
        if require.max < 0:
            self.error(require.at.where("max"), "max cannot be negative")

    def check_message(self, rule: sm.Rule) -> None:
        allowed = _PLACEHOLDERS if rule.require is not None else {"model"}
        try:
            names = {
                n
                for _, n, _, _ in string.Formatter().parse(rule.message)
                if n is not None
            }
        except ValueError as exc:
            self.error(
                rule.at.where("message"), f"message is not a valid template: {exc}"
            )
            return
        for name in sorted(names - allowed):
            self.error(
                rule.at.where("message"),
                f"message uses {{{name}}}; it may use {_listed('{' + n + '}' for n in sorted(allowed))}",
            )

    # generated names --------------------------------------------------------

    def check_constants(self) -> None:
        """Two spec names must not give one module-level name in the generated
        ``tables`` or ``_validators`` module (``A_B`` from operation ``a`` and
        form ``b``, or from field ``b`` of form ``a``)."""
        taken: dict[str, tuple[str, Pos]] = {
            n: ("", Pos("", 0, 0)) for n in _TABLE_NAMES
        }

        def claim(const: str, what: str, pos: Pos) -> None:
            if const in taken:
                other, at = taken[const]
                first = f"{other} (at {at})" if other else "a fixed name"
                self.error(
                    pos,
                    f"{what} gives the generated name {const}, which {first} already gives",
                )
            else:
                taken[const] = (what, pos)

        for name in self.spec.root.assets:
            where = self.spec.root.assets.where_key(name)
            const = nm.constant(name, "asset")
            claim(const, f"asset {name}", where)
            claim(f"{const}_PREFIXES", f"asset {name}", where)
        for op in self.spec.operations:
            for name in op.patterns:
                where = op.patterns.where_key(name)
                claim(nm.constant(name, "pattern"), f"pattern {name}", where)
        for op in self.spec.operations:
            for name, form in op.forms.items():
                where = op.forms.where_key(name)
                prefix = nm.constant(op.operation.id, name)
                what = f"form {name}"
                claim(prefix, what, where)
                for suffix in ("FIELDS", "MODELS", "FORM", "BODY_MAX_BYTES"):
                    claim(f"{prefix}_{suffix}", what, where)
                self.claim_fields(claim, prefix, form.fields)
                for oname, obj in form.objects.items():
                    oprefix = f"{prefix}_{oname.upper()}"
                    where = form.objects.where_key(oname)
                    claim(oprefix + "_FIELDS", f"object {oname}", where)
                    self.claim_fields(claim, oprefix, obj.fields)

    @staticmethod
    def claim_fields(claim: Any, prefix: str, fields: Table[sm.Field]) -> None:
        for fname, field in fields.items():
            where = fields.where_key(fname)
            const = f"{prefix}_{fname.upper()}"
            what = f"field {fname}"
            claim(const, what, where)
            for key, suffix in _FIELD_KEYS.items():
                if getattr(field, key) is not None:
                    claim(f"{const}_{suffix}", what, where)
            for key, suffix in _ROW_KEYS.items():
                if any(
                    getattr(row, key) is not None for row in field.by_model.values()
                ):
                    claim(f"{const}_{suffix}", what, where)
            if any(row.ignored for row in field.by_model.values()):
                claim(f"{const}_IGNORED_BY", what, where)
            if any(not row.allowed for row in field.by_model.values()):
                claim(f"{const}_UNSUPPORTED_BY", what, where)


def check_spec(spec: sm.Spec) -> list[Finding]:
    """Every semantic problem in ``spec``, errors and warnings."""
    return _Checker(spec).run()


def _missing_required(
    where: str,
    response: sm.Response,
    body: dict[str, object],
    responses: Table[sm.Response],
    depth: int = 0,
) -> list[str]:
    """The paths of the required fields a body read as ``response`` lacks
    (missing or ``null``), in the objects of its lists too; ``depth``
    bounds a response that holds itself."""
    missing: list[str] = []
    for fname, field in response.fields.items():
        value = body.get(fname)
        if value is None:
            if field.required:
                missing.append(f"{where}.{fname}")
            continue
        inner = responses.get(field.items.object or "") if field.items else None
        if inner is None or not isinstance(value, list) or depth >= 16:
            continue
        for i, item in enumerate(value):
            if isinstance(item, dict):
                missing += _missing_required(
                    f"{where}.{fname}[{i}]", inner, item, responses, depth + 1
                )
    return missing
