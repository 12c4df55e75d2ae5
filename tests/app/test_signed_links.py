"""Signed media links: the signer itself, then both storage routes over real HTTP (a real uvicorn; local
disk for ``/storage/``, Azurite for the Azure-mode proxy ``/api/storage/``)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from momentloop_app.api.media_urls import MediaUrls
from momentloop_app.auth.media_links import MediaLinkSigner, derive_key
from momentloop_app.main import create_app
from momentloop_app.services.storage import StorageService
from tests.app.api_support import api_settings, running_api
from tests.app.media_samples import make_image
from tests.app.storage_support import BACKENDS, raw_get, storage_settings, unique_prefix
from tests.fixtures.azurite import AzuriteServer
from tests.fixtures.uvicorn_server import serving

SECRET = "signed-links-test-secret-of-32-bytes-or-more"
BODY = bytes(range(256)) * 40  # 10240 bytes
TTL = 3600


# -- the signer ----------------------------------------------------------------------------------


def query_of(signer: MediaLinkSigner, path: str) -> tuple[str, str]:
    values = parse_qs(signer.query(path))
    return values["expires"][0], values["signature"][0]


def test_a_link_is_valid_for_its_path_until_it_expires() -> None:
    now = [1_800_000_000.0]
    signer = MediaLinkSigner(SECRET, TTL, clock=lambda: now[0])
    expires, signature = query_of(signer, "videos/a.mp4")
    assert signer.is_valid("videos/a.mp4", expires, signature)
    assert not signer.is_valid("videos/b.mp4", expires, signature)
    assert not signer.is_valid("videos/a.mp4", str(int(expires) + 1), signature)
    assert not signer.is_valid("videos/a.mp4", expires, signature[:-1] + ("0" if signature[-1] != "0" else "1"))
    for missing in ((None, signature), (expires, None), ("", signature), (expires, "")):
        assert not signer.is_valid("videos/a.mp4", *missing)
    for bad_expires in ("-1", "1e10", " 1", "\uff11\uff12\uff13", "9" * 40):
        assert not signer.is_valid("videos/a.mp4", bad_expires, signature)
    assert not signer.is_valid("videos/a.mp4", expires, "é" * 64)
    now[0] = int(expires) + 1
    assert not signer.is_valid("videos/a.mp4", expires, signature)


def test_the_lifetime_is_the_setting_rounded_to_a_step_so_urls_repeat() -> None:
    now = [1_800_000_123.0]
    signer = MediaLinkSigner(SECRET, TTL, clock=lambda: now[0])
    first = signer.query("thumbnails/x.jpg")
    now[0] += 30
    assert signer.query("thumbnails/x.jpg") == first  # the browser cache sees the same URL
    expires, _ = query_of(signer, "thumbnails/x.jpg")
    assert TTL - 300 <= int(expires) - now[0] <= TTL


def test_the_key_is_derived_not_the_raw_secret() -> None:
    signer = MediaLinkSigner(SECRET, TTL)
    expires, signature = query_of(signer, "videos/a.mp4")
    assert derive_key(SECRET) != SECRET.encode()
    raw = hmac.new(SECRET.encode(), f"{expires}\nvideos/a.mp4".encode(), hashlib.sha256).hexdigest()
    assert raw != signature
    assert not signer.is_valid("videos/a.mp4", expires, raw)
    assert not MediaLinkSigner("another-secret-of-at-least-32-bytes!!", TTL).is_valid(
        "videos/a.mp4", expires, signature
    )


# -- over HTTP -----------------------------------------------------------------------------------


@dataclass
class Served:
    base_url: str
    storage: StorageService
    media_urls: MediaUrls
    path: str

    @property
    def url(self) -> str:
        return self.base_url + self.media_urls.url(self.path)

    def unsigned(self, path: str | None = None) -> str:
        return self.base_url + self.media_urls.storage.url(path or self.path)


@pytest.fixture(params=BACKENDS)
async def served(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Served]:
    azurite: AzuriteServer | None = request.getfixturevalue("azurite") if request.param == "azure" else None
    app = create_app(storage_settings(request.param, tmp_path=tmp_path, azurite=azurite, jwt_secret=SECRET))
    async with serving(app) as base_url:
        storage: StorageService = app.state.storage
        path = f"videos/{unique_prefix()}/clip one.mp4"
        await storage.save(path, BODY)
        yield Served(base_url, storage, app.state.media_urls, path)


@pytest.mark.anyio
async def test_a_signed_link_serves_the_file_with_ranges_validators_and_head(served: Served) -> None:
    prefix = "/storage/" if served.storage.kind == "local" else "/api/storage/"
    assert urlsplit(served.url).path.startswith(prefix + "videos/")
    async with httpx.AsyncClient() as client:  # no Authorization header: the link is the permission
        whole = await client.get(served.url)
        assert whole.status_code == 200 and whole.content == BODY
        etag = whole.headers["etag"]
        assert whole.headers["accept-ranges"] == "bytes"

        head = await client.head(served.url)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(BODY)) and head.headers["etag"] == etag

        part = await client.get(served.url, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == BODY[100:200]
        assert part.headers["content-range"] == f"bytes 100-199/{len(BODY)}"

        beyond = await client.get(served.url, headers={"Range": f"bytes={len(BODY) + 10}-"})
        assert beyond.status_code == 416

        cached = await client.get(served.url, headers={"If-None-Match": etag})
        assert cached.status_code == 304 and cached.content == b""


def _forged_queries(served: Served) -> dict[str, str]:
    signer = served.media_urls.signer
    expires, signature = query_of(signer, served.path)
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    _, other_signature = query_of(signer, "videos/another-file.mp4")
    past = MediaLinkSigner(SECRET, TTL, clock=lambda: time.time() - 3 * TTL)
    old_expires, old_signature = query_of(past, served.path)
    other_key = MediaLinkSigner("a-different-secret-of-32-bytes-or-more", TTL)
    return {
        "no signature": "",
        "expiry only": f"expires={expires}",
        "signature only": f"signature={signature}",
        "wrong signature": f"expires={expires}&signature={flipped}",
        "another file's signature": f"expires={expires}&signature={other_signature}",
        "expiry pushed later": f"expires={int(expires) + 3600}&signature={signature}",
        "expired": f"expires={old_expires}&signature={old_signature}",
        "another app's key": other_key.query(served.path),
    }


@pytest.mark.anyio
async def test_missing_wrong_or_expired_signatures_get_403_without_a_hint(served: Served) -> None:
    missing = served.unsigned(f"videos/{unique_prefix()}/nothing-here.mp4")
    async with httpx.AsyncClient() as client:
        reference = await client.get(missing)
        assert reference.status_code == 403
        for case, query in _forged_queries(served).items():
            for method in ("GET", "HEAD"):
                response = await client.request(method, f"{served.unsigned()}?{query}", headers={"Range": "bytes=0-9"})
                assert response.status_code == 403, (case, method)
                assert "etag" not in response.headers and "content-range" not in response.headers, case
            body = (await client.get(f"{served.unsigned()}?{query}")).content
            assert body == reference.content, case  # an existing file is refused exactly like a missing one
            assert BODY[:16] not in body
        assert set(reference.headers) - {"date"} == set((await client.get(served.unsigned())).headers) - {"date"}


@pytest.mark.anyio
async def test_a_valid_link_to_a_missing_file_is_a_plain_404(served: Served) -> None:
    gone = f"videos/{unique_prefix()}/deleted.mp4"
    async with httpx.AsyncClient() as client:
        response = await client.get(served.base_url + served.media_urls.url(gone))
    assert response.status_code == 404


@pytest.mark.anyio
async def test_traversal_is_refused_even_with_a_signature_for_it(served: Served) -> None:
    signer = served.media_urls.signer
    secret = f"uploads/{unique_prefix()}/secret.jpg"
    await served.storage.save(secret, b"private image")
    async with httpx.AsyncClient() as client:
        assert (await client.get(served.base_url + served.media_urls.url(secret))).content == b"private image"
    prefix = "/storage" if served.storage.kind == "local" else "/api/storage"
    for target in (
        f"videos/../{secret}",
        f"videos/%2e%2e/{secret}",
        f"videos/..%2f{secret}",
        "videos/../../../etc/passwd",
    ):
        signed_for_target = signer.query(target.replace("%2e", ".").replace("%2f", "/"))
        for query in ("", signed_for_target):
            status = await raw_get(served.base_url, f"{prefix}/{target}?{query}")
            assert status in (400, 403, 404), (target, query, status)


# -- the links the API hands out -----------------------------------------------------------------


def test_the_api_hands_out_signed_links_that_load_without_a_token(tmp_path: Path, migrated_database_url: str) -> None:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url, export_workers=0,
        media_link_ttl_seconds=600,
    )  # fmt: skip
    image = make_image(tmp_path)
    with running_api(settings) as api, api.client("alice") as client, httpx.Client(base_url=api.base_url) as browser:
        with image.open("rb") as handle:
            created = client.post("/api/moments", files={"file": ("a.png", handle, "application/octet-stream")})
        assert created.status_code == 201, created.text
        for key in ("image_url", "thumbnail_url"):
            url = urlsplit(created.json()[key])
            query = parse_qs(url.query)
            assert set(query) == {"expires", "signature"} and re.fullmatch(r"[0-9a-f]{64}", query["signature"][0])
            assert 600 - 60 <= int(query["expires"][0]) - time.time() <= 600
            loaded = browser.get(created.json()[key])  # what <img> does: no Authorization header
            assert loaded.status_code == 200 and loaded.content
            assert browser.get(url.path).status_code == 403
        assert browser.get(created.json()["image_url"]).content == image.read_bytes()
