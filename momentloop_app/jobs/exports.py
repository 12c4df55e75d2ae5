"""The export job: moments' images → an MP4 slideshow in `exports/`.

It runs in a worker thread. Inputs are downloaded to a temporary folder under the system
temporary directory (`TMPDIR` honoured), checked, rendered by FFmpeg with a time limit, and the
result uploaded (atomically: nothing partial is ever visible in `exports/`). The folder is removed
whatever happens. Storage calls run on the event loop that owns the storage service.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from momentloop_app.core.settings import Settings
from momentloop_app.db.models import Moment
from momentloop_app.jobs.queue import ClaimedJob
from momentloop_app.jobs.worker import JobFailedError, ProgressReporter, Worker, WorkerOptions
from momentloop_app.media.ffmpeg import DEFAULT_BINARIES, FFmpegBinaries, FFmpegCancelledError, FFmpegError
from momentloop_app.media.images import InvalidImageError, check_image
from momentloop_app.media.slideshow import SlideshowOptions, render_slideshow
from momentloop_app.services.storage import StorageNotFound, StorageService

log = logging.getLogger(__name__)
T = TypeVar("T")

DOWNLOAD_SHARE = 10  # percent of the progress bar given to fetching the inputs


def export_path(job_id: uuid.UUID) -> str:
    return f"exports/{job_id}.mp4"


def temp_prefix(job_id: uuid.UUID) -> str:
    return f"momentloop-export-{job_id}-"


@dataclass
class SlideshowExportRunner:
    engine: Engine
    storage: StorageService
    loop: asyncio.AbstractEventLoop
    options: SlideshowOptions
    binaries: FFmpegBinaries = DEFAULT_BINARIES
    check_timeout_seconds: float = 30.0

    @classmethod
    def from_settings(
        cls, settings: Settings, *, engine: Engine, storage: StorageService, loop: asyncio.AbstractEventLoop
    ) -> SlideshowExportRunner:
        return cls(
            engine=engine,
            storage=storage,
            loop=loop,
            options=SlideshowOptions.from_settings(settings.exports),
            binaries=FFmpegBinaries.from_settings(settings.media),
            check_timeout_seconds=settings.media.media_timeout_seconds,
        )

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def _image_paths(self, job: ClaimedJob) -> list[str]:
        with Session(self.engine) as session:
            rows = session.execute(
                select(Moment.id, Moment.image_path).where(Moment.id.in_(job.moment_ids), Moment.user_id == job.user_id)
            ).all()
        found = {row.id: row.image_path for row in rows}
        missing = [str(moment_id) for moment_id in job.moment_ids if moment_id not in found]
        if missing:
            raise JobFailedError(f"moment {missing[0]!r} no longer exists")
        return [found[moment_id] for moment_id in job.moment_ids]

    def run(self, job: ClaimedJob, report: ProgressReporter, cancel: threading.Event) -> str:
        paths = self._image_paths(job)
        with tempfile.TemporaryDirectory(prefix=temp_prefix(job.id)) as folder:
            workdir = Path(folder)
            images: list[Path] = []
            for index, path in enumerate(paths):
                if cancel.is_set():
                    raise FFmpegCancelledError("the export was cancelled")
                local = workdir / f"input-{index:04d}"
                moment_id = str(job.moment_ids[index])
                try:
                    self._call(self.storage.download_to(path, local))
                except StorageNotFound as exc:
                    raise JobFailedError(f"the image of moment {moment_id!r} is missing") from exc
                try:
                    check_image(local, timeout_seconds=self.check_timeout_seconds, binaries=self.binaries)
                except InvalidImageError as exc:
                    raise JobFailedError(f"moment {moment_id!r}: {exc}") from exc
                images.append(local)
                report(DOWNLOAD_SHARE * (index + 1) // len(paths))
            video = workdir / "export.mp4"

            def on_progress(fraction: float) -> None:
                report(DOWNLOAD_SHARE + int(fraction * (99 - DOWNLOAD_SHARE)))

            try:
                render_slideshow(
                    images,
                    video,
                    self.options,
                    binaries=self.binaries,
                    on_progress=on_progress,
                    cancel=cancel,
                )
            except FFmpegCancelledError:
                raise
            except FFmpegError as exc:
                raise JobFailedError(str(exc)) from exc
            target = export_path(job.id)
            self._call(self.storage.save_file(target, video, content_type="video/mp4"))
        return target

    def discard(self, path: str) -> None:
        try:
            self._call(self.storage.delete(path))
        except Exception:  # best effort: the job is someone else's now
            log.warning("could not remove the superseded export %s", path)


def export_workers(
    settings: Settings, *, engine: Engine, storage: StorageService, loop: asyncio.AbstractEventLoop
) -> Callable[[], Worker]:
    """Makes workers that run slideshow exports with the `JOB_*` lease and poll settings."""
    runner = SlideshowExportRunner.from_settings(settings, engine=engine, storage=storage, loop=loop)
    options = WorkerOptions(
        lease_seconds=settings.exports.job_lease_seconds, poll_interval_seconds=settings.exports.job_poll_seconds
    )
    return lambda: Worker(engine, runner, options=options)
