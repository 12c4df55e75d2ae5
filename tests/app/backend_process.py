"""The backend as a real process: `uvicorn momentloop_app.main:app` (or another console command),
with an environment holding only the settings a test gives it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from momentloop_app.core.settings import Settings


def clean_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without any backend setting, plus ``settings``."""
    names = {name.upper() for name in Settings.variables()}
    base = {key: value for key, value in os.environ.items() if key.upper() not in names}
    return {**base, **settings}


def start_backend(settings: dict[str, str], *, cwd: Path, port: int) -> subprocess.Popen[str]:
    return run_command(
        [sys.executable, "-m", "uvicorn", "momentloop_app.main:app", "--host", "127.0.0.1", "--port", str(port)],
        settings,
        cwd=cwd,
    )


def run_command(argv: list[str], settings: dict[str, str], *, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        argv, env=clean_environment(settings), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_until_serving(process: subprocess.Popen[str], base_url: str, *, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{base_url}/healthz", timeout=1)
            return
        except httpx.TransportError as error:
            if process.poll() is not None:
                stderr = process.communicate()[1]
                raise AssertionError(f"the backend exited with {process.returncode}: {stderr}") from error
            assert time.monotonic() < deadline, "the backend did not start"
            time.sleep(0.1)


def stop(process: subprocess.Popen[str]) -> str:
    """Stop the process; its stderr."""
    if process.poll() is None:
        process.terminate()
    try:
        return process.communicate(timeout=30)[1]
    except subprocess.TimeoutExpired:
        process.kill()
        return process.communicate()[1]


def refused_with_one_sentence(process: subprocess.Popen[str], prefix: str, *, timeout: float = 60) -> str:
    """The one stderr line of a process that must exit 2 at start-up (no traceback)."""
    _, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 2, stderr
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith(prefix), lines[0]
    return lines[0]
