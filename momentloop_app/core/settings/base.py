"""What every settings section shares: where values come from, and the unit sizes are written in."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

MIB = 1024 * 1024


class Section(BaseSettings):
    """A group of related settings; each field is one environment variable (its name upper-cased).

    Field names are the variable names, so they are unique across sections and an error names the
    variable exactly. ``.env`` in the working directory is read too (local development).
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)
