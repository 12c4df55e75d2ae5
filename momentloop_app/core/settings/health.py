"""Health and readiness endpoints."""

from __future__ import annotations

from pydantic import Field

from momentloop_app.core.settings.base import Section


class HealthSettings(Section):
    # How long /readyz waits for each dependency.
    readiness_timeout_seconds: float = Field(default=5.0, gt=0)
