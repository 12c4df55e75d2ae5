"""PostgreSQL access: the engine (password or Entra token), its availability, models, migrations."""
