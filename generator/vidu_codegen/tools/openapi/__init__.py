"""``vidu-codegen openapi``: the spec as an OpenAPI 3.1 document."""

from vidu_codegen.tools.openapi.document import (
    OPENAPI_VERSION,
    build_openapi,
    render_openapi,
)

__all__ = ["OPENAPI_VERSION", "build_openapi", "render_openapi"]
