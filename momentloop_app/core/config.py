"""Application settings, read from the environment (and `.env` in local development).

The variable names are the ones the infrastructure synthesizer gives the backend container app:
``STORAGE_BACKEND``, ``AZURE_STORAGE_ACCOUNT_URL``, ``AZURE_CLIENT_ID``, ...  Settings are built once,
at start-up, by :func:`load_settings` and then passed in (``create_app(settings)``): nothing else in
the package reads ``os.environ``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import SettingsConfigDict

from momentloop_app.api.moments_settings import MomentsSettings

StorageBackendName = Literal["local", "azure"]

MIB = 1024 * 1024


class ConfigurationError(Exception):
    """The configuration cannot work; the message is one sentence naming the variable and its value."""


class Settings(MomentsSettings):
    """Everything the backend needs to start; one field per environment variable (upper-cased).

    The database, JWT, upload and export fields come from :class:`MomentsSettings`.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    storage_backend: StorageBackendName = "local"
    # Local mode: the folder holding one sub-folder per container, served at /storage/.
    storage_local_root: Path = Path("./storage")
    # Azure mode: the blob endpoint (https://<account>.blob.core.windows.net/) and the client id of
    # the app's user-assigned managed identity (DefaultAzureCredential picks it up).
    azure_storage_account_url: str | None = None
    azure_client_id: str | None = None
    # Development against Azurite: used instead of the managed identity when set.
    azure_storage_connection_string: str | None = None
    # Create the five containers at start-up when missing. Unset: yes for local disk and for a
    # connection string (development), no for managed identity (the infrastructure creates them).
    storage_create_containers: bool | None = None
    storage_max_upload_bytes: int = Field(default=2 * 1024 * MIB, gt=0)
    # Size of the blocks an Azure upload is staged in, and of the pieces a download is read in.
    storage_azure_block_bytes: int = Field(default=4 * MIB, ge=64 * 1024, le=100 * MIB)
    storage_proxy_cache_control: str = "private, max-age=3600"
    # How long /readyz waits for each dependency.
    readiness_timeout_seconds: float = Field(default=5.0, gt=0)

    @model_validator(mode="after")
    def _check_storage(self) -> Settings:
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


def load_settings(**overrides: Any) -> Settings:
    """Read the settings from the environment; any problem becomes one :class:`ConfigurationError`."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigurationError(describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    """One sentence per problem, naming the environment variable and quoting its value."""
    problems: list[str] = []
    for item in error.errors(include_url=False):
        message = str(item["msg"]).removeprefix("Value error, ")
        if item["loc"]:
            variable = str(item["loc"][0]).upper()
            problems.append(f"{variable}={item['input']!r} is invalid: {message}")
        else:
            problems.append(message)
    return "Invalid configuration: " + "; ".join(problems) + "."
