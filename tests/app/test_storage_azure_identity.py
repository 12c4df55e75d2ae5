"""The managed-identity path: a token credential against Azurite over HTTPS with ``--oauth basic``.

The SDK sends bearer tokens only over HTTPS, so this Azurite has a self-signed certificate the
client is told to trust. Azurite's basic OAuth checks the token's audience, issuer and lifetime.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from azure.core.credentials import AccessToken
from azure.identity.aio import DefaultAzureCredential

from momentloop_app.core.settings import Settings, load_settings
from momentloop_app.main import create_app
from momentloop_app.services.storage import create_storage_service
from momentloop_app.services.storage.azure_blob import AzureBlobStorageBackend
from tests.app.storage_support import lifespan_client, unique_prefix
from tests.fixtures.azurite import AzuriteServer

pytestmark = pytest.mark.anyio

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SIGNING_KEY = "azurite-basic-oauth-does-not-check-signatures"


class FakeManagedIdentity:
    """An AsyncTokenCredential handing out JWTs shaped like Entra ID's, recording the scopes asked."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        now = int(time.time())
        claims = {
            "aud": "https://storage.azure.com",
            "iss": f"https://sts.windows.net/{TENANT}/",
            "iat": now - 60,
            "nbf": now - 60,
            "exp": now + 3600,
            "oid": "00000000-0000-0000-0000-000000000001",
            "tid": TENANT,
        }
        return AccessToken(jwt.encode(claims, SIGNING_KEY, algorithm="HS256"), now + 3600)

    async def close(self) -> None:
        pass

    async def __aenter__(self) -> FakeManagedIdentity:
        return self

    async def __aexit__(self, *args: object) -> None:
        pass


def identity_settings(azurite_oauth: AzuriteServer) -> Settings:
    return load_settings(
        env_file=None,
        storage_backend="azure",
        azure_storage_account_url=azurite_oauth.account_url,
        azure_client_id="11111111-2222-3333-4444-555555555555",
    )


async def test_token_credential_end_to_end(azurite_oauth: AzuriteServer) -> None:
    credential = FakeManagedIdentity()
    settings = identity_settings(azurite_oauth)
    assert not settings.storage.create_containers  # with a managed identity the infrastructure creates them
    storage = create_storage_service(
        settings,
        credential=credential,
        client_options={"connection_verify": str(azurite_oauth.certificate), "retry_total": 0},
    )
    backend = storage.backend
    assert isinstance(backend, AzureBlobStorageBackend)
    assert backend.credential is credential

    # Stand in for the infrastructure: create the containers with the same identity.
    await backend.start(create_containers=True)
    app = create_app(settings, storage=storage)
    async with lifespan_client(app) as http:
        assert (await http.get("/readyz")).status_code == 200
        path = f"uploads/{unique_prefix()}/photo.jpg"
        await storage.save(path, b"\xff\xd8jpeg")
        response = await http.get(app.state.media_urls.url(path), headers={"Range": "bytes=2-"})
        assert (response.status_code, response.content) == (206, b"jpeg")
        assert [info.path for info in await storage.list(path.rsplit("/", 1)[0])] == [path]
        assert await storage.delete(path)
    assert ("https://storage.azure.com/.default",) in credential.scopes


async def test_a_refused_token_is_unavailable_not_a_crash(azurite_oauth: AzuriteServer) -> None:
    class WrongAudience(FakeManagedIdentity):
        async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            claims = {
                "aud": "https://example.invalid",
                "iss": "https://evil.invalid/",
                "exp": int(time.time()) + 60,
            }
            return AccessToken(jwt.encode(claims, SIGNING_KEY, algorithm="HS256"), int(time.time()) + 60)

    storage = create_storage_service(
        identity_settings(azurite_oauth),
        credential=WrongAudience(),
        client_options={"connection_verify": str(azurite_oauth.certificate), "retry_total": 0},
    )
    app = create_app(identity_settings(azurite_oauth), storage=storage)
    async with lifespan_client(app) as http:
        assert (await http.get("/readyz")).status_code == 503
        response = await http.get(app.state.media_urls.url("uploads/a.jpg"))  # a valid link
        assert response.status_code == 503
        assert response.json() == {"detail": "storage is unavailable"}


async def test_without_an_injected_credential_the_managed_identity_is_used(tmp_path: Path) -> None:
    settings = load_settings(
        env_file=None,
        storage_backend="azure",
        azure_storage_account_url="https://stexample.blob.core.windows.net/",
        azure_client_id="11111111-2222-3333-4444-555555555555",
    )
    storage = create_storage_service(settings)
    backend = storage.backend
    assert isinstance(backend, AzureBlobStorageBackend)
    assert isinstance(backend.credential, DefaultAzureCredential)
    await storage.aclose()  # no request was made: nothing left the machine
