"""Nox sessions for vidu-codegen."""

import nox


@nox.session
def bench(session: nox.Session) -> None:
    """Time vidu.validate_payload against a pydantic baseline.

    Arguments after ``--`` go to the script, e.g.
    ``nox -s bench -- --json bench-results/validate.json --assert-ratio 1.0``.
    """
    session.install("-e", ".[bench]")
    session.run("python", "bench/bench_validate.py", *session.posargs)
