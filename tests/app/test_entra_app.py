"""The whole app as the synthesizer configures it in Azure: PostgreSQL reached through
POSTGRES_HOST/POSTGRES_DATABASE/POSTGRES_USER with an Entra token as the password (the managed
identity is the one fake), Blob Storage through Azurite, real HTTP against a real server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from momentloop_app.db.engine import ENTRA_SCOPE
from tests.app.api_support import ApiServer, api_settings, running_api
from tests.app.media_samples import make_image
from tests.app.test_db_engine import FakeCredential
from tests.fixtures.azurite import AzuriteServer
from tests.fixtures.postgres import PostgresServer


@pytest.fixture
def entra_api(
    postgres_server: PostgresServer, azurite: AzuriteServer, tmp_path: Path
) -> Iterator[tuple[ApiServer, FakeCredential]]:
    # The identity's role, as `pgaadauth` would create it for an Entra administrator; it owns the
    # database, so the app applies its own migrations at start-up.
    role, token = f"id_backend_{uuid.uuid4().hex[:8]}", f"eyJ-{uuid.uuid4().hex}"
    postgres_server.psql(f"CREATE ROLE {role} LOGIN PASSWORD '{token}'")
    database = postgres_server.create_database()
    postgres_server.psql(f"ALTER DATABASE {database} OWNER TO {role}")
    credential = FakeCredential(tokens=[token])
    settings = api_settings(
        "azure",
        tmp_path=tmp_path,
        azurite=azurite,
        database_url=None,
        postgres_host=postgres_server.host,
        postgres_port=postgres_server.port,
        postgres_database=database,
        postgres_user=role,
        export_workers=0,
    )
    try:
        with running_api(settings, database_credential=credential) as server:
            yield server, credential
    finally:
        postgres_server.drop_database(database)
        postgres_server.psql(f"DROP ROLE {role}")


def test_the_app_runs_on_entra_tokens_end_to_end(entra_api: tuple[ApiServer, FakeCredential], tmp_path: Path) -> None:
    api, credential = entra_api
    with api.client() as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"storage": "ok", "database": "ok"}
    image = make_image(tmp_path, content_type="image/png")
    with api.client("alice") as client, image.open("rb") as handle:
        created = client.post("/api/moments", files={"file": ("moment.png", handle, "application/octet-stream")})
        assert created.status_code == 201, created.text
        listed = client.get("/api/moments").json()["items"]
    assert [m["id"] for m in listed] == [created.json()["id"]]
    assert created.json()["image_url"].startswith("/api/storage/uploads/")
    assert credential.scopes and all(scopes == (ENTRA_SCOPE,) for scopes in credential.scopes)
