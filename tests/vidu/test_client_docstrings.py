"""Every public method the generated clients define documents itself: what
it does, each parameter, what it returns and what it raises, without sending
the reader to another method."""

from __future__ import annotations

import inspect
from collections.abc import Callable

import pytest
import vidu.async_client
import vidu.client

CLASSES = [
    vidu.client.Client,
    vidu.client.ClientWithRawResponse,
    vidu.async_client.AsyncClient,
    vidu.async_client.AsyncClientWithRawResponse,
]


def _methods() -> list[tuple[str, Callable[..., object]]]:
    found = []
    for cls in CLASSES:
        for name, member in vars(cls).items():
            if name.startswith("_") or not callable(member):
                continue
            found.append((f"{cls.__name__}.{name}", member))
    return found


METHODS = _methods()


def test_every_class_has_public_methods() -> None:
    named = {name.split(".")[0] for name, _ in METHODS}
    assert named == {cls.__name__ for cls in CLASSES}


@pytest.mark.parametrize(("name", "method"), METHODS, ids=[n for n, _ in METHODS])
def test_a_method_docstring_reads_on_its_own(
    name: str, method: Callable[..., object]
) -> None:
    doc = inspect.getdoc(method) or ""
    summary = doc.split("\n", 1)[0]
    assert summary.endswith("."), f"{name}: no one-line summary"
    assert "See :meth:" not in doc
    assert "see :meth:`AsyncBaseClient" not in doc
    for parameter in inspect.signature(method).parameters.values():
        if parameter.name == "self" or parameter.kind is parameter.VAR_KEYWORD:
            continue
        assert f":param {parameter.name}:" in doc, f"{name}: {parameter.name}"
    assert ":returns:" in doc, name
    assert ":raises " in doc, name


def test_the_async_wait_says_how_it_polls_and_is_cancelled() -> None:
    doc = inspect.getdoc(vidu.async_client.AsyncClient.wait) or ""
    assert "Cancelled, it stops polling at once" in doc
    assert ":raises WaitTimeout:" in doc
    assert ":raises TaskFailed:" in doc


def test_a_cancel_names_the_mismatch_it_refuses() -> None:
    for cls in CLASSES:
        doc = inspect.getdoc(vars(cls)["cancel"]) or ""
        assert ":raises PathParameterMismatch: the body's ``id``" in doc
