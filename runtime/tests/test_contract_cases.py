"""The contract's cases for local files, the size limit and the environment,
on a made-up spec: a form with a size limit, assets at the top and in an
object, and a form with neither; which cases the asyncio client, the command
line, the batch binding and the strategies get, and the helpers that run a
module as ``python -m`` does."""

from __future__ import annotations

import dataclasses
import importlib
import os
import pathlib
import sys
from typing import Any

import pytest
from specgen_runtime import contract
from specgen_runtime.contract import (
    CommandLine,
    ContractSpec,
    Field,
    Form,
    Obj,
    Query,
    Route,
    build_cases,
    encoded_size,
    expected_for,
)

LIMIT = 300_000


def _spec(limit: int | None = LIMIT) -> ContractSpec:
    return ContractSpec(
        operation="paint",
        known_models=("a", "b"),
        forms=(
            Form(
                name="layers",
                class_name="LayersRequest",
                const="PAINT_LAYERS",
                selected_by="layers",
                models=("a", "b"),
                model_field="engine",
                fields=(
                    Field(name="engine", kind="string", is_model=True, required=True),
                    Field(
                        name="layers",
                        kind="array",
                        items="object",
                        items_object="Layer",
                        count=(1, 5),
                    ),
                    Field(name="title", kind="string", length=(0, 10)),
                    Field(name="level", kind="integer"),
                ),
                objects={
                    "Layer": Obj(
                        name="Layer",
                        class_name="Layer",
                        fields=(
                            Field(name="name", kind="string", required=True),
                            Field(
                                name="photos",
                                path="layers.photos",
                                kind="array",
                                items="asset",
                                items_type="string",
                                reader="paint.Photo.from_path",
                                count=(1, 4),
                            ),
                        ),
                    ),
                },
                body_max_bytes=limit,
            ),
            Form(
                name="plain",
                class_name="PlainRequest",
                const="PAINT_PLAIN",
                fields=(
                    Field(
                        name="photos",
                        kind="array",
                        items="asset",
                        items_type="string",
                        reader="paint.Photo.from_path",
                    ),
                ),
            ),
        ),
        responses=(),
    )


def _strings(body: Any) -> list[str]:
    if isinstance(body, str):
        return [body]
    if isinstance(body, dict):
        return [s for value in body.values() for s in _strings(value)]
    if isinstance(body, list):
        return [s for item in body for s in _strings(item)]
    return []


def test_the_size_case_is_one_byte_over_the_limit_in_every_string() -> None:
    cases = [c for c in build_cases(_spec()) if "bytes in every string" in c.id]
    assert [c.id for c in cases] == [
        f"layers/a/body of {LIMIT + 1} bytes in every string"
    ]
    (case,) = cases
    assert encoded_size(case.body) == LIMIT + 1
    assert ("body.size", "body", "error") in case.expected
    texts = [s for s in _strings(case.body) if s != "a"]  # all but the model
    assert len(texts) == 3  # title, and the layer's name and photo
    assert all(
        s[: contract.SPREAD] == contract.SIX_BYTES * contract.SPREAD for s in texts
    )
    assert ("layers.photos.encoding", "layers[0].photos[0]", "error") in case.expected


def test_no_size_case_without_a_limit_or_below_the_spread_body() -> None:
    for limit in (None, 1000):
        ids = [c.id for c in build_cases(_spec(limit))]
        assert not [i for i in ids if "bytes in every string" in i]


def test_a_local_file_where_an_asset_belongs_is_an_error_naming_the_reader() -> None:
    spec = _spec()
    cases = [c for c in build_cases(spec) if c.id.endswith("(local file)")]
    assert {c.id for c in cases} == {
        "layers/a/layers[0].photos=a path (local file)",
        "layers/a/layers[0].photos=[a path] (local file)",
        "layers/a/layers[0].photos=['zz-local-file.png'] (local file)",
        "plain/None/photos=a path (local file)",
        "plain/None/photos=[a path] (local file)",
        "plain/None/photos=['zz-local-file.png'] (local file)",
    }
    by_id = {c.id: c for c in cases}
    named = by_id["layers/a/layers[0].photos=['zz-local-file.png'] (local file)"]
    assert named.expected == (
        ("layers.photos.encoding", "layers[0].photos[0]", "error"),
    )
    assert named.says == {"layers[0].photos[0]": "paint.Photo.from_path"}
    path = by_id["plain/None/photos=a path (local file)"]
    assert path.body == {"photos": pathlib.PurePosixPath("zz-local-file.png")}
    assert path.expected == (("photos.type", "photos", "error"),)


