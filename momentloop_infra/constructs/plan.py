"""The resolved stack for one profile: valid settings per construct, names, grants."""

from __future__ import annotations

from typing import Any

import attrs

from momentloop_infra.construct import Construct
from momentloop_infra.constructs.connection import Connection, RoleGrant
from momentloop_infra.model.names import ResourceName


@attrs.define
class Plan:
    """What every construct may read while it builds: the whole stack resolved for one profile."""

    profile: str
    settings: dict[str, Any]  # construct path -> its valid Settings
    names: dict[str, ResourceName]
    module_stems: dict[str, str]  # construct path -> module file stem
    connections: list[Connection]
    grants: list[RoleGrant] = attrs.Factory(list)  # from connections, plus each app's implied AcrPull

    _by_target: dict[int, list[RoleGrant]] = attrs.field(init=False, factory=dict)
    _to: dict[int, list[Connection]] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        # Indexed once: looking grants up per construct must stay linear in the stack's size.
        for grant in self.grants:
            self._by_target.setdefault(id(grant.target), []).append(grant)
        for connection in self.connections:
            self._to.setdefault(id(connection.target), []).append(connection)

    def settings_of(self, construct: Construct) -> Any:
        return self.settings[construct.node.path]

    def grants_on(self, target: Construct) -> list[RoleGrant]:
        return self._by_target.get(id(target), [])

    def connections_to(self, target: Construct) -> list[Connection]:
        return self._to.get(id(target), [])
