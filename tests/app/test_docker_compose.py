"""docker-compose.yml (no Docker engine here): what it starts is consistent with the app and image."""

from __future__ import annotations

import importlib
import tomllib
from typing import Any

import yaml

from momentloop_app.db.engine import sqlalchemy_url
from tests.app.test_dockerfile import PORT, of
from tests.repo import REPO_ROOT as ROOT


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_backend_reaches_the_compose_database() -> None:
    services = compose()["services"]
    db_env = services["db"]["environment"]
    for name in ("backend", "worker"):
        url = sqlalchemy_url(services[name]["environment"]["DATABASE_URL"])
        assert (url.host, url.port, url.username, url.password, url.database) == (
            "db",
            5432,
            db_env["POSTGRES_USER"],
            db_env["POSTGRES_PASSWORD"],
            db_env["POSTGRES_DB"],
        )
        assert services[name]["environment"]["STORAGE_BACKEND"] == "local"
        assert len(services[name]["environment"]["JWT_SECRET"].split(":-", 1)[1].rstrip("}")) >= 32
    assert services["backend"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_images_commands_and_ports_exist() -> None:
    services = compose()["services"]
    assert services["backend"]["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    # Published on loopback only, to the port the image exposes.
    assert services["backend"]["ports"] == [f"127.0.0.1:{PORT}:{PORT}"]
    assert of("EXPOSE") == [str(PORT)]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    command = services["worker"]["command"][0]
    module, _, attribute = scripts[command].partition(":")
    assert callable(getattr(importlib.import_module(module), attribute))
