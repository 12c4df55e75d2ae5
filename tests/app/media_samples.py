"""Small test images made by ffmpeg itself (no binary fixtures in the repository)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.fixtures.tools import missing_tool

FORMATS = {
    "image/jpeg": ("jpg", ["-pix_fmt", "yuvj420p", "-f", "mjpeg"]),
    "image/png": ("png", ["-c:v", "png", "-f", "image2"]),
    "image/webp": ("webp", ["-f", "webp"]),
}


def _one_frame(source: str, output_args: list[str], target: Path) -> Path:
    """Render one frame of an ffmpeg lavfi source into `target`."""
    if shutil.which("ffmpeg") is None:
        missing_tool("ffmpeg is not on PATH: install Debian's 'ffmpeg' package (scripts/test.sh does)")
    command = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source, "-frames:v", "1"]
    subprocess.run([*command, *output_args, str(target)], check=True)
    return target


def make_image(
    directory: Path,
    *,
    content_type: str = "image/jpeg",
    size: str = "64x48",
    name: str | None = None,
    color: str = "red",
) -> Path:
    ext, output_args = FORMATS[content_type]
    return _one_frame(f"color=c={color}:s={size}", output_args, directory / (name or f"sample-{size}-{color}.{ext}"))


def make_noisy_jpeg(directory: Path, *, size: str, name: str, quality: int = 2) -> Path:
    """A JPEG of random noise: hard to compress, so a large file from a modest frame."""
    output_args = ["-pix_fmt", "yuvj444p", "-q:v", str(quality), "-f", "mjpeg"]
    return _one_frame(f"nullsrc=s={size},geq=random(1)*255:128:128", output_args, directory / name)
