"""Uploads of moments: the size limit, thumbnails and how many are processed at once."""

from __future__ import annotations

from pydantic import Field

from momentloop_app.core.settings.base import MIB, Section


class UploadSettings(Section):
    # The largest image a user may upload.
    max_upload_bytes: int = Field(default=25 * MIB, gt=0)
    thumbnail_max_side: int = Field(default=320, ge=16, le=4096)
    # Per process: uploads being written to storage at once (each Azure upload buffers one block),
    # and FFmpeg/ffprobe runs at once for uploads (0: one per CPU). Others wait their turn, so
    # memory and CPU stay bounded however many clients upload together.
    upload_storage_concurrency: int = Field(default=8, ge=1, le=256)
    upload_media_concurrency: int = Field(default=0, ge=0, le=64)
