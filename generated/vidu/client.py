# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""The Vidu client: one method per operation of the spec.

Transport, retries, errors, waiting and downloading live in the shared
runtime (:class:`specgen_runtime.client.BaseClient`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from specgen_runtime.client import BaseClient
from specgen_runtime.tables import ApiTables
from specgen_runtime.violations import Mode

from ._api import API
from .models import (
    CancelRequest,
    CancelResponse,
    CreateTaskResponse,
    Reference2VideoRequest,
    Reference2VideoSubjectsRequest,
    TaskCreations,
)
from .tables import OPERATION_INFO


class Client(BaseClient[TaskCreations]):
    """A client of the Vidu API: one method per operation.

    ::

        with vidu.Client() as client:  # the key from $VIDU_API_KEY
            task = client.reference2video(...)
            creations = client.wait(task.task_id)

    Requests are checked before anything is sent (see :class:`BaseClient` for
    the validation mode, timeouts and retries).
    """

    _api: ClassVar[ApiTables] = API

    def cancel(
        self,
        task_id: str,
        request: CancelRequest | None = None,
        /,
        *,
        validation: Mode | None = None,
        **fields: Any,
    ) -> CancelResponse:
        """Cancel a task that has not started yet.

        ``POST /ent/v2/tasks/{id}/cancel``; ``task_id``: Task ID.
        Pass a typed request, or its fields as keyword arguments.
        ``validation`` overrides the client's validation mode for this call.
        """
        body = self._body(
            OPERATION_INFO["cancel"],
            request,
            fields,
            validation,
            CancelRequest,
        )
        return self._call(
            OPERATION_INFO["cancel"],
            {"id": task_id},
            body,
            CancelResponse.from_json,
        )

    def get_creations(
        self,
        task_id: str,
        /,
    ) -> TaskCreations:
        """Get a task's state and, once it succeeded, its creations.

        ``GET /ent/v2/tasks/{id}/creations``; ``task_id``: Task ID.
        """
        return self._call(
            OPERATION_INFO["get_creations"],
            {"id": task_id},
            None,
            TaskCreations.from_json,
        )

    def reference2video(
        self,
        request: Reference2VideoSubjectsRequest | Reference2VideoRequest | None = None,
        /,
        *,
        validation: Mode | None = None,
        **fields: Any,
    ) -> CreateTaskResponse:
        """Generate a video that keeps the subjects of reference images or videos.

        ``POST /ent/v2/reference2video``
        Pass a typed request, or its fields as keyword arguments (with ``subjects``, a Reference2VideoSubjectsRequest is built; otherwise a Reference2VideoRequest).
        ``validation`` overrides the client's validation mode for this call.
        Never sent twice once it may have reached the server: a lost
        response raises :class:`RequestMayHaveSucceeded` instead.
        """
        body = self._body(
            OPERATION_INFO["reference2video"],
            request,
            fields,
            validation,
            Reference2VideoRequest,
            ("subjects", Reference2VideoSubjectsRequest),
        )
        return self._call(
            OPERATION_INFO["reference2video"],
            {},
            body,
            CreateTaskResponse.from_json,
        )

    def _get_task(self, task_id: str, /) -> TaskCreations:
        return self.get_creations(task_id)
