"""Alembic migrations, shipped inside the package; applied by `momentloop-migrate`."""
