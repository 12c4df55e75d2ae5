"""A real uvicorn server on a loopback port running `create_app`, for the moments and exports tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from momentloop_app.auth import mint_token
from momentloop_app.core.settings import Settings
from momentloop_app.main import create_app
from tests.app.storage_support import storage_settings
from tests.fixtures.azurite import AzuriteServer
from tests.fixtures.uvicorn_server import serving_in_thread

JWT_SECRET = "test-secret-that-is-at-least-32-bytes-long"


@dataclass
class ApiServer:
    base_url: str
    settings: Settings
    app: Any

    def token(self, user_id: str) -> str:
        return mint_token(user_id, JWT_SECRET)

    def client(self, user_id: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(user_id)}"} if user_id else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30, **kwargs)

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://")


def api_settings(
    backend: str, *, tmp_path: Path, azurite: AzuriteServer | None, database_url: str, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "jwt_secret": JWT_SECRET,
        "export_width": 160,
        "export_height": 120,
        "export_fps": 10,
        "export_seconds_per_image": 0.5,
        "export_preset": "ultrafast",
        "job_poll_seconds": 0.1,
        "thumbnail_max_side": 64,
    }
    values.update(overrides)
    return storage_settings(backend, tmp_path=tmp_path, azurite=azurite, **values)


@contextmanager
def running_api(settings: Settings, *, database_credential: Any = None) -> Iterator[ApiServer]:
    app = create_app(settings, database_credential=database_credential)
    with serving_in_thread(app) as base_url:
        server = ApiServer(base_url=base_url, settings=settings, app=app)
        with server.client() as client:  # the database connects (and migrates) in the background
            wait_for(lambda: client.get("/readyz").json()["checks"].get("database") == "ok")
        yield server


def wait_for(predicate: Any, *, timeout: float = 30, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
