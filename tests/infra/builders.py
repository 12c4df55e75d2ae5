"""Small stacks for tests, built the way a user writes them."""

from __future__ import annotations

from typing import Any

import attrs

from momentloop_infra import (
    BlobStore,
    ContainerApp,
    ContainerAppsEnvironment,
    ContainerRegistry,
    KeyVault,
    LogAnalytics,
    PostgresFlexible,
    Stack,
)


@attrs.define
class Base:
    stack: Stack
    env: ContainerAppsEnvironment
    registry: ContainerRegistry

    def app(self, id: str, **settings: Any) -> ContainerApp:
        return ContainerApp(self.stack, id, environment=self.env, registry=self.registry, **settings)

    def store(self, id: str = "store", **settings: Any) -> BlobStore:
        return BlobStore(self.stack, id, **{"containers": ["files"], **settings})

    def vault(self, id: str = "vault", **settings: Any) -> KeyVault:
        return KeyVault(self.stack, id, **{"secrets": ["api-key"], **settings})

    def db(self, id: str = "db", **settings: Any) -> PostgresFlexible:
        return PostgresFlexible(self.stack, id, **settings)


def base(name: str = "demo") -> Base:
    stack = Stack(name)
    logs = LogAnalytics(stack, "logs")
    env = ContainerAppsEnvironment(stack, "env", logs=logs)
    return Base(stack, env, ContainerRegistry(stack, "registry"))
