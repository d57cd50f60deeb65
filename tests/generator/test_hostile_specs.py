"""The generator is never a way in: hostile specs are refused at a position,
and any spec lint accepts gives a package that works and holds its text.

* The corpus (:mod:`tests.generator.hostile_specs`): alias bombs, deep
  nesting, huge integers and files, backtracking patterns, custom tags,
  control characters, path-escaping and code-carrying names. Each gives its
  exact positioned messages, exit 2, and nothing written.
* A property: arbitrary text in any string of the tiny spec gives either a
  positioned error (exit 2, nothing written) or a package that compiles,
  imports without side effects, whose generated tests pass (for a few
  examples), and whose Python holds the exact text (docstrings: the text
  with its whitespace normalised). ``CI=true`` runs a small profile.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from vidu_codegen import cli
from vidu_codegen.python.writer import UnsafePath, check_paths, write_tree

from tests.generator.hostile_specs import CORPUS, OP, TINY, Hostile

# -- the corpus --------------------------------------------------------------


def _generate(spec: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    status = cli.main(["--spec", str(spec), "generate", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.splitlines()
    assert lines[-1].endswith("in the spec; nothing written")
    return lines[:-1]


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_hostile_spec_is_refused_at_its_place(
    case: Hostile,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec = case.write(tmp_path)
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    assert _generate(Path("spec"), out, capsys) == list(case.expected)
    assert not out.exists()
    assert spec.is_dir()


def test_operations_whose_python_names_collide_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(TINY, spec)
    text = (spec / OP).read_text()
    other = (
        text.replace("id: render", "id: get-creations")
        .replace("RenderRequest", "OtherRequest")
        .replace("RenderJob", "OtherJob")
    )
    (spec / "operations" / "a.yaml").write_text(other)
    (spec / OP).write_text(text.replace("id: render", "id: get_creations"))
    monkeypatch.chdir(tmp_path)
    found = _generate(Path("spec"), tmp_path / "out", capsys)
    assert (
        "spec/operations/render.yaml:2:7: operation 'get_creations' and "
        "'get-creations' both become get_creations (first at spec/operations/a.yaml:2:7)"
    ) in found


@pytest.mark.parametrize(
    "name",
    ["../escaped.py", "/abs.py", "a/../../b.py", "pkg/.hidden", "", "a//b", "a\\b.py"],
)
def test_the_writer_refuses_a_path_outside_its_folder(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(UnsafePath, match="refusing to write"):
        write_tree({"pkg/ok.py": "", name: "x"}, out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_writer_accepts_plain_paths(tmp_path: Path) -> None:
    check_paths(
        ["pkg/__init__.py", "tests/test_a_contract.py", "REFERENCE.md"], tmp_path
    )


# -- the property --------------------------------------------------------------

_YAML = YAML(typ="rt")


def _strings(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The place of every string value in a YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))
    elif isinstance(node, str):
        yield path


def _places() -> list[tuple[str, tuple[Any, ...]]]:
    found = []
    for file in ("api.yaml", OP):
        data = _YAML.load((TINY / file).read_text())
        found += [(file, place) for place in _strings(data)]
    return found


PLACES = _places()

HOSTILE_TEXT = [
    '"""',
    "'''",
    '\\"; import os; os.system("echo pwned") #',
    "x\n" * 3 + "import os",
    "\\",
    'end with a quote"',
    "{{ pkg.package }} {% for x in y %}{# c #}",
    "{0} {model} {{}}",
    "\x00",
    "\x1b[31m",
    "\U0001f600 \u2028 \ufeff \u00a0",
    "é" * 3,
    "</div>|a|b|",
]

TEXT = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
    st.lists(st.sampled_from(HOSTILE_TEXT), min_size=1, max_size=4).map("".join),
    st.sampled_from(["ab ", '"', "\\", "x\n"]).map(lambda s: s * 2500),
)

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
EXAMPLES = 15 if CI else 30
TESTED_PACKAGES = 2
"""How many accepted specs also get their generated tests run (slow)."""

_ran_tests: list[str] = []


