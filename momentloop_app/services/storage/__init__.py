"""Storage: one service, two backends (local disk, Azure Blob Storage).

Build it with :func:`create_storage_service` (from settings) and use only :class:`StorageService`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from momentloop_app.services.storage.base import BlobInfo, BlobReader, StorageBackend
from momentloop_app.services.storage.errors import (
    InvalidStoragePath,
    RangeNotSatisfiable,
    StorageError,
    StorageLimitExceeded,
    StorageNotFound,
    StorageUnavailable,
)
from momentloop_app.services.storage.paths import CONTAINERS, StoragePath, guess_content_type, parse_path
from momentloop_app.services.storage.service import StorageService
from momentloop_app.services.storage.workspace import LocalWorkspace

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

    from momentloop_app.core.config import Settings

__all__ = [
    "CONTAINERS",
    "BlobInfo",
    "BlobReader",
    "InvalidStoragePath",
    "LocalWorkspace",
    "RangeNotSatisfiable",
    "StorageBackend",
    "StorageError",
    "StorageLimitExceeded",
    "StorageNotFound",
    "StoragePath",
    "StorageService",
    "StorageUnavailable",
    "create_storage_backend",
    "create_storage_service",
    "guess_content_type",
    "parse_path",
]


def create_storage_backend(
    settings: Settings,
    *,
    credential: AsyncTokenCredential | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> StorageBackend:
    """The backend ``settings.storage_backend`` names.

    ``credential`` replaces the managed identity (tests inject one); a connection string, when set,
    is used instead of either. ``client_options`` go to the Azure SDK client (retries, timeouts,
    ``connection_verify``...).
    """
    if settings.storage_backend == "local":
        from momentloop_app.services.storage.local import LocalStorageBackend

        return LocalStorageBackend(settings.storage_local_root)
    try:
        from momentloop_app.services.storage.azure_blob import AzureBlobStorageBackend
    except ImportError as error:  # pragma: no cover - depends on the installation
        from momentloop_app.core.config import ConfigurationError

        raise ConfigurationError(
            f"STORAGE_BACKEND='azure' needs the Azure SDK ({error.name} is missing): pip install 'momentloop[app]'."
        ) from None
    options: dict[str, Any] = {"block_size": settings.storage_azure_block_bytes, **(client_options or {})}
    if settings.azure_storage_connection_string:
        return AzureBlobStorageBackend.from_connection_string(settings.azure_storage_connection_string, **options)
    assert settings.azure_storage_account_url is not None  # checked by Settings
    return AzureBlobStorageBackend.from_account_url(
        settings.azure_storage_account_url,
        credential=credential,
        managed_identity_client_id=settings.azure_client_id,
        **options,
    )


def create_storage_service(
    settings: Settings,
    *,
    credential: AsyncTokenCredential | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> StorageService:
    """The storage service the settings describe (see :func:`create_storage_backend`)."""
    return StorageService(
        create_storage_backend(settings, credential=credential, client_options=client_options),
        max_upload_bytes=settings.storage_max_upload_bytes,
        create_containers=settings.create_containers,
    )
