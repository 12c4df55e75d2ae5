"""The SQLAlchemy engine: a plain URL locally, a fresh Entra token per new connection in Azure."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url

from momentloop_app.core.settings import DatabaseSettings

ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default"
DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_SECONDS = 10


class AccessTokenLike(Protocol):
    @property
    def token(self) -> str: ...


class TokenCredential(Protocol):
    """What `azure.identity` credentials provide; tests inject their own."""

    def get_token(self, *scopes: str) -> AccessTokenLike: ...


def sqlalchemy_url(database_url: str) -> URL:
    """Map `postgresql://` / `postgres://` (the usual form; checked by the settings) to the psycopg 3 driver."""
    return make_url(database_url).set(drivername=DRIVER)


def entra_url(settings: DatabaseSettings) -> URL:
    return URL.create(
        DRIVER,
        username=settings.postgres_user,
        host=settings.postgres_host,
        port=settings.postgres_port,
        database=settings.postgres_database,
        query={"sslmode": settings.postgres_sslmode},
    )


def default_credential(client_id: str | None) -> TokenCredential:
    """`DefaultAzureCredential` for the user-assigned identity `AZURE_CLIENT_ID` (imported lazily)."""
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError as exc:  # pragma: no cover - the app extra installs it
        raise RuntimeError("Entra database auth needs azure-identity: pip install 'momentloop[app]'") from exc
    credential: TokenCredential = DefaultAzureCredential(managed_identity_client_id=client_id)
    return credential


def create_db_engine(
    settings: DatabaseSettings, *, client_id: str | None = None, credential: TokenCredential | None = None
) -> Engine:
    """The engine for `settings`; in Entra mode `credential` (default: the managed identity `client_id`)
    gives passwords."""
    pool: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_recycle": settings.db_pool_recycle_seconds,
        "pool_pre_ping": True,
    }
    if settings.mode() == "url":
        assert settings.database_url is not None
        url = sqlalchemy_url(settings.database_url)
        return create_engine(url, connect_args=_connect_args(url), **pool)

    token_source = credential or default_credential(client_id)
    url = entra_url(settings)
    engine = create_engine(url, connect_args=_connect_args(url), **pool)

    @event.listens_for(engine, "do_connect")
    def _fresh_token(dialect: Any, conn_rec: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        # Every new pooled connection authenticates with a token fetched now, so expiry never
        # breaks the pool (an open connection stays valid after its token expires).
        cparams["password"] = token_source.get_token(ENTRA_SCOPE).token

    return engine


def _connect_args(url: URL) -> dict[str, Any]:
    # A server that drops packets (not up yet, firewalled) fails in seconds, not the OS's minutes;
    # a connect_timeout in DATABASE_URL wins.
    return {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer `SELECT 1` (used by /readyz)."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
