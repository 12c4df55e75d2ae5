"""The contract every storage backend implements, and the records it returns.

Backends receive paths that :func:`~momentloop_app.services.storage.paths.parse_path` has already
checked; callers use :class:`~momentloop_app.services.storage.service.StorageService`, not a backend.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from momentloop_app.services.storage.paths import StoragePath


@dataclass(frozen=True, slots=True)
class BlobInfo:
    """What ``stat`` knows about a stored file."""

    path: str  # relative "container/name", the form stored in the database
    size: int
    content_type: str
    etag: str  # quoted, as in an HTTP ETag header
    last_modified: datetime  # timezone-aware, UTC


class BlobReader:
    """An open read of (part of) a blob: its :class:`BlobInfo`, the byte window, and its chunks.

    Iterate it once (``async for chunk in reader``) and close it (``async with`` or ``aclose``).
    """

    def __init__(
        self,
        *,
        info: BlobInfo,
        start: int,
        length: int,
        chunks: AsyncIterator[bytes],
        close: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.info = info
        self.start = start
        self.length = length
        self._chunks = chunks
        self._close = close
        self._closed = False

    @property
    def end(self) -> int:
        """Index of the last byte read (inclusive); ``start - 1`` for an empty read."""
        return self.start + self.length - 1

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks

    async def stream_and_close(self) -> AsyncIterator[bytes]:
        """The chunks, closing the reader when done or abandoned (for streaming responses)."""
        try:
            async for chunk in self._chunks:
                yield chunk
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        aclose = getattr(self._chunks, "aclose", None)
        if aclose is not None:
            await aclose()
        if self._close is not None:
            await self._close()

    async def __aenter__(self) -> BlobReader:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


class StorageBackend(abc.ABC):
    """One implementation per file: ``local.py`` (disk) and ``azure_blob.py`` (Azure Blob Storage)."""

    #: "local" or "azure"; decides the public URL form.
    kind: str

    async def start(self, *, create_containers: bool) -> None:  # noqa: B027 - optional hook
        """Open clients; create the containers when asked to and they are missing."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release clients and connections."""

    @abc.abstractmethod
    async def check_ready(self) -> None:
        """Raise :class:`StorageUnavailable` unless the storage and its containers are usable."""

    @abc.abstractmethod
    async def write(self, path: StoragePath, chunks: AsyncIterable[bytes], *, content_type: str) -> BlobInfo:
        """Store the chunks atomically: the blob appears complete or not at all.

        An error raised by ``chunks`` (the upload limit, a client gone) leaves nothing stored.
        """

    @abc.abstractmethod
    async def stat(self, path: StoragePath) -> BlobInfo:
        """Raises :class:`StorageNotFound` when missing."""

    @abc.abstractmethod
    async def open_read(self, path: StoragePath, *, start: int, length: int | None) -> BlobReader:
        """Open bytes ``start`` .. ``start + length - 1`` (to the end when ``length`` is None).

        Raises :class:`RangeNotSatisfiable` when ``start`` is past the end (``start == size`` is an
        empty read).
        """

    @abc.abstractmethod
    async def delete(self, path: StoragePath) -> bool:
        """Delete; ``False`` when there was nothing to delete."""

    @abc.abstractmethod
    async def exists(self, path: StoragePath) -> bool: ...

    @abc.abstractmethod
    async def list_blobs(self, container: str, name_prefix: str) -> list[BlobInfo]:
        """Blobs of ``container`` whose name starts with ``name_prefix``, sorted by path."""


def clamp_length(*, size: int, start: int, length: int | None) -> int:
    """The number of bytes a read of ``length`` from ``start`` gets from a blob of ``size`` bytes."""
    available = size - start
    return available if length is None else min(length, available)
