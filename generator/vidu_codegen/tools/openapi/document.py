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

import hashlib
import http
import json

from vidu_codegen import resolve as rs
from vidu_codegen.load import model as sm
from vidu_codegen.text import md_cell
from vidu_codegen.tools.openapi.base import (
    MEDIA_TYPE,
    OPENAPI_VERSION,
    SECURITY_SCHEME,
    Schema,
    error_parts,
    ref,
)
from vidu_codegen.tools.openapi.examples import Examples
from vidu_codegen.tools.openapi.schemas import Schemas

_QUERY_TYPES = {
    "string": "string",
    "integer": "integer",
    "boolean": "boolean",
    "datetime": "string",
}
"""The JSON Schema type of each query parameter type."""


def build_openapi(spec: sm.Spec) -> Schema:
    """The OpenAPI 3.1 document of ``spec`` (a spec without errors)."""
    return _Builder(spec).build()


class _Builder(Schemas, Examples):
    """The whole document: info, servers, paths, errors, webhooks, components."""

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
            f"| {md_cell(name)} | {md_cell(m.summary)} |"
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
        parameters: list[Schema] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": param.summary,
                "schema": {"type": "string"},
            }
            for name, param in info.params.items()
        ]
        parameters += [self._query(name, q) for name, q in info.query.items()]
        if parameters:
            out["parameters"] = parameters
        if op.forms:
            out["requestBody"] = self._request_body(op)
        responses: Schema = {
            "200": {
                "description": op.responses[info.response].summary
                if info.response in op.responses
                else "Success.",
                "content": {MEDIA_TYPE: {"schema": ref(info.response)}},
            }
        }
        if self.root.errors is not None:
            for status in self._error_statuses(self.root.errors):
                responses[str(status)] = {
                    "$ref": f"#/components/responses/Error{status}"
                }
        out["responses"] = responses
        return out

    def _query(self, name: str, param: sm.QueryParam) -> Schema:
        """A query parameter: ``in: query``; a repeated one is an array sent
        as one ``name=value`` pair per item (``explode``)."""
        schema: Schema = {"type": _QUERY_TYPES[param.type]}
        if param.type == "datetime":
            schema["format"] = "date-time"
        enum = self.root.enums.get(param.enum or "")
        if enum is not None:
            schema["enum"] = list(enum.members.values())
        if param.range is not None and len(param.range) == 2:
            schema["minimum"], schema["maximum"] = param.range
        out: Schema = {
            "name": name,
            "in": "query",
            "required": param.required,
            "description": param.summary,
        }
        if param.repeated:
            out["schema"] = {"type": "array", "items": schema}
            out["style"], out["explode"] = "form", True
        else:
            out["schema"] = schema
        return out

    def _operation_doc(self, op: sm.Operation) -> str:
        info = op.operation
        parts = [info.summary]
        parts.append(
            "Safe to repeat: the client may retry it."
            if rs.idempotent(info)
            else "Not safe to repeat: the client never sends it twice once it "
            "may have reached the service."
        )
        pages = info.pagination
        if pages is not None:
            parts.append(
                f"Paged: the answer's `{pages.items}` holds a page of items and "
                f"`{pages.next_token}` the token to pass as `{pages.token}` for the "
                "next page (none on the last page)."
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
            schema = ref(forms[0][1].class_)
        else:
            schema = {"oneOf": [ref(form.class_) for _, form in forms]}
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
            lines += [f"| {md_cell(r)} | {md_cell(c.message)} |" for r, c in codes]
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
                        "schema": ref(self.error_schema),
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
        for part, dotted in error_parts(fields):
            *parents, last = dotted.split(".")
            node = body
            for name in parents:
                node = node.setdefault(name, {})
            node[last] = values[part]
        return body

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
                "content": {MEDIA_TYPE: {"schema": ref(callback.body)}},
            },
            "responses": {"200": {"description": "Any 2xx status acknowledges it."}},
            "security": [],
        }
        return {"callback": {callback.method.lower(): operation}}
