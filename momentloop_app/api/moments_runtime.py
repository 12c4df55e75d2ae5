"""What the moments and exports API needs at run time: the database, the token verifier, the storage
service and the in-process export workers. `main.create_app` builds one and enters `running()` in
its lifespan, after the storage service has started."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from starlette.requests import HTTPConnection

from momentloop_app.api.moments_settings import MomentsSettings
from momentloop_app.auth import TokenVerifier
from momentloop_app.db import migrate
from momentloop_app.db.engine import TokenCredential, create_db_engine, ping
from momentloop_app.jobs.exports import SlideshowExportRunner
from momentloop_app.jobs.worker import Worker, WorkerOptions
from momentloop_app.media.ffmpeg import FFmpegBinaries
from momentloop_app.services.storage import StorageService

log = logging.getLogger(__name__)


@dataclass
class MomentsRuntime:
    settings: MomentsSettings
    storage: StorageService
    engine: Engine
    verifier: TokenVerifier
    migrate_on_start: bool = True
    storage_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(8))
    media_slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(os.cpu_count() or 1))
    workers: list[Worker] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    @classmethod
    def create(
        cls, settings: MomentsSettings, storage: StorageService, *, credential: TokenCredential | None = None
    ) -> MomentsRuntime:
        return cls(
            settings=settings,
            storage=storage,
            engine=create_db_engine(settings, credential=credential),
            verifier=TokenVerifier(settings.jwt_secret),
            migrate_on_start=settings.database_migrate_on_start,
            storage_slots=asyncio.Semaphore(settings.upload_storage_concurrency),
            media_slots=asyncio.Semaphore(settings.upload_media_concurrency or os.cpu_count() or 1),
        )

    @property
    def binaries(self) -> FFmpegBinaries:
        return FFmpegBinaries(ffmpeg=self.settings.ffmpeg_binary, ffprobe=self.settings.ffprobe_binary)

    def export_runner(self, loop: asyncio.AbstractEventLoop) -> SlideshowExportRunner:
        return SlideshowExportRunner(
            engine=self.engine,
            storage=self.storage,
            loop=loop,
            options=self.settings.slideshow_options(),
            binaries=self.binaries,
            check_timeout_seconds=self.settings.media_timeout_seconds,
        )

    def worker_options(self) -> WorkerOptions:
        return WorkerOptions(
            lease_seconds=self.settings.job_lease_seconds,
            poll_interval_seconds=self.settings.job_poll_seconds,
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[MomentsRuntime]:
        """Apply migrations (when enabled), start the export workers; stop them and close the pool."""
        if self.migrate_on_start:
            await asyncio.to_thread(migrate.upgrade, self.engine)
        loop = asyncio.get_running_loop()
        for index in range(self.settings.export_workers):
            worker = Worker(self.engine, self.export_runner(loop), options=self.worker_options())
            thread = threading.Thread(target=worker.run_forever, name=f"export-worker-{index}", daemon=True)
            self.workers.append(worker)
            self.threads.append(thread)
            thread.start()
        try:
            yield self
        finally:
            for worker in self.workers:
                worker.stop()
            for thread in self.threads:
                await asyncio.to_thread(thread.join, 30)
            self.workers.clear()
            self.threads.clear()
            await asyncio.to_thread(self.engine.dispose)

    async def check_ready(self) -> None:
        """Raise unless the database answers."""
        await asyncio.to_thread(ping, self.engine)


def get_runtime(connection: HTTPConnection) -> MomentsRuntime:
    runtime = getattr(connection.app.state, "moments", None)
    if not isinstance(runtime, MomentsRuntime):
        raise RuntimeError("the moments API is mounted without its runtime (app.state.moments)")
    return runtime
