"""``vidu-codegen openapi``: the OpenAPI 3.1 document of the spec.

The document must be valid OpenAPI 3.1, the same bytes for the same spec, and
agree with the client's validator: a body is valid for the document's schema
exactly when ``vidu.validate_payload`` finds no error in it. That is checked
twice: on a grid of bodies around every per-model limit and rule (no HTTP),
and by schemathesis, which generates bodies from the document (valid ones and
invalid ones), sends them to the fake server and checks that the server's
answer, the validator and the document's response schemas agree.

Two things JSON Schema cannot express are constrained in the schemathesis run
only, each where it is set up:

- data URIs: the test copy of the document accepts only the asset strings the
  validator accepts unexamined (URLs, ``ssupload:``), since a generated
  ``data:`` string is never a real image;
- integer literals: schemathesis sends whole numbers of integer fields as
  ``5.0`` too, which JSON Schema calls an integer and the validator (like the
  service) does not; they are sent as ``5``
  (``test_integer_literals_are_a_known_gap`` pins the gap itself).
"""

from __future__ import annotations

import copy
import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import schemathesis
import vidu
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate as validate_openapi
from ruamel.yaml import YAML
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi import checks as st_checks
from vidu import tables
from vidu.testing import FakeServer
from vidu_codegen import cli
from vidu_codegen.pipeline import load_spec
from vidu_codegen.tools.openapi import build_openapi, render_openapi

from tests.conftest import PROJECT, TINY_SPEC, run_codegen

SPEC = PROJECT / "spec"
REFERENCE2VIDEO = ("/ent/v2/reference2video", "post")
CANCEL = ("/ent/v2/tasks/{id}/cancel", "post")


def _document(spec_dir: Path = SPEC) -> dict[str, Any]:
    loaded = load_spec(spec_dir)
    assert not loaded.errors, loaded.errors
    assert loaded.spec is not None
    return build_openapi(loaded.spec)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return _document()


def _errors(operation_id: str, body: Any) -> list[str]:
    return [
        str(v)
        for v in vidu.validate_payload(operation_id, body)
        if v.severity == "error"
    ]


def _body_validator(
    document: dict[str, Any], where: tuple[str, str]
) -> jsonschema.Draft202012Validator:
    """A JSON Schema validator of the request body of operation ``where``."""
    path, method = where
    media = document["paths"][path][method]["requestBody"]["content"]
    root = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": document["components"],
        **media["application/json"]["schema"],
    }
    return jsonschema.Draft202012Validator(root)


# --- the document ---------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate_openapi(document)  # raises on any error; picks the 3.1 validator


def test_the_tiny_spec_gives_a_valid_document_too() -> None:
    document = _document(TINY_SPEC)
    validate_openapi(document)
    form = document["components"]["schemas"]["RenderRequest"]
    assert form["properties"]["engine"]["enum"] == ["fast", "fine"]
    scheme = document["components"]["securitySchemes"]["ApiKeyAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == (
        "apiKey",
        "header",
        "X-Api-Key",
    )
    # No error table, callback or hosts in that spec: nothing made up.
    assert "webhooks" not in document
    assert set(document["paths"]["/v1/render"]["post"]["responses"]) == {"200"}


def test_the_same_spec_gives_the_same_bytes(document: dict[str, Any]) -> None:
    again = _document()
    assert render_openapi(again) == render_openapi(document)
    assert render_openapi(again, "yaml") == render_openapi(document, "yaml")
    assert list(document) == [
        "openapi",
        "info",
        "servers",
        "security",
        "paths",
        "webhooks",
        "components",
    ]


def test_the_version_follows_the_spec(tiny_spec: Path) -> None:
    before = _document(tiny_spec)["info"]["version"]
    path = tiny_spec / "operations" / "render.yaml"
    path.write_text(path.read_text().replace("[64, 512]", "[64, 640]"))
    after = _document(tiny_spec)["info"]["version"]
    assert before.startswith("spec-")
    assert after != before


def test_yaml_reads_back_as_the_same_document(document: dict[str, Any]) -> None:
    text = render_openapi(document, "yaml")
    assert YAML(typ="safe").load(text) == document
    # YAML 1.1 readers (PyYAML, which many tools use) read it the same way:
    # "16:9" and "200" stay strings.
    yaml11 = pytest.importorskip("yaml")
    assert yaml11.safe_load(text) == document


