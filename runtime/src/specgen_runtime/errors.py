"""Every error a generated client raises, one class per kind of failure.

All derive from :class:`ClientError`, which a generated package also exports
under its own name (``<package>.<Name>Error``)::

    ClientError
    ├── InvalidAPIKey              a malformed API key (also a ValueError); nothing was sent
    ├── PathParameterMismatch      a body field and the path parameter it repeats differ (also a ValueError); nothing was sent
    ├── ValidationError            a request breaks the spec's rules; nothing was sent
    ├── APIError                   the service answered with an error status
    │   ├── BadRequestError        400
    │   ├── AuthenticationError    401
    │   │   └── MissingAPIKey      no API key given; nothing was sent
    │   ├── PermissionDeniedError  403
    │   ├── NotFoundError          404
    │   ├── ConflictError          409
    │   ├── RateLimitError         429
    │   └── ServerError            5xx
    ├── APIConnectionError         no answer: connection failed or was dropped
    │   ├── APITimeoutError        no answer in time (the call's deadline included)
    │   ├── IncompleteDownload     a download ended before its Content-Length
    │   └── RequestMayHaveSucceeded  a creating request may have reached the service
    ├── UnexpectedResponseError    an answer that does not match the spec
    │   ├── ResponseTooLarge       an answer bigger than the size limit
    │   ├── UnreadableCreateResponse  a create's answer that cannot be read (raw body, task id)
    │   └── PaginationLoop         a page token the server sent before
    ├── PageLimitExceeded          reading every page took too many pages or too long
    ├── DestinationExists          a download would replace a file (also a FileExistsError)
    ├── LocalFileError             a local file cannot be read or written (also an OSError)
    │   ├── LocalFileNotFound      no such file or folder (also a FileNotFoundError)
    │   ├── LocalIsADirectory      a folder where a file was expected (also an IsADirectoryError)
    │   ├── LocalNotADirectory     a file where a folder was expected (also a NotADirectoryError)
    │   └── LocalPermissionError   not allowed (also a PermissionError)
    ├── TaskFailed                 the task ended in a failure state
    ├── WaitTimeout                the task did not end in time
    └── ClientClosed               a call on a closed client; nothing was sent

Where Python raised a built-in exception before, the class that replaces it
subclasses that built-in too, so existing handlers keep working:
``except FileNotFoundError`` still catches :class:`LocalFileNotFound`, and
``except OSError`` every :class:`LocalFileError`.

Misuse of the API itself stays a ``TypeError`` (or ``ValueError``) and is not
a :class:`ClientError`: passing a typed request and its fields together, a
callable where a number is expected, a negative poll interval. Those are bugs
in the calling code, found the first time it runs, not failures a program
should handle; a ``ClientError`` always means that the input, the network,
the disk or the service let the call down.
"""

from __future__ import annotations

import errno
from collections.abc import Mapping
from typing import Any


class ClientError(Exception):
    """Base of every error a generated client raises."""


BaseError = ClientError
"""The base class, under the name the runtime's modules share."""


class APIError(BaseError):
    """The service answered with an error status.

    ``reason`` is the service's error code (such as ``"CreditInsufficient"``),
    ``trace_id`` what its support asks for; ``body`` is the decoded body.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        reason: str | None = None,
        trace_id: str | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.reason = reason
        self.message = message
        self.trace_id = trace_id
        self.body = body
        self.headers: Mapping[str, str] = dict(headers or {})
        details = ", ".join(
            part
            for part in (
                f"reason={reason}" if reason else "",
                f"trace_id={trace_id}" if trace_id else "",
            )
            if part
        )
        suffix = f" ({details})" if details else ""
        super().__init__(f"HTTP {status}: {message}{suffix}")


class BadRequestError(APIError):
    """400: the service rejected the request."""


class AuthenticationError(APIError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIError):
    """403: the key may not do this."""


class NotFoundError(APIError):
    """404: no such task or creation."""


class ConflictError(APIError):
    """409: the request conflicts with the resource's state."""


