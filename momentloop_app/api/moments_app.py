"""Wire the moments and exports API into an application built by `main.create_app`."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from momentloop_app.api.moments_runtime import MomentsRuntime
from momentloop_app.api.moments_settings import MomentsSettings
from momentloop_app.api.routes import exports, moments
from momentloop_app.api.routes.health import ReadinessCheck
from momentloop_app.db.engine import TokenCredential
from momentloop_app.services.storage import StorageService

log = logging.getLogger(__name__)


def install_moments_api(
    app: FastAPI,
    settings: MomentsSettings,
    storage: StorageService,
    *,
    credential: TokenCredential | None = None,
) -> MomentsRuntime | None:
    """Mount `/api/moments`, `/api/exports`, `/ws/exports/{id}`; add the database to `/readyz` and the
    runtime (migrations, export workers) to the lifespan. Without a database configured, log why
    the API is off and leave the app as it is (storage-only development)."""
    if not settings.configured:
        log.warning(
            "no database configured (DATABASE_URL or POSTGRES_HOST): the moments and exports API is off"
        )
        return None
    runtime = MomentsRuntime.create(settings, storage, credential=credential)
    app.state.moments = runtime
    app.state.lifespan_resources.append(lambda _app: runtime.running())
    app.state.readiness_checks.append(ReadinessCheck("database", runtime.check_ready))
    app.include_router(moments.router)
    app.include_router(exports.router)
    return runtime