def test_info_servers_and_security(document: dict[str, Any]) -> None:
    assert document["info"]["title"] == "Vidu"
    assert document["servers"] == [
        {"url": "https://api.vidu.com", "description": "default, international"},
        {"url": "https://api.vidu.cn", "description": "china"},
    ]
    assert document["security"] == [{"ApiKeyAuth": []}]
    scheme = document["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme["type"] == "apiKey"
    assert scheme["in"] == "header"
    assert scheme["name"] == "Authorization"
    assert "Authorization: Token <key>" in scheme["description"]


def test_operations_and_their_responses(document: dict[str, Any]) -> None:
    operations = {
        op["operationId"]: (path, method)
        for path, item in document["paths"].items()
        for method, op in item.items()
    }
    assert operations == {
        "cancel": ("/ent/v2/tasks/{id}/cancel", "post"),
        "get_creations": ("/ent/v2/tasks/{id}/creations", "get"),
        "get_credits": ("/ent/v2/credits", "get"),
        "list_tasks": ("/ent/v2/tasks", "get"),
        "reference2video": ("/ent/v2/reference2video", "post"),
    }
    get = document["paths"]["/ent/v2/tasks/{id}/creations"]["get"]
    assert get["parameters"] == [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "Task ID.",
            "schema": {"type": "string"},
        }
    ]
    assert "requestBody" not in get
    statuses = {str(code.status) for code in tables.ERROR_CODES.values()}
    assert set(get["responses"]) == {"200", *statuses}
    error = document["components"]["responses"]["Error400"]
    for reason, code in tables.ERROR_CODES.items():
        if code.status == 400:
            assert f"| {reason} | {code.message} |" in error["description"]
    body = document["components"]["schemas"]["Error"]
    assert set(body["properties"]) == {"code", "reason", "message", "metadata"}
    assert set(body["properties"]["metadata"]["properties"]) == {"trace_id"}


def test_query_parameters_are_in_query(document: dict[str, Any]) -> None:
    listing = document["paths"]["/ent/v2/tasks"]["get"]
    by_name = {p["name"]: p for p in listing["parameters"]}
    assert {p["in"] for p in by_name.values()} == {"query"}
    assert by_name["created_at.from"]["schema"] == {
        "type": "string",
        "format": "date-time",
    }
    assert by_name["states"]["schema"] == {
        "type": "array",
        "items": {"type": "string", "enum": list(tables.TASKS.states)},
    }
    assert (by_name["states"]["style"], by_name["states"]["explode"]) == ("form", True)
    assert by_name["pager.pagesz"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
    }
    assert not any(p["required"] for p in by_name.values())
    assert "`next_page_token`" in listing["description"]
    credits = document["paths"]["/ent/v2/credits"]["get"]["parameters"]
    assert credits[0]["schema"] == {"type": "boolean"}


