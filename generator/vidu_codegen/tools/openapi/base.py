"""What every part of the OpenAPI export shares: names, helpers, the spec."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal, TypeAlias

from vidu_codegen import resolve as rs
from vidu_codegen.load import model as sm
from vidu_codegen.text import spell

Schema: TypeAlias = dict[str, Any]
Format: TypeAlias = Literal["json", "yaml"]


OPENAPI_VERSION = "3.1.0"
MEDIA_TYPE = "application/json"
SECURITY_SCHEME = "ApiKeyAuth"

# The generated asset checks accept these URL schemes unexamined (AssetRules'
# ``url_schemes``), besides an asset's ``extra_prefixes``; anything else must
# be a data URI.
URL_PREFIXES = ("https://", "http://")
DATA_URI_PREFIX = "data:"

ERROR_SCHEMA_NAMES = ("Error", "ErrorBody", "ApiError")
ERROR_FIELD_TYPES = {"code": "integer"}
ERROR_FIELD_DOCS = {
    "code": "The HTTP status, repeated.",
    "reason": "The error code: one of the table in the response's description.",
    "message": "What went wrong, in words.",
    "trace_id": "Identifies the request for the service's support.",
}
INTEGER_NOTE = (
    "Send a JSON integer literal such as `5`: the service reads `5.0` as a "
    "wrong type (JSON Schema cannot tell the two apart)."
)
ECMA_SPECIAL = set("\\^$.|?*+()[]{}")


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def same(a: object, b: object) -> bool:
    """Equality as the validator's conditions see it: ``true`` is not ``1``."""
    return type(a) is type(b) and a == b


def shown(value: object) -> str:
    """A value in a description: strings as code, others as the spec spells them."""
    return f"`{value}`" if isinstance(value, str) else spell(value)


def models_doc(models: Iterable[str]) -> str:
    return ", ".join(models)


def ecma_escape(text: str) -> str:
    return "".join("\\" + c if c in ECMA_SPECIAL else c for c in text)


def prefix_pattern(prefixes: Sequence[str]) -> str:
    return "^(?:" + "|".join(ecma_escape(p) for p in prefixes) + ")"


def anchored(regex: str) -> str:
    return f"^(?:{regex})$"


def bounds(schema: Schema, pair: Sequence[int] | None, low: str, high: str) -> None:
    if pair is None:
        return
    lo, hi = pair
    if lo > 0 or low == "minimum":
        schema[low] = lo
    schema[high] = hi


def model_if(model_field: str, models: Sequence[str]) -> Schema:
    test: Schema = {"const": models[0]} if len(models) == 1 else {"enum": list(models)}
    return {"properties": {model_field: test}, "required": [model_field]}


def merge_if(parts: list[Schema]) -> Schema:
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


def error_parts(fields: sm.ErrorFields) -> list[tuple[str, str]]:
    return [
        ("code", fields.code),
        ("reason", fields.reason),
        ("message", fields.message),
        ("trace_id", fields.trace_id),
    ]


class Base:
    """The spec being exported, with its rules resolved."""

    def __init__(self, spec: sm.Spec) -> None:
        self.spec = spec
        self.root = spec.root
        taken = set(self.root.enums) | {a.class_ for a in self.root.assets.values()}
        for op in spec.operations:
            for form in op.forms.values():
                taken |= {form.class_, *form.objects}
            taken |= set(op.responses)
        self.error_schema = next(
            (n for n in ERROR_SCHEMA_NAMES if n not in taken), "ErrorResponseBody"
        )
        self.asset_names = {name: a.class_ for name, a in self.root.assets.items()}
        self.resolved = rs.resolve(spec)
        self.form_rules = {id(f.form): f for f in self.resolved.forms()}

    @staticmethod
    def _all_fields(form: sm.Form) -> list[sm.Field]:
        fields = list(form.fields.values())
        for obj in form.objects.values():
            fields += list(obj.fields.values())
        return fields

    def _holder(self, form: sm.Form, object_name: str) -> str:
        """The array field of ``form`` that holds objects ``object_name``."""
        return self.form_rules[id(form)].holder(object_name)

    def _pattern(self, name: str) -> sm.Pattern | None:
        return self.resolved.pattern(name)

    def _items(self, items: sm.Items) -> Schema:
        if items.object is not None:
            return ref(items.object)
        if items.asset is not None:
            return ref(self.asset_names[items.asset])
        return {"type": items.type} if items.type else {}
