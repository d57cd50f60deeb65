# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""The Vidu client for asyncio: the methods of :class:`Client`, as coroutines.

Each call runs the blocking client's request in a worker thread (one thread
per call in flight); retries, limits and errors are those of :class:`Client`
(see :mod:`specgen_runtime.async_client`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, overload

import urllib3
from specgen_runtime.async_client import AsyncBaseClient, AsyncPage, OrphanedCreate
from specgen_runtime.client import BaseClient, RawResponse
from specgen_runtime.pagination import query_values
from specgen_runtime.tables import ApiTables
from specgen_runtime.violations import Mode

from ._api import API
from .client import Client
from .models import (
    AspectRatio,
    AudioType,
    CancelRequest,
    CancelResponse,
    CreateTaskResponse,
    Creation,
    Credits,
    ListedTask,
    Model,
    MovementAmplitude,
    Reference2VideoRequest,
    Reference2VideoSubjectsRequest,
    Resolution,
    Subject,
    TaskCreations,
    TaskList,
    TaskState,
)
from .tables import OPERATION_INFO

__all__ = ["AsyncClient", "AsyncClientWithRawResponse", "OrphanedCreate"]


class AsyncClient(AsyncBaseClient[TaskCreations, CreateTaskResponse]):
    """A client of the Vidu API for asyncio: one coroutine per operation.

    ::

        async with vidu.AsyncClient() as client:  # the key from $VIDU_API_KEY
            task = await client.reference2video(...)
            creations = await client.wait(task.task_id)

    It takes the arguments of :class:`Client`, and ``max_concurrency`` (calls
    at once, each holding a thread while its request lasts) and
    ``on_orphaned_create`` (told the outcome of a create whose caller was
    cancelled while its request was in flight). A cancelled call starts
    nothing more (no retry, no further poll); a request already sent ends
    in its thread, and a create is never sent twice.
    :meth:`with_options` makes a copy with other options;
    :attr:`with_raw_response` gives each answer as it came.
    """

    _api: ClassVar[ApiTables] = API
    _client_class: ClassVar[type[BaseClient[Any]]] = Client

    @property
    def with_raw_response(self) -> AsyncClientWithRawResponse:
        """The same methods, returning each answer as it came (status, headers,
        body) with ``parse()`` for the typed model."""
        return AsyncClientWithRawResponse(self)

    @overload
    async def cancel(
        self,
        task_id: str,
        request: CancelRequest,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> CancelResponse: ...

    @overload
    async def cancel(
        self,
        task_id: str,
        request: None = None,
        /,
        *,
        id: str | None = None,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> CancelResponse: ...

    async def cancel(
        self,
        task_id: str,
        request: CancelRequest | None = None,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
        **fields: Any,
    ) -> CancelResponse:
        """Cancel a task that has not started yet.

        ``POST /ent/v2/tasks/{id}/cancel``.
        Pass a typed request, or its fields as keyword arguments;
        a field left out or ``None`` is not sent (the service's default applies).
        The body is checked before anything is sent.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param task_id: Task ID.
        :param request: a typed request (CancelRequest),
            checked again in this call's validation mode.
        :param id: Task ID; the path carries it too.
        :param validation: this call's validation mode (``"strict"``,
            ``"warn"`` or ``"off"``); default: the client's.
        :param extra_body: fields the spec does not know yet, merged into the
            body as given, each with a :class:`ValidationWarning`.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the service's answer, as a CancelResponse.
        :raises ValidationError: the request breaks the spec's rules (in
            ``"strict"`` mode); nothing was sent.
        :raises PathParameterMismatch: the body's ``id`` differs from
            ``task_id``, which the path carries; nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._per_call(timeout, max_retries, extra_headers, extra_body)
        body = self._body(
            OPERATION_INFO["cancel"],
            request,
            fields,
            validation,
            CancelRequest,
            options=options,
        )
        return await self._call(
            OPERATION_INFO["cancel"],
            {"id": task_id},
            body,
            CancelResponse.from_json,
            options=options,
        )

    async def get_credits(
        self,
        *,
        show_detail: bool | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Credits:
        """Get the account's concurrency limit, running tasks and queued tasks.

        ``GET /ent/v2/credits``.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param show_detail: Whether to list the credit packages in detail.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the service's answer, as a Credits.
        :raises ValidationError: a query value breaks the spec's rules (a
            value outside its choices, in the client's ``"strict"`` mode);
            nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._per_call(timeout, max_retries, extra_headers, None)
        query = query_values(
            OPERATION_INFO["get_credits"],
            {"show_detail": show_detail},
            self.validation,
            package=API.package,
        )
        return await self._call(
            OPERATION_INFO["get_credits"],
            {},
            None,
            Credits.from_json,
            query=query,
            options=options,
        )

    async def get_creations(
        self,
        task_id: str,
        /,
        *,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> TaskCreations:
        """Get a task's state and, once it succeeded, its creations.

        ``GET /ent/v2/tasks/{id}/creations``.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param task_id: Task ID.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the service's answer, as a TaskCreations.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._per_call(timeout, max_retries, extra_headers, None)
        return await self._call(
            OPERATION_INFO["get_creations"],
            {"id": task_id},
            None,
            TaskCreations.from_json,
            options=options,
        )

    async def list_tasks(
        self,
        *,
        created_at_from: str | datetime | None = None,
        created_at_to: str | datetime | None = None,
        task_ids: Sequence[str] | None = None,
        templates: Sequence[str] | None = None,
        model_versions: Sequence[str] | None = None,
        resolutions: Sequence[Resolution | str] | None = None,
        states: Sequence[TaskState | str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AsyncPage[TaskList, ListedTask]:
        """List the account's tasks, filtered, one page at a time.

        ``GET /ent/v2/tasks``.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param created_at_from: ``created_at.from``: Only tasks created at or after this time (RFC 3339, such as 2025-01-01T15:41:31Z).
        :param created_at_to: ``created_at.to``: Only tasks created at or before this time (RFC 3339).
        :param task_ids: Only these tasks.
        :param templates: Only tasks made from these templates.
        :param model_versions: Only tasks of these models.
        :param resolutions: Only tasks of these resolutions. One of 360p, 540p, 720p, 1080p.
        :param states: Only tasks in these states. One of created, queueing, processing, success, failed.
        :param page_size: ``pager.pagesz``: Tasks per page, at most 100.
        :param page_token: ``pager.page_token``: The next_page_token of the previous page; leave it out for the first page.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the first page. ``async for`` over it yields every
            item of every page, each fetched when needed (see
            :class:`AsyncPage` for the bounds, ``iter_pages()`` and
            ``auto_paging_iter()``).
        :raises ValidationError: a query value breaks the spec's rules (a
            value outside its choices, in the client's ``"strict"`` mode);
            nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._per_call(timeout, max_retries, extra_headers, None)
        query = query_values(
            OPERATION_INFO["list_tasks"],
            {
                "created_at_from": created_at_from,
                "created_at_to": created_at_to,
                "task_ids": task_ids,
                "templates": templates,
                "model_versions": model_versions,
                "resolutions": resolutions,
                "states": states,
                "page_size": page_size,
                "page_token": page_token,
            },
            self.validation,
            package=API.package,
        )
        return await self._first_page(
            OPERATION_INFO["list_tasks"],
            query,
            lambda query: self._call(
                OPERATION_INFO["list_tasks"],
                {},
                None,
                TaskList.from_json,
                query=query,
                options=options,
            ),
        )

    @overload
    async def reference2video(
        self,
        request: Reference2VideoSubjectsRequest | Reference2VideoRequest,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> CreateTaskResponse: ...

    @overload
    async def reference2video(
        self,
        request: None = None,
        /,
        *,
        model: Model | str,
        subjects: Sequence[Subject | Mapping[str, object]],
        prompt: str,
        auto_subjects: bool | None = None,
        audio: bool | None = None,
        audio_type: AudioType | str | None = None,
        duration: int | None = None,
        seed: int | None = None,
        aspect_ratio: AspectRatio | str | None = None,
        resolution: Resolution | str | None = None,
        movement_amplitude: MovementAmplitude | str | None = None,
        payload: str | None = None,
        off_peak: bool | None = None,
        callback_url: str | None = None,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> CreateTaskResponse: ...

    @overload
    async def reference2video(
        self,
        request: None = None,
        /,
        *,
        model: Model | str,
        prompt: str,
        images: Sequence[str] | None = None,
        videos: Sequence[str] | None = None,
        duration: int | None = None,
        seed: int | None = None,
        aspect_ratio: AspectRatio | str | None = None,
        resolution: Resolution | str | None = None,
        movement_amplitude: MovementAmplitude | str | None = None,
        bgm: bool | None = None,
        payload: str | None = None,
        off_peak: bool | None = None,
        audio: bool | None = None,
        callback_url: str | None = None,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> CreateTaskResponse: ...

    async def reference2video(
        self,
        request: Reference2VideoSubjectsRequest | Reference2VideoRequest | None = None,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
        **fields: Any,
    ) -> CreateTaskResponse:
        """Generate a video that keeps the subjects of reference images or videos.

        ``POST /ent/v2/reference2video``.
        Pass a typed request, or its fields as keyword arguments (with ``subjects``, a Reference2VideoSubjectsRequest is built; otherwise a Reference2VideoRequest);
        a field left out or ``None`` is not sent (the service's default applies).
        The body is checked before anything is sent.
        Never sent twice once it may have reached the server: a lost
        response raises :class:`RequestMayHaveSucceeded` instead.
        Cancelled while its request is in flight, the request still ends
        in its thread and its outcome is kept (see :class:`OrphanedCreate`).

        :param request: a typed request (Reference2VideoSubjectsRequest or Reference2VideoRequest),
            checked again in this call's validation mode.
        :param model: Model name.
        :param auto_subjects: Use the intelligent subject library. (Reference2VideoSubjectsRequest only)
        :param subjects: The subjects, at most 7. (Reference2VideoSubjectsRequest only)
        :param prompt: Text prompt; refer to a subject as @name.
        :param audio: Output video with generated speech and background music.
        :param audio_type: What the audio holds; used when audio is true. (Reference2VideoSubjectsRequest only)
        :param duration: Video duration in seconds.
        :param seed: Random seed; a random one when left out.
        :param aspect_ratio: Aspect ratio of the output video.
        :param resolution: Resolution of the output video.
        :param movement_amplitude: Movement amplitude of objects in the frame.
        :param payload: Passed through unchanged and returned with the task.
        :param off_peak: Off-peak mode; cheaper, done within 48 hours.
        :param callback_url: URL that receives a POST whenever the task's state changes.
        :param images: Reference images, 1 to 7. (Reference2VideoRequest only)
        :param videos: Reference videos, at most 2 (viduq2-pro only). (Reference2VideoRequest only)
        :param bgm: Add background music chosen to fit the video. (Reference2VideoRequest only)
        :param validation: this call's validation mode (``"strict"``,
            ``"warn"`` or ``"off"``); default: the client's.
        :param extra_body: fields the spec does not know yet, merged into the
            body as given, each with a :class:`ValidationWarning`.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the service's answer, as a CreateTaskResponse.
        :raises ValidationError: the request breaks the spec's rules (in
            ``"strict"`` mode); nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises RequestMayHaveSucceeded: no answer after the request may
            have reached the service.
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnreadableCreateResponse: an answer the spec does not
            describe; the task's id is on it when the body holds one.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._per_call(timeout, max_retries, extra_headers, extra_body)
        body = self._body(
            OPERATION_INFO["reference2video"],
            request,
            fields,
            validation,
            Reference2VideoRequest,
            ("subjects", Reference2VideoSubjectsRequest),
            options=options,
        )
        return await self._create(
            OPERATION_INFO["reference2video"],
            {},
            body,
            CreateTaskResponse.from_json,
            options=options,
        )

    async def wait(
        self,
        task_id: str,
        *,
        timeout: float = 900.0,
        poll_interval: float = 2.0,
        max_interval: float = 15.0,
        on_progress: Callable[[TaskCreations], object] | None = None,
    ) -> list[Creation]:
        """Poll a task until it ends; return its creations.

        Polls every ``poll_interval`` seconds at first, then less often (up to
        every ``max_interval`` seconds), awaiting the client's
        ``sleep`` in between. ``on_progress(task)`` is called with
        the first answer and whenever the state changes (and
        awaited if it returns an awaitable).
        Cancelled, it stops polling at once: no request starts after the
        cancel (a poll in flight ends in its thread, unanswered).

        :param task_id: the task's id, as a create's response gives it.
        :param timeout: seconds the whole wait may take; each poll gets at
            most the time left (and the client's own ``timeout``).
        :param poll_interval: seconds between the first polls.
        :param max_interval: the longest wait between two polls.
        :param on_progress: called with each answer whose state is new.
        :returns: the creations of the task once it succeeded.
        :raises ValueError: ``task_id`` is empty, ``timeout`` is not
            positive, or not ``0 < poll_interval <= max_interval``.
        :raises TaskFailed: the task failed; ``err_code`` says why.
        :raises WaitTimeout: it had not ended after ``timeout`` seconds.
        :raises APIError: a poll was answered with an error status (such as
            :class:`NotFoundError`: no such task), after any retries.
        :raises APIConnectionError: a poll got no answer, after any retries.
        """
        return await super().wait(
            task_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_interval=max_interval,
            on_progress=on_progress,
        )


class AsyncClientWithRawResponse:
    """The methods of :class:`AsyncClient`, each returning a :class:`RawResponse`.

    ``status``, ``headers`` (the API key hidden) and ``body`` (bytes) are the
    answer as it came; ``parse()`` gives what the :class:`AsyncClient` method
    returns. An error status still raises, as it does there.
    """

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    @overload
    async def cancel(
        self,
        task_id: str,
        request: CancelRequest,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> RawResponse[CancelResponse]: ...

    @overload
    async def cancel(
        self,
        task_id: str,
        request: None = None,
        /,
        *,
        id: str | None = None,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> RawResponse[CancelResponse]: ...

    async def cancel(
        self,
        task_id: str,
        request: CancelRequest | None = None,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
        **fields: Any,
    ) -> RawResponse[CancelResponse]:
        """Cancel a task that has not started yet.

        ``POST /ent/v2/tasks/{id}/cancel``.
        Pass a typed request, or its fields as keyword arguments;
        a field left out or ``None`` is not sent (the service's default applies).
        The body is checked before anything is sent.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param task_id: Task ID.
        :param request: a typed request (CancelRequest),
            checked again in this call's validation mode.
        :param id: Task ID; the path carries it too.
        :param validation: this call's validation mode (``"strict"``,
            ``"warn"`` or ``"off"``); default: the client's.
        :param extra_body: fields the spec does not know yet, merged into the
            body as given, each with a :class:`ValidationWarning`.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the answer as it came (:class:`RawResponse`); its ``parse()``
            gives the CancelResponse.
        :raises ValidationError: the request breaks the spec's rules (in
            ``"strict"`` mode); nothing was sent.
        :raises PathParameterMismatch: the body's ``id`` differs from
            ``task_id``, which the path carries; nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._client._per_call(
            timeout, max_retries, extra_headers, extra_body
        )
        body = self._client._body(
            OPERATION_INFO["cancel"],
            request,
            fields,
            validation,
            CancelRequest,
            options=options,
        )
        return await self._client._call_raw(
            OPERATION_INFO["cancel"],
            {"id": task_id},
            body,
            CancelResponse.from_json,
            options=options,
        )

    async def get_credits(
        self,
        *,
        show_detail: bool | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> RawResponse[Credits]:
        """Get the account's concurrency limit, running tasks and queued tasks.

        ``GET /ent/v2/credits``.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param show_detail: Whether to list the credit packages in detail.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the answer as it came (:class:`RawResponse`); its ``parse()``
            gives the Credits.
        :raises ValidationError: a query value breaks the spec's rules (a
            value outside its choices, in the client's ``"strict"`` mode);
            nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._client._per_call(timeout, max_retries, extra_headers, None)
        query = query_values(
            OPERATION_INFO["get_credits"],
            {"show_detail": show_detail},
            self._client.validation,
            package=API.package,
        )
        return await self._client._call_raw(
            OPERATION_INFO["get_credits"],
            {},
            None,
            Credits.from_json,
            query=query,
            options=options,
        )

    async def get_creations(
        self,
        task_id: str,
        /,
        *,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> RawResponse[TaskCreations]:
        """Get a task's state and, once it succeeded, its creations.

        ``GET /ent/v2/tasks/{id}/creations``.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param task_id: Task ID.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the answer as it came (:class:`RawResponse`); its ``parse()``
            gives the TaskCreations.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._client._per_call(timeout, max_retries, extra_headers, None)
        return await self._client._call_raw(
            OPERATION_INFO["get_creations"],
            {"id": task_id},
            None,
            TaskCreations.from_json,
            options=options,
        )

    async def list_tasks(
        self,
        *,
        created_at_from: str | datetime | None = None,
        created_at_to: str | datetime | None = None,
        task_ids: Sequence[str] | None = None,
        templates: Sequence[str] | None = None,
        model_versions: Sequence[str] | None = None,
        resolutions: Sequence[Resolution | str] | None = None,
        states: Sequence[TaskState | str] | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> RawResponse[TaskList]:
        """List the account's tasks, filtered, one page at a time.

        ``GET /ent/v2/tasks``.
        Cancelled, it starts nothing more (no retry); a request already
        sent ends in its thread.

        :param created_at_from: ``created_at.from``: Only tasks created at or after this time (RFC 3339, such as 2025-01-01T15:41:31Z).
        :param created_at_to: ``created_at.to``: Only tasks created at or before this time (RFC 3339).
        :param task_ids: Only these tasks.
        :param templates: Only tasks made from these templates.
        :param model_versions: Only tasks of these models.
        :param resolutions: Only tasks of these resolutions. One of 360p, 540p, 720p, 1080p.
        :param states: Only tasks in these states. One of created, queueing, processing, success, failed.
        :param page_size: ``pager.pagesz``: Tasks per page, at most 100.
        :param page_token: ``pager.page_token``: The next_page_token of the previous page; leave it out for the first page.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the answer as it came (:class:`RawResponse`); its ``parse()``
            gives the TaskList of the first page.
        :raises ValidationError: a query value breaks the spec's rules (a
            value outside its choices, in the client's ``"strict"`` mode);
            nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnexpectedResponseError: an answer the spec does not describe.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._client._per_call(timeout, max_retries, extra_headers, None)
        query = query_values(
            OPERATION_INFO["list_tasks"],
            {
                "created_at_from": created_at_from,
                "created_at_to": created_at_to,
                "task_ids": task_ids,
                "templates": templates,
                "model_versions": model_versions,
                "resolutions": resolutions,
                "states": states,
                "page_size": page_size,
                "page_token": page_token,
            },
            self._client.validation,
            package=API.package,
        )
        return await self._client._call_raw(
            OPERATION_INFO["list_tasks"],
            {},
            None,
            TaskList.from_json,
            query=query,
            options=options,
        )

    @overload
    async def reference2video(
        self,
        request: Reference2VideoSubjectsRequest | Reference2VideoRequest,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> RawResponse[CreateTaskResponse]: ...

    @overload
    async def reference2video(
        self,
        request: None = None,
        /,
        *,
        model: Model | str,
        subjects: Sequence[Subject | Mapping[str, object]],
        prompt: str,
        auto_subjects: bool | None = None,
        audio: bool | None = None,
        audio_type: AudioType | str | None = None,
        duration: int | None = None,
        seed: int | None = None,
        aspect_ratio: AspectRatio | str | None = None,
        resolution: Resolution | str | None = None,
        movement_amplitude: MovementAmplitude | str | None = None,
        payload: str | None = None,
        off_peak: bool | None = None,
        callback_url: str | None = None,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> RawResponse[CreateTaskResponse]: ...

    @overload
    async def reference2video(
        self,
        request: None = None,
        /,
        *,
        model: Model | str,
        prompt: str,
        images: Sequence[str] | None = None,
        videos: Sequence[str] | None = None,
        duration: int | None = None,
        seed: int | None = None,
        aspect_ratio: AspectRatio | str | None = None,
        resolution: Resolution | str | None = None,
        movement_amplitude: MovementAmplitude | str | None = None,
        bgm: bool | None = None,
        payload: str | None = None,
        off_peak: bool | None = None,
        audio: bool | None = None,
        callback_url: str | None = None,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
    ) -> RawResponse[CreateTaskResponse]: ...

    async def reference2video(
        self,
        request: Reference2VideoSubjectsRequest | Reference2VideoRequest | None = None,
        /,
        *,
        validation: Mode | None = None,
        timeout: float | urllib3.Timeout | None = None,
        max_retries: int | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_body: Mapping[str, object] | None = None,
        **fields: Any,
    ) -> RawResponse[CreateTaskResponse]:
        """Generate a video that keeps the subjects of reference images or videos.

        ``POST /ent/v2/reference2video``.
        Pass a typed request, or its fields as keyword arguments (with ``subjects``, a Reference2VideoSubjectsRequest is built; otherwise a Reference2VideoRequest);
        a field left out or ``None`` is not sent (the service's default applies).
        The body is checked before anything is sent.
        Never sent twice once it may have reached the server: a lost
        response raises :class:`RequestMayHaveSucceeded` instead.
        Cancelled while its request is in flight, the request still ends
        in its thread and its outcome is kept (see :class:`OrphanedCreate`).

        :param request: a typed request (Reference2VideoSubjectsRequest or Reference2VideoRequest),
            checked again in this call's validation mode.
        :param model: Model name.
        :param auto_subjects: Use the intelligent subject library. (Reference2VideoSubjectsRequest only)
        :param subjects: The subjects, at most 7. (Reference2VideoSubjectsRequest only)
        :param prompt: Text prompt; refer to a subject as @name.
        :param audio: Output video with generated speech and background music.
        :param audio_type: What the audio holds; used when audio is true. (Reference2VideoSubjectsRequest only)
        :param duration: Video duration in seconds.
        :param seed: Random seed; a random one when left out.
        :param aspect_ratio: Aspect ratio of the output video.
        :param resolution: Resolution of the output video.
        :param movement_amplitude: Movement amplitude of objects in the frame.
        :param payload: Passed through unchanged and returned with the task.
        :param off_peak: Off-peak mode; cheaper, done within 48 hours.
        :param callback_url: URL that receives a POST whenever the task's state changes.
        :param images: Reference images, 1 to 7. (Reference2VideoRequest only)
        :param videos: Reference videos, at most 2 (viduq2-pro only). (Reference2VideoRequest only)
        :param bgm: Add background music chosen to fit the video. (Reference2VideoRequest only)
        :param validation: this call's validation mode (``"strict"``,
            ``"warn"`` or ``"off"``); default: the client's.
        :param extra_body: fields the spec does not know yet, merged into the
            body as given, each with a :class:`ValidationWarning`.
        :param timeout: seconds this call may take, every retry included (or
            a ``urllib3.Timeout``); default: the client's.
        :param max_retries: how often this call may be sent again; default:
            the client's.
        :param extra_headers: headers sent with this call, added to the
            client's (never the API key's header).
        :returns: the answer as it came (:class:`RawResponse`); its ``parse()``
            gives the CreateTaskResponse.
        :raises ValidationError: the request breaks the spec's rules (in
            ``"strict"`` mode); nothing was sent.
        :raises APIError: the service answered with an error status, after
            any retries (a subclass per status, such as :class:`RateLimitError`).
        :raises RequestMayHaveSucceeded: no answer after the request may
            have reached the service.
        :raises APIConnectionError: no answer (:class:`APITimeoutError`: not
            within the time limit).
        :raises UnreadableCreateResponse: an answer the spec does not
            describe; the task's id is on it when the body holds one.
        :raises ClientClosed: the client was closed; nothing was sent.
        """
        options = self._client._per_call(
            timeout, max_retries, extra_headers, extra_body
        )
        body = self._client._body(
            OPERATION_INFO["reference2video"],
            request,
            fields,
            validation,
            Reference2VideoRequest,
            ("subjects", Reference2VideoSubjectsRequest),
            options=options,
        )
        return await self._client._create_raw(
            OPERATION_INFO["reference2video"],
            {},
            body,
            CreateTaskResponse.from_json,
            options=options,
        )
