"""Alembic environment: the connection is handed in by momentloop_app.db.migrate (no alembic.ini URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from momentloop_app.db.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations with `momentloop-migrate` (python -m momentloop_app.db.migrate)")
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported: run `momentloop-migrate`")
run_migrations_online()
