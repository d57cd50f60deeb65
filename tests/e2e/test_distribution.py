"""The three distributions work when built and installed as a user would.

* ``specgen-runtime`` (``runtime/``) and ``vidu`` (``generated/``) are built
  into wheels and installed into a fresh venv that has none of the generator's
  dependencies (jinja2, ruamel.yaml, ruff). There: ``import vidu`` and its
  version, a create/wait/download round trip against ``vidu.testing.FakeServer``,
  ``python -m vidu --help``, ``pip check``, and ``mypy --strict`` on a user
  script (the outer venv's mypy, pointed at the fresh venv's interpreter).
* ``vidu-codegen`` (the root project) is built into a wheel and installed,
  not editable, into another fresh venv. In two copies of the project, that one
  installed command acts on the copy it is run in, and only on that one; with
  no project around, it says so.

Wheels and venvs are built once for the module. Their dependencies come from
the package index; when it cannot be reached, the module is skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import PROJECT

GENERATOR_ONLY = ("jinja2", "ruamel.yaml", "ruff", "vidu-codegen")
"""Distributions a user of ``vidu`` must not get."""

STEP_TIMEOUT = 300
"""Seconds any one command may take (a pip install with a cold cache included)."""


def _env() -> dict[str, str]:
    """This process's environment, without what would leak the outer venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MYPYPATH"}
    }
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def _run(
    *args: str | Path, cwd: Path, timeout: float = STEP_TIMEOUT
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _shown(result: subprocess.CompletedProcess[str]) -> str:
    command = " ".join(result.args)
    return f"$ {command}\nexit {result.returncode}\n{result.stdout}{result.stderr}"


def _ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, _shown(result)
    return result


@dataclass(frozen=True)
class Venv:
    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def script(self, name: str) -> Path:
        return self.root / "bin" / name

    def pip_install(self, *wheels: Path) -> None:
        _ok(
            _run(
                self.python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *wheels,
                cwd=self.root,
            )
        )


def _fresh_venv(root: Path) -> Venv:
    """A new venv of the base interpreter: no system site packages, own pip."""
    _ok(_run(sys.executable, "-m", "venv", root, cwd=root.parent))
    return Venv(root)


def _tree(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (caches and build metadata aside) -> hash."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(
            part == "__pycache__" or part.endswith(".egg-info")
            for part in relative.parts
        ):
            found[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _checkout_copy(target: Path) -> Path:
    """A copy of the checkout as it is: every file git tracks or would track
    (uncommitted changes included), nothing it ignores (``build/``,
    ``*.egg-info``, caches, ``.venv``), as a second worktree would have."""
    listed = _ok(
        _run(
            "git",
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            cwd=PROJECT,
        )
    )
    for name in filter(None, listed.stdout.split("\0")):
        source = PROJECT / name
        if source.is_file():  # a tracked file deleted in the work tree is left out
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


# -- shared fixtures ----------------------------------------------------------


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the checkout that every wheel and project copy of this
    module is made from, so all see the same sources even while the work
    tree changes. Nothing builds in it: copy it first."""
    return _checkout_copy(tmp_path_factory.mktemp("checkout") / "project")


@pytest.fixture(scope="module")
def package_index(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Skip the module when the package index cannot be reached."""
    dest = tmp_path_factory.mktemp("probe")
    result = _run(
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--no-cache-dir",
        "--dest",
        dest,
        "attrs",
        cwd=dest,
        timeout=120,
    )
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-3:])
        pytest.skip(f"the package index cannot be reached: {tail}")


@dataclass(frozen=True)
class Wheels:
    runtime: Path
    vidu: Path
    generator: Path


