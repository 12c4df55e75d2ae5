"""Wire the moments and exports API into an application built by `main.create_app`: the database
(waited for in the background), the routes, `/readyz`'s database check and the export workers."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import InterfaceError, OperationalError

from momentloop_app.api.context import ApiContext
from momentloop_app.api.routes import exports, moments
from momentloop_app.api.routes.health import ReadinessCheck
from momentloop_app.core.settings import ConfigurationError, Settings
from momentloop_app.core.settings.auth import MIN_JWT_SECRET_BYTES
from momentloop_app.db.availability import Database, DatabaseUnavailable
from momentloop_app.db.engine import TokenCredential, create_db_engine
from momentloop_app.jobs.exports import export_workers
from momentloop_app.jobs.pool import WorkerPool
from momentloop_app.services.storage import StorageService

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "5"


def install_moments_api(
    app: FastAPI,
    settings: Settings,
    storage: StorageService,
    *,
    credential: TokenCredential | None = None,
) -> ApiContext | None:
    """Mount `/api/moments`, `/api/exports`, `/ws/exports/{id}`; add the database to `/readyz` and the
    database and export workers to the lifespan. Without a database configured, log why the API is
    off and leave the app as it is (storage-only development)."""
    database_settings = settings.database
    if not database_settings.configured:
        log.warning("no database configured (DATABASE_URL or POSTGRES_HOST): the moments and exports API is off")
        return None
    if not settings.auth.jwt_secret:
        raise ConfigurationError(
            f"Invalid configuration: JWT_SECRET is not set: the moments API needs a secret of at least "
            f"{MIN_JWT_SECRET_BYTES} bytes to sign and check tokens."
        )
    engine = create_db_engine(database_settings, client_id=settings.identity.azure_client_id, credential=credential)
    database = Database(
        engine,
        migrate_on_start=database_settings.database_migrate_on_start,
        retry_seconds=database_settings.database_retry_seconds,
    )
    context = ApiContext.create(settings, storage, database)
    app.state.api = context
    app.state.lifespan_resources.append(lambda _app: _running(context))
    app.state.readiness_checks.append(ReadinessCheck("database", database.check_ready, failure=_state))
    app.add_exception_handler(DatabaseUnavailable, _database_unavailable)
    for lost in (OperationalError, InterfaceError):  # the connection failed mid-request
        app.add_exception_handler(lost, _database_unavailable)
    app.include_router(moments.router)
    app.include_router(exports.router)
    return context


@asynccontextmanager
async def _running(context: ApiContext) -> AsyncIterator[None]:
    """The database connects in the background; the export workers start polling once it is ready."""
    workers = export_workers(
        context.settings, engine=context.engine, storage=context.storage, loop=asyncio.get_running_loop()
    )
    pool = WorkerPool(workers, size=context.settings.exports.export_workers, ready=context.database.ready)
    async with context.database.running(), pool.running():
        yield


def _state(error: Exception) -> str:
    return error.state if isinstance(error, DatabaseUnavailable) else "unreachable"


async def _database_unavailable(request: Request, error: Exception) -> JSONResponse:
    if not isinstance(error, DatabaseUnavailable):
        log.warning("a database request failed: %s", type(error).__name__)
    return JSONResponse(
        {"detail": "the database is not reachable right now, try again shortly"},
        status_code=503,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )
