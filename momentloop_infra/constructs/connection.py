"""What a connection yields: role grants, environment variables and Key Vault secret references.

`ContainerApp.connect()` returns a `Connection`, so a user or a test can inspect what a
connection creates without synthesizing anything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.model.roles import Role

if TYPE_CHECKING:
    from momentloop_infra.constructs.base import AzureConstruct
    from momentloop_infra.constructs.container_app import ContainerApp

Access = Literal["read", "read_write"]


@attrs.frozen
class RoleGrant:
    """`principal`'s identity gets `role` on `target`."""

    role: Role
    principal: ContainerApp
    target: AzureConstruct[Any]

    def __str__(self) -> str:
        return f"{self.role.name} for {self.principal.node.path} on {self.target.node.path}"


@attrs.frozen
class EnvVar:
    """An environment variable of a container app: a value (literal or main.bicep expression),
    or a Key Vault secret surfaced through a Key Vault reference."""

    name: str
    value: Expr | str | None = None
    secret: str | None = None  # Key Vault secret name
    vault: AzureConstruct[Any] | None = None


@attrs.frozen
class Connection:
    source: ContainerApp
    target: AzureConstruct[Any]
    access: Access | None
    grants: tuple[RoleGrant, ...] = ()
    env: tuple[EnvVar, ...] = ()
    database_admin: bool = False  # PostgreSQL: the source's identity becomes an Entra administrator

    def __str__(self) -> str:
        return f"{self.source.node.path} -> {self.target.node.path}"