@pytest.fixture(scope="module")
def wheels(
    package_index: None, checkout: Path, tmp_path_factory: pytest.TempPathFactory
) -> Wheels:
    """Wheels of the three distributions, built from a copy of the checkout
    (so no ``build/`` or ``*.egg-info`` is left in the checkout or reused)."""
    work = tmp_path_factory.mktemp("wheels")
    sources = work / "src"
    shutil.copytree(checkout, sources)
    out = work / "dist"
    _ok(
        _run(
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            out,
            sources / "runtime",
            sources / "generated",
            sources,
            cwd=work,
        )
    )

    def one(pattern: str) -> Path:
        found = sorted(out.glob(pattern))
        assert len(found) == 1, f"{pattern}: {found}"
        return found[0]

    return Wheels(
        runtime=one("specgen_runtime-*.whl"),
        vidu=one("vidu-*.whl"),
        generator=one("vidu_codegen-*.whl"),
    )


@pytest.fixture(scope="module")
def user_venv(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv with only the runtime and ``vidu`` wheels (and their
    dependencies from the index)."""
    venv = _fresh_venv(tmp_path_factory.mktemp("user") / "venv")
    venv.pip_install(wheels.runtime, wheels.vidu)
    return venv


@pytest.fixture(scope="module")
def generator_venv(wheels: Wheels, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv with the generator wheel installed, not editable, and the
    runtime wheel it depends on (lint shares its safe-pattern rule)."""
    venv = _fresh_venv(tmp_path_factory.mktemp("generator") / "venv")
    venv.pip_install(wheels.runtime, wheels.generator)
    return venv


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty directory outside the checkout: nothing there shadows the
    installed packages or looks like a project."""
    return tmp_path


# -- the wheels ---------------------------------------------------------------


def _wheel_names(wheel: Path) -> tuple[set[str], list[str], str]:
    """The wheel's top-level names, its files and its METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = archive.read(metadata).decode()
    tops = {
        n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")
    }
    return tops, names, text


def _requires(metadata: str) -> list[str]:
    return [
        line.removeprefix("Requires-Dist:").strip().lower()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    ]


def test_each_wheel_holds_its_own_package(wheels: Wheels, checkout: Path) -> None:
    tops, names, metadata = _wheel_names(wheels.vidu)
    assert tops == {"vidu"}, "the vidu wheel holds only `vidu` (no tests)"
    assert "vidu/py.typed" in names
    assert "vidu/testing/__init__.py" in names
    requires = _requires(metadata)
    assert any(r.startswith("specgen-runtime") for r in requires), requires
    assert not [r for r in requires if r.startswith(GENERATOR_ONLY)], requires

    tops, names, _ = _wheel_names(wheels.runtime)
    assert tops == {"specgen_runtime"}
    assert "specgen_runtime/py.typed" in names

    tops, names, metadata = _wheel_names(wheels.generator)
    assert tops == {"vidu_codegen"}, "no top-level name that could collide"
    templates = [n for n in names if n.startswith("vidu_codegen/templates/")]
    packaged = {n.removeprefix("vidu_codegen/templates/") for n in templates}
    templates_dir = checkout / "generator" / "vidu_codegen" / "templates"
    in_repo = {
        p.relative_to(templates_dir).as_posix()
        for p in templates_dir.rglob("*")
        if p.is_file()
    }
    assert packaged == in_repo, "the wheel ships every template"
    assert any(r.startswith("ruff==") for r in _requires(metadata))


# -- vidu in a fresh venv -----------------------------------------------------

FACTS = """\
import importlib.metadata
import importlib.util
import json
import sys
from pathlib import Path

absent_modules = [m for m in ("jinja2", "ruamel", "ruff", "vidu_codegen", "generator")
                  if importlib.util.find_spec(m) is not None]
absent_dists = []
for name in sys.argv[1:]:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        continue
    absent_dists.append(name)

import vidu

print(json.dumps({
    "unwanted_modules": absent_modules,
    "unwanted_dists": absent_dists,
    "prefix": sys.prefix,
    "vidu_file": vidu.__file__,
    "version": vidu.__version__,
    "dist_version": importlib.metadata.version("vidu"),
}))
"""


def test_vidu_installs_without_the_generator(user_venv: Venv, workdir: Path) -> None:
    script = workdir / "facts.py"
    script.write_text(FACTS, encoding="utf-8")
    result = _ok(_run(user_venv.python, script, *GENERATOR_ONLY, cwd=workdir))
    facts = json.loads(result.stdout)
    assert facts["unwanted_modules"] == []
    assert facts["unwanted_dists"] == []
    assert not user_venv.script("ruff").exists()
    assert not user_venv.script("vidu-codegen").exists()
    assert Path(facts["vidu_file"]).is_relative_to(facts["prefix"]), (
        "vidu is imported from the fresh venv, not from the checkout"
    )
    assert facts["version"] == facts["dist_version"]


ROUND_TRIP = """\
import sys
from pathlib import Path

import vidu
from vidu.testing import FakeServer

target = Path(sys.argv[1])
with FakeServer() as server:
    client = vidu.Client(server.api_key, base_url=server.url,
                         sleep=server.advance, clock=server.clock.now)
    with client:
        task = client.reference2video(model="viduq1", images=["https://a/b.png"], prompt="x")
        creations = client.wait(task.task_id)
        written = client.download(creations[0], target)
print(written)
"""


def test_round_trip_against_the_fake_server(user_venv: Venv, workdir: Path) -> None:
    script = workdir / "round_trip.py"
    script.write_text(ROUND_TRIP, encoding="utf-8")
    video = workdir / "v.mp4"
    _ok(_run(user_venv.python, script, video, cwd=workdir, timeout=120))
    assert video.is_file()
    assert video.stat().st_size > 0


def test_command_line_help(user_venv: Venv, workdir: Path) -> None:
    result = _ok(_run(user_venv.python, "-m", "vidu", "--help", cwd=workdir))
    assert "reference2video" in result.stdout


def test_pip_check_is_clean(user_venv: Venv, workdir: Path) -> None:
    _ok(_run(user_venv.python, "-m", "pip", "check", cwd=workdir))


USER_SCRIPT = """\
from pathlib import Path

import vidu
from vidu.testing import FakeServer


def make_video(client: vidu.Client, prompt: str, target: Path) -> Path:
    task: vidu.CreateTaskResponse = client.reference2video(
        model="viduq1", images=["https://a/b.png"], prompt=prompt
    )
    if task.task_id is None:  # every response field may be missing
        raise RuntimeError("no task id")
    creations = client.wait(task.task_id)
    return client.download(creations[0], target)


def problems(body: dict[str, object]) -> list[str]:
    return [f"{v.field}: {v.message}" for v in vidu.validate_payload("reference2video", body)]


request = vidu.Reference2VideoRequest(
    model="viduq2", images=["https://a/b.png"], prompt="x",
    aspect_ratio=vidu.AspectRatio.RATIO_3_4,
)
version: str = vidu.__version__
try:
    with FakeServer() as server:
        url: str = server.url
        with vidu.Client(server.api_key, base_url=url) as client:
            path: Path = make_video(client, "A bear waves.", Path("v.mp4"))
except vidu.ViduError as error:
    print(error)
"""

WRONG_TYPES = """\
import vidu

version: int = vidu.__version__
client = vidu.Client(42)
"""
"""Two lines mypy must reject (lines 3 and 4), so the check above is real."""


def _mypy(script: Path, venv: Venv, cache: Path) -> subprocess.CompletedProcess[str]:
    """The outer venv's mypy, reading the fresh venv's packages."""
    return _run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--python-executable",
        venv.python,
        "--cache-dir",
        cache,
        "--no-color-output",
        "--no-error-summary",
        script.name,
        cwd=script.parent,
    )


