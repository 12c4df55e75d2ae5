"""Helpers shared by the storage and proxy tests: build a started storage service per backend."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from momentloop_app.core.settings import Settings, load_settings
from momentloop_app.services.storage import StorageService, create_storage_service
from tests.fixtures.azurite import AzuriteServer

BACKENDS = ("local", "azure")


def storage_settings(backend: str, *, tmp_path: Path, azurite: AzuriteServer | None, **overrides: Any) -> Settings:
    """Settings for ``backend``: a fresh folder for local, the session's Azurite for azure."""
    values: dict[str, Any] = {"storage_backend": backend, "storage_local_root": tmp_path / "storage"}
    if backend == "azure":
        assert azurite is not None
        values["azure_storage_connection_string"] = azurite.connection_string
        values["azure_storage_account_url"] = None
    values.update(overrides)
    return load_settings(env_file=None, **values)


@asynccontextmanager
async def started_storage(settings: Settings) -> AsyncIterator[StorageService]:
    service = create_storage_service(settings)
    async with service.running():
        yield service


def unique_prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def lifespan_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client calling ``app`` in process (ASGI), with the app's lifespan running."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def raw_get(url: str, raw_path: str) -> int:
    """Send ``GET raw_path`` byte for byte (no client-side normalisation); returns the status code."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {raw_path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("latin-1"))
    await writer.drain()
    status_line = await reader.readline()
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])