def test_a_body_that_is_not_json_has_no_size() -> None:
    body = {"engine": "a", "layers": [{"name": pathlib.PurePosixPath("x")}]}
    assert encoded_size(body) is None
    assert ("body.size", "body", "error") not in expected_for(_spec(10), body)


def test_a_model_in_an_array_and_a_typed_request_of_another_type() -> None:
    ids = {c.id: c for c in build_cases(_spec())}
    assert ids["layers/a/engine=['a']"].expected == (
        ("engine.type", "engine", "error"),
    )
    request = ids["layers/a/request title=5 (type)"]
    assert request.kind == "request"
    assert request.expected == (("title.type", "title", "error"),)


def test_the_environment_is_set_for_the_block_and_restored() -> None:
    name = "SPECGEN_CONTRACT_TEST_URL"
    assert name not in os.environ
    with contract._environment(name, "http://127.0.0.1:1"):
        assert os.environ[name] == "http://127.0.0.1:1"
        with contract._environment(name, "http://127.0.0.1:2"):
            assert os.environ[name] == "http://127.0.0.1:2"
        assert os.environ[name] == "http://127.0.0.1:1"
    assert name not in os.environ


def _served(**flags: Any) -> ContractSpec:
    """The made-up spec's operation as a client sends it."""
    return dataclasses.replace(
        _spec(),
        route=Route(method="POST", path="/paint/{canvas}", params=("canvas",)),
        query=(Query(name="layer.depth", py_name="layer_depth", kind="integer"),),
        base_url_env="PAINT_BASE_URL",
        **flags,
    )


def test_the_cases_that_talk_to_a_server_run_through_the_asyncio_client_too() -> None:
    talking = ("route", "query", "environment")
    blocking = [
        (c.id, c.kind, c.form) for c in build_cases(_served()) if c.kind in talking
    ]
    assert all(not c.aio for c in build_cases(_served()))
    both = [c for c in build_cases(_served(aio=True)) if c.kind in talking]
    assert [(c.id, c.kind, c.form) for c in both if not c.aio] == blocking
    assert [(c.id, c.kind, c.form) for c in both if c.aio] == [
        (f"{i} (asyncio)", kind, form) for i, kind, form in blocking
    ]
    assert {c.form for c in both if c.kind == "route"} == {"layers", "plain"}


def test_the_command_line_batch_and_strategies_cases_come_with_their_flags() -> None:
    line = CommandLine(
        package="paint",
        key_env="PAINT_KEY",
        hosts=("main",),
        base_url="https://paint.example",
        operations=(("paint", "Paint."),),
    )
    kinds = {c.kind for c in build_cases(_served())}
    assert not kinds & {"command line", "batch", "strategies"}
    cases = build_cases(_served(command_line=line, batch=True, strategies=True))
    by_kind = {c.kind: c for c in cases}
    assert by_kind["command line"].expected == line
    assert by_kind["batch"].expected == "PAINT_BASE_URL"
    assert by_kind["strategies"].id == "strategies of paint"


def test_a_module_made_unimportable_is_as_it_was_after() -> None:
    import json

    with contract._not_importable("json"), pytest.raises(ImportError):
        importlib.import_module("json")
    assert sys.modules["json"] is json
    name = "specgen_runtime_contract_zz_never_imported"
    with contract._not_importable(name), pytest.raises(ImportError):
        importlib.import_module(name)
    assert name not in sys.modules


def test_a_module_runs_as_python_m_runs_it() -> None:
    ran = contract._run_as_main("json.tool", ["--help"])
    assert (ran.status, ran.err) == (0, "")
    assert ran.out.startswith("usage: ")
    ran = contract._run_as_main("json.tool", ["--zz-unknown"])
    assert (ran.status, ran.out) == (2, "")
    assert "--zz-unknown" in ran.err
    argv = list(sys.argv)
    ran = contract._run_as_main("this", [])
    assert ran.status is None
    assert "Beautiful is better than ugly." in ran.out
    assert sys.argv == argv


def test_an_environment_variable_unset_for_the_block_is_restored() -> None:
    name = "SPECGEN_CONTRACT_TEST_URL"
    with contract._environment(name, "http://127.0.0.1:1"):
        with contract._environment(name, None):
            assert name not in os.environ
        assert os.environ[name] == "http://127.0.0.1:1"
    assert name not in os.environ
