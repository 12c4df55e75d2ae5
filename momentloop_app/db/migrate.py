"""Apply the Alembic migrations shipped in `momentloop_app/migrations` (`momentloop-migrate`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from momentloop_app.core.settings import ConfigurationError, load_settings
from momentloop_app.db.engine import create_db_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
# Serialises concurrent `upgrade` runs (several replicas starting at once).
ADVISORY_LOCK_ID = 0x6D6F6D656E74


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK_ID})")
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="momentloop-migrate",
        description="Apply the database migrations (DATABASE_URL, or POSTGRES_* with Entra).",
    )
    parser.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        settings.database.mode()  # no database configured is one sentence
        engine = create_db_engine(settings.database, client_id=settings.identity.azure_client_id)
        upgrade(engine, args.revision)
    except ConfigurationError as exc:
        print(f"momentloop-migrate: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"momentloop-migrate: cannot reach the database: {exc.orig}", file=sys.stderr)
        return 1
    print(f"momentloop-migrate: database at revision {args.revision}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
