"""Local-disk backend: one folder per container under a root, served by ``StaticFiles`` at /storage/.

Writes go to ``<root>/.partial/`` first and are renamed into place when complete, so a crash
mid-upload never leaves a partial file where readers (or ``StaticFiles``) can see it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat as stat_module
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from momentloop_app.services.storage.base import BlobInfo, BlobReader, StorageBackend, clamp_length
from momentloop_app.services.storage.errors import (
    InvalidStoragePath,
    RangeNotSatisfiable,
    StorageNotFound,
    StorageUnavailable,
)
from momentloop_app.services.storage.paths import CONTAINERS, StoragePath, guess_content_type

PARTIAL_DIR = ".partial"
# Partial files older than this are leftovers of a crash (no upload takes a day), removed at start-up.
STALE_PARTIAL_SECONDS = 24 * 3600
_READ_CHUNK = 256 * 1024
_WRITE_BATCH = 1024 * 1024


class LocalStorageBackend(StorageBackend):
    kind = "local"

    def __init__(self, root: Path, *, read_chunk_size: int = _READ_CHUNK) -> None:
        self.root = Path(root).absolute()
        self._read_chunk_size = read_chunk_size

    def container_dir(self, container: str) -> Path:
        return self.root / container

    async def start(self, *, create_containers: bool) -> None:
        if create_containers:
            await asyncio.to_thread(self._create_dirs)

    def _create_dirs(self) -> None:
        for container in CONTAINERS:
            self.container_dir(container).mkdir(parents=True, exist_ok=True)
        partial_dir = self.root / PARTIAL_DIR
        partial_dir.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - STALE_PARTIAL_SECONDS
        for leftover in partial_dir.glob("*.part"):
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()

    async def check_ready(self) -> None:
        await asyncio.to_thread(self._check_dirs)

    def _check_dirs(self) -> None:
        for folder in (*(self.container_dir(c) for c in CONTAINERS), self.root / PARTIAL_DIR):
            if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
                raise StorageUnavailable(f"storage folder {str(folder)!r} is missing or not writable")

    # -- paths -------------------------------------------------------------------------------

    def _file(self, path: StoragePath) -> Path:
        """The file for ``path``; refuses anything resolving outside its container (symlinks)."""
        base = os.path.realpath(self.container_dir(path.container))
        full = os.path.realpath(Path(base, path.name))
        if os.path.commonpath([base, full]) != base:
            raise StorageNotFound(f"{str(path)!r} does not exist")
        return Path(full)

    # -- writes ------------------------------------------------------------------------------

    async def write(self, path: StoragePath, chunks: AsyncIterable[bytes], *, content_type: str) -> BlobInfo:
        target = self._file(path)
        partial = self.root / PARTIAL_DIR / f"{uuid.uuid4().hex}.part"
        handle = await asyncio.to_thread(_open_exclusive, partial)
        try:
            batch = bytearray()
            async for chunk in chunks:
                batch += chunk
                if len(batch) >= _WRITE_BATCH:
                    await asyncio.to_thread(handle.write, batch)
                    batch = bytearray()
            await asyncio.to_thread(_finish, handle, bytes(batch))
            await asyncio.to_thread(_move_into_place, partial, target, str(path))
        except BaseException:
            await asyncio.to_thread(_discard, handle, partial)
            raise
        return await self.stat(path)

    async def delete(self, path: StoragePath) -> bool:
        target = self._file(path)
        try:
            await asyncio.to_thread(os.unlink, target)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
            return False
        return True

    # -- reads -------------------------------------------------------------------------------

    async def stat(self, path: StoragePath) -> BlobInfo:
        target = self._file(path)
        try:
            result = await asyncio.to_thread(os.stat, target)
        except (FileNotFoundError, NotADirectoryError):
            raise StorageNotFound(f"{str(path)!r} does not exist") from None
        if not stat_module.S_ISREG(result.st_mode):
            raise StorageNotFound(f"{str(path)!r} does not exist")
        return _info(str(path), result)

    async def exists(self, path: StoragePath) -> bool:
        try:
            await self.stat(path)
        except StorageNotFound:
            return False
        return True

    async def open_read(self, path: StoragePath, *, start: int, length: int | None) -> BlobReader:
        target = self._file(path)
        try:
            handle, result = await asyncio.to_thread(_open_for_read, target)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            raise StorageNotFound(f"{str(path)!r} does not exist") from None
        info = _info(str(path), result)
        if start > info.size:
            await asyncio.to_thread(handle.close)
            raise RangeNotSatisfiable(f"{str(path)!r} has {info.size} bytes", size=info.size)
        count = clamp_length(size=info.size, start=start, length=length)

        async def chunks() -> AsyncIterator[bytes]:
            remaining = count
            try:
                if start:
                    await asyncio.to_thread(handle.seek, start)
                while remaining > 0:
                    data = await asyncio.to_thread(handle.read, min(self._read_chunk_size, remaining))
                    if not data:
                        break
                    remaining -= len(data)
                    yield data
            finally:
                await asyncio.to_thread(handle.close)

        async def close() -> None:
            await asyncio.to_thread(handle.close)

        return BlobReader(info=info, start=start, length=count, chunks=chunks(), close=close)

    async def list_blobs(self, container: str, name_prefix: str) -> list[BlobInfo]:
        return await asyncio.to_thread(self._list, container, name_prefix)

    def _list(self, container: str, name_prefix: str) -> list[BlobInfo]:
        base = self.container_dir(container)
        # Walk only the deepest folder the prefix names.
        folder_part = name_prefix.rpartition("/")[0]
        top = base / folder_part if folder_part else base
        found: list[BlobInfo] = []
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for filename in filenames:
                full = Path(dirpath) / filename
                name = full.relative_to(base).as_posix()
                if not name.startswith(name_prefix):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    result = full.stat(follow_symlinks=False)
                    if stat_module.S_ISREG(result.st_mode):
                        found.append(_info(f"{container}/{name}", result))
        found.sort(key=lambda info: info.path)
        return found


def _info(path: str, result: os.stat_result) -> BlobInfo:
    return BlobInfo(
        path=path,
        size=result.st_size,
        content_type=guess_content_type(path),
        etag=f'"{result.st_mtime_ns:x}-{result.st_size:x}"',
        last_modified=datetime.fromtimestamp(result.st_mtime, tz=UTC),
    )


def _open_exclusive(partial: Path) -> BinaryIO:
    partial.parent.mkdir(parents=True, exist_ok=True)
    return partial.open("xb")


def _open_for_read(target: Path) -> tuple[BinaryIO, os.stat_result]:
    handle = target.open("rb")
    try:
        result = os.fstat(handle.fileno())
        if not stat_module.S_ISREG(result.st_mode):
            raise FileNotFoundError(str(target))
    except BaseException:
        handle.close()
        raise
    return handle, result


def _finish(handle: BinaryIO, tail: bytes) -> None:
    if tail:
        handle.write(tail)
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def _move_into_place(partial: Path, target: Path, shown: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.replace(target)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        raise InvalidStoragePath(
            f"storage path {shown!r} conflicts with an existing file or folder on local disk"
        ) from None


def _discard(handle: BinaryIO, partial: Path) -> None:
    handle.close()
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
