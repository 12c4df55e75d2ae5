"""Connections, owned by their targets: what connecting to a construct yields (role grants,
environment variables, Key Vault references, work in the target's module, deployment order),
behind one small protocol.

A source (an app with an identity) calls `source.connect(target)`; the target, a `Connectable`,
answers with a `Connection`. The source knows no target kind, so a new connectable kind is one
new file: a construct that is also `Connectable`. `connect()` returns the `Connection`, so a
user or a test can inspect what it creates without synthesizing anything.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

import attrs

from momentloop_infra.bicep.expr import Expr
from momentloop_infra.construct import Node
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.roles import Role


class Target(Protocol):
    """The target of a connection, as the source sees it: where it is, its symbol, its outputs."""

    @property
    def node(self) -> Node: ...

    @property
    def symbol(self) -> str: ...

    def output(self, name: str) -> Expr: ...


class Principal(Protocol):
    """The source of a connection: a construct with its own user-assigned identity."""

    @property
    def node(self) -> Node: ...

    @property
    def symbol(self) -> str: ...

    @property
    def identity_symbol(self) -> str: ...

    def identity_output(self, name: str) -> Expr: ...


@attrs.frozen(repr=False)
class RoleGrant(FieldRepr):
    """`principal`'s identity gets `role` on `target`; emitted inside the target's module."""

    role: Role
    principal: Principal
    target: Target

    def __str__(self) -> str:
        return f"{self.role.name} for {self.principal.node.path} on {self.target.node.path}"


@attrs.frozen(repr=False)
class EnvVar(FieldRepr):
    """An environment variable of a container app: a value (literal or main.bicep expression),
    or a Key Vault secret surfaced through a Key Vault reference."""

    name: str
    value: Expr | str | None = None
    secret: str | None = None  # Key Vault secret name
    vault: Target | None = None  # the vault holding it
    vault_uri: Expr | None = None  # that vault's URI, as a main.bicep expression


@attrs.frozen(repr=False)
class Connection(FieldRepr):
    source: Principal
    target: Target
    access: str | None
    grants: tuple[RoleGrant, ...] = ()
    env: tuple[EnvVar, ...] = ()
    # What the target adds to its own module for this source beyond role grants, in words
    # (PostgreSQL: 'Entra administrator'); like a grant, it makes the source deploy after the target.
    in_target: tuple[str, ...] = ()

    @property
    def deploy_after_target(self) -> bool:
        return bool(self.grants or self.in_target)

    def __str__(self) -> str:
        return f"{self.source.node.path} -> {self.target.node.path}"


class Connectable:
    """Mixed into a construct that apps can connect to; it decides what a connection yields."""

    # The access levels `connect(target, access=...)` accepts, the default first; () takes none.
    access_levels: ClassVar[tuple[str, ...]] = ()
    # A generic Resource has no default role: connect() must name one (`role="..."`).
    needs_role: ClassVar[bool] = False

    def connection_from(self, source: Principal, access: str | None, env_name: str | None) -> Connection:
        """What connecting `source` to this construct yields; `access` is one of `access_levels`
        (or None when there are none), `env_name` the source's chosen name for the main variable."""
        raise NotImplementedError


def access_problem(target: Connectable, access: str | None) -> str | None:
    """Why `access` does not fit the target, or None."""
    levels = target.access_levels
    if access is None:
        return None
    if not levels:
        return f"a {type(target).__name__} takes no access argument; leave access out"
    if access not in levels:
        return f"access={access!r} is not one of {', '.join(map(repr, levels))}"
    return None
