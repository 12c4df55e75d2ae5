"""What the moments and exports routes use: settings, storage, the database, the token verifier, and
the per-process limits on concurrent uploads. Built by `api.wiring`, kept on ``app.state.api``."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

from sqlalchemy import Engine
from starlette.requests import HTTPConnection

from momentloop_app.api.media_urls import MediaUrls
from momentloop_app.auth import TokenVerifier
from momentloop_app.core.settings import Settings
from momentloop_app.db.availability import Database
from momentloop_app.media.ffmpeg import FFmpegBinaries
from momentloop_app.services.storage import StorageService


@dataclass
class ApiContext:
    settings: Settings
    storage: StorageService
    database: Database
    verifier: TokenVerifier
    media_urls: MediaUrls
    storage_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
    media_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(os.cpu_count() or 1))

    @classmethod
    def create(cls, settings: Settings, storage: StorageService, database: Database) -> ApiContext:
        uploads = settings.uploads
        return cls(
            settings=settings,
            storage=storage,
            database=database,
            verifier=TokenVerifier(settings.auth.jwt_secret),
            media_urls=MediaUrls.create(settings, storage),
            storage_slots=asyncio.Semaphore(uploads.upload_storage_concurrency),
            media_slots=asyncio.Semaphore(uploads.upload_media_concurrency or os.cpu_count() or 1),
        )

    @property
    def engine(self) -> Engine:
        return self.database.engine

    @property
    def binaries(self) -> FFmpegBinaries:
        return FFmpegBinaries.from_settings(self.settings.media)


def get_context(connection: HTTPConnection) -> ApiContext:
    context = getattr(connection.app.state, "api", None)
    if not isinstance(context, ApiContext):
        raise RuntimeError("the moments API is mounted without its context (app.state.api)")
    return context


def require_database(connection: HTTPConnection) -> None:
    """A router dependency: 503 (one sentence, via the app's handler) until the database is ready."""
    get_context(connection).database.require()