class RateLimitError(APIError):
    """429: too many requests or tasks at once; ``retry_after`` in seconds."""

    @property
    def retry_after(self) -> str | None:
        """The ``Retry-After`` header, if the service sent one."""
        return self.headers.get("retry-after")


class ServerError(APIError):
    """5xx: the service failed; retrying later may work."""


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def error_class(status: int) -> type[APIError]:
    """The exception class for an HTTP error status."""
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIError)


class APIConnectionError(BaseError):
    """No answer: the connection failed or was dropped."""


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class RequestMayHaveSucceeded(APIConnectionError):
    """A request that creates something may have reached the service.

    Sending it again could create (and bill) a second task, so it was not
    retried. ``payload`` is the request's ``payload`` field, if it had one:
    look for a task carrying it before you try again.
    """

    def __init__(self, message: str, *, payload: str | None = None) -> None:
        super().__init__(message)
        self.payload = payload


class IncompleteDownload(APIConnectionError):
    """A download ended before the ``Content-Length`` its server announced."""


class UnexpectedResponseError(BaseError):
    """The service answered with something the spec does not describe.

    ``raw`` holds the body as received (the API key hidden), or as much of it
    as was read; ``task`` the task read, when a task's body was the surprise.
    """

    def __init__(
        self, message: str, *, status: int, raw: bytes, task: object = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.raw = raw
        self.task = task


class ResponseTooLarge(UnexpectedResponseError):
    """An answer or a download bigger than its size limit; ``limit`` in bytes.

    The message names the limit and the parameter that raises it.
    """

    def __init__(self, message: str, *, status: int, limit: int) -> None:
        super().__init__(message, status=status, raw=b"")
        self.limit = limit


class InvalidAPIKey(BaseError, ValueError):
    """The API key cannot be sent as it is (a control character, a space at
    either end, a character outside ASCII, not a ``str``). The message never
    shows it."""


class PathParameterMismatch(BaseError, ValueError):
    """A request body field repeats a path parameter (it has the same name,
    as a cancel's ``id`` repeats the task id of its path) with another
    value: which one the service would act on is unclear, so nothing was
    sent. ``name`` is the parameter, ``path_value`` and ``body_value`` the
    two values."""

    def __init__(
        self, message: str, *, name: str, path_value: str, body_value: object
    ) -> None:
        super().__init__(message)
        self.name = name
        self.path_value = path_value
        self.body_value = body_value


class DestinationExists(BaseError, FileExistsError):
    """A download would replace a file; pass ``overwrite=True`` to allow it.

    ``filename`` is the file's path.
    """

    def __init__(self, path: str) -> None:
        self.message = (
            f"{path} exists: pass overwrite=True (--overwrite on the command "
            "line) to replace it"
        )
        super().__init__(errno.EEXIST, self.message, path)

    def __str__(self) -> str:
        return self.message


class LocalFileError(BaseError, OSError):
    """A local file cannot be read or written; ``filename`` says which.

    The message names the file and what went wrong: ``cannot read
    ./bear.png: no such file``. :meth:`of` picks the subclass matching an
    ``OSError`` (:class:`LocalFileNotFound` for a ``FileNotFoundError`` and
    so on), which also subclasses that built-in.
    """

    def __init__(
        self, path: str, reason: str, code: int | None = None, *, action: str = "write"
    ) -> None:
        self.message = f"cannot {action} {path}: {reason}"
        super().__init__(code, self.message, path)

    def __str__(self) -> str:
        return self.message

    @classmethod
    def of(cls, path: str, error: OSError, *, action: str = "write") -> LocalFileError:
        """The error for ``error`` (raised reading or writing ``path``), as the
        most precise subclass: a ``FileNotFoundError`` becomes
        :class:`LocalFileNotFound`, and so on."""
        kind = next(
            (ours for builtin, ours in _LOCAL_KINDS if isinstance(error, builtin)),
            LocalFileError,
        )
        return kind(path, error.strerror or str(error), error.errno, action=action)


class LocalFileNotFound(LocalFileError, FileNotFoundError):
    """A local file, or a folder on its path, does not exist."""


class LocalFileTooLarge(LocalFileError):
    """A local file is larger than what it is read for may hold (such as the
    data URI an asset's ``from_path`` makes); nothing of it was read.

    ``size`` is the file's size in bytes, ``limit`` the most allowed.
    """

    def __init__(self, path: str, reason: str, *, size: int, limit: int) -> None:
        super().__init__(path, reason, errno.EFBIG, action="read")
        self.size = size
        self.limit = limit


class LocalIsADirectory(LocalFileError, IsADirectoryError):
    """A folder was given where a file was expected."""


class LocalNotADirectory(LocalFileError, NotADirectoryError):
    """A path goes through a regular file as if it were a folder."""


class LocalPermissionError(LocalFileError, PermissionError):
    """The file or its folder may not be read or written."""


_LOCAL_KINDS: tuple[tuple[type[OSError], type[LocalFileError]], ...] = (
    (FileNotFoundError, LocalFileNotFound),
    (IsADirectoryError, LocalIsADirectory),
    (NotADirectoryError, LocalNotADirectory),
    (PermissionError, LocalPermissionError),
)
"""The built-in ``OSError`` subclasses :meth:`LocalFileError.of` knows, each
with the class that stands for it."""


class TaskFailed(BaseError):
    """The task ended in a failure state; ``err_code`` says why."""

    def __init__(self, task_id: str, err_code: str | None, task: Any) -> None:
        super().__init__(f"task {task_id} failed: {err_code or 'no error code'}")
        self.task_id = task_id
        self.err_code = err_code
        self.task = task


class WaitTimeout(BaseError, TimeoutError):
    """The task did not reach an end state in time; ``task`` is its last state.

    The task itself goes on: the message says so, and how to read it later
    (``reader``, the client method that reads a task, such as
    ``get_creations``) or wait longer (``timeout=``).
    """

    def __init__(
        self, task_id: str, waited: float, task: object, *, reader: str | None = None
    ) -> None:
        later = f"{reader}({task_id!r})" if reader else f"wait({task_id!r})"
        super().__init__(
            f"task {task_id} did not finish within {waited:g} s (timeout={waited:g}):"
            f" it is still running; read it later with {later}, or wait longer"
            " with a larger timeout="
        )
        self.task_id = task_id
        self.task: object = task
        """The last state read (the client's task model, such as the answer
        of the method that reads a task), or ``None`` if no poll was answered."""
        self.waited = waited
        """The seconds waited (the ``timeout`` given)."""


class MissingAPIKey(AuthenticationError):
    """No API key was given, so nothing was sent; the message says where one goes.

    An :class:`AuthenticationError` (``status`` 401, as the service would
    answer), raised before any request.
    """

    def __init__(self, hint: str) -> None:
        super().__init__(401, f"no API key: {hint}")
        self.message = f"no API key: {hint} (nothing was sent)"

    def __str__(self) -> str:
        return self.message


class UnreadableCreateResponse(UnexpectedResponseError):
    """The answer to a request that creates a task could not be read as the
    spec describes, so the task may well exist.

    ``raw`` holds the body as received (the API key hidden) and ``task_id``
    the task's id when one can be found in it: look the task up before
    sending the request again.
    """

    def __init__(
        self, message: str, *, status: int, raw: bytes, task_id: str | None
    ) -> None:
        super().__init__(message, status=status, raw=raw)
        self.task_id = task_id


class PaginationLoop(UnexpectedResponseError):
    """The server sent a page token it had sent before: following it would loop."""

    def __init__(self, message: str, *, token: str) -> None:
        super().__init__(message, status=200, raw=b"")
        self.token = token


class PageLimitExceeded(ClientError):
    """Reading every page took more pages, or more time, than allowed.

    ``limit`` names it (``"max_pages"`` or ``"timeout"``); the message says
    how to raise it. The items already yielded were read correctly.
    """

    def __init__(self, message: str, *, limit: str, pages: int) -> None:
        super().__init__(message)
        self.limit = limit
        self.pages = pages


class ClientClosed(ClientError):
    """A call on a client that was closed (``close()`` or ``aclose()``), or on
    a copy of one made by ``with_options``: nothing was sent. Make a new
    client to go on."""
