# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Properties of the Vidu validators and typed requests, on bodies drawn from the spec.

Generated from the spec; do not edit. The bodies come from
:mod:`vidu.strategies` (hypothesis): a valid body draws no error (and
warnings only where the spec's rules say), a body with one field broken draws
an error on that field, ``validate_payload`` takes any JSON-like value without
raising, and a typed request survives a trip through JSON.

With ``CI`` set in the environment each property tries a bounded number of
examples in a fixed order (profile ``vidu-ci``); otherwise more, at
random (``vidu-local``).
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Final

import pytest
import vidu
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vidu import strategies

settings.register_profile(
    "vidu-ci",
    max_examples=15,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "vidu-local",
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PROFILE: Final = settings.get_profile(
    "vidu-ci" if os.environ.get("CI") else "vidu-local"
)

FORMS: Final = [
    ("cancel", "cancel"),
    ("reference2video", "subjects"),
    ("reference2video", "images"),
]
OPERATIONS: Final = [
    "cancel",
    "reference2video",
]
CLASSES: Final[list[type[Any]]] = [
    vidu.CancelRequest,
    vidu.Reference2VideoSubjectsRequest,
    vidu.Reference2VideoRequest,
]


def _triples(found: list[vidu.Violation]) -> list[tuple[str, str, str]]:
    return sorted((v.rule, v.field, v.severity) for v in found)


@pytest.mark.parametrize(("operation", "form"), FORMS)
@PROFILE
@given(data=st.data())
def test_a_valid_body_draws_no_error(
    operation: str, form: str, data: st.DataObject
) -> None:
    body = data.draw(strategies.bodies(operation, form), label="body")
    found = vidu.validate_payload(operation, body)
    assert [v for v in found if v.severity == "error"] == []
    assert _triples(found) == list(strategies.expected(operation, body))


@pytest.mark.parametrize(("operation", "form"), FORMS)
@PROFILE
@given(data=st.data())
def test_a_body_with_one_broken_field_draws_an_error_there(
    operation: str, form: str, data: st.DataObject
) -> None:
    broken = data.draw(strategies.broken_bodies(operation, form), label="broken")
    found = vidu.validate_payload(operation, broken.body)
    assert ("error", broken.field, broken.rule) in [
        (v.severity, v.field, v.rule) for v in found
    ], _triples(found)


@pytest.mark.parametrize("operation", OPERATIONS)
@PROFILE
@given(data=st.data())
def test_validate_payload_never_raises(operation: str, data: st.DataObject) -> None:
    payload = data.draw(strategies.payloads(operation), label="payload")
    found = vidu.validate_payload(operation, payload)
    assert all(isinstance(v, vidu.Violation) for v in found)


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
@PROFILE
@given(data=st.data())
def test_a_typed_request_round_trips_through_json(
    cls: type[Any], data: st.DataObject
) -> None:
    request = data.draw(strategies.requests(cls), label="request")
    text = json.dumps(request.to_json())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vidu.ValidationWarning)
        again = vidu.converter.structure(json.loads(text), cls)
    assert again == request
