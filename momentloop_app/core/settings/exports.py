"""Exports: the video they produce and the job queue that runs them."""

from __future__ import annotations

from pydantic import Field

from momentloop_app.core.settings.base import Section


class ExportSettings(Section):
    # Frame size, pace, and the time limit of one FFmpeg run.
    export_width: int = Field(default=1280, ge=16, le=3840)
    export_height: int = Field(default=720, ge=16, le=2160)
    export_seconds_per_image: float = Field(default=2.0, gt=0, le=60)
    export_fps: int = Field(default=25, ge=1, le=60)
    export_preset: str = "veryfast"
    export_timeout_seconds: float = Field(default=600.0, gt=0)
    export_max_images: int = Field(default=100, ge=1)
    # Worker threads inside each API replica (0: only `momentloop-worker` processes run exports).
    export_workers: int = Field(default=1, ge=0, le=16)
    job_lease_seconds: float = Field(default=30.0, gt=0)
    job_poll_seconds: float = Field(default=1.0, gt=0)
    job_max_attempts: int = Field(default=3, ge=1)
