"""The FFmpeg module against the real ffmpeg binary."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from momentloop_app.media.ffmpeg import (
    FFmpegCancelledError,
    FFmpegError,
    FFmpegTimeoutError,
    parse_progress_line,
    run_ffmpeg,
)
from momentloop_app.media.images import InvalidImageError, check_image, make_thumbnail
from momentloop_app.media.slideshow import SlideshowOptions, render_slideshow
from momentloop_app.media.sniff import sniff_image_type
from tests.app.media_samples import make_image


def probe(path: Path, entries: str) -> str:
    return subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            entries,
            "-of",
            "csv=p=0",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/png", "image/webp"])
def test_sniff_and_check_real_images(tmp_path: Path, content_type: str) -> None:
    image = make_image(tmp_path, content_type=content_type, name="no-extension")
    assert sniff_image_type(image.read_bytes()[:12]) == content_type
    info = check_image(image)
    assert (info.content_type, info.width, info.height) == (content_type, 64, 48)


def test_sniff_ignores_names_and_refuses_other_bytes() -> None:
    assert sniff_image_type(b"GIF89a......") is None
    assert sniff_image_type(b"RIFF\x00\x00\x00\x00WAVE") is None
    assert sniff_image_type(b"") is None
    assert sniff_image_type(b"%PDF-1.7") is None


def test_check_image_refuses_a_truncated_image(tmp_path: Path) -> None:
    image = make_image(tmp_path, content_type="image/png", size="320x240")
    broken = tmp_path / "broken.png"
    broken.write_bytes(image.read_bytes()[:20])
    with pytest.raises(InvalidImageError, match="cannot be decoded"):
        check_image(broken)
    text = tmp_path / "text.jpg"
    text.write_text("hello")
    with pytest.raises(InvalidImageError, match="not a JPEG, PNG or WebP"):
        check_image(text)


def test_thumbnail_is_bounded_and_keeps_aspect(tmp_path: Path) -> None:
    big = make_image(tmp_path, content_type="image/png", size="800x400")
    thumb = tmp_path / "thumb.jpg"
    make_thumbnail(big, thumb, max_side=160)
    assert sniff_image_type(thumb.read_bytes()[:12]) == "image/jpeg"
    assert probe(thumb, "stream=width,height") == "160,80"
    small = make_image(tmp_path, content_type="image/webp", size="40x30")
    make_thumbnail(small, thumb, max_side=160)
    assert probe(thumb, "stream=width,height") == "40,30"  # never upscaled


def test_thumbnail_of_garbage_fails_and_leaves_nothing(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    target = tmp_path / "thumb.jpg"
    with pytest.raises(InvalidImageError):
        make_thumbnail(garbage, target)
    assert not target.exists()


def test_progress_lines() -> None:
    assert parse_progress_line("out_time_us=1500000\n", 3.0) == pytest.approx(0.5)
    assert parse_progress_line("out_time_us=N/A", 3.0) is None
    assert parse_progress_line("out_time_us=9000000", 3.0) == 1.0
    assert parse_progress_line("progress=end", None) == 1.0
    assert parse_progress_line("frame=10", 3.0) is None


def test_slideshow_normalises_sizes_and_reports_progress(tmp_path: Path) -> None:
    images = [
        make_image(tmp_path, content_type="image/jpeg", size="64x48", color="red"),
        make_image(tmp_path, content_type="image/png", size="30x90", color="green"),
        make_image(tmp_path, content_type="image/webp", size="200x100", color="blue"),
    ]
    target = tmp_path / "out.mp4"
    seen: list[float] = []
    options = SlideshowOptions(width=160, height=120, seconds_per_image=0.5, fps=10, timeout_seconds=60)
    render_slideshow(images, target, options, on_progress=seen.append)
    assert probe(target, "stream=codec_name,width,height") == "h264,160,120"
    assert float(probe(target, "stream=duration")) == pytest.approx(1.5, abs=0.2)
    assert seen and seen[-1] == 1.0
    assert seen == sorted(seen)


def test_time_limit_kills_ffmpeg(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FFmpegTimeoutError, match=r"time limit of 0\.5 s"):
        run_ffmpeg(["-re", "-f", "lavfi", "-i", "color=s=16x16", "-f", "null", "-"], timeout_seconds=0.5)
    assert time.monotonic() - started < 5


def test_cancel_kills_ffmpeg_and_removes_the_partial_output(tmp_path: Path) -> None:
    image = make_image(tmp_path)
    target = tmp_path / "out.mp4"
    cancel = threading.Event()

    def cancel_on_first_progress(fraction: float) -> None:
        cancel.set()

    options = SlideshowOptions(width=160, height=120, seconds_per_image=600, fps=25, timeout_seconds=60)
    with pytest.raises(FFmpegCancelledError):
        render_slideshow([image], target, options, on_progress=cancel_on_first_progress, cancel=cancel)
    assert not target.exists()


def test_ffmpeg_failure_quotes_its_error(tmp_path: Path) -> None:
    with pytest.raises(FFmpegError, match="exit code") as info:
        run_ffmpeg(["-i", str(tmp_path / "missing.png"), "-f", "null", "-"], timeout_seconds=10)
    assert "missing.png" in str(info.value)
