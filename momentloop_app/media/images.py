"""Checks that a file is a decodable still image of a sane size, and thumbnails."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from momentloop_app.media.ffmpeg import DEFAULT_BINARIES, FFmpegBinaries, FFmpegError, run_ffmpeg
from momentloop_app.media.sniff import SNIFF_BYTES, sniff_image_type

MAX_DIMENSION = 16384
PROBE_CODECS = {"image/jpeg": {"mjpeg", "jpegls"}, "image/png": {"png"}, "image/webp": {"webp"}}


class InvalidImageError(Exception):
    """The file is not a JPEG, PNG or WebP image that FFmpeg can decode; the message is safe to show."""


@dataclass(frozen=True)
class ImageInfo:
    content_type: str
    width: int
    height: int


def check_image(path: Path, *, timeout_seconds: float = 15, binaries: FFmpegBinaries = DEFAULT_BINARIES) -> ImageInfo:
    """Sniff the bytes, then let ffprobe read the header (time-limited): type, width, height."""
    with path.open("rb") as handle:
        content_type = sniff_image_type(handle.read(SNIFF_BYTES))
    if content_type is None:
        raise InvalidImageError("the file is not a JPEG, PNG or WebP image")
    try:
        probe = subprocess.run(
            [
                binaries.ffprobe,
                "-v",
                "error",
                "-select_streams",
                "v:0",
                "-show_entries",
                "stream=codec_name,width,height",
                "-of",
                "json",
                str(path),
            ],
            capture_output=True,
            timeout=timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise InvalidImageError(f"reading the image took longer than {timeout_seconds:g} s") from exc
    try:
        stream = json.loads(probe.stdout or b"{}")["streams"][0]
        codec, width, height = str(stream["codec_name"]), int(stream["width"]), int(stream["height"])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise InvalidImageError(f"the {content_type} image cannot be decoded") from exc
    if probe.returncode != 0 or codec not in PROBE_CODECS[content_type] or width <= 0 or height <= 0:
        raise InvalidImageError(f"the {content_type} image cannot be decoded (codec {codec!r}, size {width}x{height})")
    if width > MAX_DIMENSION or height > MAX_DIMENSION:
        raise InvalidImageError(f"image size {width}x{height} is outside 1..{MAX_DIMENSION} pixels per side")
    return ImageInfo(content_type=content_type, width=width, height=height)


def make_thumbnail(
    source: Path,
    target: Path,
    *,
    max_side: int = 320,
    timeout_seconds: float = 30,
    binaries: FFmpegBinaries = DEFAULT_BINARIES,
) -> None:
    """A JPEG no larger than `max_side` on either side (never upscaled), aspect ratio kept."""
    scale = f"scale=w='min({max_side},iw)':h='min({max_side},ih)':force_original_aspect_ratio=decrease,format=yuvj420p"
    try:
        run_ffmpeg(
            ["-i", str(source), "-frames:v", "1", "-vf", scale, "-q:v", "4", "-f", "mjpeg", str(target)],
            timeout_seconds=timeout_seconds,
            binaries=binaries,
        )
    except FFmpegError as exc:
        target.unlink(missing_ok=True)
        raise InvalidImageError(f"the image cannot be decoded: {exc}") from exc
