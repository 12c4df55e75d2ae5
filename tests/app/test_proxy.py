"""The storage proxy ``/api/storage/{path}``: headers, ranges, validators and errors, over both backends.

In production only Azure mode mounts the proxy; it is backend-agnostic, so the same suite also runs
it over local disk to prove both backends answer alike. Requests carry signed links (what the API
hands out); unsigned and forged ones are covered in test_signed_links.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import anyio
import httpx
import pytest

from momentloop_app.api.routes import storage_proxy
from momentloop_app.core.settings import load_settings
from momentloop_app.main import create_app
from momentloop_app.services.storage import StorageService
from momentloop_app.services.storage.azure_blob import AzureBlobStorageBackend
from tests.app.storage_support import (
    BACKENDS,
    lifespan_client,
    raw_get,
    storage_settings,
    unique_prefix,
)
from tests.fixtures.azurite import AzuriteServer
from tests.fixtures.network import free_port
from tests.fixtures.uvicorn_server import serving

pytestmark = pytest.mark.anyio

BODY = bytes(range(256)) * 40  # 10240 bytes


@pytest.fixture(params=BACKENDS)
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    azurite: AzuriteServer | None = request.getfixturevalue("azurite") if request.param == "azure" else None
    app = create_app(storage_settings(request.param, tmp_path=tmp_path, azurite=azurite))
    if request.param == "local":
        app.include_router(storage_proxy.router)
    async with lifespan_client(app) as http:
        yield http


def signed(app: Any, path: str, prefix: str = "/api/storage") -> str:
    """The signed link to ``path`` (signed over its decoded form, as the route sees it)."""
    return f"{prefix}/{path}?{app.state.media_urls.signer.query(unquote(path))}"


@pytest.fixture
def link(client: httpx.AsyncClient) -> Callable[[str], str]:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    return lambda path: signed(transport.app, path)


@pytest.fixture
def storage(client: httpx.AsyncClient) -> StorageService:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    service: StorageService = transport.app.state.storage  # type: ignore[attr-defined]
    return service


@pytest.fixture
async def stored(storage: StorageService) -> str:
    path = f"videos/{unique_prefix()}/clip.mp4"
    await storage.save(path, BODY)
    return path


async def test_get_streams_the_file_with_its_headers(
    client: httpx.AsyncClient, link: Callable[[str], str], stored: str, storage: StorageService
) -> None:
    info = await storage.stat(stored)
    response = await client.get(link(stored))
    assert response.status_code == 200
    assert response.content == BODY
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-length"] == str(len(BODY))
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"] == info.etag
    assert response.headers["last-modified"] == format_datetime(info.last_modified, usegmt=True)
    assert response.headers["cache-control"] == "private, max-age=3600"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_head_has_the_headers_and_no_body(
    client: httpx.AsyncClient, link: Callable[[str], str], stored: str
) -> None:
    get = await client.get(link(stored))
    head = await client.head(link(stored))
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "content-length", "etag", "last-modified", "accept-ranges", "cache-control"):
        assert head.headers[name] == get.headers[name], name


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-0", 0, 0),
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 10239),
        ("bytes=-10", 10230, 10239),
        ("bytes=-999999", 0, 10239),
        ("bytes=10000-20000", 10000, 10239),
        ("bytes = 5 - 9", 5, 9),
    ],
)
async def test_single_byte_ranges(
    client: httpx.AsyncClient, link: Callable[[str], str], stored: str, header: str, start: int, end: int
) -> None:
    response = await client.get(link(stored), headers={"Range": header})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {start}-{end}/{len(BODY)}"
    assert response.headers["content-length"] == str(end - start + 1)
    assert response.content == BODY[start : end + 1]


async def test_head_with_a_range(client: httpx.AsyncClient, link: Callable[[str], str], stored: str) -> None:
    response = await client.head(link(stored), headers={"Range": "bytes=10-19"})
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes 10-19/{len(BODY)}"
    assert response.headers["content-length"] == "10"


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
async def test_unsatisfiable_ranges(
    client: httpx.AsyncClient, link: Callable[[str], str], stored: str, header: str
) -> None:
    response = await client.get(link(stored), headers={"Range": header})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(BODY)}"


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=9-3", "items=0-1", "bytes=abc", "bytes=-"])
async def test_ranges_that_are_ignored(
    client: httpx.AsyncClient, link: Callable[[str], str], stored: str, header: str
) -> None:
    response = await client.get(link(stored), headers={"Range": header})
    assert response.status_code == 200
    assert response.content == BODY


async def test_if_range(client: httpx.AsyncClient, link: Callable[[str], str], stored: str) -> None:
    etag = (await client.head(link(stored))).headers["etag"]
    matching = await client.get(link(stored), headers={"Range": "bytes=0-3", "If-Range": etag})
    assert matching.status_code == 206
    stale = await client.get(link(stored), headers={"Range": "bytes=0-3", "If-Range": '"old"'})
    assert (stale.status_code, stale.content) == (200, BODY)


async def test_if_none_match(client: httpx.AsyncClient, link: Callable[[str], str], stored: str) -> None:
    etag = (await client.head(link(stored))).headers["etag"]
    for header in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        response = await client.get(link(stored), headers={"If-None-Match": header})
        assert response.status_code == 304, header
        assert response.content == b""
        assert response.headers["etag"] == etag
    changed = await client.get(link(stored), headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200


async def test_if_modified_since(client: httpx.AsyncClient, link: Callable[[str], str], stored: str) -> None:
    last_modified = (await client.head(link(stored))).headers["last-modified"]
    response = await client.get(link(stored), headers={"If-Modified-Since": last_modified})
    assert response.status_code == 304
    old = await client.get(link(stored), headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert old.status_code == 200


async def test_content_type_is_guessed_when_stored_as_octet_stream(
    client: httpx.AsyncClient, link: Callable[[str], str], storage: StorageService
) -> None:
    path = f"thumbnails/{unique_prefix()}/thumb.webp"
    await storage.save(path, b"RIFF", content_type="application/octet-stream")
    response = await client.get(link(path))
    assert response.headers["content-type"] == "image/webp"


async def test_empty_file(client: httpx.AsyncClient, link: Callable[[str], str], storage: StorageService) -> None:
    path = f"uploads/{unique_prefix()}/empty.txt"
    await storage.save(path, b"")
    response = await client.get(link(path))
    assert (response.status_code, response.content, response.headers["content-length"]) == (200, b"", "0")
    ranged = await client.get(link(path), headers={"Range": "bytes=0-"})
    assert ranged.status_code == 416


@pytest.mark.parametrize(
    "path",
    ["uploads/missing.jpg", "secrets/a.jpg", "Uploads/a.jpg", ".partial/a", "uploads/a/missing/b.png"],
)
async def test_missing_files_and_unknown_containers_are_404(
    client: httpx.AsyncClient, link: Callable[[str], str], path: str
) -> None:
    response = await client.get(link(path))
    assert response.status_code == 404
    assert response.json() == {"detail": "not found"}


@pytest.mark.parametrize(
    "path",
    [
        "uploads/%2e%2e/%2e%2e/etc/passwd",
        "uploads/a/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "uploads/..%2f..%2fetc%2fpasswd",
        "uploads/a%5c..%5c..%5cetc",
        "uploads/a%00.jpg",
        "%2fetc/passwd",
        "uploads//etc/passwd",
        "uploads/" + "a" * 1100,
        "",
        "uploads",
    ],
)
async def test_unsafe_paths_are_refused(client: httpx.AsyncClient, link: Callable[[str], str], path: str) -> None:
    response = await client.get(link(path))
    assert response.status_code in (400, 404)
    assert "root:" not in response.text


async def test_unsafe_raw_paths_through_a_real_server(tmp_path: Path) -> None:
    """Literal `..` never reaches a file outside the containers, even sent byte for byte."""
    settings = storage_settings("local", tmp_path=tmp_path, azurite=None)
    (tmp_path / "secret.txt").write_text("root:secret")
    app = create_app(settings)
    app.include_router(storage_proxy.router)
    async with serving(app) as url:
        for raw in (
            "/api/storage/uploads/../../secret.txt",
            "/api/storage/uploads/../secret.txt",
            "/api/storage/../secret.txt",
            "/api/storage/uploads/%2e%2e/%2e%2e/secret.txt",
            "/api/storage/uploads/..\\..\\secret.txt",
            "/storage/uploads/../../secret.txt",
            "/storage/uploads/%2e%2e/%2e%2e/secret.txt",
            "/storage/.partial/x",
        ):
            assert await raw_get(url, raw) == (404 if ".partial" in raw else 403), raw  # unsigned: refused first
            prefix, _, path = raw.partition("/storage/")
            signed_raw = signed(app, path, prefix=prefix + "/storage")
            assert await raw_get(url, signed_raw) in (400, 404), signed_raw  # signed: still no way out


async def test_storage_unavailable_is_503_without_internals(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}/devstoreaccount1"
    settings = load_settings(
        env_file=None,
        storage_backend="azure",
        azure_storage_connection_string=f"BlobEndpoint={dead};AccountName=devstoreaccount1;AccountKey=a2V5",
    )
    backend = AzureBlobStorageBackend.from_connection_string(
        settings.storage.azure_storage_connection_string or "", retry_total=0, connection_timeout=2
    )
    app = create_app(settings, storage=StorageService(backend))
    async with lifespan_client(app) as http:
        response = await http.get(signed(app, "uploads/a.jpg"))
        assert response.status_code == 503
        assert response.json() == {"detail": "storage is unavailable"}
        assert response.headers["retry-after"] == "5"
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "checks": {"storage": "unavailable"}}
        assert "127.0.0.1" not in ready.text
        assert (await http.get("/healthz")).status_code == 200


async def test_streams_a_large_file_and_concurrent_ranges_through_uvicorn(
    request: pytest.FixtureRequest, tmp_path: Path, azurite: AzuriteServer
) -> None:
    settings = storage_settings("azure", tmp_path=tmp_path, azurite=azurite, storage_azure_block_bytes=256 * 1024)
    app = create_app(settings)
    size = 3 * 1024 * 1024 + 123
    body = bytes((i * 7) % 256 for i in range(size))
    path = f"videos/{unique_prefix()}/big.mp4"
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as http:
        await app.state.storage.save(path, [body[i : i + 100_000] for i in range(0, size, 100_000)])
        digest = hashlib.sha256()
        async with http.stream("GET", signed(app, path)) as response:
            assert response.status_code == 200
            async for chunk in response.aiter_bytes():
                digest.update(chunk)
        assert digest.hexdigest() == hashlib.sha256(body).hexdigest()

        failures: list[str] = []

        async def fetch(index: int) -> None:
            start = (index * 65_537) % size
            end = min(size - 1, start + 4096 + index)
            response = await http.get(signed(app, path), headers={"Range": f"bytes={start}-{end}"})
            if response.status_code != 206 or response.content != body[start : end + 1]:
                failures.append(f"{index}: {response.status_code}")

        async with anyio.create_task_group() as group:
            for index in range(40):
                group.start_soon(fetch, index)
        assert failures == []


async def test_abandoned_streams_do_not_break_the_server(tmp_path: Path, azurite: AzuriteServer) -> None:
    settings = storage_settings("azure", tmp_path=tmp_path, azurite=azurite, storage_azure_block_bytes=128 * 1024)
    app = create_app(settings)
    path = f"videos/{unique_prefix()}/long.mp4"
    body = bytes(range(256)) * 8192  # 2 MiB
    async with serving(app) as url:
        await app.state.storage.save(path, body)
        for _ in range(10):
            async with httpx.AsyncClient(base_url=url) as http, http.stream("GET", signed(app, path)) as response:
                assert response.status_code == 200
                async for _chunk in response.aiter_raw():
                    break  # the viewer skips away: the connection closes mid-body
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.get(signed(app, path))
            assert response.content == body
            assert (await http.get("/readyz")).status_code == 200
