"""The moments API over real HTTP, in local and Azure (Azurite) storage modes, with real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx
import jwt
import pytest

from momentloop_app.auth import mint_token
from momentloop_app.services.storage import StorageService
from tests.app.api_support import JWT_SECRET, ApiServer, api_settings, running_api
from tests.app.media_samples import make_image
from tests.app.storage_support import BACKENDS

MAX_UPLOAD = 300 * 1024


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path: Path, migrated_database_url: str) -> Iterator[ApiServer]:
    azurite = request.getfixturevalue("azurite") if request.param == "azure" else None
    settings = api_settings(
        request.param,
        tmp_path=tmp_path,
        azurite=azurite,
        database_url=migrated_database_url,
        max_upload_bytes=MAX_UPLOAD,
        export_workers=0,
    )
    with running_api(settings) as server:
        yield server


def upload(client: httpx.Client, path: Path, *, filename: str | None = None) -> httpx.Response:
    with path.open("rb") as handle:
        return client.post("/api/moments", files={"file": (filename or path.name, handle, "application/octet-stream")})


def blob_exists(api: ApiServer, path: str) -> bool:
    storage: StorageService = api.app.state.storage

    async def check() -> bool:
        # A fresh service on this loop (the server's own lives on the server's loop).
        from momentloop_app.services.storage import create_storage_service

        fresh = create_storage_service(api.settings)
        async with fresh.running():
            return await fresh.exists(path)

    assert storage.kind in ("local", "azure")
    return asyncio.run(check())


def storage_path(url: str) -> str:
    """``container/name`` of a media URL the API returned (its signed query dropped)."""
    return unquote(urlsplit(url).path.split("/storage/", 1)[1])


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/png", "image/webp"])
def test_upload_stores_image_and_thumbnail(api: ApiServer, tmp_path: Path, content_type: str) -> None:
    image = make_image(tmp_path, content_type=content_type, size="200x100")
    with api.client("alice") as client:
        response = upload(client, image, filename="holiday.txt")  # the name does not decide the type
        assert response.status_code == 201, response.text
        body = response.json()
        assert set(body) == {"id", "image_url", "thumbnail_url", "content_type", "size", "created_at"}
        assert body["content_type"] == content_type
        assert body["size"] == image.stat().st_size
        prefix = "/storage/" if api.settings.storage.storage_backend == "local" else "/api/storage/"
        assert body["image_url"].startswith(prefix + "uploads/")
        assert body["thumbnail_url"].startswith(prefix + "thumbnails/")
        stored = client.get(body["image_url"])
        assert stored.status_code == 200 and stored.content == image.read_bytes()
        thumb = client.get(body["thumbnail_url"])
        assert thumb.status_code == 200 and thumb.content[:3] == b"\xff\xd8\xff"
        assert client.get(f"/api/moments/{body['id']}").json() == body


def test_requests_without_a_valid_token_are_refused(api: ApiServer, tmp_path: Path) -> None:
    image = make_image(tmp_path)
    expired = mint_token("alice", JWT_SECRET, ttl_seconds=1, now=time.time() - 10)
    forged = mint_token("alice", "another-secret-that-is-also-32-bytes")
    no_sub = jwt.encode({"exp": int(time.time()) + 60}, JWT_SECRET, algorithm="HS256")
    with httpx.Client(base_url=api.base_url) as client:
        for headers in (
            {},
            {"Authorization": f"Bearer {expired}"},
            {"Authorization": f"Bearer {forged}"},
            {"Authorization": f"Bearer {no_sub}"},
            {"Authorization": "Basic abc"},
        ):
            assert client.get("/api/moments", headers=headers).status_code == 401
            assert client.get("/api/exports/00000000-0000-0000-0000-000000000000", headers=headers).status_code == 401
            with image.open("rb") as handle:
                response = client.post("/api/moments", headers=headers, files={"file": ("a.jpg", handle)})
            assert response.status_code == 401
            assert response.headers["www-authenticate"] == "Bearer"


def test_bad_uploads_are_refused_and_store_nothing(api: ApiServer, tmp_path: Path) -> None:
    text_file = tmp_path / "photo.jpg"
    text_file.write_text("this is not an image")
    fake_jpeg = tmp_path / "fake.jpg"
    fake_jpeg.write_bytes(b"\xff\xd8\xff" + b"\x00" * 500)
    big = tmp_path / "big.png"
    big.write_bytes(make_image(tmp_path, content_type="image/png", size="32x32").read_bytes() + b"\0" * MAX_UPLOAD)
    with api.client("alice") as client:
        assert upload(client, text_file).status_code == 415
        assert upload(client, fake_jpeg).status_code == 415
        assert upload(client, big).status_code == 413

        def chunked() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while streaming
            boundary = b"xyz"
            yield b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
            yield big.read_bytes()
            yield b"\r\n--" + boundary + b"--\r\n"

        response = client.post(
            "/api/moments", content=chunked(), headers={"Content-Type": "multipart/form-data; boundary=xyz"}
        )
        assert response.status_code == 413
        assert client.post("/api/moments", data={"other": "x"}).status_code == 400
        assert (
            client.post("/api/moments", content=b"{}", headers={"Content-Type": "application/json"}).status_code == 400
        )
        assert client.get("/api/moments").json() == {"items": [], "next_cursor": None}


def test_list_is_newest_first_with_a_cursor(api: ApiServer, tmp_path: Path) -> None:
    image = make_image(tmp_path)
    with api.client("alice") as alice, api.client("bob") as bob:
        ids = [upload(alice, image).json()["id"] for _ in range(5)]
        upload(bob, image)
        seen: list[str] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, str | int] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = alice.get("/api/moments", params=params).json()
            seen += [item["id"] for item in page["items"]]
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == list(reversed(ids))
        assert pages == 3
        assert alice.get("/api/moments", params={"cursor": "not-a-cursor"}).status_code == 400
        assert alice.get("/api/moments", params={"limit": 0}).status_code == 422
        assert len(bob.get("/api/moments").json()["items"]) == 1


def test_other_users_moments_do_not_exist_for_them(api: ApiServer, tmp_path: Path) -> None:
    image = make_image(tmp_path)
    with api.client("alice") as alice, api.client("mallory") as mallory:
        moment = upload(alice, image).json()
        assert mallory.get(f"/api/moments/{moment['id']}").status_code == 404
        assert mallory.delete(f"/api/moments/{moment['id']}").status_code == 404
        assert mallory.post("/api/exports", json={"moment_ids": [moment["id"]]}).status_code == 404
        assert alice.get(f"/api/moments/{moment['id']}").status_code == 200
        assert alice.get("/api/moments/not-a-uuid").status_code == 404


def test_delete_removes_the_row_and_its_blobs(api: ApiServer, tmp_path: Path) -> None:
    image = make_image(tmp_path)
    with api.client("alice") as client:
        moment = upload(client, image).json()
        paths = [storage_path(moment["image_url"]), storage_path(moment["thumbnail_url"])]
        assert all(blob_exists(api, path) for path in paths)
        assert client.delete(f"/api/moments/{moment['id']}").status_code == 204
        assert client.get(f"/api/moments/{moment['id']}").status_code == 404
        assert not any(blob_exists(api, path) for path in paths)
        assert client.get(moment["image_url"]).status_code == 404
        assert client.delete(f"/api/moments/{moment['id']}").status_code == 404


def test_readiness_includes_the_database(api: ApiServer) -> None:
    with api.client() as client:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"storage": "ok", "database": "ok"}