def test_mypy_strict_on_a_user_script(user_venv: Venv, workdir: Path) -> None:
    cache = workdir / "mypy-cache"
    good = workdir / "user_script.py"
    good.write_text(USER_SCRIPT, encoding="utf-8")
    _ok(_mypy(good, user_venv, cache))

    bad = workdir / "wrong_types.py"
    bad.write_text(WRONG_TYPES, encoding="utf-8")
    result = _mypy(bad, user_venv, cache)
    assert result.returncode == 1, _shown(result)
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    lines = sorted(line.split(":")[1] for line in errors)
    assert lines == ["3", "4"], _shown(result)
    assert "[assignment]" in errors[0] + errors[1]
    assert "[arg-type]" in errors[0] + errors[1]


# -- the installed generator --------------------------------------------------

CHANGED_SUMMARY = ("Fast generation speed.", "Fast generation speed (copy B).")
"""A model summary in spec/api.yaml, and what copy B changes it to."""


@pytest.fixture(scope="module")
def two_copies(
    checkout: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("copies")
    return (
        Path(shutil.copytree(checkout, root / "a")),
        Path(shutil.copytree(checkout, root / "b")),
    )


def test_installed_generator_is_not_the_checkout(
    generator_venv: Venv, workdir: Path
) -> None:
    code = "import sys, vidu_codegen; print(vidu_codegen.__file__); print(sys.prefix)"
    result = _ok(_run(generator_venv.python, "-c", code, cwd=workdir))
    location, prefix = result.stdout.split()
    assert Path(location).is_relative_to(prefix), result.stdout


def test_installed_generator_acts_on_the_copy_it_runs_in(
    generator_venv: Venv, two_copies: tuple[Path, Path]
) -> None:
    a, b = two_copies
    codegen = generator_venv.script("vidu-codegen")

    _ok(_run(codegen, "lint", cwd=a))
    _ok(_run(codegen, "generate", "--check", cwd=a))
    _ok(_run(codegen, "generate", cwd=a))
    a_before, b_before = _tree(a / "generated"), _tree(b / "generated")
    assert a_before == b_before

    api = b / "spec" / "api.yaml"
    old, new = CHANGED_SUMMARY
    text = api.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is no longer in spec/api.yaml"
    api.write_text(text.replace(old, new), encoding="utf-8")

    stale = _run(codegen, "generate", "--check", cwd=b / "spec" / "operations")
    assert stale.returncode == 1, _shown(stale)
    _ok(_run(codegen, "generate", cwd=b))

    b_after = _tree(b / "generated")
    changed = sorted(
        name
        for name in b_after.keys() | b_before.keys()
        if b_after.get(name) != b_before.get(name)
    )
    assert changed, "copy B's generated/ did not change"
    assert any(
        new in (b / "generated" / name).read_text(encoding="utf-8") for name in changed
    )
    assert _tree(a / "generated") == a_before, "copy A's generated/ was touched"
    _ok(_run(codegen, "generate", "--check", cwd=a))
    _ok(_run(codegen, "generate", "--check", cwd=b / "spec"))


def test_installed_generator_uses_its_packaged_templates(
    generator_venv: Venv, two_copies: tuple[Path, Path], workdir: Path
) -> None:
    """A project of nothing but ``spec/``: the templates come from the wheel
    and give the same output as the checkout's."""
    a, _ = two_copies
    shutil.copytree(a / "spec", workdir / "spec")
    _ok(_run(generator_venv.script("vidu-codegen"), "generate", cwd=workdir))
    assert _tree(workdir / "generated") == _tree(a / "generated")


def test_installed_generator_without_a_project(
    generator_venv: Venv, workdir: Path
) -> None:
    for command in (["lint"], ["generate", "--check"]):
        result = _run(generator_venv.script("vidu-codegen"), *command, cwd=workdir)
        assert result.returncode == 2, _shown(result)
        assert "no project found" in result.stderr, _shown(result)
        assert "Traceback" not in result.stdout + result.stderr, _shown(result)
        assert not (workdir / "generated").exists()
