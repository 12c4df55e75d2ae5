"""Bearer tokens of the API."""

from __future__ import annotations

from pydantic import field_validator

from momentloop_app.core.settings.base import Section

MIN_JWT_SECRET_BYTES = 32


class AuthSettings(Section):
    # HS256 key of the bearer tokens; required when the moments API is on (a database is configured).
    jwt_secret: str = ""

    @field_validator("jwt_secret")
    @classmethod
    def _check_length(cls, value: str) -> str:
        if value and len(value.encode()) < MIN_JWT_SECRET_BYTES:
            raise ValueError(
                f"it is only {len(value.encode())} bytes long: tokens need a secret of at least "
                f"{MIN_JWT_SECRET_BYTES} bytes"
            )
        return value
