"""create_app: what each storage mode mounts, health routes, extension points, and start-up."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from momentloop_app.api.routes.health import ReadinessCheck
from momentloop_app.main import create_app
from momentloop_app.services.storage import CONTAINERS
from tests.app.backend_process import refused_with_one_sentence, start_backend, stop, wait_until_serving
from tests.app.storage_support import lifespan_client, storage_settings, unique_prefix
from tests.fixtures.azurite import AzuriteServer
from tests.fixtures.network import free_port

pytestmark = pytest.mark.anyio


async def test_local_mode_serves_the_storage_folder(tmp_path: Path) -> None:
    app = create_app(storage_settings("local", tmp_path=tmp_path, azurite=None))
    async with lifespan_client(app) as http:
        storage = app.state.storage
        info = await storage.save("uploads/u1/photo.png", b"\x89PNG data")
        assert storage.url(info.path) == "/storage/uploads/u1/photo.png"
        url = app.state.media_urls.url(info.path)  # the signed link the API hands out
        assert url.startswith("/storage/uploads/u1/photo.png?expires=")
        response = await http.get(url)
        assert (response.status_code, response.content) == (200, b"\x89PNG data")
        assert response.headers["content-type"] == "image/png"
        ranged = await http.get(url, headers={"Range": "bytes=1-3"})
        assert (ranged.status_code, ranged.content) == (206, b"PNG")
        assert (await http.get(storage.url(info.path))).status_code == 403  # unsigned
        assert (await http.get(app.state.media_urls.url("uploads/u1/missing.png"))).status_code == 404
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
        # One folder per container (checked against the synthesized stack in test_storage_paths).
        assert sorted(p.name for p in (tmp_path / "storage").iterdir()) == sorted([".partial", *CONTAINERS])


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
        assert app.state.media_urls.url(path).startswith(f"/api/storage/{path}?expires=")
        assert (await http.get(app.state.media_urls.url(path))).content == b"png"
        assert (await http.get(storage.url(path))).status_code == 403  # unsigned
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


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"STORAGE_BACKEND": "azure"}, "STORAGE_BACKEND='azure' needs AZURE_STORAGE_ACCOUNT_URL"),
        ({"STORAGE_BACKEND": "s3"}, "STORAGE_BACKEND='s3' is invalid"),
    ],
)
def test_misconfiguration_stops_start_up_with_one_sentence(tmp_path: Path, env: dict[str, str], expected: str) -> None:
    process = start_backend(env, cwd=tmp_path, port=free_port())
    assert expected in refused_with_one_sentence(process, "momentloop: Invalid configuration: ")


def test_uvicorn_serves_the_module_level_app(tmp_path: Path) -> None:
    port = free_port()
    process = start_backend(
        {"STORAGE_BACKEND": "local", "STORAGE_LOCAL_ROOT": str(tmp_path / "media")}, cwd=tmp_path, port=port
    )
    try:
        wait_until_serving(process, f"http://127.0.0.1:{port}")
        response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert response.status_code == 200
        assert (tmp_path / "media" / "uploads").is_dir()
    finally:
        stop(process)
