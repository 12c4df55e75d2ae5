"""nginx as configured by frontend/nginx/default.conf.template (rendered the way the image renders
it) in front of the real backend: caching, SPA fallback, security headers, the proxied routes."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.stack import Stack
from tests.infra.support import REPO


@pytest.fixture(scope="module")
def client(e2e_stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=e2e_stack.url, timeout=30)


def asset_paths(client: httpx.Client) -> list[str]:
    return re.findall(r'(?:src|href)="(/assets/[^"]+)"', client.get("/").text)


def test_index_is_revalidated_and_hashed_assets_are_cached_for_a_year(client: httpx.Client) -> None:
    index = client.get("/")
    assert index.status_code == 200
    assert index.headers["cache-control"] == "no-cache"
    assets = asset_paths(client)
    assert any(path.endswith(".js") for path in assets) and any(path.endswith(".css") for path in assets)
    for path in assets:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable", path
    script = next(path for path in assets if path.endswith(".js"))
    zipped = client.get(script, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers.get("content-encoding") == "gzip"
    assert "javascript" in zipped.headers["content-type"]


def test_client_side_routes_fall_back_to_the_app_but_missing_assets_do_not(client: httpx.Client) -> None:
    route = client.get("/moments/some/deep/link")
    assert route.status_code == 200
    assert '<div id="root">' in route.text
    assert route.headers["cache-control"] == "no-cache"
    missing = client.get("/assets/not-built-0000.js")
    assert missing.status_code == 404
    assert "cache-control" not in missing.headers  # a miss must not be cached for a year


def test_security_headers_on_the_page_and_on_errors(client: httpx.Client) -> None:
    for response in (client.get("/"), client.get("/assets/not-built-0000.js")):
        csp = response.headers["content-security-policy"]
        directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["script-src"] == "'self'"  # no inline or eval'd script
        assert directives["connect-src"] == "'self'"  # API and the export WebSocket, same origin only
        assert directives["frame-ancestors"] == "'none'"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
        assert "server" not in response.headers or "/" not in response.headers["server"]  # no version


def test_api_is_proxied_with_the_backends_own_headers(client: httpx.Client) -> None:
    config = client.get("/api/auth/config")
    assert config.status_code == 200
    assert config.json() == {"google": False, "dev_sign_in": True}
    assert config.headers.get("cache-control", "") != "no-cache"
    assert client.get("/api/moments").status_code == 401  # the backend's answer, not nginx's


def test_a_body_over_nginxs_own_limit_is_refused_with_413(client: httpx.Client) -> None:
    """Over client_max_body_size nginx answers 413 itself (the page says "too large" whoever answers);
    below it the backend's limit applies."""
    token = client.post("/api/auth/dev", json={"name": "big@example.org"}).json()["token"]
    body = b"\xff\xd8\xff" + b"0" * (101 * 1024 * 1024)
    response = client.post(
        "/api/moments", headers={"Authorization": f"Bearer {token}"}, files={"file": ("big.jpg", body, "image/jpeg")}
    )
    assert response.status_code == 413
    assert "content-security-policy" in response.headers  # nginx's own error pages carry the headers too


def test_an_upload_over_the_backends_limit_gets_its_413_through_nginx_every_time(client: httpx.Client) -> None:
    """The backend answers before reading a too-large body; it drains the rest first, so nginx (still
    sending) relays the 413 with its JSON reason instead of a 502 from a reset connection."""
    token = client.post("/api/auth/dev", json={"name": "big@example.org"}).json()["token"]
    body = b"\xff\xd8\xff" + b"0" * (30 * 1024 * 1024)
    statuses = []
    for _ in range(6):
        response = client.post(
            "/api/moments",
            headers={"Authorization": f"Bearer {token}"},
            files={"file": ("big.jpg", body, "image/jpeg")},
        )
        statuses.append(response.status_code)
        if response.status_code == 413:
            assert "larger than" in response.json()["detail"]  # the backend's JSON, not nginx's page
    assert statuses == [413] * 6


def test_every_proxied_location_passes_the_forwarded_headers() -> None:
    # nginx inherits proxy_set_header from the server only into a block that sets none itself:
    # a block with its own (the WebSocket's Upgrade) must say the forwarded ones again.
    template = (REPO / "frontend" / "nginx" / "default.conf.template").read_text()
    blocks = re.findall(r"location [^{]+\{(.*?)\n    \}", template, flags=re.S)
    own = [block for block in blocks if "proxy_set_header" in block]
    assert own, "the WebSocket location sets headers of its own"
    for block in own:
        for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
            assert f"proxy_set_header {header} " in block, (header, block)
