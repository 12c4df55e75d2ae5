"""create_app: what each storage mode mounts, health routes, extension points, and start-up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from momentloop_app.api.routes.health import ReadinessCheck
from momentloop_app.main import create_app
from tests.app.storage_support import lifespan_client, storage_settings, unique_prefix
from tests.fixtures.azurite import AzuriteServer, free_port

pytestmark = pytest.mark.anyio

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_local_mode_serves_the_storage_folder(tmp_path: Path) -> None:
    app = create_app(storage_settings("local", tmp_path=tmp_path, azurite=None))
    async with lifespan_client(app) as http:
        storage = app.state.storage
        info = await storage.save("uploads/u1/photo.png", b"\x89PNG data")
        url = storage.url(info.path)
        assert url == "/storage/uploads/u1/photo.png"
        response = await http.get(url)
        assert (response.status_code, response.content) == (200, b"\x89PNG data")
        assert response.headers["content-type"] == "image/png"
        ranged = await http.get(url, headers={"Range": "bytes=1-3"})
        assert (ranged.status_code, ranged.content) == (206, b"PNG")
        assert (await http.get("/storage/uploads/u1/missing.png")).status_code == 404
        assert (await http.get("/api/storage/uploads/u1/photo.png")).status_code == 404
        # Partial uploads live beside the containers and are never served.
        (tmp_path / "storage" / ".partial" / "x.part").write_bytes(b"partial")
        assert (await http.get("/storage/.partial/x.part")).status_code == 404
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()) == (200, {"status": "ready", "checks": {"storage": "ok"}})


async def test_local_mode_creates_the_containers(tmp_path: Path) -> None:
    app = create_app(storage_settings("local", tmp_path=tmp_path, azurite=None))
    async with lifespan_client(app):
        assert sorted(p.name for p in (tmp_path / "storage").iterdir()) == sorted(
            [".partial", "exports", "styled", "thumbnails", "uploads", "videos"]
        )


async def test_local_readiness_fails_when_the_folder_goes(tmp_path: Path) -> None:
    app = create_app(storage_settings("local", tmp_path=tmp_path, azurite=None))
    async with lifespan_client(app) as http:
        (tmp_path / "storage" / "videos").rmdir()
        assert (await http.get("/readyz")).status_code == 503


async def test_azure_mode_mounts_the_proxy(tmp_path: Path, azurite: AzuriteServer) -> None:
    app = create_app(storage_settings("azure", tmp_path=tmp_path, azurite=azurite))
    async with lifespan_client(app) as http:
        storage = app.state.storage
        path = f"uploads/{unique_prefix()}/photo.png"
        await storage.save(path, b"png")
        assert storage.url(path) == f"/api/storage/{path}"
        assert (await http.get(storage.url(path))).content == b"png"
        assert (await http.get(f"/storage/{path}")).status_code == 404
        assert (await http.get("/readyz")).status_code == 200


async def test_readiness_checks_are_a_list_others_extend(tmp_path: Path) -> None:
    app = create_app(storage_settings("local", tmp_path=tmp_path, azurite=None))

    async def database_down() -> None:
        raise ConnectionRefusedError("postgres at 10.0.0.4:5432 refused")

    app.state.readiness_checks.append(ReadinessCheck("database", database_down))
    async with lifespan_client(app) as http:
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "unavailable",
            "checks": {"storage": "ok", "database": "unavailable"},
        }
        assert "10.0.0.4" not in ready.text


def _uvicorn(env: dict[str, str], cwd: Path, port: int) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("STORAGE_", "AZURE_"))}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "momentloop_app.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env={**base, **env},
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"STORAGE_BACKEND": "azure"}, "STORAGE_BACKEND='azure' needs AZURE_STORAGE_ACCOUNT_URL"),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND='s3' is invalid"),
    ],
)
def test_misconfiguration_stops_start_up_with_one_sentence(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    process = _uvicorn(env, tmp_path, free_port())
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("momentloop: Invalid configuration: ")
    assert expected in lines[0]


def test_uvicorn_serves_the_module_level_app(tmp_path: Path) -> None:
    port = free_port()
    process = _uvicorn({"STORAGE_BACKEND": "local", "STORAGE_LOCAL_ROOT": str(tmp_path / "media")}, tmp_path, port)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        assert response.status_code == 200
        assert (tmp_path / "media" / "uploads").is_dir()
    finally:
        process.terminate()
        process.communicate(timeout=20)
