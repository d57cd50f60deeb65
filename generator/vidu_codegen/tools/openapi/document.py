"""The spec as an OpenAPI 3.1 document, for tools other than this generator.

:func:`build_openapi` turns a checked spec into a plain ``dict`` (its key order
depends only on the spec, so the same spec always gives the same bytes);
:func:`render_openapi` prints it as JSON or YAML. ``vidu-codegen openapi``
is the command line.

What the document holds:

- ``info`` and ``servers`` from ``api`` (``base_url`` first, then ``hosts``);
  an ``apiKey`` security scheme for ``api.auth`` (``Authorization: Token <key>``).
- One operation per operation file: path parameters, the request body (a
  ``oneOf`` of the forms when there are several, each form excluding the
  others by the key that selects it, exactly as ``validate_payload`` picks a
  form), the success response, one error response per status of the error
  table (the error body's shape from ``errors.fields``, the codes in the
  descriptions) and a minimal valid example body per form.
- Component schemas for every request form and object, response, enum and
  asset, and the error body. Request schemas are closed
  (``additionalProperties: false``); each field has its type, choices (aliases
  included), bounds and default, and a description made of its summary, its
  per-model constraints and the decision notes of the spec.
- Per-model constraints as ``allOf`` entries ``{if: {model: M}, then: ...}``;
  rules across fields as ``if``/``then`` entries. A condition on a field's
  effective value is written out with the model's default, so
  ``off_peak: true`` with ``audio`` left out is judged as the validator judges
  it. Totals over the objects of an array (``subjects[].images``) are written
  as bounded ``contains`` counts.
- ``webhooks``: the callback, with its body schema and signature headers.

What JSON Schema cannot say is said in descriptions instead, and never
approximated by something stricter than the validator: the content of data
URIs (media type, magic bytes, pixel size, aspect ratio, decoded size), the
body-size limit, warnings (fields accepted but ignored), and that an integer
must be written as an integer literal (``5.0`` is a whole number to JSON
Schema but not an integer to the validator).

Response schemas are as lenient as the client: every field is optional, other
fields are allowed, and a field typed with an enum also takes other strings.
"""

from __future__ import annotations

import functools
import hashlib
import http
import io
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

from vidu_codegen.load import model as sm

Schema: TypeAlias = dict[str, Any]
Format: TypeAlias = Literal["json", "yaml"]

__all__ = ["OPENAPI_VERSION", "build_openapi", "render_openapi"]

OPENAPI_VERSION = "3.1.0"
MEDIA_TYPE = "application/json"
SECURITY_SCHEME = "ApiKeyAuth"

# The generated asset checks accept these URL schemes unexamined (AssetRules'
# ``url_schemes``), besides an asset's ``extra_prefixes``; anything else must
# be a data URI.
URL_PREFIXES = ("https://", "http://")
DATA_URI_PREFIX = "data:"

_ERROR_SCHEMA_NAMES = ("Error", "ErrorBody", "ApiError")
_ERROR_FIELD_TYPES = {"code": "integer"}
_ERROR_FIELD_DOCS = {
    "code": "The HTTP status, repeated.",
    "reason": "The error code: one of the table in the response's description.",
    "message": "What went wrong, in words.",
    "trace_id": "Identifies the request for the service's support.",
}
_INTEGER_NOTE = (
    "Send a JSON integer literal such as `5`: the service reads `5.0` as a "
    "wrong type (JSON Schema cannot tell the two apart)."
)
_ECMA_SPECIAL = set("\\^$.|?*+()[]{}")


def build_openapi(spec: sm.Spec) -> Schema:
    """The OpenAPI 3.1 document of ``spec`` (a spec without errors)."""
    return _Builder(spec).build()


def render_openapi(document: Mapping[str, Any], fmt: Format = "json") -> str:
    """``document`` as JSON (two-space indent) or YAML text, ending in a newline."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return _yaml(document)
    raise ValueError(f"unknown format {fmt!r}: use json or yaml")


def _yaml(document: Mapping[str, Any]) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    # YAML 1.1 readers (PyYAML) take `16:9` for a number and `on` for a
    # boolean: quote every string a 1.1 resolver would not read back as one.
    yaml.representer.add_representer(str, _represent_str)
    out = io.StringIO()
    yaml.dump(_plain(document), out)
    return out.getvalue()


@functools.cache
def _yaml11_tag(value: str) -> str:
    """The tag a YAML 1.1 reader gives the plain scalar ``value``."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    resolver = VersionedResolver(version=(1, 1))
    return str(resolver.resolve(ScalarNode, value, (True, False)))


def _represent_str(representer: Any, value: str) -> Any:
    style = None
    if "\n" in value:
        style = "|"  # ruamel falls back to quotes where a block cannot say it
    elif _yaml11_tag(value) != "tag:yaml.org,2002:str":
        style = '"'
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _plain(value: Any) -> Any:
    """Copy ``value`` with plain dicts and lists (ruamel keeps their order)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# --- helpers ------------------------------------------------------------------


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _same(a: object, b: object) -> bool:
    """Equality as the validator's conditions see it: ``true`` is not ``1``."""
    return type(a) is type(b) and a == b


