"""The FastAPI application: ``create_app(settings)`` builds it; ``app`` is the one built from the
environment, for ``uvicorn momentloop_app.main:app``.

Local mode serves the storage folder with ``StaticFiles`` at ``/storage/``; Azure mode streams
blobs through ``/api/storage/``. A misconfiguration stops start-up with one sentence on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from momentloop_app.api.moments_app import install_moments_api
from momentloop_app.api.routes import health, storage_proxy
from momentloop_app.api.routes.health import ReadinessCheck
from momentloop_app.core.config import ConfigurationError, Settings, load_settings
from momentloop_app.db.engine import TokenCredential
from momentloop_app.services.storage import StorageService, create_storage_service
from momentloop_app.services.storage.local import LocalStorageBackend
from momentloop_app.services.storage.service import URL_PREFIXES

if TYPE_CHECKING:
    from azure.core.credentials_async import AsyncTokenCredential

#: Something the application enters for its lifetime (storage clients, a database engine, ...).
LifespanResource = Callable[[FastAPI], AbstractAsyncContextManager[Any]]


def create_app(
    settings: Settings,
    *,
    storage: StorageService | None = None,
    credential: AsyncTokenCredential | None = None,
    database_credential: TokenCredential | None = None,
) -> FastAPI:
    """The application for ``settings``.

    ``storage`` replaces the service the settings describe; ``credential`` replaces the managed
    identity (tests inject both); ``database_credential`` gives PostgreSQL Entra tokens instead of
    the managed identity. Other parts of the app extend three lists on ``app.state``:
    ``lifespan_resources`` (entered in order at start-up, left in reverse at shutdown),
    ``readiness_checks`` (``/readyz``), and the routers included below.
    """
    storage = storage or create_storage_service(settings, credential=credential)
    app = FastAPI(title="MomentLoop", lifespan=_lifespan)
    app.state.settings = settings
    app.state.storage = storage
    app.state.lifespan_resources = [_storage_resource]
    app.state.readiness_checks = [ReadinessCheck("storage", storage.check_ready)]

    for router in _routers():
        app.include_router(router)
    _mount_storage(app, storage)
    # Moments and exports (database, JWT, export workers); off when no database is configured.
    install_moments_api(app, settings, storage, credential=database_credential)
    return app


def _routers() -> list[APIRouter]:
    """The API's routers (the storage proxy is mounted separately, by mode)."""
    return [health.router]


def _mount_storage(app: FastAPI, storage: StorageService) -> None:
    if isinstance(storage.backend, LocalStorageBackend):
        # One mount per container: nothing else under the storage root (partial uploads) is served.
        for container in storage.containers:
            app.mount(
                f"{URL_PREFIXES['local']}/{container}",
                StaticFiles(directory=storage.backend.container_dir(container), check_dir=False),
                name=f"storage-{container}",
            )
    else:
        app.include_router(storage_proxy.router)


@asynccontextmanager
async def _storage_resource(app: FastAPI) -> AsyncIterator[StorageService]:
    storage: StorageService = app.state.storage
    async with storage.running():
        yield storage


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    async with AsyncExitStack() as stack:
        resources: list[LifespanResource] = app.state.lifespan_resources
        for resource in resources:
            await stack.enter_async_context(resource(app))
        yield


def app_from_environment() -> FastAPI:
    """``create_app`` with settings from the environment; exits with one sentence if they are wrong."""
    try:
        settings = load_settings()
    except ConfigurationError as error:
        print(f"momentloop: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    return create_app(settings)


app = app_from_environment()
