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

from momentloop_app.api.log_redaction import redact_server_logs
from momentloop_app.api.media_urls import MediaUrls
from momentloop_app.api.routes import auth, health, storage_proxy
from momentloop_app.api.routes.health import ReadinessCheck
from momentloop_app.api.signed_static_files import SignedStaticFiles
from momentloop_app.api.wiring import install_moments_api
from momentloop_app.auth.sign_in import SignIn
from momentloop_app.core.settings import ConfigurationError, Settings, load_settings
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
    redact_server_logs()  # the export socket's URL carries the session token
    app = FastAPI(title="MomentLoop", lifespan=_lifespan)
    app.state.settings = settings
    app.state.storage = storage
    app.state.media_urls = MediaUrls.create(settings, storage)
    app.state.lifespan_resources = [_storage_resource]
    app.state.readiness_checks = [ReadinessCheck("storage", storage.check_ready)]

    for router in _routers():
        app.include_router(router)
    _mount_storage(app, storage, app.state.media_urls)
    # Moments and exports (database, JWT, export workers); off when no database is configured.
    context = install_moments_api(app, settings, storage, credential=database_credential)
    # Sign-in keeps its pending states in the database when there is one (single use across replicas).
    app.state.sign_in = SignIn.create(
        settings.sign_in, jwt_secret=settings.auth.jwt_secret, engine=context.engine if context else None
    )
    return app


def _routers() -> list[APIRouter]:
    """The API's routers (the storage proxy is mounted separately, by mode)."""
    return [health.router, auth.router]


def _mount_storage(app: FastAPI, storage: StorageService, media_urls: MediaUrls) -> None:
    if isinstance(storage.backend, LocalStorageBackend):
        # One mount per container: nothing else under the storage root (partial uploads) is served.
        for container in storage.containers:
            app.mount(
                f"{URL_PREFIXES['local']}/{container}",
                SignedStaticFiles(
                    directory=storage.backend.container_dir(container), container=container, media_urls=media_urls
                ),
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
        return create_app(load_settings())
    except ConfigurationError as error:
        print(f"momentloop: {error}", file=sys.stderr)
        raise SystemExit(2) from None


app = app_from_environment()
