"""Where media files live: a local folder, or Azure Blob Storage."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from momentloop_app.core.settings.base import MIB, Section

StorageBackendName = Literal["local", "azure"]


class StorageSettings(Section):
    storage_backend: StorageBackendName = "local"
    # Local mode: the folder holding one sub-folder per container, served at /storage/.
    storage_local_root: Path = Path("./storage")
    # Azure mode: the blob endpoint (https://<account>.blob.core.windows.net/), used with the
    # managed identity; or, for development against Azurite, a connection string instead.
    azure_storage_account_url: str | None = None
    azure_storage_connection_string: str | None = None
    # Create the five containers at start-up when missing. Unset: yes for local disk and for a
    # connection string (development), no for managed identity (the infrastructure creates them).
    storage_create_containers: bool | None = None
    # Size of the blocks an Azure upload is staged in, and of the pieces a download is read in.
    storage_azure_block_bytes: int = Field(default=4 * MIB, ge=64 * 1024, le=100 * MIB)
    storage_proxy_cache_control: str = "private, max-age=3600"

    @model_validator(mode="after")
    def _check_azure(self) -> StorageSettings:
        if self.storage_backend == "azure":
            if not self.azure_storage_account_url and not self.azure_storage_connection_string:
                raise ValueError(
                    "STORAGE_BACKEND='azure' needs AZURE_STORAGE_ACCOUNT_URL (the blob endpoint, "
                    "e.g. https://<account>.blob.core.windows.net/) or, for the Azurite emulator, "
                    "AZURE_STORAGE_CONNECTION_STRING"
                )
            url = self.azure_storage_account_url
            if url and not url.startswith(("https://", "http://")):
                raise ValueError(
                    f"AZURE_STORAGE_ACCOUNT_URL={url!r} is not a URL: expected https://<account>.blob.core.windows.net/"
                )
        return self

    @property
    def create_containers(self) -> bool:
        """Whether start-up creates missing containers (see ``storage_create_containers``)."""
        if self.storage_create_containers is not None:
            return self.storage_create_containers
        return self.storage_backend == "local" or bool(self.azure_storage_connection_string)
