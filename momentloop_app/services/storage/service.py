"""The storage service: the one interface the rest of the backend uses, whatever the backend."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from momentloop_app.services.storage.base import BlobInfo, BlobReader, StorageBackend
from momentloop_app.services.storage.errors import StorageLimitExceeded, StorageUnavailable
from momentloop_app.services.storage.paths import CONTAINERS, guess_content_type, parse_path, parse_prefix

logger = logging.getLogger(__name__)

_FILE_CHUNK = 1024 * 1024

#: Where each backend's files are served over HTTP.
URL_PREFIXES = {"local": "/storage", "azure": "/api/storage"}

Source = bytes | AsyncIterable[bytes] | Iterable[bytes]


class StorageService:
    """Files addressed by relative ``container/name`` paths, stored on local disk or in Azure Blob.

    Every path is checked (:func:`parse_path`) before a backend sees it: errors are
    :class:`InvalidStoragePath` (unsafe path) and :class:`StorageNotFound` (unknown container or
    missing file), then :class:`StorageLimitExceeded`, :class:`RangeNotSatisfiable` and
    :class:`StorageUnavailable`.
    """

    containers: tuple[str, ...] = CONTAINERS

    def __init__(
        self,
        backend: StorageBackend,
        *,
        create_containers: bool = True,
    ) -> None:
        self.backend = backend
        self._create_containers = create_containers

    @property
    def kind(self) -> str:
        """``"local"`` or ``"azure"``."""
        return self.backend.kind

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        """Open the backend; create missing containers when configured to. An unreachable storage
        is logged, not fatal: ``/readyz`` reports it and retries."""
        try:
            await self.backend.start(create_containers=self._create_containers)
        except StorageUnavailable as error:
            logger.warning("storage is not reachable at start-up: %s", error)

    async def aclose(self) -> None:
        await self.backend.aclose()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[StorageService]:
        """``start`` then ``aclose``: what the application's lifespan enters."""
        await self.start()
        try:
            yield self
        finally:
            await self.aclose()

    async def check_ready(self) -> None:
        """Raise :class:`StorageUnavailable` unless the storage and its five containers are usable."""
        await self.backend.check_ready()

    # -- the file operations -----------------------------------------------------------------

    async def save(
        self,
        path: str,
        data: Source,
        *,
        content_type: str | None = None,
        max_bytes: int | None = None,
    ) -> BlobInfo:
        """Store ``data`` (bytes, or an async/sync iterable of chunks) at ``path``, replacing any file.

        Chunks are written as they come (never the whole file in memory); the file appears only when
        complete. Over ``max_bytes`` (default: no limit) nothing is stored and
        :class:`StorageLimitExceeded` is raised. ``content_type`` defaults to the extension's.
        """
        checked = parse_path(path)
        chunks = _as_async_chunks(data)
        if max_bytes is not None:
            chunks = _limited(chunks, max_bytes, shown=str(checked))
        return await self.backend.write(checked, chunks, content_type=content_type or guess_content_type(checked.name))

    async def save_file(
        self, path: str, source: Path, *, content_type: str | None = None, max_bytes: int | None = None
    ) -> BlobInfo:
        """Store a local file at ``path`` (read in chunks)."""
        return await self.save(path, read_file_chunks(source), content_type=content_type, max_bytes=max_bytes)

    async def open_read(self, path: str, *, start: int = 0, length: int | None = None) -> BlobReader:
        """Open ``path`` for streaming, optionally only ``length`` bytes from ``start``.

        Use as ``async with await storage.open_read(p) as reader: async for chunk in reader: ...``.
        """
        if start < 0 or (length is not None and length < 0):
            raise ValueError(f"byte window start={start!r} length={length!r} must not be negative")
        return await self.backend.open_read(parse_path(path), start=start, length=length)

    async def read_bytes(self, path: str) -> bytes:
        """The whole file in memory: for small files only (thumbnails, metadata)."""
        async with await self.open_read(path) as reader:
            return b"".join([chunk async for chunk in reader])

    async def stat(self, path: str) -> BlobInfo:
        """Size, content type, ETag and last modified time; :class:`StorageNotFound` when missing."""
        return await self.backend.stat(parse_path(path))

    async def exists(self, path: str) -> bool:
        return await self.backend.exists(parse_path(path))

    async def delete(self, path: str) -> bool:
        """Delete ``path``; ``False`` when it did not exist."""
        return await self.backend.delete(parse_path(path))

    async def list(self, prefix: str) -> list[BlobInfo]:
        """Files under ``container`` or ``container/name-prefix``, sorted by path."""
        container, name_prefix = parse_prefix(prefix)
        return await self.backend.list_blobs(container, name_prefix)

    def url(self, path: str) -> str:
        """The URL the frontend fetches ``path`` from: ``/storage/...`` (local) or
        ``/api/storage/...`` (Azure), percent-encoded."""
        checked = parse_path(path)
        return f"{URL_PREFIXES[self.kind]}/{checked.container}/{quote(checked.name, safe='/')}"

    async def download_to(self, path: str, local: Path) -> None:
        """Stream ``path`` into the new local file ``local``, chunk by chunk (never whole in memory);
        on failure ``local`` is removed."""
        handle = await asyncio.to_thread(local.open, "xb")
        try:
            async with await self.open_read(path) as reader:
                async for chunk in reader:
                    await asyncio.to_thread(handle.write, chunk)
        except BaseException:
            await asyncio.to_thread(handle.close)
            await asyncio.to_thread(local.unlink, True)
            raise
        await asyncio.to_thread(handle.close)


async def read_file_chunks(source: Path, chunk_size: int = _FILE_CHUNK) -> AsyncIterator[bytes]:
    """A local file as chunks, read off the event loop."""
    handle = await asyncio.to_thread(source.open, "rb")
    try:
        while data := await asyncio.to_thread(handle.read, chunk_size):
            yield data
    finally:
        await asyncio.to_thread(handle.close)


async def _limited(chunks: AsyncIterator[bytes], max_bytes: int, *, shown: str) -> AsyncIterator[bytes]:
    """The chunks, raising :class:`StorageLimitExceeded` as soon as they pass ``max_bytes`` (the
    backend then discards what it staged)."""
    total = 0
    async for chunk in chunks:
        total += len(chunk)
        if total > max_bytes:
            raise StorageLimitExceeded(f"upload to {shown!r} is larger than the limit of {max_bytes} bytes")
        yield chunk


async def _as_async_chunks(data: Source) -> AsyncIterator[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
    elif isinstance(data, AsyncIterable):
        async for chunk in data:
            yield bytes(chunk)
    else:
        for chunk in data:
            yield bytes(chunk)
