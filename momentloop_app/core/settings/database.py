"""The database: `DATABASE_URL` locally; `POSTGRES_*` with Entra tokens in Azure.

Azure mode: `POSTGRES_HOST`, `POSTGRES_DATABASE`, `POSTGRES_USER`; the password is a fresh Entra
access token for the managed identity (`AZURE_CLIENT_ID`), fetched for every new connection.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from momentloop_app.core.errors import ConfigurationError
from momentloop_app.core.settings.base import Section

DatabaseMode = Literal["url", "entra"]
URL_FORM = "postgresql://user:password@host:port/db"
POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg")


class DatabaseSettings(Section):
    database_url: str | None = None
    postgres_host: str | None = None
    postgres_port: int = Field(default=5432, ge=1, le=65535)
    postgres_database: str | None = None
    postgres_user: str | None = None
    postgres_sslmode: Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = "require"
    db_pool_size: int = Field(default=5, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    db_pool_recycle_seconds: int = Field(default=1800, gt=0)
    # Apply the Alembic migrations at start-up (serialised across replicas by an advisory lock).
    database_migrate_on_start: bool = True
    # While the database is unreachable the app retries this often (it starts without it).
    database_retry_seconds: float = Field(default=2.0, gt=0, le=300)

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            scheme = make_url(value).drivername
        except (ArgumentError, ValueError):  # ValueError: a port that is not a number
            raise ValueError(f"not a URL of the form {URL_FORM}") from None
        if scheme not in POSTGRES_SCHEMES:
            raise ValueError(f"the scheme {scheme!r} is not supported: use {URL_FORM}")
        return value

    @model_validator(mode="after")
    def _check_entra(self) -> DatabaseSettings:
        if self.database_url or not self.postgres_host:
            return self
        missing = [
            name
            for name, value in (("POSTGRES_DATABASE", self.postgres_database), ("POSTGRES_USER", self.postgres_user))
            if not value
        ]
        if missing:
            raise ValueError(
                f"POSTGRES_HOST={self.postgres_host!r} is set but {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} not: set them for Entra authentication, "
                "or set DATABASE_URL instead"
            )
        return self

    @property
    def configured(self) -> bool:
        return bool(self.database_url or self.postgres_host)

    def mode(self) -> DatabaseMode:
        """`url` when `DATABASE_URL` is set, `entra` when `POSTGRES_HOST` is; otherwise one clear error."""
        if self.database_url:
            return "url"
        if self.postgres_host:
            return "entra"
        raise ConfigurationError(
            f"no database configured: set DATABASE_URL ({URL_FORM}) for local development, "
            "or POSTGRES_HOST, POSTGRES_DATABASE and POSTGRES_USER for Azure (Entra token auth)"
        )
