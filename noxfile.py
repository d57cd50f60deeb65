"""Nox sessions for vidu-codegen: ``nox`` runs tests, lint, typecheck and check."""

import nox

nox.options.sessions = ["tests", "lint", "typecheck", "check"]
nox.options.reuse_existing_virtualenvs = True

PYTHON_DIRS = ["generator", "runtime", "generated", "tests", "bench", "noxfile.py"]
LOCAL = ("-e", "./runtime", "-e", "./generated")
"""The runtime and the generated package, installed beside the generator."""


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite: generator, runtime and generated contract tests."""
    session.install(*LOCAL, "-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff on everything: lint rules and formatting."""
    session.install("ruff==0.17.5")
    session.run("ruff", "check", *PYTHON_DIRS)
    session.run("ruff", "format", "--check", *PYTHON_DIRS)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the generator, the runtime, the generated package and
    the benchmarks (which type-check without the bench extras: the schema
    validators they time are imported by name, with the types they use)."""
    session.install(*LOCAL, "-e", ".[dev]")
    session.run("mypy", "--strict", "generator/vidu_codegen")
    session.run("mypy", "--strict", "runtime/src/specgen_runtime")
    session.run("mypy", "--strict", "generated/vidu")
    session.run("mypy", "--strict", "generated/tests")
    session.run("mypy", "--strict", "bench")


@nox.session
def check(session: nox.Session) -> None:
    """Fail when generated/ is not what the generator makes from spec/."""
    session.install("-e", ".")
    session.run("vidu-codegen", "generate", "--check")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from spec/."""
    session.install("-e", ".")
    session.run("vidu-codegen", "generate")


@nox.session
def bench(session: nox.Session) -> None:
    """Measure every row of BENCHMARKS.md against its baseline and rewrite it.

    About 6 minutes; ``nox -s bench -- --quick`` is a smoke run that prints
    instead of writing (``-- --out FILE``, ``-- --json FILE`` also work).
    """
    session.install(*LOCAL, "-e", ".[bench]")
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def reliability(session: nox.Session) -> None:
    """Reliability figures: hostile responses survived, soak creates and duplicates.

    Arguments after ``--`` go to the client's script, e.g. ``-- --creates 500``.
    """
    session.install(*LOCAL, "-e", ".[dev]")
    session.run("python", "bench/reliability_client.py", *session.posargs)
    # hostile specs tried and refused with positions
    session.run("python", "bench/reliability_specs.py")
