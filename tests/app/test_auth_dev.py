"""`GET /api/auth/config` and development sign-in (`POST /api/auth/dev`) over real HTTP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from tests.app.api_support import JWT_SECRET, ApiServer, api_settings, running_api

GOOGLE = {"google_client_id": "client-123.apps.example", "google_client_secret": "not-a-real-secret"}


@pytest.fixture
def api(tmp_path: Path, migrated_database_url: str) -> Iterator[ApiServer]:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url,
        export_workers=0, session_ttl_seconds=900,
    )  # fmt: skip
    with running_api(settings) as server:
        yield server


def test_without_google_only_development_sign_in_is_offered(api: ApiServer) -> None:
    with api.client() as client:
        response = client.get("/api/auth/config")
    assert response.status_code == 200
    assert response.json() == {"google": False, "dev_sign_in": True}


def test_development_sign_in_issues_a_session_token_the_api_accepts(api: ApiServer) -> None:
    with api.client() as client:
        response = client.post("/api/auth/dev", json={"name": "Alice Example"})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"token", "user_id", "expires_in"}
        assert body["expires_in"] == 900
        claims = jwt.decode(body["token"], JWT_SECRET, algorithms=["HS256"])
        assert claims["sub"] == body["user_id"]
        assert claims["exp"] - claims["iat"] == 900

        moments = client.get("/api/moments", headers={"Authorization": f"Bearer {body['token']}"})
        assert moments.status_code == 200, moments.text
        assert moments.json() == {"items": [], "next_cursor": None}
        assert client.get("/api/moments").status_code == 401


def test_the_user_id_follows_the_name_only(api: ApiServer) -> None:
    with api.client() as client:

        def user_id(name: str) -> str:
            response = client.post("/api/auth/dev", json={"name": name})
            assert response.status_code == 200, response.text
            return str(response.json()["user_id"])

        alice = user_id("Alice Example")
        assert user_id("  alice   EXAMPLE ") == alice  # case and spacing do not make another person
        assert user_id("alice@example.com") != alice
        assert user_id("Bob") != alice
        assert re.fullmatch(r"dev-[0-9a-f]{32}", alice)  # the name itself is not in the id


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": 42}, {"name": "x" * 321}])
def test_a_bad_name_is_refused_with_a_reason(api: ApiServer, body: dict[str, object]) -> None:
    with api.client() as client:
        response = client.post("/api/auth/dev", json=body)
    assert response.status_code == 422
    assert "name" in response.text


def test_with_google_configured_development_sign_in_is_off(tmp_path: Path, migrated_database_url: str) -> None:
    settings = api_settings(
        "local", tmp_path=tmp_path, azurite=None, database_url=migrated_database_url, export_workers=0,
        oidc_issuer="http://127.0.0.1:9/never-contacted", **GOOGLE,
    )  # fmt: skip
    with running_api(settings) as server, server.client() as client:
        assert client.get("/api/auth/config").json() == {"google": True, "dev_sign_in": False}
        response = client.post("/api/auth/dev", json={"name": "Mallory"})
        assert response.status_code == 404
        assert "development sign-in is off" in response.json()["detail"]
