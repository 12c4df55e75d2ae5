"""The engine against a real PostgreSQL server: URL mode and the Entra token path."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import text

from momentloop_app.core.settings import ConfigurationError, DatabaseSettings, load_settings
from momentloop_app.db.engine import ENTRA_SCOPE, create_db_engine, ping, sqlalchemy_url
from tests.fixtures.postgres import PostgresServer, url_engine


@dataclass(frozen=True)
class FakeAccessToken:
    token: str
    expires_on: int = 0


@dataclass
class FakeCredential:
    """Stands in for the managed identity (the one thing that cannot run here)."""

    tokens: list[str]
    scopes: list[tuple[str, ...]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get_token(self, *scopes: str) -> FakeAccessToken:
        with self.lock:
            self.scopes.append(scopes)
            return FakeAccessToken(self.tokens[min(len(self.scopes), len(self.tokens)) - 1])


def test_database_url_is_mapped_to_psycopg() -> None:
    url = sqlalchemy_url("postgresql://u:p%40ss@db:5433/app")
    assert url.drivername == "postgresql+psycopg"
    assert (url.username, url.password, url.host, url.port, url.database) == ("u", "p@ss", "db", 5433, "app")
    assert sqlalchemy_url("postgres://u@db/app").drivername == "postgresql+psycopg"


def test_unsupported_scheme_names_the_scheme() -> None:
    with pytest.raises(ConfigurationError, match="'mysql'"):
        load_settings(env_file=None, database_url="mysql://u@db/app")


def test_missing_configuration_is_one_clear_sentence() -> None:
    with pytest.raises(ConfigurationError, match="set DATABASE_URL"):
        DatabaseSettings(_env_file=None).mode()  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="POSTGRES_DATABASE and POSTGRES_USER are not"):
        load_settings(env_file=None, postgres_host="h")


def test_environment_names_match_the_synthesizer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("POSTGRES_HOST", "srv.postgres.database.azure.com")
    monkeypatch.setenv("POSTGRES_DATABASE", "momentloop")
    monkeypatch.setenv("POSTGRES_USER", "id-backend-abc")
    monkeypatch.setenv("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001")
    settings = load_settings(env_file=None)
    assert settings.database.mode() == "entra"
    assert settings.database.postgres_sslmode == "require"
    assert settings.identity.azure_client_id == "00000000-0000-0000-0000-000000000001"


def test_url_mode_connects(postgres_database: str) -> None:
    engine = url_engine(postgres_database)
    try:
        ping(engine)
    finally:
        engine.dispose()


def test_entra_mode_uses_a_fresh_token_per_new_connection(postgres_server: PostgresServer) -> None:
    database = postgres_server.create_database()
    role = f"id_backend_{uuid.uuid4().hex[:8]}"
    first, second = f"eyJ-first-{uuid.uuid4().hex}", f"eyJ-second-{uuid.uuid4().hex}"
    postgres_server.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{first}'")
    credential = FakeCredential(tokens=[first, second])
    settings = DatabaseSettings(  # type: ignore[call-arg]
        _env_file=None,
        postgres_host=postgres_server.host,
        postgres_port=postgres_server.port,
        postgres_database=database,
        postgres_user=role,
    )
    engine = create_db_engine(settings, credential=credential)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == role
            # sslmode=require: the session is encrypted.
            assert conn.execute(text("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")).scalar_one()
        assert credential.scopes == [(ENTRA_SCOPE,)]

        # The token "rotates": the old one no longer works; a new pooled connection fetches the new one.
        postgres_server.psql(f"ALTER ROLE {role} PASSWORD '{second}'")
        with engine.connect() as pooled:  # reuses the open connection: no new token needed
            assert pooled.execute(text("SELECT 1")).scalar_one() == 1
        assert len(credential.scopes) == 1
        engine.dispose()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar_one() == role
        assert credential.scopes == [(ENTRA_SCOPE,), (ENTRA_SCOPE,)]
    finally:
        engine.dispose()
        postgres_server.drop_database(database)
        postgres_server.psql(f"DROP ROLE {role}")


def test_entra_mode_refuses_a_wrong_token(postgres_server: PostgresServer) -> None:
    role = f"id_backend_{uuid.uuid4().hex[:8]}"
    postgres_server.psql(f"CREATE ROLE {role} LOGIN PASSWORD 'the-real-token'")
    settings = DatabaseSettings(  # type: ignore[call-arg]
        _env_file=None,
        postgres_host=postgres_server.host,
        postgres_port=postgres_server.port,
        postgres_database="postgres",
        postgres_user=role,
    )
    engine = create_db_engine(settings, credential=FakeCredential(tokens=["a-stale-token"]))
    try:
        with pytest.raises(Exception, match="password authentication failed"):
            ping(engine)
    finally:
        engine.dispose()
        postgres_server.psql(f"DROP ROLE {role}")
