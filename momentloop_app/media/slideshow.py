"""An MP4 slideshow of still images, each normalised to one frame size (letterboxed)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from momentloop_app.core.settings import ExportSettings
from momentloop_app.media.ffmpeg import DEFAULT_BINARIES, FFmpegBinaries, ProgressCallback, run_ffmpeg


@dataclass(frozen=True)
class SlideshowOptions:
    width: int = 1280
    height: int = 720
    seconds_per_image: float = 2.0
    fps: int = 25
    preset: str = "veryfast"
    timeout_seconds: float = 600

    @classmethod
    def from_settings(cls, settings: ExportSettings) -> SlideshowOptions:
        """The options `EXPORT_*` describe (H.264 with 4:2:0 needs even frame sizes)."""
        return cls(
            width=settings.export_width - settings.export_width % 2,
            height=settings.export_height - settings.export_height % 2,
            seconds_per_image=settings.export_seconds_per_image,
            fps=settings.export_fps,
            preset=settings.export_preset,
            timeout_seconds=settings.export_timeout_seconds,
        )

    def duration(self, images: int) -> float:
        return images * self.seconds_per_image


def slideshow_args(images: list[Path], target: Path, options: SlideshowOptions) -> list[str]:
    if not images:
        raise ValueError("a slideshow needs at least one image")
    inputs: list[str] = []
    chains: list[str] = []
    w, h = options.width, options.height
    for index, image in enumerate(images):
        # -t bounds each looped input, so a bad image cannot make an endless stream.
        inputs += [
            "-loop",
            "1",
            "-framerate",
            str(options.fps),
            "-t",
            f"{options.seconds_per_image:g}",
            "-i",
            str(image),
        ]
        chains.append(
            f"[{index}:v]scale={w}:{h}:force_original_aspect_ratio=decrease,"
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,fps={options.fps},format=yuv420p[v{index}]"
        )
    joined = "".join(f"[v{i}]" for i in range(len(images)))
    graph = ";".join([*chains, f"{joined}concat=n={len(images)}:v=1:a=0[out]"])
    return [
        *inputs,
        "-filter_complex",
        graph,
        "-map",
        "[out]",
        "-c:v",
        "libx264",
        "-preset",
        options.preset,
        "-pix_fmt",
        "yuv420p",
        "-t",
        f"{options.duration(len(images)):g}",
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(target),
    ]


def render_slideshow(
    images: list[Path],
    target: Path,
    options: SlideshowOptions,
    *,
    binaries: FFmpegBinaries = DEFAULT_BINARIES,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Write the MP4 to `target`; on any failure `target` is removed. Progress is 0..1."""
    try:
        run_ffmpeg(
            slideshow_args(images, target, options),
            timeout_seconds=options.timeout_seconds,
            binaries=binaries,
            duration_seconds=options.duration(len(images)),
            on_progress=on_progress,
            cancel=cancel,
        )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
