"""Downloads that lose nothing: streamed to a temporary file, placed when whole.

:func:`download` is what :meth:`BaseClient.download
<specgen_runtime.client.BaseClient.download>` does; the client hands it its
transport, retry policy and time limits.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO
from urllib.parse import unquote, urlsplit

import attrs
import urllib3
from urllib3.exceptions import HTTPError

from ._deadlines import Deadline, Limits, Watch
from ._transport import Transport, classify, content_length, reason_of, size_text
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientError,
    DestinationExists,
    IncompleteDownload,
    LocalFileError,
    LocalFileNotFound,
    LocalNotADirectory,
    LocalPermissionError,
    ResponseTooLarge,
    error_class,
)
from .retry import RetryPolicy

DEFAULT_MAX_DOWNLOAD_BYTES = 4 << 30
"""The default size limit of a download (4 GiB)."""

Progress = Callable[[int, int | None], object]
"""``on_progress(bytes_done, total)``; ``total`` is ``None`` when unknown."""

_UNSAFE_NAME_CHARACTERS = frozenset('<>:"|?*')


def safe_file_name(url: str, default: str = "creation") -> str:
    """A file name for the last part of ``url``'s path, safe in any folder.

    Percent-escapes are decoded first; the result has no folder part (``/``
    or ``\\``), no leading dot, no control or reserved character, and at
    most 200 bytes. ``default`` when nothing is left.
    """
    path = unquote(urlsplit(url).path).replace("\\", "/")
    name = path.rsplit("/", 1)[-1]
    name = "".join(
        "_" if char in _UNSAFE_NAME_CHARACTERS else char
        for char in name
        if char.isprintable()
    )
    name = name.strip().lstrip(".").strip()
    encoded = name.encode("utf-8")[:200]
    name = encoded.decode("utf-8", errors="ignore").strip()
    return name or default


def safe_url(url: str) -> str:
    """``url`` without its query: download links carry signed tokens there."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def check_target(path: str, *, overwrite: bool) -> None:
    """Refuse a download target that cannot be written, before anything is sent.

    A folder receives a file named after the URL. Otherwise the file must not
    exist (unless ``overwrite``), and its folder must exist, be a folder and be
    writable. Every error names ``path``, as it was given, and says what to do.

    :raises DestinationExists: the file exists and ``overwrite`` is false.
    :raises LocalFileNotFound: its folder does not exist.
    :raises LocalNotADirectory: a part of the path is a regular file.
    :raises LocalPermissionError: the folder may not be written.
    """
    target = Path(path)
    if target.is_dir():
        folder = target
    else:
        if not overwrite and (target.exists() or target.is_symlink()):
            raise DestinationExists(path)
        folder = target.parent
    if not folder.is_dir():
        for above in (folder, *folder.parents):  # as many as the path has parts
            if above.is_dir():
                break
            if above.exists():
                raise LocalNotADirectory(
                    path,
                    f"{above} is a file, not a folder: choose another path",
                    errno.ENOTDIR,
                )
        raise LocalFileNotFound(
            path,
            f"there is no folder {folder}: create it first, or choose another path",
            errno.ENOENT,
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LocalPermissionError(
            path,
            f"the folder {folder} may not be written: choose another path",
            errno.EACCES,
        )


@attrs.frozen
class Downloader:
    """One download's settings, from the client that starts it."""

    transport: Transport
    retry: RetryPolicy
    sleep: Callable[[float], None]
    user_agent: str
    connect: float
    """Seconds to connect."""
    idle: float
    """Seconds without a byte before giving up."""
    max_bytes: int

    def download(
        self,
        url: str,
        path: str | os.PathLike[str],
        *,
        overwrite: bool,
        on_progress: Progress | None,
        chunk_size: int,
        deadline: Deadline,
    ) -> Path:
        """Stream ``url`` to ``path`` (see ``BaseClient.download``)."""
        target = Path(path)
        if target.is_dir():
            target = target / safe_file_name(url)
        check_target(str(target), overwrite=overwrite)
        try:
            fd, temp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".part", dir=target.parent
            )
        except OSError as exc:
            raise LocalFileError.of(str(target), exc) from None
        try:
            with os.fdopen(fd, "wb") as file:
                self._download_into(url, file, on_progress, chunk_size, deadline)
                file.flush()
                os.fsync(file.fileno())
            os.chmod(temp, 0o644)
            _place(temp, target, overwrite=overwrite)
        except ClientError:
            _remove(temp)
            raise
        except OSError as exc:
            _remove(temp)
            raise LocalFileError.of(str(target), exc) from None
        except BaseException:
            _remove(temp)
            raise
        return target

    def _download_into(
        self,
        url: str,
        file: IO[bytes],
        on_progress: Progress | None,
        chunk_size: int,
        deadline: Deadline,
    ) -> None:
        for retry in range(self.retry.max_retries + 1):
            file.seek(0)
            file.truncate()
            try:
                self._stream(url, file, on_progress, chunk_size, deadline)
                return
            except (APIError, APIConnectionError) as exc:
                delay = self._retry_delay(exc, retry)
                left = deadline.remaining()
                if delay is None or (left is not None and delay >= left):
                    raise
                self.transport.debug(
                    "retrying download of %s in %.2f s (retry %d of %d) after: %s",
                    safe_url(url),
                    delay,
                    retry + 1,
                    self.retry.max_retries,
                    exc,
                )
                self.sleep(delay)

    def _retry_delay(
        self, error: APIError | APIConnectionError, retry: int
    ) -> float | None:
        if retry >= self.retry.max_retries:
            return None
        if isinstance(error, APIConnectionError):
            return self.retry.delay(retry)
        if self.retry.retries_status(error.status, idempotent=True):
            return self.retry.delay(retry, error.headers.get("retry-after"))
        return None

    def _stream(
        self,
        url: str,
        file: IO[bytes],
        on_progress: Progress | None,
        chunk_size: int,
        deadline: Deadline,
    ) -> None:
        """Download once into ``file``, mapping failures to this package's errors."""
        transport = self.transport
        shown = safe_url(url)
        transport.debug("GET %s (download)", shown)
        start = transport.clock()
        retries = urllib3.Retry(
            total=None, connect=0, read=0, status=0, other=0, redirect=5
        )
        if deadline.passed():
            raise APITimeoutError(f"download of {shown}: its time ran out")
        # the whole download's deadline only: a large video takes its time
        limits = Limits(self.connect, self.idle, None, None)
        with transport.watching(deadline, limits) as watch:
            try:
                response = transport.pool_for(url).request(
                    "GET",
                    url,
                    headers={
                        "User-Agent": self.user_agent,
                        "Accept-Encoding": "identity",
                    },
                    timeout=urllib3.Timeout(connect=self.connect, read=self.idle),
                    retries=retries,
                    preload_content=False,
                    decode_content=False,
                )
            except (HTTPError, OSError) as exc:
                raise self._error(shown, exc, watch) from None
            try:
                if watch is not None:
                    watch.watch(getattr(response.connection, "sock", None))
                done = self._save(response, shown, file, on_progress, chunk_size)
                if watch is not None and watch.fired:
                    raise TimeoutError("the download's time ran out")
            except (HTTPError, OSError) as exc:
                response.close()
                if isinstance(exc, OSError) and not _is_network(exc, watch):
                    raise  # the local file: download() names it
                raise self._error(shown, exc, watch) from None
            except BaseException:
                response.close()
                raise
            finally:
                response.release_conn()
        transport.debug(
            "GET %s: %d bytes in %.3f s", shown, done, transport.clock() - start
        )

    def _save(
        self,
        response: urllib3.BaseHTTPResponse,
        shown: str,
        file: IO[bytes],
        on_progress: Progress | None,
        chunk_size: int,
    ) -> int:
        """Write the body to ``file`` as sent; the number of bytes written."""
        key = self.transport.key
        self.transport.debug("GET %s -> %d", shown, response.status)
        if response.status != 200:
            raw = response.read(64 * 1024, decode_content=False)
            raise error_class(response.status)(
                response.status,
                f"download of {shown} failed",
                body=key.scrub_bytes(raw),
                headers=key.scrub_headers(response.headers),
            )
        total = content_length(response)
        limit = self.max_bytes
        too_large = (
            f"download of {shown} is over the limit of {size_text(limit)}: "
            "pass max_bytes= to download() to raise it"
        )
        if total is not None and total > limit:
            raise ResponseTooLarge(too_large, status=200, limit=limit)
        done = 0
        for chunk in response.stream(chunk_size, decode_content=False):
            done += len(chunk)
            if done > limit:
                raise ResponseTooLarge(too_large, status=200, limit=limit)
            file.write(chunk)
            if on_progress is not None:
                on_progress(done, total)
        if total is not None and done != total:
            raise IncompleteDownload(
                f"download of {shown} ended after {done} of {total} bytes"
            )
        return done

    def _error(
        self, shown: str, error: Exception, watch: Watch | None
    ) -> APIConnectionError:
        if watch is not None and watch.fired:
            return APITimeoutError(f"download of {shown}: its time ran out")
        reason = reason_of(error)
        message = f"download of {shown} failed: {self.transport.key.scrub(str(reason))}"
        if classify(error) == "read_timeout":
            return APITimeoutError(message)
        if "IncompleteRead" in type(reason).__name__ or "IncompleteRead" in str(reason):
            return IncompleteDownload(message)
        return APIConnectionError(message)


def _is_network(error: OSError, watch: Watch | None) -> bool:
    """Whether an ``OSError`` met while saving came from the socket, not the file."""
    if watch is not None and watch.fired:
        return True
    return isinstance(error, ConnectionError | TimeoutError)


def _place(temp: str, target: Path, *, overwrite: bool) -> None:
    """Move the finished ``temp`` to ``target``, replacing it only if asked.

    Without ``overwrite`` a hard link makes the target appear atomically and
    fails if a file took its name meanwhile; file systems without hard links
    fall back to a check just before the rename.
    """
    if overwrite:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)
    except FileExistsError:
        raise DestinationExists(str(target)) from None
    except OSError:
        if target.exists() or target.is_symlink():
            raise DestinationExists(str(target)) from None
        os.replace(temp, target)
        return
    os.unlink(temp)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
