"""PostgreSQL access: settings, the engine (password or Entra token), models, sessions, migrations."""
