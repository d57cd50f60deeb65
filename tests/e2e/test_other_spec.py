"""A package generated from another API's spec holds nothing of Vidu's.

The tiny spec (``tests/specs/tiny``) describes a made-up rendering API with no
tasks, no error table, no callbacks and no media assets. The package made from
it must hold only what is rendered for that spec, name no part of the Vidu
API, load no runtime module it does not use, and work: its own documentation
example runs, and its generated contract tests pass.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import run_codegen

HEADER = "Generated from the spec; do not edit"


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny spec's package, generated once for this module."""
    spec = Path(__file__).resolve().parents[1] / "specs" / "tiny"
    out = tmp_path_factory.mktemp("acme") / "out"
    result = run_codegen("--spec", str(spec), "generate", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def _run(code: str, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(out)}
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_only_what_the_spec_needs_is_rendered(acme: Path) -> None:
    assert _files(acme) == [
        "REFERENCE.md",
        "acme/__init__.py",
        "acme/_api.py",
        "acme/_validators.py",
        "acme/models.py",
        "acme/py.typed",
        "acme/strategies.py",
        "acme/tables.py",
        "pyproject.toml",
        "tests/test_properties.py",
        "tests/test_render_contract.py",
    ]


def test_no_file_names_vidu(acme: Path) -> None:
    for name in _files(acme):
        text = (acme / name).read_text(encoding="utf-8")
        assert "vidu" not in text.lower(), name


def test_every_file_says_it_is_generated(acme: Path) -> None:
    for name in _files(acme):
        first = (acme / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert HEADER in first, name


def _examples(docstring: str) -> list[str]:
    """The code blocks (after ``::``) of a reStructuredText docstring."""
    blocks = re.findall(r"::\n\n((?:(?: {4}.*)?\n)+)", docstring + "\n")
    return [textwrap.dedent(block) for block in blocks]


def test_the_package_docstring_example_runs(acme: Path) -> None:
    tree = ast.parse((acme / "acme" / "__init__.py").read_text(encoding="utf-8"))
    docstring = ast.get_docstring(tree)
    assert docstring is not None
    examples = _examples(docstring)
    assert len(examples) == 2, docstring
    code = "\n".join(examples) + "\nprint(request.to_json())\n"
    result = _run(code, acme)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'engine': 'fast', 'tags': ['example']}"


def test_the_bundled_packages_docstring_example_runs() -> None:
    import vidu

    examples = _examples(vidu.__doc__ or "")
    assert len(examples) == 2
    result = _run("\n".join(examples), Path(vidu.__file__).parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_no_unused_runtime_module_is_loaded(acme: Path) -> None:
    code = (
        "import sys, acme\n"
        "acme.validate_payload('render', {'engine': 'fast', 'tags': ['a']})\n"
        "print(sorted(m for m in sys.modules if m.startswith('specgen_runtime')))\n"
    )
    result = _run(code, acme)
    assert result.returncode == 0, result.stderr
    loaded = ast.literal_eval(result.stdout.strip())
    for unused in ("assets", "client", "cli", "webhooks", "testing"):
        assert f"specgen_runtime.{unused}" not in loaded


def test_its_contract_tests_pass(acme: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(acme)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=acme,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


# -- the same API with jobs: its fake server answers in its own shapes --------------

JOB_STATES = """  JobState:
    summary: Where a job is.
    members:
      QUEUED: queued
      DRAWING: drawing
      READY: ready
      SPOILED: spoiled
"""

JOB_SECTIONS = """
tasks:
  id_field: job_id
  state_field: phase
  states: JobState
  success: [ready]
  failure: [spoiled]
  error_code_field: why
  results_field: pictures

errors:
  fields: {code: error.status, reason: error.code, message: error.text, trace_id: error.trace}
  codes:
    Malformed: {status: 400, message: "malformed: {{.fields}}"}
    NoKey: {status: 401, message: no key}
    Missing: {status: 404, message: no such job}
    Broken: {status: 500, message: the renderer broke}
"""

JOB_OPERATION = """operation:
  id: job
  method: GET
  path: /v1/jobs/{job_id}
  summary: Read a job.
  task: get
  params:
    job_id: {summary: Job ID.}
  response: Job

responses:
  Job:
    summary: A job and, once it is ready, its pictures.
    fields:
      job_id: {type: string, summary: Job ID.}
      phase: {type: string, enum: JobState, summary: Where the job is.}
      why: {type: string, summary: Why it spoiled.}
      style: {type: string, summary: The style drawn in.}
      cost: {type: integer, summary: What it cost.}
      queued_on: {type: string, summary: When it was queued.}
      pictures: {type: array, items: {object: Picture}, summary: The pictures.}
    examples:
      - '{"job_id": "j1", "phase": "ready", "why": "", "cost": 3, "queued_on": "2025-03-01T08:00:00Z", "pictures": [{"png": "https://render.example/p.png", "width": 256}]}'
      - '{"job_id": "j2", "phase": "spoiled", "why": "Broken", "cost": 0, "queued_on": "2025-03-01T08:00:00Z", "pictures": []}'
      - '{"job_id": "j3", "phase": "drawing", "why": "", "cost": 1, "queued_on": "2025-03-01T08:00:00Z"}'
  Picture:
    summary: One picture.
    fields:
      png: {type: string, required: true, summary: The picture.}
      width: {type: integer, summary: Its width in pixels.}
"""

SERVE_A_JOB = """
import json
import urllib3
from acme.testing import FakeServer

with FakeServer() as server:
    http = urllib3.PoolManager(retries=False, timeout=5.0)
    headers = {"X-Api-Key": "Key " + server.api_key, "Content-Type": "application/json"}
    def call(method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        return http.request(method, server.url + path, body=data, headers=headers)
    created = json.loads(call("POST", "/v1/render", {"engine": "fast", "tags": ["cat"]}).data)
    job = created["job_id"]
    drawing = json.loads(call("GET", "/v1/jobs/" + job).data)
    server.advance(60)
    ready = json.loads(call("GET", "/v1/jobs/" + job).data)
    picture = http.request("GET", ready["pictures"][0]["png"])
    missing = call("GET", "/v1/jobs/nope")
    print(json.dumps({
        "created": created,
        "drawing": drawing,
        "ready": ready,
        "picture": [picture.status, picture.headers["Content-Type"], picture.data[:4].hex()],
        "missing": [missing.status, json.loads(missing.data)],
    }))
"""


@pytest.fixture(scope="module")
def acme_jobs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny spec with jobs added (tasks, errors, its render operation
    creating a job, an operation reading one), generated once for this module."""
    import shutil

    root = tmp_path_factory.mktemp("acme-jobs")
    spec = root / "spec"
    shutil.copytree(Path(__file__).resolve().parents[1] / "specs" / "tiny", spec)
    api = spec / "api.yaml"
    text = api.read_text(encoding="utf-8")
    assert "\nenums:\n" in text
    text = text.replace("\nenums:\n", "\nenums:\n" + JOB_STATES, 1) + JOB_SECTIONS
    api.write_text(text, encoding="utf-8")
    (spec / "operations" / "job.yaml").write_text(JOB_OPERATION, encoding="utf-8")
    render = spec / "operations" / "render.yaml"
    text = render.read_text(encoding="utf-8")
    assert "\n  response: RenderJob\n" in text
    text = text.replace(
        "\n  response: RenderJob\n", "\n  task: create\n  response: RenderJob\n", 1
    )
    render.write_text(text, encoding="utf-8")
    out = root / "out"
    result = run_codegen("--spec", str(spec), "generate", "--out", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_its_fake_server_answers_in_its_own_shapes(acme_jobs: Path) -> None:
    assert (acme_jobs / "acme" / "testing" / "__init__.py").is_file()
    for name in _files(acme_jobs):
        text = (acme_jobs / name).read_text(encoding="utf-8")
        assert "vidu" not in text.lower(), name
    result = _run(SERVE_A_JOB, acme_jobs)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    # the create answer is RenderJob: its id, and no cost (no example gives one)
    assert list(seen["created"]) == ["job_id"]
    job = seen["created"]["job_id"]
    drawing = seen["drawing"]
    assert drawing == {
        "job_id": job,
        "phase": "drawing",
        "why": "",
        "style": "ink",  # the request's default, echoed
        "cost": 1,  # the example of a job drawing
        "queued_on": "2025-01-01T00:00:00.000000Z",  # when it was created
        "pictures": [],
    }
    ready = seen["ready"]
    assert (ready["phase"], ready["cost"]) == ("ready", 3)
    [picture] = ready["pictures"]
    assert set(picture) == {"png", "width"}
    assert picture["png"].endswith(f"/files/{job}/p.png")  # its example's name
    assert picture["width"] == 256
    assert seen["picture"] == [200, "image/png", "89504e47"]
    status, body = seen["missing"]
    assert status == 404
    assert body["error"]["code"] == "Missing"
    assert body["error"]["text"] == "no such job"
