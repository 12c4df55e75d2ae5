"""Helpers shared by the storage and proxy tests: build a started storage service per backend."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from momentloop_app.core.config import Settings
from momentloop_app.services.storage import StorageService, create_storage_service
from tests.fixtures.azurite import AzuriteServer

BACKENDS = ("local", "azure")


def storage_settings(
    backend: str, *, tmp_path: Path, azurite: AzuriteServer | None, **overrides: Any
) -> Settings:
    """Settings for ``backend``: a fresh folder for local, the session's Azurite for azure."""
    values: dict[str, Any] = {"storage_backend": backend, "storage_local_root": tmp_path / "storage"}
    if backend == "azure":
        assert azurite is not None
        values["azure_storage_connection_string"] = azurite.connection_string
        values["azure_storage_account_url"] = None
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@asynccontextmanager
async def started_storage(settings: Settings) -> AsyncIterator[StorageService]:
    service = create_storage_service(settings)
    async with service.running():
        yield service


def unique_prefix() -> str:
    return f"t-{uuid.uuid4().hex[:12]}"
