"""``callback_url`` is an http:// or https:// URL with a host.

The page says Vidu sends a POST to the URL ("Vidu will send a callback
request to this URL"), which only an http(s) URL can receive: the bundled
spec gives every model of both request forms the ``callback_url`` pattern,
and the package made from it refuses ``ftp://x`` before anything is sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from vidu_codegen.pipeline import load_spec

from tests.conftest import PROJECT, run_codegen

SPEC = PROJECT / "spec"


def test_every_model_of_each_form_checks_the_callback_url() -> None:
    loaded = load_spec(SPEC)
    assert loaded.spec is not None
    [op] = [o for o in loaded.spec.operations if o.operation.id == "reference2video"]
    assert op.patterns["callback_url"].regex == "[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s].*"
    for form in op.forms.values():
        field = form.fields["callback_url"]
        assert field.note is not None
        assert "http" in field.note
        assert {m: r.pattern for m, r in field.by_model.items()} == dict.fromkeys(
            form.models, "callback_url"
        )


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("vidu") / "out"
    made = run_codegen("--spec", str(SPEC), "generate", "--out", str(out))
    assert made.returncode == 0, made.stderr
    return out


CHECK = textwrap.dedent(
    """
    import json, sys
    import vidu
    found = {}
    for url in json.loads(sys.argv[1]):
        for body in (
            {"model": "viduq2", "images": ["https://a/b.png"], "prompt": "x"},
            {"model": "viduq1", "subjects": [{"name": "a", "images": ["https://a/b.png"]}], "prompt": "@a x"},
        ):
            found.setdefault(url, []).extend(
                [v.severity, v.field, v.rule, v.message]
                for v in vidu.validate_payload("reference2video", {**body, "callback_url": url})
            )
    print(json.dumps(found))
    """
)


def test_a_url_vidu_cannot_post_to_is_refused(package: Path) -> None:
    urls = [
        "https://example.com/hook?a=1",
        "HTTP://127.0.0.1:8080/vidu/callback",
        "ftp://x",
        "file:///etc/passwd",
        "example.com/hook",
        "http://",
    ]
    run = subprocess.run(
        [sys.executable, "-c", CHECK, json.dumps(urls)],
        env={**os.environ, "PYTHONPATH": str(package)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found[urls[0]] == found[urls[1]] == []
    expected = (
        "expected an http:// or https:// URL with a host, where Vidu can send a POST"
    )
    for url in urls[2:]:
        assert [v[:3] for v in found[url]] == [
            ["error", "callback_url", "callback_url.pattern"]
        ] * 2, url
        assert all(v[3].endswith(expected) for v in found[url])
        assert f"callback_url {url!r} is not allowed" in found[url][0][3]
