"""Database settings, read from the environment names the synthesizer gives the backend.

Local mode: `DATABASE_URL` (`postgresql://user:password@host:port/db`).
Azure mode: `POSTGRES_HOST`, `POSTGRES_DATABASE`, `POSTGRES_USER`; the password is a fresh Entra
access token for the managed identity `AZURE_CLIENT_ID`, fetched for every new connection.
"""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

DatabaseMode = Literal["url", "entra"]


class DatabaseNotConfiguredError(ValueError):
    """Neither `DATABASE_URL` nor the `POSTGRES_*` variables are set (or only some of them)."""


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str | None = None
    postgres_host: str | None = None
    postgres_port: int = 5432
    postgres_database: str | None = None
    postgres_user: str | None = None
    postgres_sslmode: str = "require"
    azure_client_id: str | None = None
    db_pool_size: int = 5
    db_max_overflow: int = 10
    db_pool_recycle_seconds: int = 1800

    @property
    def configured(self) -> bool:
        return bool(self.database_url or self.postgres_host)

    def mode(self) -> DatabaseMode:
        """`url` when `DATABASE_URL` is set, `entra` when `POSTGRES_HOST` is; otherwise one clear error."""
        if self.database_url:
            return "url"
        if self.postgres_host:
            missing = [
                name
                for name, value in (
                    ("POSTGRES_DATABASE", self.postgres_database),
                    ("POSTGRES_USER", self.postgres_user),
                )
                if not value
            ]
            if missing:
                raise DatabaseNotConfiguredError(
                    f"POSTGRES_HOST={self.postgres_host!r} is set but {' and '.join(missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} not: set them for Entra authentication, "
                    "or set DATABASE_URL instead"
                )
            return "entra"
        raise DatabaseNotConfiguredError(
            "no database configured: set DATABASE_URL (postgresql://user:password@host:port/db) for local "
            "development, or POSTGRES_HOST, POSTGRES_DATABASE and POSTGRES_USER for Azure (Entra token auth)"
        )