def _doc(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"`{value}`" if isinstance(value, str) else str(value)


def _cell(text: str) -> str:
    """``text`` for a cell of a Markdown table."""
    return text.replace("|", "\\|").replace("\n", " ")


def _models_doc(models: Iterable[str]) -> str:
    return ", ".join(models)


def _ecma_escape(text: str) -> str:
    return "".join("\\" + c if c in _ECMA_SPECIAL else c for c in text)


def _prefix_pattern(prefixes: Sequence[str]) -> str:
    return "^(?:" + "|".join(_ecma_escape(p) for p in prefixes) + ")"


def _anchored(regex: str) -> str:
    return f"^(?:{regex})$"


def _bounds(schema: Schema, pair: Sequence[int] | None, low: str, high: str) -> None:
    if pair is None:
        return
    lo, hi = pair
    if lo > 0 or low == "minimum":
        schema[low] = lo
    schema[high] = hi


def _model_if(model_field: str, models: Sequence[str]) -> Schema:
    test: Schema = {"const": models[0]} if len(models) == 1 else {"enum": list(models)}
    return {"properties": {model_field: test}, "required": [model_field]}


def _merge_if(parts: list[Schema]) -> Schema:
    """One schema requiring every one of ``parts``."""
    if len(parts) == 1:
        return parts[0]
    merged: Schema = {}
    rest: list[Schema] = []
    for part in parts:
        simple = set(part) <= {"properties", "required"}
        clash = any(
            name in merged.get("properties", {}) for name in part.get("properties", {})
        )
        if simple and not clash:
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            required = merged.setdefault("required", [])
            required += [r for r in part.get("required", []) if r not in required]
        else:
            rest.append(part)
    if not merged.get("required"):
        merged.pop("required", None)
    if rest:
        merged["allOf"] = rest
    return merged


class _Builder:
    def __init__(self, spec: sm.Spec) -> None:
        self.spec = spec
        self.root = spec.root
        taken = set(self.root.enums) | {a.class_ for a in self.root.assets.values()}
        for op in spec.operations:
            for form in op.forms.values():
                taken |= {form.class_, *form.objects}
            taken |= set(op.responses)
        self.error_schema = next(
            (n for n in _ERROR_SCHEMA_NAMES if n not in taken), "ErrorResponseBody"
        )
        self.asset_names = {name: a.class_ for name, a in self.root.assets.items()}

    # -- the document ---------------------------------------------------------

    def build(self) -> Schema:
        api = self.root.api
        doc: Schema = {
            "openapi": OPENAPI_VERSION,
            "info": self._info(),
            "servers": self._servers(),
            "security": [{SECURITY_SCHEME: []}],
            "paths": self._paths(),
        }
        webhooks = self._webhooks()
        if webhooks:
            doc["webhooks"] = webhooks
        components: Schema = {"schemas": self._schemas()}
        if self.root.errors is not None:
            components["responses"] = self._error_responses(self.root.errors)
        components["securitySchemes"] = {
            SECURITY_SCHEME: {
                "type": "apiKey",
                "in": "header",
                "name": api.auth.header,
                "description": self._auth_doc(),
            }
        }
        doc["components"] = components
        digest = hashlib.sha256(
            json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()
        # The spec has no version of its own: the document's digest stands in,
        # so any change to the spec changes it.
        doc["info"]["version"] = f"spec-{digest[:12]}"
        return doc

    def _info(self) -> Schema:
        api = self.root.api
        lines = [
            api.summary,
            "",
            f"Written from the spec of the `{api.package}` package by "
            "`vidu-codegen openapi`; the spec (`spec/`) is the source of truth.",
            "",
            "Models:",
            "",
            "| Model | Summary |",
            "| --- | --- |",
        ]
        lines += [
            f"| {_cell(name)} | {_cell(m.summary)} |"
            for name, m in self.root.models.items()
        ]
        lines += [
            "",
            "What JSON Schema cannot express is described instead: the content of "
            "data URIs (media type, magic bytes, pixel size, aspect ratio, decoded "
            "size), body-size limits, warnings about fields the service accepts "
            "but ignores, and that integers must be sent as integer literals.",
        ]
        return {
            "title": api.name,
            "summary": api.summary,
            "description": "\n".join(lines),
            "version": "",
        }

    def _servers(self) -> list[Schema]:
        api = self.root.api
        names: dict[str, list[str]] = {api.base_url: ["default"]}
        for name, url in api.hosts.items():
            names.setdefault(url, []).append(name)
        return [
            {"url": url, "description": ", ".join(labels)}
            for url, labels in names.items()
        ]

    def _auth_doc(self) -> str:
        auth = self.root.api.auth
        text = (
            f"The API key in the `{auth.header}` header, after the word "
            f"`{auth.scheme}`: `{auth.header}: {auth.scheme} <key>`."
        )
        if auth.env:
            text += f" The client reads the key from `${auth.env}` by default."
        return text

    # -- operations -----------------------------------------------------------

    def _paths(self) -> Schema:
        paths: Schema = {}
        for op in self.spec.operations:
            info = op.operation
            item = paths.setdefault(info.path, {})
            item[info.method.lower()] = self._operation(op)
        return paths

    def _operation(self, op: sm.Operation) -> Schema:
        info = op.operation
        out: Schema = {
            "operationId": info.id,
            "summary": info.summary,
            "description": self._operation_doc(op),
        }
        if info.params:
            out["parameters"] = [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": param.summary,
                    "schema": {"type": "string"},
                }
                for name, param in info.params.items()
            ]
        if op.forms:
            out["requestBody"] = self._request_body(op)
        responses: Schema = {
            "200": {
                "description": op.responses[info.response].summary
                if info.response in op.responses
                else "Success.",
                "content": {MEDIA_TYPE: {"schema": _ref(info.response)}},
            }
        }
        if self.root.errors is not None:
            for status in self._error_statuses(self.root.errors):
                responses[str(status)] = {
                    "$ref": f"#/components/responses/Error{status}"
                }
        out["responses"] = responses
        return out

    def _operation_doc(self, op: sm.Operation) -> str:
        info = op.operation
        parts = [info.summary]
        idempotent = info.idempotent
        if idempotent is None:
            idempotent = info.method in ("GET", "PUT", "DELETE")
        parts.append(
            "Safe to repeat: the client may retry it."
            if idempotent
            else "Not safe to repeat: the client never sends it twice once it "
            "may have reached the service."
        )
        if info.task == "create":
            parts.append(
                "Creates a task; its state changes are POSTed to the request's "
                "`callback_url`, if any (see the webhook)."
            )
        forms = list(op.forms.items())
        if len(forms) > 1:
            selected = [(n, f) for n, f in forms if f.selected_by]
            default = next((n for n, f in forms if not f.selected_by), None)
            lines = [
                f"A body with `{f.selected_by}` is the {n} form (`{f.class_}`)"
                for n, f in selected
            ]
            if default is not None:
                lines.append(
                    f"any other body the {default} form (`{op.forms[default].class_}`)"
                )
            parts.append("; ".join(lines) + ".")
        return "\n\n".join(parts)

    def _request_body(self, op: sm.Operation) -> Schema:
        forms = list(op.forms.items())
        if len(forms) == 1:
            schema = _ref(forms[0][1].class_)
        else:
            schema = {"oneOf": [_ref(form.class_) for _, form in forms]}
        examples = {
            name: {
                "summary": f"A minimal valid body of the {name} form ({form.class_})",
                "value": self._example(form),
            }
            for name, form in forms
        }
        return {
            "required": any(self._needs_body(form) for _, form in forms),
            "content": {MEDIA_TYPE: {"schema": schema, "examples": examples}},
        }

    @staticmethod
    def _needs_body(form: sm.Form) -> bool:
        """Whether an empty body breaks the form (so a body is required)."""
        if any(f.required or f.role == "model" for f in form.fields.values()):
            return True
        return any(
            rule.severity == "error"
            and rule.models is None
            and rule.require is None
            and rule.when
            and all(c.present is False for c in rule.when.values())
            for rule in form.rules
        )

    # -- errors ---------------------------------------------------------------

    @staticmethod
    def _error_statuses(errors: sm.ErrorsDef) -> list[int]:
        return sorted({code.status for code in errors.codes.values()})

    def _error_responses(self, errors: sm.ErrorsDef) -> Schema:
        out: Schema = {}
        for status in self._error_statuses(errors):
            codes = [(r, c) for r, c in errors.codes.items() if c.status == status]
            try:
                phrase = http.HTTPStatus(status).phrase
            except ValueError:
                phrase = "Error"
            lines = [
                f"{phrase}. The body's `reason` is one of:",
                "",
                "| reason | message |",
                "| --- | --- |",
            ]
            lines += [f"| {_cell(r)} | {_cell(c.message)} |" for r, c in codes]
            if status == 400:
                lines += [
                    "",
                    "A body that breaks the rules of the request schema is "
                    "answered with 400.",
                ]
            reason, code = codes[0]
            example = self._error_example(errors.fields, status, reason, code.message)
            out[f"Error{status}"] = {
                "description": "\n".join(lines),
                "content": {
                    MEDIA_TYPE: {
                        "schema": _ref(self.error_schema),
                        "example": example,
                    }
                },
            }
        return out

    @staticmethod
    def _error_example(
        fields: sm.ErrorFields, status: int, reason: str, message: str
    ) -> Schema:
        body: Schema = {}
        values: dict[str, object] = {
            "code": status,
            "reason": reason,
            "message": message.replace("{{.fields}}", "prompt"),
            "trace_id": "0123456789abcdef0123456789abcdef",
        }
        for part, dotted in _error_parts(fields):
            *parents, last = dotted.split(".")
            node = body
            for name in parents:
                node = node.setdefault(name, {})
            node[last] = values[part]
        return body

    def _error_schema(self, errors: sm.ErrorsDef) -> Schema:
        schema: Schema = {
            "type": "object",
            "description": "The body of every error answer. Fields other than "
            "these may be present.",
            "properties": {},
        }
        for part, dotted in _error_parts(errors.fields):
            *parents, last = dotted.split(".")
            node = schema
            for name in parents:
                child = node["properties"].setdefault(
                    name, {"type": "object", "properties": {}}
                )
                node = child
            node["properties"][last] = {
                "type": _ERROR_FIELD_TYPES.get(part, "string"),
                "description": _ERROR_FIELD_DOCS[part],
            }
        return schema

    # -- webhooks -------------------------------------------------------------

    def _webhooks(self) -> Schema:
        callback = self.root.callback
        if callback is None:
            return {}
        sig = callback.signature
        signing = (
            f"The signature (`{sig.signature_header}`) is the base64 "
            f"{sig.algorithm.upper()} of the signing string, keyed with the API key "
            "that created the task. The signing string is, each line ending in "
            "`\\n`: the method, the path, the query, the access key "
            f"(`{sig.access_key}`), the `{sig.date_header}` header, then "
            "`Name:value` for each header named in "
            f"`{sig.signed_headers_header}`, in order. The body is not signed. "
            "Check the signature in constant time, refuse a stale or future "
            f"`{sig.date_header}`, and refuse a nonce seen before "
            "(`vidu.webhooks.verify`)."
        )
        headers = [
            (sig.date_header, "When the callback was sent, as an HTTP date.", None),
            (sig.nonce_header, "A unique value per callback, to refuse replays.", None),
            (
                sig.signed_headers_header,
                "The headers in the signing string, `;`-separated, in order "
                f"(such as `{sig.date_header};{sig.nonce_header}`).",
                None,
            ),
            (sig.signature_header, "The base64 signature.", None),
            (sig.algorithm_header, "The signature algorithm.", sig.algorithm),
            (sig.access_key_header, "The access key.", sig.access_key),
        ]
        parameters = []
        for name, doc, const in headers:
            schema: Schema = {"type": "string"}
            if const is not None:
                schema["const"] = const
            parameters.append(
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "description": doc,
                    "schema": schema,
                }
            )
        operation: Schema = {
            "operationId": "callback",
            "summary": "A task's state changed.",
            "description": "The service sends the task, as the task-reading "
            "operation returns it, to the `callback_url` given when the task was "
            "created, whenever its state changes. Answer with a 2xx status; a "
            "callback for an end state is retried otherwise.\n\n" + signing,
            "parameters": parameters,
            "requestBody": {
                "required": True,
                "content": {MEDIA_TYPE: {"schema": _ref(callback.body)}},
            },
            "responses": {"200": {"description": "Any 2xx status acknowledges it."}},
            "security": [],
        }
        return {"callback": {callback.method.lower(): operation}}

    # -- component schemas ----------------------------------------------------

    def _schemas(self) -> Schema:
        schemas: Schema = {}
        for name, enum in self.root.enums.items():
            values = list(enum.members.values())
            schemas[name] = {
                "type": "string",
                "description": enum.summary,
                "enum": values,
                "x-enum-varnames": list(enum.members),
            }
        for name, asset in self.root.assets.items():
            schemas[asset.class_] = self._asset_schema(name, asset)
        for op in self.spec.operations:
            forms = list(op.forms.items())
            selectors = [f.selected_by for _, f in forms if f.selected_by]
            for name, form in forms:
                schemas[form.class_] = self._form_schema(op, name, form, selectors)
                for oname, obj in form.objects.items():
                    schemas[oname] = self._object_schema(form, oname, obj)
        for op in self.spec.operations:
            for name, response in op.responses.items():
                schemas[name] = self._response_schema(response)
        if self.root.errors is not None:
            schemas[self.error_schema] = self._error_schema(self.root.errors)
        return schemas

    def _asset_schema(self, name: str, asset: sm.AssetDef) -> Schema:
        prefixes = [*URL_PREFIXES, *asset.extra_prefixes]
        lines = [
            asset.summary,
            "",
            f"An {' or '.join(p.rstrip(':/') for p in URL_PREFIXES)} URL"
            + (
                f" or a string starting with {', '.join(asset.extra_prefixes)}"
                if asset.extra_prefixes
                else ""
            )
            + " is accepted as it is. Anything else must be a data URI "
            "`data:<media type>;base64,<data>` (strict base64, padded), which "
            "the service decodes and checks:",
            "",
            f"- media type one of {', '.join(asset.formats)}, and the data "
            "really in that format (by its magic bytes);",
        ]
        if asset.min_width or asset.min_height:
            lines.append(
                f"- at least {asset.min_width or 0} x {asset.min_height or 0} pixels;"
            )
        if asset.aspect_ratio:
            low, high = asset.aspect_ratio
            lines.append(f"- width:height from {low} to {high}, inclusive;")
        if asset.max_file_bytes:
            lines.append(f"- at most {asset.max_file_bytes} bytes decoded;")
        lines.append(
            "- a field may set a lower limit on the decoded size (see its description)."
        )
        lines += [
            "",
            "JSON Schema cannot check a data URI's content: the pattern only "
            "says how an accepted string starts.",
        ]
        return {
            "type": "string",
            "description": "\n".join(lines),
            "pattern": _prefix_pattern([*prefixes, DATA_URI_PREFIX]),
            "x-asset": name,
        }

    # -- requests -------------------------------------------------------------

    def _form_schema(
        self, op: sm.Operation, name: str, form: sm.Form, selectors: list[str]
    ) -> Schema:
        model_field = next(
            (n for n, f in form.fields.items() if f.role == "model"), None
        )
        required = [n for n, f in form.fields.items() if f.required]
        if form.selected_by and form.selected_by not in required:
            required.append(form.selected_by)
        schema: Schema = {
            "type": "object",
            "description": self._form_doc(op, name, form),
            "properties": {
                fname: self._field_schema(field, form, model_field=fname == model_field)
                for fname, field in form.fields.items()
            },
        }
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        excluded = (
            selectors[: selectors.index(form.selected_by)]
            if form.selected_by
            else selectors
        )
        if len(excluded) == 1:
            schema["not"] = {"required": excluded}
        elif excluded:
            schema["not"] = {"anyOf": [{"required": [k]} for k in excluded]}
        entries = self._per_model_entries(form, model_field)
        entries += self._rule_entries(form, model_field)
        if entries:
            schema["allOf"] = entries
        return schema

    def _form_doc(self, op: sm.Operation, name: str, form: sm.Form) -> str:
        parts = [form.summary]
        if form.selected_by:
            parts.append(
                f"The {name} form of `{op.operation.id}`: a body with "
                f"`{form.selected_by}` is checked as this form."
            )
        elif len(op.forms) > 1:
            parts.append(
                f"The {name} form of `{op.operation.id}`: the form of any body "
                "that no other form's key selects."
            )
        if form.models:
            parts.append(f"Models: {_models_doc(form.models)}.")
        warnings = self._warnings(form)
        if warnings:
            parts.append(
                "Warnings (the service accepts the body but ignores something; "
                "not errors, so not in this schema):\n\n"
                + "\n".join(f"- {w}" for w in warnings)
            )
        unsaid = self._unsaid(form)
        if unsaid:
            parts.append(
                "Also checked, but not expressible in JSON Schema:\n\n"
                + "\n".join(f"- {u}" for u in unsaid)
            )
        return "\n\n".join(parts)

    def _warnings(self, form: sm.Form) -> list[str]:
        out = []
        fields: list[tuple[str, sm.Field]] = list(form.fields.items())
        for oname, obj in form.objects.items():
            holder = self._holder(form, oname)
            fields += [(f"{holder}[].{n}", f) for n, f in obj.fields.items()]
        for fname, field in fields:
            ignored = [m for m, row in field.by_model.items() if row.ignored]
            if ignored:
                out.append(
                    f"`{fname}` is ignored by {_models_doc(ignored)} "
                    f"(`{fname.replace('[]', '')}.ignored`)."
                )
        rules = list(form.rules) + [r for o in form.objects.values() for r in o.rules]
        for rule in rules:
            if rule.severity == "warning":
                text = (rule.summary or rule.message).rstrip(".")
                models = f", on {_models_doc(rule.models)}" if rule.models else ""
                out.append(f"{text}{models} (`{rule.id}`).")
        return out

    def _unsaid(self, form: sm.Form) -> list[str]:
        out = []
        assets = sorted(
            {
                self.asset_names[f.items.asset]
                for f in self._all_fields(form)
                if f.items is not None and f.items.asset
            }
        )
        if assets:
            out.append(
                "The content of data URIs ("
                + ", ".join(f"`{a}`" for a in assets)
                + "): media type, format, pixel size, aspect ratio, decoded size."
            )
        if form.body is not None:
            out.append(
                f"The body, as compact UTF-8 JSON, is at most "
                f"{form.body.max_bytes} bytes (`body.size`)."
            )
        if any(f.type == "integer" for f in self._all_fields(form)):
            out.append(_INTEGER_NOTE)
        for rule in self._inexpressible_rules(form):
            out.append(f"{rule.summary or rule.message} (`{rule.id}`).")
        return out

    @staticmethod
    def _all_fields(form: sm.Form) -> list[sm.Field]:
        fields = list(form.fields.values())
        for obj in form.objects.values():
            fields += list(obj.fields.values())
        return fields

    @staticmethod
    def _holder(form: sm.Form, object_name: str) -> str:
        """The array field of ``form`` that holds objects ``object_name``."""
        return next(
            (
                n
                for n, f in form.fields.items()
                if f.items is not None and f.items.object == object_name
            ),
            object_name,
        )

    def _object_schema(self, form: sm.Form, name: str, obj: sm.ObjectDef) -> Schema:
        holder = self._holder(form, name)
        required = [n for n, f in obj.fields.items() if f.required]
        schema: Schema = {
            "type": "object",
            "description": f"{obj.summary}\n\nAn item of `{holder}` in "
            f"`{form.class_}`. Per-model constraints on its fields are in "
            f"`{form.class_}`.",
            "properties": {
                fname: self._field_schema(field, form, model_field=False)
                for fname, field in obj.fields.items()
            },
        }
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        entries = []
        for rule in obj.rules:
            for models, entry in self._rule_groups(rule, obj.fields, form):
                if models is None:
                    entries.append(entry)
        if entries:
            schema["allOf"] = entries
        return schema

    def _field_schema(
        self, field: sm.Field, form: sm.Form, *, model_field: bool
    ) -> Schema:
        kind = field.type
        assert isinstance(kind, str), "a union type in a request form"
        schema: Schema = {"type": kind}
        if model_field:
            schema["enum"] = list(form.models)
        elif kind == "string":
            if field.choices is not None:
                values: list[object] = list(field.choices)
                for alias, target in (field.aliases or {}).items():
                    if target in field.choices and alias not in values:
                        values.append(alias)
                schema["enum"] = values
            _bounds(schema, field.length, "minLength", "maxLength")
        elif kind == "integer":
            _bounds(schema, field.range, "minimum", "maximum")
        elif kind == "array":
            _bounds(schema, field.count, "minItems", "maxItems")
            if field.items is not None:
                schema["items"] = self._items(field.items)
        if field.default is not None:
            schema["default"] = field.default
        return {"description": self._field_doc(field, form, model_field), **schema}

    def _items(self, items: sm.Items) -> Schema:
        if items.object is not None:
            return _ref(items.object)
        if items.asset is not None:
            return _ref(self.asset_names[items.asset])
        return {"type": items.type} if items.type else {}

    def _field_doc(self, field: sm.Field, form: sm.Form, model_field: bool) -> str:
        parts = [field.summary]
        if model_field:
            parts.append(
                f"A model this form takes: {_models_doc(form.models)}."
                + (f" See `{field.enum}` for every known model." if field.enum else "")
            )
            return "\n\n".join(parts)
        if field.enum and field.choices is None:
            parts.append(
                f"`{field.enum}` names common values; the allowed ones depend on "
                "the model (below)."
            )
        if field.aliases:
            parts.append(
                "Also accepted (sent unchanged): "
                + ", ".join(f"`{a}` for `{t}`" for a, t in field.aliases.items())
                + "."
            )
        defaults = [
            (m, row.default)
            for m, row in field.by_model.items()
            if row.default is not None
        ]
        if defaults:
            parts.append(
                "Default (what the service uses when it is left out) per model: "
                + ", ".join(f"{m}: {_doc(v)}" for m, v in defaults)
                + "."
            )
        elif field.default is not None:
            parts.append(
                f"Default (what the service uses when it is left out): "
                f"{_doc(field.default)}."
            )
        per_model = []
        for model, row in field.by_model.items():
            said = []
            if not row.allowed:
                said.append("not accepted")
            if row.ignored:
                said.append("accepted but ignored (a warning)")
            if row.choices is not None:
                said.append("one of " + ", ".join(_doc(c) for c in row.choices))
            if row.range is not None:
                said.append(f"{row.range[0]} to {row.range[1]}")
            if row.count is not None:
                said.append(f"{row.count[0]} to {row.count[1]} items")
            if row.pattern is not None:
                said.append(self._pattern_doc(row.pattern))
            if said:
                per_model.append(f"- {model}: {'; '.join(said)}")
        if per_model:
            parts.append("Per model:\n\n" + "\n".join(per_model))
        notes = [f"- {m}: {row.note}" for m, row in field.by_model.items() if row.note]
        if notes:
            parts.append(
                "Decisions taken where the vendor's docs are unclear:\n\n"
                + "\n".join(notes)
            )
        if field.items is not None and field.items.decoded_bytes_below is not None:
            parts.append(
                f"Each data URI item decodes to fewer than "
                f"{field.items.decoded_bytes_below} bytes."
            )
        if field.type == "integer":
            parts.append(_INTEGER_NOTE)
        return "\n\n".join(parts)

    def _pattern_doc(self, name: str) -> str:
        pattern = self._pattern(name)
        if pattern is None:
            return f"matches pattern {name}"
        return f"{pattern.describe} (`{pattern.regex}`)"

    def _pattern(self, name: str) -> sm.Pattern | None:
        for op in self.spec.operations:
            if name in op.patterns:
                return op.patterns[name]
        return None

    # -- per-model constraints ------------------------------------------------

    def _row_schema(self, field: sm.Field, row: sm.ModelRow) -> Schema | bool | None:
        """What ``row`` adds to ``field`` for its model (``False``: not allowed)."""
        if not row.allowed:
            return False
        schema: Schema = {}
        if row.choices is not None:
            schema["enum"] = list(row.choices)
        if row.pattern is not None:
            pattern = self._pattern(row.pattern)
            if pattern is not None:
                schema["pattern"] = _anchored(pattern.regex)
        if row.range is not None:
            schema["minimum"], schema["maximum"] = row.range
        if row.count is not None:
            _bounds(schema, row.count, "minItems", "maxItems")
        if row.default is not None:
            schema["default"] = row.default
        # `length` rows are not applied by the validator: not expressed.
        return schema or None

    def _per_model_entries(
        self, form: sm.Form, model_field: str | None
    ) -> list[Schema]:
        if model_field is None:
            return []
        entries = []
        for model in form.models:
            props: Schema = {}
            for fname, field in form.fields.items():
                row = field.by_model.get(model)
                added = self._row_schema(field, row) if row is not None else None
                if added is not None:
                    props[fname] = added
            for oname, obj in form.objects.items():
                inner: Schema = {}
                for fname, field in obj.fields.items():
                    row = field.by_model.get(model)
                    added = self._row_schema(field, row) if row is not None else None
                    if added is not None:
                        inner[fname] = added
                holder = self._holder(form, oname)
                if inner and props.get(holder) is not False:
                    props.setdefault(holder, {})["items"] = {"properties": inner}
            if props:
                entries.append(
                    {
                        "if": _model_if(model_field, [model]),
                        "then": {"properties": props},
                    }
                )
        return entries

    # -- rules ----------------------------------------------------------------

    def _rule_entries(self, form: sm.Form, model_field: str | None) -> list[Schema]:
        entries: list[Schema] = []
        for rule in form.rules:
            for models, entry in self._rule_groups(rule, form.fields, form):
                if models is not None and model_field is not None:
                    entry = self._with_model(entry, model_field, models)
                entries.append(entry)
        for oname, obj in form.objects.items():
            holder = self._holder(form, oname)
            for rule in obj.rules:
                for models, entry in self._rule_groups(rule, obj.fields, form):
                    if models is None or model_field is None:
                        continue  # in the object's own schema
                    description = entry.pop("description", None)
                    lifted: Schema = {
                        "if": _model_if(model_field, models),
                        "then": {"properties": {holder: {"items": entry}}},
                    }
                    if description:
                        lifted = {"description": description, **lifted}
                    entries.append(lifted)
        return entries

    @staticmethod
    def _with_model(entry: Schema, model_field: str, models: list[str]) -> Schema:
        condition = _model_if(model_field, models)
        out: Schema = {}
        if "description" in entry:
            out["description"] = entry["description"]
        if "if" in entry:
            out["if"] = _merge_if([condition, entry["if"]])
            out["then"] = entry["then"]
        else:
            out["if"] = condition
            out["then"] = {k: v for k, v in entry.items() if k != "description"}
        return out

    def _inexpressible_rules(self, form: sm.Form) -> list[sm.Rule]:
        out = []
        for rule in form.rules:
            if rule.severity == "error" and not self._rule_groups(
                rule, form.fields, form
            ):
                out.append(rule)
        for obj in form.objects.values():
            for rule in obj.rules:
                if rule.severity == "error" and not self._rule_groups(
                    rule, obj.fields, form
                ):
                    out.append(rule)
        return out

    def _rule_groups(
        self, rule: sm.Rule, fields: Mapping[str, sm.Field], form: sm.Form
    ) -> list[tuple[list[str] | None, Schema]]:
        """The schema entries of an error rule, each for a group of models.

        ``None`` for the models: the entry holds whatever the model, as the
        rule does. An empty list: the rule cannot be expressed.
        """
        if rule.severity != "error":
            return []
        models = list(rule.models) if rule.models is not None else list(form.models)
        groups: dict[str, tuple[list[str], Schema]] = {}
        for model in models:
            entry = self._rule_entry(rule, fields, form, model)
            if entry is None:
                return []
            key = json.dumps(entry, sort_keys=True)
            groups.setdefault(key, ([], entry))[0].append(model)
        found: list[tuple[list[str] | None, Schema]] = list(groups.values())
        if rule.models is None and rule.require is None:
            entry = self._rule_entry(rule, fields, form, None)
            key = json.dumps(entry, sort_keys=True)
            if entry is not None and (not groups or list(groups) == [key]):
                found = [(None, entry)]
        return [
            (group, {"description": self._rule_doc(rule, group), **entry})
            for group, entry in found
        ]

    @staticmethod
    def _rule_doc(rule: sm.Rule, models: list[str] | None) -> str:
        text = rule.summary
        if text is None:
            text = rule.message.replace("{{", "{").replace("}}", "}")
            text = text.replace(
                "{model}", _models_doc(models) if models else "the model"
            )
            text = text.replace("{max}", "the limit").replace("{value}", "the total")
        doc = f"`{rule.id}` ({_models_doc(models) if models else 'any model'}): {text}"
        notes = [f"{m}: {r.note}" for m, r in rule.by_model.items() if r.note]
        if notes:
            doc += " Notes: " + "; ".join(notes) + "."
        return doc

    def _rule_entry(
        self,
        rule: sm.Rule,
        fields: Mapping[str, sm.Field],
        form: sm.Form,
        model: str | None,
    ) -> Schema | None:
        """The schema of ``rule`` for ``model`` (``None``: an invalid model)."""
        conditions = []
        for name, condition in rule.when.items():
            field = fields.get(name)
            if field is None:
                return None
            conditions.append(self._condition(name, condition, field, model))
        if rule.require is None:
            if rule.when and all(c.present is False for c in rule.when.values()):
                demands = [{"required": [name]} for name in rule.when]
                return demands[0] if len(demands) == 1 else {"anyOf": demands}
            return {"if": _merge_if(conditions), "then": False}
        limit = rule.require.max
        if model is not None and model in rule.by_model:
            limit = rule.by_model[model].max
        total = self._total(rule.require.total, limit, fields, form, model)
        if total is None:
            return None
        if not conditions:
            return total
        return {"if": _merge_if(conditions), "then": total}

    def _condition(
        self, name: str, condition: sm.Condition, field: sm.Field, model: str | None
    ) -> Schema:
        """A schema that holds where ``condition`` on ``name`` holds."""
        if condition.present is True:
            return {"required": [name]}
        if condition.present is False:
            return {"not": {"required": [name]}}
        values: list[object] = list(condition.equals or [])
        for alias, target in (field.aliases or {}).items():
            if any(_same(target, v) for v in values) and alias not in values:
                values.append(alias)
        test: Schema = {"const": values[0]} if len(values) == 1 else {"enum": values}
        given: Schema = {"properties": {name: test}, "required": [name]}
        row = field.by_model.get(model) if model is not None else None
        default = row.default if row is not None and row.default is not None else None
        if default is None:
            default = field.default
        if default is not None and any(_same(default, v) for v in values):
            # Left out, the field takes its default, which meets the condition.
            return {"anyOf": [{"not": {"required": [name]}}, given]}
        return given

    def _total(
        self,
        total: str,
        limit: int,
        fields: Mapping[str, sm.Field],
        form: sm.Form,
        model: str | None,
    ) -> Schema | None:
        """A schema that holds where ``total`` counts at most ``limit`` items."""
        if "[]." not in total:
            return {"properties": {total: {"maxItems": limit}}}
        outer, inner = total.split("[].", 1)
        holder = fields.get(outer)
        if holder is None or holder.items is None or holder.items.object is None:
            return None
        obj = form.objects.get(holder.items.object)
        field = obj.fields.get(inner) if obj is not None else None
        if field is None:
            return None
        count = field.count
        row = field.by_model.get(model) if model is not None else None
        if row is not None and row.count is not None:
            count = row.count
        if count is None:
            return None  # no bound on each object's items: cannot be counted
        most = count[1]
        # n_k objects with exactly k items: sum of k * n_k <= limit. Each
        # alternative fixes n_k for k >= 2 and gives the rest of the limit to
        # k = 1; together they admit exactly the bodies within the limit.
        alternatives = []
        ranges = [range(limit // k + 1) for k in range(2, most + 1)]
        for counts in itertools.product(*ranges):
            used = sum(k * n for k, n in zip(range(2, most + 1), counts, strict=True))
            if used > limit:
                continue
            bounds = [limit - used, *counts]
            alternatives.append(
                {
                    "allOf": [
                        {
                            "contains": {
                                "type": "object",
                                "properties": {
                                    inner: {
                                        "type": "array",
                                        "minItems": k,
                                        "maxItems": k,
                                    }
                                },
                                "required": [inner],
                            },
                            "minContains": 0,
                            "maxContains": n,
                        }
                        for k, n in zip(range(1, most + 1), bounds, strict=True)
                    ]
                }
            )
        if len(alternatives) == 1:
            return {"properties": {outer: alternatives[0]}}
        return {"properties": {outer: {"anyOf": alternatives}}}

    # -- responses ------------------------------------------------------------

    def _response_schema(self, response: sm.Response) -> Schema:
        return {
            "type": "object",
            "description": response.summary
            + "\n\nRead leniently, as the client reads it: every field is "
            "optional and other fields may be present.",
            "properties": {
                name: self._response_field(field)
                for name, field in response.fields.items()
            },
        }

    def _response_field(self, field: sm.Field) -> Schema:
        kind = field.type
        schema: Schema = {"description": field.summary}
        if isinstance(kind, list):
            schema["type"] = list(kind)
        elif field.enum and kind == "string":
            schema["description"] += (
                f" Values outside `{field.enum}` are kept as plain strings."
            )
            schema["anyOf"] = [_ref(field.enum), {"type": "string"}]
        else:
            schema["type"] = kind
        if kind == "array" and field.items is not None:
            schema["items"] = self._items(field.items)
        return schema

    # -- examples -------------------------------------------------------------

    def _example(self, form: sm.Form) -> Schema:
        model = form.models[0] if form.models else None
        return self._example_object(form.fields, form.rules, form, model)

    def _example_object(
        self,
        fields: Mapping[str, sm.Field],
        rules: Sequence[sm.Rule],
        form: sm.Form,
        model: str | None,
    ) -> Schema:
        wanted = [n for n, f in fields.items() if f.required or f.role == "model"]
        for rule in rules:
            applies = rule.models is None or model in rule.models
            conds = list(rule.when.values())
            if (
                applies
                and rule.severity == "error"
                and rule.require is None
                and conds
                and all(c.present is False for c in conds)
            ):
                first = rule.field or next(iter(rule.when))
                if first not in wanted:
                    wanted.append(first)
        return {
            name: self._example_value(fields[name], form, model)
            for name in fields
            if name in wanted
        }

    def _example_value(self, field: sm.Field, form: sm.Form, model: str | None) -> Any:
        if field.role == "model":
            return model
        row = field.by_model.get(model) if model is not None else None
        if row is not None and row.default is not None:
            return row.default
        if field.default is not None:
            return field.default
        if row is not None and row.choices:
            return row.choices[0]
        if field.choices:
            return field.choices[0]
        kind = field.type
        if kind == "integer":
            bounds = row.range if row is not None and row.range else field.range
            return bounds[0] if bounds else 1
        if kind == "boolean":
            return False
        if kind == "number":
            return 1
        if kind == "array":
            count = row.count if row is not None and row.count else field.count
            size = max(count[0], 1) if count else 1
            return [self._example_item(field.items, form, model) for _ in range(size)]
        low, high = field.length if field.length else (1, 7)
        size = max(low, min(7, high))
        return ("example" * (size // 7 + 1))[:size]

    def _example_item(
        self, items: sm.Items | None, form: sm.Form, model: str | None
    ) -> Any:
        if items is None:
            return "example"
        if items.object is not None:
            obj = form.objects[items.object]
            return self._example_object(obj.fields, obj.rules, form, model)
        if items.asset is not None:
            asset = self.root.assets[items.asset]
            extension = next(iter(asset.formats.values()), "bin")
            return f"https://example.com/{items.asset}.{extension}"
        return {"integer": 1, "number": 1, "boolean": False}.get(
            items.type or "", "example"
        )


def _error_parts(fields: sm.ErrorFields) -> list[tuple[str, str]]:
    return [
        ("code", fields.code),
        ("reason", fields.reason),
        ("message", fields.message),
        ("trace_id", fields.trace_id),
    ]
