"""Settings of the moments and exports API, the database and the export workers.

`core.config.Settings` inherits them, so each stays one field per environment variable
(`JWT_SECRET`, `MAX_UPLOAD_BYTES`, `DATABASE_URL`, `POSTGRES_HOST`, `EXPORT_WORKERS`, ...).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from momentloop_app.db.settings import DatabaseSettings
from momentloop_app.media.slideshow import SlideshowOptions

MIB = 1024 * 1024
MIN_JWT_SECRET_BYTES = 32


class MomentsSettings(DatabaseSettings):
    # Apply the Alembic migrations at start-up (serialised across replicas by an advisory lock).
    database_migrate_on_start: bool = True
    jwt_secret: str = ""
    max_upload_bytes: int = Field(default=25 * MIB, gt=0)
    thumbnail_max_side: int = Field(default=320, ge=16, le=4096)
    # Per process: uploads being written to storage at once (each Azure upload buffers one block),
    # and FFmpeg/ffprobe runs at once for uploads (0: one per CPU). Others wait their turn, so
    # memory and CPU stay bounded however many clients upload together.
    upload_storage_concurrency: int = Field(default=8, ge=1, le=256)
    upload_media_concurrency: int = Field(default=0, ge=0, le=64)
    # Image checks and thumbnails (per FFmpeg/ffprobe run).
    media_timeout_seconds: float = Field(default=30.0, gt=0)
    ffmpeg_binary: str = "ffmpeg"
    ffprobe_binary: str = "ffprobe"
    # Exports: frame size, pace, and the time limit of one FFmpeg run.
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

    @model_validator(mode="after")
    def _check_jwt_secret(self) -> MomentsSettings:
        if self.configured and len(self.jwt_secret.encode()) < MIN_JWT_SECRET_BYTES:
            shown = "not set" if not self.jwt_secret else f"only {len(self.jwt_secret.encode())} bytes long"
            raise ValueError(
                f"JWT_SECRET is {shown}: the moments API needs a secret of at least "
                f"{MIN_JWT_SECRET_BYTES} bytes to sign and check tokens"
            )
        return self

    def slideshow_options(self) -> SlideshowOptions:
        return SlideshowOptions(
            width=self.export_width - self.export_width % 2,
            height=self.export_height - self.export_height % 2,
            seconds_per_image=self.export_seconds_per_image,
            fps=self.export_fps,
            preset=self.export_preset,
            timeout_seconds=self.export_timeout_seconds,
        )
