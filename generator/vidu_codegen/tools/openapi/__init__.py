"""``vidu-codegen openapi``: the spec as an OpenAPI 3.1 document.

``document`` builds it (info, servers, paths, errors, webhooks) from the
component ``schemas``, the per-model ``constraints`` and the ``examples``;
``yaml11`` prints it. See :mod:`vidu_codegen.tools.openapi.document`.
"""

from vidu_codegen.tools.openapi.base import OPENAPI_VERSION
from vidu_codegen.tools.openapi.document import build_openapi
from vidu_codegen.tools.openapi.yaml11 import render_openapi

__all__ = ["OPENAPI_VERSION", "build_openapi", "render_openapi"]
