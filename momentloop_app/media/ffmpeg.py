"""Run FFmpeg with a time limit, cancellation and progress from `-progress pipe:1`."""

from __future__ import annotations

import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

from momentloop_app.core.settings import MediaSettings

ProgressCallback = Callable[[float], None]
"""Called with a fraction in [0, 1] each time FFmpeg reports progress."""


class FFmpegError(Exception):
    """FFmpeg failed, timed out or was cancelled; the message is safe to show to a user."""


class FFmpegTimeoutError(FFmpegError):
    pass


class FFmpegCancelledError(FFmpegError):
    pass


@dataclass(frozen=True)
class FFmpegBinaries:
    ffmpeg: str = "ffmpeg"
    ffprobe: str = "ffprobe"

    @classmethod
    def from_settings(cls, settings: MediaSettings) -> FFmpegBinaries:
        return cls(ffmpeg=settings.ffmpeg_binary, ffprobe=settings.ffprobe_binary)


DEFAULT_BINARIES = FFmpegBinaries()


def parse_progress_line(line: str, duration_seconds: float | None) -> float | None:
    """The fraction done for one `key=value` line of FFmpeg's progress output, or `None`."""
    key, _, value = line.strip().partition("=")
    if key == "progress" and value == "end":
        return 1.0
    if key != "out_time_us" or not duration_seconds or duration_seconds <= 0:
        return None
    try:
        micros = int(value)
    except ValueError:  # "N/A" before the first frame
        return None
    return min(max(micros / (duration_seconds * 1_000_000), 0.0), 1.0)


def _describe_exit(returncode: int, stderr_tail: str) -> str:
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return f"ffmpeg was killed by signal {name}"
    detail = f": {stderr_tail}" if stderr_tail else ""
    return f"ffmpeg failed with exit code {returncode}{detail}"


def _tail(stream: IO[bytes], limit: int = 400) -> str:
    stream.seek(0)
    lines = [line.strip() for line in stream.read().decode("utf-8", "replace").splitlines() if line.strip()]
    return lines[-1][:limit] if lines else ""


def run_ffmpeg(
    args: Sequence[str],
    *,
    timeout_seconds: float,
    binaries: FFmpegBinaries = DEFAULT_BINARIES,
    duration_seconds: float | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> None:
    """Run `ffmpeg <args>`; kill it when `timeout_seconds` pass or `cancel` is set.

    Raises `FFmpegTimeoutError`, `FFmpegCancelledError` or `FFmpegError` (non-zero exit or signal).
    """
    command = [
        binaries.ffmpeg,
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        "-nostats",
        *args,
    ]
    with tempfile.TemporaryFile() as stderr:
        try:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr)
        except FileNotFoundError as exc:
            raise FFmpegError(f"ffmpeg binary {binaries.ffmpeg!r} not found: install ffmpeg") from exc

        def read_progress() -> None:
            assert process.stdout is not None
            for raw in process.stdout:
                fraction = parse_progress_line(raw.decode("ascii", "replace"), duration_seconds)
                if fraction is not None and on_progress is not None:
                    on_progress(fraction)

        reader = threading.Thread(target=read_progress, name="ffmpeg-progress", daemon=True)
        reader.start()
        deadline = time.monotonic() + timeout_seconds
        stopped_because: type[FFmpegError] | None = None
        try:
            while True:
                try:
                    process.wait(timeout=0.1)
                    break
                except subprocess.TimeoutExpired:
                    if cancel is not None and cancel.is_set():
                        stopped_because = FFmpegCancelledError
                    elif time.monotonic() > deadline:
                        stopped_because = FFmpegTimeoutError
                    if stopped_because is not None:
                        process.kill()
                        process.wait()
                        break
        finally:
            if process.poll() is None:  # an exception (KeyboardInterrupt) escaped the loop
                process.kill()
                process.wait()
            reader.join(timeout=5)
            if process.stdout is not None:
                process.stdout.close()
        if stopped_because is FFmpegTimeoutError:
            raise FFmpegTimeoutError(f"ffmpeg ran longer than its time limit of {timeout_seconds:g} s")
        if stopped_because is FFmpegCancelledError:
            raise FFmpegCancelledError("ffmpeg was stopped because the job was cancelled")
        if process.returncode != 0:
            raise FFmpegError(_describe_exit(process.returncode, _tail(stderr)))
