"""The resolved stack for one profile: valid settings per construct, names, grants."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from momentloop_infra.model.names import ResourceName

if TYPE_CHECKING:
    from momentloop_infra.connections import Connection, RoleGrant
    from momentloop_infra.constructs.base import AzureConstruct
    from momentloop_infra.constructs.stack import Stack


@attrs.define
class Plan:
    stack: Stack
    profile: str
    settings: dict[str, Any]  # construct path -> its valid Settings
    names: dict[str, ResourceName]
    module_stems: dict[str, str]  # construct path -> module file stem
    connections: list[Connection]
    grants: list[RoleGrant] = attrs.Factory(list)  # from connections, plus each app's implied AcrPull

    def settings_of(self, construct: AzureConstruct[Any]) -> Any:
        return self.settings[construct.node.path]

    def grants_on(self, target: AzureConstruct[Any]) -> list[RoleGrant]:
        return [g for g in self.grants if g.target is target]

    def connections_to(self, target: AzureConstruct[Any]) -> list[Connection]:
        return [c for c in self.connections if c.target is target]

    def connections_from(self, source: AzureConstruct[Any]) -> list[Connection]:
        return [c for c in self.connections if c.source is source]
