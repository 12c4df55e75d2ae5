"""FFmpeg: which binaries, and the time limit of an image check or a thumbnail."""

from __future__ import annotations

from pydantic import Field

from momentloop_app.core.settings.base import Section


class MediaSettings(Section):
    media_timeout_seconds: float = Field(default=30.0, gt=0)
    ffmpeg_binary: str = "ffmpeg"
    ffprobe_binary: str = "ffprobe"
