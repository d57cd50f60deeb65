"""``api.base_url_env``: the environment variable that may hold the base URL.

Checked like ``auth.env`` (an UPPER_CASE name, positioned when wrong), and
rendered into the client only when the spec names one.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_codegen


def _set(spec: Path, line: str) -> None:
    api = spec / "api.yaml"
    text = api.read_text(encoding="utf-8")
    api.write_text(
        text.replace(
            "  base_url: https://render.example\n",
            f"  base_url: https://render.example\n{line}\n",
        ),
        encoding="utf-8",
    )


def test_a_base_url_variable_that_is_not_an_environment_name_is_positioned(
    tiny_spec: Path,
) -> None:
    _set(tiny_spec, "  base_url_env: render-url")
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert result.returncode == 2, result.stderr
    assert (
        "spec/api.yaml:8:17: environment variable 'render-url' must be an UPPER_CASE environment variable"
        in result.stdout + result.stderr
    )
    assert "Traceback" not in result.stderr


def test_a_base_url_variable_lints_clean(tiny_spec: Path) -> None:
    _set(tiny_spec, "  base_url_env: RENDER_BASE_URL")
    result = run_codegen("--spec", str(tiny_spec), "lint")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_bundled_client_reads_its_base_url_variable() -> None:
    import vidu

    assert vidu.Client._base_url_env == "VIDU_BASE_URL"
