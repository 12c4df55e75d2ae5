"""Migrations applied to a real, empty PostgreSQL database, and checked against the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from momentloop_app.db import migrate
from momentloop_app.db.models import Base
from tests.fixtures.postgres import url_engine


def test_upgrade_creates_the_schema_the_models_describe(postgres_database: str) -> None:
    engine = url_engine(postgres_database)
    try:
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # idempotent: a second replica starting up changes nothing
        assert {"moments", "export_jobs", "alembic_version"} <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
        migrate.downgrade(engine, "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()


def test_command_applies_migrations(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_database)
    assert migrate.main([]) == 0
    assert "revision head" in capsys.readouterr().out
    engine = url_engine(postgres_database)
    try:
        assert "moments" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_command_without_configuration_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    for name in ("DATABASE_URL", "POSTGRES_HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no .env file here
    assert migrate.main([]) == 2
    err = capsys.readouterr().err
    assert "set DATABASE_URL" in err
    assert "Traceback" not in err