def test_the_request_forms_exclude_each_other(document: dict[str, Any]) -> None:
    body = document["paths"]["/ent/v2/reference2video"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert schema == {
        "oneOf": [
            {"$ref": "#/components/schemas/Reference2VideoSubjectsRequest"},
            {"$ref": "#/components/schemas/Reference2VideoRequest"},
        ]
    }
    schemas = document["components"]["schemas"]
    assert "subjects" in schemas["Reference2VideoSubjectsRequest"]["required"]
    assert schemas["Reference2VideoRequest"]["not"] == {"required": ["subjects"]}
    assert schemas["Reference2VideoRequest"]["additionalProperties"] is False


def test_per_model_rules_are_if_then_entries(document: dict[str, Any]) -> None:
    form = document["components"]["schemas"]["Reference2VideoRequest"]
    viduq1 = next(
        entry
        for entry in form["allOf"]
        if entry.get("if")
        == {"properties": {"model": {"const": "viduq1"}}, "required": ["model"]}
    )
    then = viduq1["then"]["properties"]
    assert then["duration"] == {"minimum": 5, "maximum": 5, "default": 5}
    assert then["videos"] is False
    assert then["resolution"]["enum"] == ["1080p"]
    assert "0 means automatic length" in form["properties"]["duration"]["description"]


def test_the_webhook_describes_the_signature(document: dict[str, Any]) -> None:
    callback = document["webhooks"]["callback"]["post"]
    assert callback["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TaskCreations"
    }
    names = {p["name"] for p in callback["parameters"]}
    signature = tables.CALLBACK.signature
    assert names == {
        signature.date_header,
        signature.nonce_header,
        signature.signed_headers_header,
        signature.signature_header,
        signature.algorithm_header,
        signature.access_key_header,
    }
    assert "HMAC-SHA256" in callback["description"]


def test_assets_say_what_json_schema_cannot(document: dict[str, Any]) -> None:
    image = document["components"]["schemas"]["Image"]
    assert image["pattern"] == "^(?:https://|http://|ssupload:|data:)"
    for words in ("image/png", "128 x 128", "1:4 to 4:1", "52428800"):
        assert words in image["description"]


# --- the command line ---------------------------------------------------------


def test_cli_prints_json_by_default(
    document: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["openapi"]) == 0
    out = capsys.readouterr().out
    assert out == render_openapi(document)


def test_cli_writes_yaml_to_a_file(document: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "openapi.yaml"
    assert cli.main(["openapi", "--format", "yaml", "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_openapi(document, "yaml")


def test_cli_refuses_a_broken_spec(tiny_spec: Path) -> None:
    path = tiny_spec / "operations" / "render.yaml"
    path.write_text(path.read_text().replace("type: integer", "type: intger"))
    result = run_codegen("--spec", str(tiny_spec), "openapi")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "render.yaml:" in result.stderr


def test_python_dash_m_generator_openapi(document: dict[str, Any]) -> None:
    result = run_codegen("openapi")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == document


# --- agreement with the validator --------------------------------------------------


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    for item in document["paths"].values():
        for op in item.values():
            body = op.get("requestBody")
            if body is None:
                continue
            for name, example in body["content"]["application/json"][
                "examples"
            ].items():
                yield op["operationId"], name, example["value"]


def test_every_form_has_a_valid_example(document: dict[str, Any]) -> None:
    seen = {(op_id, name) for op_id, name, _ in _examples(document)}
    assert seen == {
        ("cancel", "cancel"),
        ("reference2video", "subjects"),
        ("reference2video", "images"),
    }
    for op_id, name, body in _examples(document):
        assert vidu.validate_payload(op_id, body) == [], (op_id, name)
    validator = _body_validator(document, REFERENCE2VIDEO)
    for op_id, _, body in _examples(document):
        if op_id == "reference2video":
            assert validator.is_valid(body), body


def test_the_fake_server_accepts_the_examples(document: dict[str, Any]) -> None:
    bodies = [b for op_id, _, b in _examples(document) if op_id == "reference2video"]
    with FakeServer() as server:
        for body in bodies:
            request = urllib.request.Request(
                server.url + "/ent/v2/reference2video",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Token {server.api_key}",
                    "Content-Type": "application/json",
                },
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as answer:
                assert answer.status == 200


def _grid(example: dict[str, Any], models: list[str]) -> Iterator[dict[str, Any]]:
    """Bodies around every limit of the spec, for each model of a form."""
    url = "https://example.com/a.png"
    video = "https://example.com/a.mp4"
    changes: list[dict[str, Any]] = [{}]
    changes += [{"duration": d} for d in (-1, 0, 1, 3, 4, 5, 6, 10, 11, 16, 17, "5")]
    changes += [{"aspect_ratio": r} for r in ("16:9", "3:4", "21:9", "0:1", "1:1:1")]
    changes += [{"resolution": r} for r in ("360p", "540p", "720p", "1080p", "4k")]
    changes += [{"movement_amplitude": m} for m in ("auto", "huge")]
    changes += [{"payload": ""}, {"prompt": ""}, {"prompt": "x"}, {"seed": True}]
    changes += [{"surprise": 1}]
    changes += [{"model": m} for m in ("viduq9", 7)]
    if "subjects" in example:
        for audio in (True, False, None):
            for off_peak in (True, False, None):
                change = {"audio": audio, "off_peak": off_peak}
                changes.append({k: v for k, v in change.items() if v is not None})
        changes += [{"audio_type": t} for t in ("All", "speech_only", "ALL")]
        changes += [{"audio": False, "audio_type": "all"}]
        for sizes in ((3, 3, 1), (3, 3, 2), (1, 1, 1, 1), (1, 1, 1, 1, 1), (2, 2)):
            subjects = [
                {"name": f"s{i}", "images": [url] * n} for i, n in enumerate(sizes)
            ]
            changes.append({"subjects": subjects})
        for counts in ((1,), (2,), (1, 1), (2, 1), (1, 1, 1)):
            subjects = [
                {"name": f"v{i}", "videos": [video] * n} for i, n in enumerate(counts)
            ]
            changes.append({"subjects": subjects})
        changes += [
            {"subjects": []},
            {"subjects": [{"name": "x"}]},
            {"subjects": [{"name": "", "images": [url]}]},
            {"subjects": [{"name": "x", "images": [url], "extra": 1}]},
        ]
    else:
        changes += [{"images": [url] * n} for n in (0, 1, 4, 5, 7, 8)]
        changes += [{"videos": [video]}, {"videos": [video, video, video]}]
        changes += [{"videos": [video], "images": [url] * n} for n in (4, 5)]
        changes += [{"videos": [video], "images": None}, {"images": None}]
        changes += [{"images": ["ftp://x"]}, {"images": ["ssupload:?id=1"]}]
        changes += [{"bgm": True, "duration": 10}, {"bgm": "yes"}]
    for model in models:
        for change in changes:
            body = {**example, "model": model, **change}
            yield {k: v for k, v in body.items() if v is not None}


def test_the_schema_agrees_with_the_validator_on_a_grid(
    document: dict[str, Any],
) -> None:
    validator = _body_validator(document, REFERENCE2VIDEO)
    examples = {name: body for op, name, body in _examples(document)}
    disagreements = []
    count = 0
    for name in ("subjects", "images"):
        form = (
            tables.REFERENCE2VIDEO_SUBJECTS
            if name == "subjects"
            else (tables.REFERENCE2VIDEO_IMAGES)
        )
        for body in _grid(examples[name], list(form.models)):
            count += 1
            errors = _errors("reference2video", body)
            if validator.is_valid(body) == bool(errors):
                disagreements.append((body, errors))
    assert count > 600
    assert disagreements == []


def test_integer_literals_are_a_known_gap(document: dict[str, Any]) -> None:
    """JSON Schema calls ``5.0`` an integer; the validator (and Go services) do not.

    The document says so in words; this pins the gap so a change to either
    side is noticed.
    """
    validator = _body_validator(document, REFERENCE2VIDEO)
    examples = {name: body for op, name, body in _examples(document)}
    body = {**examples["images"], "model": "viduq1", "duration": 5.0}
    assert validator.is_valid(body)
    assert [v.rule for v in vidu.validate_payload("reference2video", body)] == [
        "duration.type"
    ]
    description = document["components"]["schemas"]["Reference2VideoRequest"][
        "properties"
    ]["duration"]["description"]
    assert "`5.0`" in description


# --- schemathesis against the fake server ---------------------------------------------


def _test_copy(document: dict[str, Any], server_url: str) -> dict[str, Any]:
    """The document for a run against the fake server at ``server_url``.

    Its only server is the fake one, so nothing can go elsewhere. And the one
    change to what it accepts: a data URI's content (format, pixels, size)
    cannot be said in JSON Schema, so the document admits any string starting
    with ``data:``; for generated data, asset strings are limited to what the
    validator accepts unexamined (http(s) URLs and the assets' extra prefixes).
    """
    copied = copy.deepcopy(document)
    copied["servers"] = [{"url": server_url}]
    for schema in copied["components"]["schemas"].values():
        asset = schema.get("x-asset")
        if asset is not None:
            prefixes = getattr(tables, f"{asset.upper()}_ASSET_PREFIXES")
            schema["pattern"] = "^(?:" + "|".join(prefixes) + ")"
    return copied


def _as_integer_literals(value: Any) -> Any:
    """``value`` with whole floats as ints (JSON Schema cannot tell them apart)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _as_integer_literals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_integer_literals(v) for v in value]
    return value


def _validator_verdict(operation_id: str, raw: bytes | str | None) -> list[str]:
    """The validator's errors for a body as the fake server reads it."""
    if raw is None or not raw.strip():
        return _errors(operation_id, {})
    try:
        body = json.loads(raw)
    except ValueError:
        return ["not JSON"]
    return _errors(operation_id, body)


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


def _fuzz(
    document: dict[str, Any],
    server: FakeServer,
    where: tuple[str, str],
    *,
    accepted_status: int,
    max_examples: tuple[int, int],
    path_parameters: dict[str, str] | None = None,
) -> dict[str, int]:
    """Send generated requests to ``server``; fail on the first disagreement.

    First schemathesis's coverage phase (deterministic: boundary values and
    one broken keyword at a time, around the examples), then its fuzzing, with
    valid and with invalid bodies. For each request: the server answers 400
    exactly when the validator finds an error in the body it received, and
    the answer passes schemathesis's response checks (status, content type,
    headers and body as the document says; a body valid for the document is
    accepted, an invalid one refused; the key is enforced).
    """
    checks = [
        not_a_server_error,
        st_checks.status_code_conformance,
        st_checks.content_type_conformance,
        st_checks.response_headers_conformance,
        st_checks.response_schema_conformance,
        st_checks.positive_data_acceptance,
        st_checks.negative_data_rejection,
        st_checks.ignored_auth,
    ]
    schema = schemathesis.openapi.from_dict(_test_copy(document, server.url))
    path, method = where
    operation = schema[path][method.upper()]
    operation_id = document["paths"][path][method]["operationId"]
    auth = {"Authorization": f"Token {server.api_key}"}
    seen = {"accepted": 0, "rejected": 0}
    modes = [
        schemathesis.GenerationMode.POSITIVE,
        schemathesis.GenerationMode.NEGATIVE,
    ]

    def check(case: Any) -> None:
        if isinstance(case.body, dict | list):
            case.body = _as_integer_literals(case.body)
        response = case.call(base_url=server.url, timeout=10)
        errors = _validator_verdict(operation_id, response.request.body)
        status = response.status_code
        mode = case.meta.generation.mode.name.lower() if case.meta else "?"
        what = case.meta.phase.data.description if case.meta else "-"
        assert status == (400 if errors else accepted_status), (
            f"{operation_id}: the fake server answered {status} to "
            f"{response.request.body!r}; the validator found "
            f"{errors or 'no error'} ({mode} case: {what})"
        )
        seen["rejected" if errors else "accepted"] += 1
        case.validate_response(
            response,
            checks=checks,
            headers=auth,
            transport_kwargs={"base_url": server.url, "headers": auth},
        )

    coverage = schema.iter_coverage_cases(
        operation,
        generation_modes=modes,
        generation_config=schema.config.generation_for(operation=operation),
    )
    for case in coverage:
        # Requests to other methods, and ones without the key, test the
        # server's routing and auth rather than the body: left to the checks
        # of the fuzzing below.
        broken = {k for k, v in case.meta.components.items() if v.mode.is_negative}
        if case.method.upper() != method.upper() or broken - {ParameterLocation.BODY}:
            continue
        case.headers = {**(case.headers or {}), **auth}
        if path_parameters:
            case.path_parameters = {**(case.path_parameters or {}), **path_parameters}
        check(case)

    for mode, examples in zip(modes, max_examples, strict=True):
        strategy = operation.as_strategy(
            generation_mode=mode, headers=auth, path_parameters=path_parameters
        )

        @settings(
            max_examples=examples,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            check(case)

        run()
    return seen


@pytest.mark.parametrize(
    ("where", "accepted_status", "max_examples", "path_parameters"),
    [
        # (valid, invalid) bodies to generate: invalid ones cost ten times more
        pytest.param(REFERENCE2VIDEO, 200, (300, 60), None, id="reference2video"),
        # An unknown task: a good body gets 404, a bad one 400.
        pytest.param(CANCEL, 404, (25, 25), {"id": "880000000000000999"}, id="cancel"),
    ],
)
def test_schemathesis_finds_no_disagreement(
    document: dict[str, Any],
    fake_server: FakeServer,
    where: tuple[str, str],
    accepted_status: int,
    max_examples: tuple[int, int],
    path_parameters: dict[str, str] | None,
) -> None:
    started = time.monotonic()
    seen = _fuzz(
        document,
        fake_server,
        where,
        accepted_status=accepted_status,
        max_examples=max_examples,
        path_parameters=path_parameters,
    )
    # Both kinds of body were tried, and the run stayed bounded.
    assert seen["accepted"] > 0
    assert seen["rejected"] > 0
    assert time.monotonic() - started < 60
