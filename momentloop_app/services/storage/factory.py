"""Build the storage service the settings describe."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from momentloop_app.core.settings import ConfigurationError, Settings
from momentloop_app.services.storage.base import StorageBackend
from momentloop_app.services.storage.local import LocalStorageBackend
from momentloop_app.services.storage.service import StorageService

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential


def create_storage_backend(
    settings: Settings,
    *,
    credential: AsyncTokenCredential | None = None,
    client_options: Mapping[str, Any] | None = None,
) -> StorageBackend:
    """The backend ``STORAGE_BACKEND`` names.

    ``credential`` replaces the managed identity (tests inject one); a connection string, when set,
    is used instead of either. ``client_options`` go to the Azure SDK client (retries, timeouts,
    ``connection_verify``...).
    """
    storage = settings.storage
    if storage.storage_backend == "local":
        return LocalStorageBackend(storage.storage_local_root)
    try:  # the Azure SDK is optional for local development
        from momentloop_app.services.storage.azure_blob import AzureBlobStorageBackend
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ConfigurationError(
            f"STORAGE_BACKEND='azure' needs the Azure SDK ({error.name} is missing): pip install 'momentloop[app]'"
        ) from None
    options: dict[str, Any] = {"block_size": storage.storage_azure_block_bytes, **(client_options or {})}
    if storage.azure_storage_connection_string:
        return AzureBlobStorageBackend.from_connection_string(storage.azure_storage_connection_string, **options)
    assert storage.azure_storage_account_url is not None  # checked by StorageSettings
    return AzureBlobStorageBackend.from_account_url(
        storage.azure_storage_account_url,
        credential=credential,
        managed_identity_client_id=settings.identity.azure_client_id,
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
        create_containers=settings.storage.create_containers,
    )
