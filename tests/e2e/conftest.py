"""The end-to-end stack, started once for the e2e tests: PostgreSQL, the backend, nginx, the build."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.media_samples import make_image
from tests.e2e.stack import Stack, require_tools, running_stack
from tests.fixtures.oidc_provider import OidcProvider
from tests.fixtures.postgres import PostgresServer
from tests.frontend.node_project import build

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def frontend_dist() -> Path:
    return build()


@pytest.fixture(scope="session")
def e2e_stack(postgres_server: PostgresServer, frontend_dist: Path) -> Iterator[Stack]:
    require_tools()
    database = postgres_server.create_database()
    try:
        with running_stack(postgres_server.url(database), frontend_dist) as stack:
            yield stack
    finally:
        postgres_server.drop_database(database)


@pytest.fixture(scope="session")
def google_stack(postgres_server: PostgresServer, frontend_dist: Path, oidc_provider: OidcProvider) -> Iterator[Stack]:
    """The stack with Google sign-in configured against a real OpenID Connect provider on loopback."""
    require_tools()
    database = postgres_server.create_database()
    try:
        with running_stack(postgres_server.url(database), frontend_dist, google_issuer=oidc_provider.issuer) as stack:
            yield stack
    finally:
        postgres_server.drop_database(database)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go: $E2E_ARTIFACTS, or tests/e2e/artifacts (git-ignored)."""
    folder = Path(os.environ.get("E2E_ARTIFACTS") or HERE / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def three_images(tmp_path: Path) -> list[Path]:
    """Three real images the backend must decode and thumbnail: two JPEGs and a PNG."""
    return [
        make_image(tmp_path, content_type="image/jpeg", size="800x600", color="tomato", name="sunset.jpg"),
        make_image(tmp_path, content_type="image/png", size="640x480", color="seagreen", name="forest.png"),
        make_image(tmp_path, content_type="image/jpeg", size="600x800", color="steelblue", name="lake.jpg"),
    ]