def _edit(spec: Path, file: str, place: tuple[Any, ...], text: str) -> None:
    path = spec / file
    data = _YAML.load(path.read_text())
    node = data
    for key in place[:-1]:
        node = node[key]
    node[place[-1]] = text
    with path.open("w", encoding="utf-8") as handle:
        _YAML.dump(data, handle)


def _normal(text: str) -> str:
    return " ".join(text.split())


def _python_strings(out: Path) -> list[str]:
    found = []
    for path in out.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        ]
    return found


def _in_python(text: str, strings: list[str]) -> bool:
    if text in strings:
        return True
    wanted = _normal(text)
    return any(wanted in _normal(s) for s in strings)


def _run(
    args: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(place=st.sampled_from(PLACES), text=TEXT)
def test_any_text_in_any_string_is_refused_or_generated_faithfully(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    place: tuple[str, tuple[Any, ...]],
    text: str,
) -> None:
    root = tmp_path_factory.mktemp("hostile")
    spec = root / "spec"
    shutil.copytree(TINY, spec)
    file, where = place
    _edit(spec, file, where, text)
    out = root / "out"
    capsys.readouterr()
    status = cli.main(["--spec", str(spec), "generate", "--out", str(out)])
    err = capsys.readouterr().err
    if status == 2:
        assert not out.exists()
        findings = [line for line in err.splitlines()[:-1] if ": warning: " not in line]
        assert findings, err
        for line in findings:
            file_part, line_no, col, _ = line.split(":", 3)
            assert file_part.startswith("spec/"), line
            assert int(line_no) >= 1, line
            assert int(col) >= 1, line
        return
    assert status == 0, err
    strings = _python_strings(out)  # every file parses
    for path in out.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    marker = _marker_in_python(file, where)
    if marker:
        assert _in_python(text, strings), (file, where, text)
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(out), "PYTHONSAFEPATH": "1"}
    quiet = root / "empty"
    quiet.mkdir()
    imported = _run(
        [
            sys.executable,
            "-c",
            "import acme, acme.tables, acme.models, acme._validators",
        ],
        quiet,
        env,
    )
    assert (imported.returncode, imported.stdout, imported.stderr) == (0, "", "")
    assert [p.name for p in quiet.iterdir() if p.name != "__pycache__"] == []
    if len(_ran_tests) < TESTED_PACKAGES:
        _ran_tests.append(text)
        tested = _run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(out / "tests"),
            ],
            out,
            env | {"HOME": str(root)},
        )
        assert tested.returncode == 0, tested.stdout + tested.stderr


_MARKERS: dict[tuple[str, tuple[Any, ...]], bool] = {}


def _marker_in_python(file: str, where: tuple[Any, ...]) -> bool:
    """Whether a value at this place reaches the generated Python at all (a
    model's summary, say, goes to REFERENCE.md only): found once with a
    marker text."""
    key = (file, where)
    if key not in _MARKERS:
        work = Path(tempfile.mkdtemp(prefix="hostile-marker-"))
        try:
            spec = work / "spec"
            shutil.copytree(TINY, spec)
            _edit(spec, file, where, "Zq marker text")
            out = work / "out"
            status = cli.main(["--spec", str(spec), "generate", "--out", str(out)])
            _MARKERS[key] = status == 0 and _in_python(
                "Zq marker text", _python_strings(out)
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return _MARKERS[key]


def test_too_many_operation_files_are_refused(tiny_spec: Path) -> None:
    from vidu_codegen.pipeline import MAX_OPERATION_FILES, load_spec

    render = (tiny_spec / "operations" / "render.yaml").read_text()
    for i in range(MAX_OPERATION_FILES):
        (tiny_spec / "operations" / f"copy{i:03}.yaml").write_text(render)
    loaded = load_spec(tiny_spec)
    assert loaded.spec is None
    assert [str(f) for f in loaded.findings] == [
        f"spec/operations:1:1: {MAX_OPERATION_FILES + 1} operation files: at most "
        f"{MAX_OPERATION_FILES} are read (split the API into several specs)"
    ]
