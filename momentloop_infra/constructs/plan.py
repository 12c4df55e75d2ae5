"""The resolved stack for one profile: valid settings per construct, names, grants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

from momentloop_infra.construct import Construct
from momentloop_infra.constructs.connection import Connection, RoleGrant
from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.model.names import ResourceName

# Role assignments one module holds (ARM allows 800 resources per template, every copy of a loop
# counted, and a module past 200 principals grants each role in one loop). The grants on a target
# past this go to access modules beside the target's own, as many as needed.
MAX_GRANTS_PER_MODULE = 500
T = TypeVar("T")


@attrs.define(repr=False)
class Plan(FieldRepr):
    """What every construct may read while it builds: the whole stack resolved for one profile."""

    profile: str
    settings: dict[str, Any]  # construct path -> its valid Settings
    names: dict[str, ResourceName]
    module_stems: dict[str, str]  # construct path -> module file stem
    connections: list[Connection]
    grants: list[RoleGrant] = attrs.Factory(list)  # from connections, plus each app's implied AcrPull

    _by_target: dict[int, list[RoleGrant]] = attrs.field(init=False, factory=dict)
    _to: dict[int, list[Connection]] = attrs.field(init=False, factory=dict)
    _chunks: dict[int, list[list[RoleGrant]]] = attrs.field(init=False, factory=dict)
    _chunk_of: dict[tuple[int, int], int] = attrs.field(init=False, factory=dict)
    _worked_out: dict[tuple[object, ...], Any] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        # Indexed once: looking grants up per construct must stay linear in the stack's size.
        for grant in self.grants:
            self._by_target.setdefault(id(grant.target), []).append(grant)
        for connection in self.connections:
            self._to.setdefault(id(connection.target), []).append(connection)

    def settings_of(self, construct: Construct) -> Any:
        return self.settings[construct.node.path]

    def grants_on(self, target: object) -> list[RoleGrant]:  # any construct: looked up by identity
        return self._by_target.get(id(target), [])

    def grant_chunks(self, target: Construct) -> list[list[RoleGrant]]:
        """The grants on `target` in modules of at most MAX_GRANTS_PER_MODULE, a principal's grants
        together, in order: the first for the target's own module, each other for an access module."""
        found = self._chunks.get(id(target))
        if found is None:
            by_principal: dict[int, list[RoleGrant]] = {}
            for grant in self.grants_on(target):
                by_principal.setdefault(id(grant.principal), []).append(grant)
            found = [[]]
            for principal, grants in by_principal.items():
                if found[-1] and len(found[-1]) + len(grants) > MAX_GRANTS_PER_MODULE:
                    found.append([])
                found[-1].extend(grants)
                self._chunk_of[(id(target), principal)] = len(found) - 1
            self._chunks[id(target)] = found
        return found

    def once(self, key: tuple[object, ...], work: Callable[[], T]) -> T:
        """`work()`, worked out once per plan for `key`: what several constructs ask of another
        while they build (which access module holds an app's grants, say)."""
        if key not in self._worked_out:
            self._worked_out[key] = work()
        found: T = self._worked_out[key]
        return found

    def grant_chunk_of(self, target: Construct, principal: Construct) -> int:
        """Which of `grant_chunks(target)` holds `principal`'s grants (0: the target's own module)."""
        self.grant_chunks(target)
        return self._chunk_of.get((id(target), id(principal)), 0)

    def connections_to(self, target: Construct) -> list[Connection]:
        return self._to.get(id(target), [])
