"""A temporary local folder for work that needs real files (FFmpeg): download, process, upload."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from momentloop_app.services.storage.base import BlobInfo
from momentloop_app.services.storage.errors import InvalidStoragePath
from momentloop_app.services.storage.paths import parse_path

if TYPE_CHECKING:
    from momentloop_app.services.storage.service import StorageService


async def download_to(storage: StorageService, path: str, local: Path) -> None:
    """Stream a blob into a new local file, chunk by chunk (never the whole blob in memory)."""
    handle = await asyncio.to_thread(local.open, "xb")
    try:
        async with await storage.open_read(path) as reader:
            async for chunk in reader:
                await asyncio.to_thread(handle.write, chunk)
    finally:
        await asyncio.to_thread(handle.close)


class LocalWorkspace:
    """A temporary folder bound to a storage service; removed when its context exits."""

    def __init__(self, storage: StorageService, root: Path) -> None:
        self.storage = storage
        self.root = root

    @classmethod
    @asynccontextmanager
    async def create(cls, storage: StorageService, *, prefix: str) -> AsyncIterator[LocalWorkspace]:
        root = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix=prefix))
        try:
            yield cls(storage, root)
        finally:
            await asyncio.to_thread(shutil.rmtree, root, True)

    def path(self, filename: str) -> Path:
        """A path for a file in the workspace (a plain file name, no folders)."""
        if not filename or "/" in filename or "\\" in filename or filename in (".", "..") or "\0" in filename:
            raise InvalidStoragePath(f"workspace file name {filename!r} must be a plain file name")
        return self.root / filename

    async def download(self, path: str, filename: str | None = None) -> Path:
        """Copy ``path`` from storage into the workspace; returns the local file."""
        checked = parse_path(path)
        local = self.path(filename or f"{len(list(self.root.iterdir()))}-{Path(checked.name).name}")
        await download_to(self.storage, path, local)
        return local

    async def upload(self, local: Path, path: str, *, content_type: str | None = None) -> BlobInfo:
        """Store the local file ``local`` at ``path``."""
        if not local.is_file():
            raise FileNotFoundError(f"workspace file {str(local)!r} was not produced")
        return await self.storage.save_file(path, local, content_type=content_type)
