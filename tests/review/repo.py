"""A throwaway git repository holding a small stack: commit it, change it, diff it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import attrs
from click.testing import CliRunner, Result

from momentloop_infra.cli import main

BASE = """\
from momentloop_infra import (
    BlobStore, ContainerApp, ContainerAppsEnvironment, ContainerRegistry, KeyVault, LogAnalytics, PostgresFlexible, Stack,
)

stack = Stack("shop")
logs = LogAnalytics(stack, "monitoring")
env = ContainerAppsEnvironment(stack, "env", logs=logs)
registry = ContainerRegistry(stack, "registry")
storage = BlobStore(stack, "storage", containers={containers})
vault = KeyVault(stack, "vault", secrets={secrets})
db = PostgresFlexible(
    stack, "postgres", database="shop", sku={sku!r}, geo_redundant_backup={geo},
    profiles={{"scale-up": {{"sku": "Standard_D2s_v3"}}}},
)
api = ContainerApp(stack, "api", environment=env, registry=registry, port=8000, ingress={ingress!r})
web = ContainerApp(stack, "web", environment=env, registry=registry, port=80)
api.connect(storage, access={access!r})
api.connect(vault)
api.connect(db)
web.connect(api)
{extra}
"""


@attrs.frozen
class StackText:
    containers: tuple[str, ...] = ("uploads", "exports")
    secrets: tuple[str, ...] = ("api-key",)
    sku: str = "Standard_B1ms"
    geo: bool = False
    ingress: str = "internal"
    access: str = "read"
    extra: str = ""

    def render(self) -> str:
        return BASE.format(
            containers=list(self.containers),
            secrets=list(self.secrets),
            sku=self.sku,
            geo=self.geo,
            ingress=self.ingress,
            access=self.access,
            extra=self.extra,
        )


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "test@example.com")
        self.git("config", "user.name", "Test")

    def git(self, *args: str) -> str:
        # Fixed dates: the same stack gives the same commit id, so reports can be snapshotted.
        env = {**os.environ, "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z"}
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True, text=True, env=env).stdout

    def write(self, stack: StackText) -> None:
        (self.root / "stack.py").write_text(stack.render(), encoding="utf-8")

    def commit(self, stack: StackText, message: str = "stack") -> None:
        self.write(stack)
        self.git("add", "stack.py")
        self.git("commit", "-q", "-m", message)

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(main, ["--app", "stack.py:stack", *args], catch_exceptions=False)
