# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""Verify the callbacks the service sends, and read their bodies.

When a task created with a callback URL changes state, the service sends the
task body to that URL, signed with HMAC; the key is the API key that created
the task. Check the signature before trusting the body::

    from vidu import webhooks

    nonces = webhooks.NonceCache()  # refuses a callback sent twice

    def handle(method, url, headers, body):
        webhooks.verify(method, url, headers, api_key, nonces=nonces)
        task = webhooks.parse(body)

``url`` is the callback URL the task was created with, or the request target
your web framework saw (``/path?query``): only its path and raw query are
signed. The body is *not* signed by the service, so read it only after
:func:`verify` passed, and prefer fetching the task again for anything that
matters.

The functions here are those of :class:`specgen_runtime.webhooks.Webhooks`,
bound to the spec's signature scheme and to :class:`CallbackBody`.
"""

from typing import Final

from specgen_runtime.webhooks import (
    DEFAULT_TOLERANCE,
    InvalidWebhookBody,
    NonceCache,
    Webhooks,
    WebhookVerificationError,
    http_date,
)

from ._api import API
from .models import CallbackBody

WEBHOOKS: Final = Webhooks(API.require_callback().signature, CallbackBody.from_json)
"""The spec's callback scheme; the functions below are its methods."""

signing_string = WEBHOOKS.signing_string
sign = WEBHOOKS.sign
signed_headers = WEBHOOKS.signed_headers
verify = WEBHOOKS.verify
parse = WEBHOOKS.parse
verify_and_parse = WEBHOOKS.verify_and_parse

__all__ = [
    "DEFAULT_TOLERANCE",
    "WEBHOOKS",
    "CallbackBody",
    "InvalidWebhookBody",
    "NonceCache",
    "WebhookVerificationError",
    "http_date",
    "parse",
    "sign",
    "signed_headers",
    "signing_string",
    "verify",
    "verify_and_parse",
]
