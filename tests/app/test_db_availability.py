"""The database as the app sees it while PostgreSQL is away, then back (a real server)."""

from __future__ import annotations

import asyncio
import time

import pytest

from momentloop_app.core.settings import DatabaseSettings
from momentloop_app.db.availability import Database, DatabaseUnavailable
from momentloop_app.db.engine import create_db_engine
from tests.fixtures.network import free_port
from tests.fixtures.postgres import PostgresServer

pytestmark = pytest.mark.anyio


def database_at(url: str, *, migrate: bool) -> Database:
    engine = create_db_engine(DatabaseSettings(_env_file=None, database_url=url))  # type: ignore[call-arg]
    return Database(engine, migrate_on_start=migrate, retry_seconds=0.05)


async def test_unreachable_is_reported_and_shutdown_does_not_wait_for_it() -> None:
    database = database_at(f"postgresql://nobody@127.0.0.1:{free_port()}/none", migrate=True)
    async with database.running():
        await asyncio.sleep(0.3)  # several attempts
        with pytest.raises(DatabaseUnavailable) as caught:
            database.require()
        assert caught.value.state == "unreachable"
        with pytest.raises(DatabaseUnavailable):
            await database.check_ready()
        assert not database.ready.is_set()
        started = time.monotonic()
    assert time.monotonic() - started < 5


async def test_ready_once_it_answers_and_the_migrations_ran(postgres_server: PostgresServer) -> None:
    name = postgres_server.create_database()
    try:
        database = database_at(postgres_server.url(name), migrate=True)
        async with database.running():
            await asyncio.to_thread(database.ready.wait, 30)
            assert database.state == "ready"
            database.require()
            await database.check_ready()
            with database.engine.connect() as conn:
                tables = set(
                    conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").scalars()
                )
            assert {"moments", "export_jobs", "alembic_version"} <= tables
    finally:
        postgres_server.drop_database(name)
