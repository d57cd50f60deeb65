# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""The spec's tables as the one object the shared runtime reads.

The runtime (``specgen_runtime``) imports nothing from this package: the
client, the command line, the fake server and the callback verifier are each
given :data:`API`.
"""

from typing import Final

from specgen_runtime.tables import ApiTables, Errors

from . import tables
from ._validators import validate_payload
from .models import converter

API: Final = ApiTables(
    name="Vidu",
    package="vidu",
    version=tables.VERSION,
    base_url=tables.BASE_URL,
    hosts=tables.HOSTS,
    auth=tables.AUTH,
    models=tables.KNOWN_MODELS,
    operations=tables.OPERATION_INFO,
    forms=(
        tables.CANCEL_CANCEL,
        tables.REFERENCE2VIDEO_SUBJECTS,
        tables.REFERENCE2VIDEO_IMAGES,
    ),
    validate=validate_payload,
    converter=converter,
    assets={
        "image": tables.IMAGE_ASSET,
        "video": tables.VIDEO_ASSET,
    },
    tasks=tables.TASKS,
    errors=Errors(tables.ERROR_FIELDS, tables.ERROR_CODES),
    callback=tables.CALLBACK,
)
"""Everything the runtime needs to know about the Vidu API."""
