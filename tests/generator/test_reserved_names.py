"""An operation id never replaces a member of the client it becomes a method of.

``RESERVED_OPERATIONS`` is a literal list (the generator does not import the
runtime when it runs: they are two distributions), so this test compares it
with every member, public and private, of the runtime's client classes, of
the rendered client classes and their raw-response companions, and of live
instances (attributes set in ``__init__``): lint must refuse each one as an
operation id, by the reserved set or by the shape of an operation id.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
import vidu
from specgen_runtime.async_client import AsyncBaseClient
from specgen_runtime.client import BaseClient
from vidu_codegen import cli
from vidu_codegen.load import names as nm
from vidu_codegen.pipeline import load_spec

from tests.conftest import PROJECT
from tests.generator.hostile_specs import OP, TINY


def _spec_operations() -> frozenset[str]:
    loaded = load_spec(PROJECT / "spec")
    assert loaded.spec is not None
    return frozenset(nm.snake(op.operation.id) for op in loaded.spec.operations)


SPEC_OPERATIONS = _spec_operations()
"""The bundled spec's operations, which are the rendered clients' own methods."""


def _members(thing: object) -> set[str]:
    return set(dir(thing)) - set(dir(object))


def _client_members() -> set[str]:
    async def live_async() -> set[str]:
        client = vidu.AsyncClient("k", base_url="http://127.0.0.1:9")
        try:
            return _members(client) | _members(client.with_raw_response)
        finally:
            await client.aclose()

    with vidu.Client("k", base_url="http://127.0.0.1:9") as client:
        live = _members(client) | _members(client.with_raw_response)
    live |= asyncio.run(asyncio.wait_for(live_async(), 30))
    members = (
        _members(BaseClient)
        | _members(AsyncBaseClient)
        | _members(vidu.Client)
        | _members(vidu.AsyncClient)
        | live
    )
    return members - SPEC_OPERATIONS


def test_the_bundled_operations_are_the_clients_own_methods() -> None:
    members = set(dir(vidu.Client))
    assert members >= SPEC_OPERATIONS
    assert not SPEC_OPERATIONS & nm.RESERVED_OPERATIONS


def test_every_member_of_the_client_is_refused_as_an_operation_id() -> None:
    members = _client_members()
    assert {"scrub", "retry", "timeout", "base_url", "_call"} <= members
    accepted = sorted(
        name
        for name in members
        if nm.name_problem(name, nm.OPERATION, "operation id", nm.RESERVED_OPERATIONS)
        is None
    )
    assert accepted == [], "add these to RESERVED_OPERATIONS in load/names.py"


def test_every_public_member_is_in_the_reserved_set() -> None:
    public = {name for name in _client_members() if not name.startswith("_")}
    assert sorted(public - nm.RESERVED_OPERATIONS) == []


@pytest.mark.parametrize("op_id", ["scrub", "max-response-bytes", "user_agent"])
def test_lint_names_the_operation_that_would_replace_a_member(
    op_id: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(TINY, spec)
    path = spec / OP
    path.write_text(path.read_text().replace("id: render", f"id: {op_id}", 1))
    monkeypatch.chdir(tmp_path)
    status = cli.main(["--spec", "spec", "lint"])
    err = capsys.readouterr().err.splitlines()
    assert status == 2
    python = nm.snake(op_id)
    expected = (
        f"spec/operations/render.yaml:2:7: operation id {op_id!r} is a name the generated code already uses"
        if python == op_id
        else f"spec/operations/render.yaml:2:7: operation id {op_id!r} becomes {python}, a name the generated client already uses"
    )
    assert err == [expected, "1 error in the spec; nothing written"]
