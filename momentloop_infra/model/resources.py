"""Small factories for resource records, so every construct writes them the same way."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import attrs

from momentloop_infra.bicep.expr import Expr, ref
from momentloop_infra.bicep.functions import call
from momentloop_infra.model.api_versions import API_VERSIONS
from momentloop_infra.model.records import Param, Resource, ResourceLoop, Suppression
from momentloop_infra.model.roles import Role


def resource(
    symbol: str,
    type: str,
    body: Mapping[str, object],
    *,
    existing: bool = False,
    condition: Expr | None = None,
    depends_on: tuple[str, ...] = (),
    suppressions: tuple[Suppression, ...] = (),
    path: str = "",
) -> Resource:
    return Resource(symbol, type, API_VERSIONS[type], body, existing, condition, depends_on, suppressions, path)


_COMMON_PARAMS = (
    Param("name", "string", description="The resource name."),
    Param("location", "string", description="The Azure region."),
    Param("tags", "object", description="Tags applied to every resource of this module."),
)


def common_params() -> tuple[Param, ...]:
    """The parameters every module declares (records are immutable: one set serves them all)."""
    return _COMMON_PARAMS


@functools.cache
def _role_definition_id(role_guid: str) -> Expr:
    return call("subscriptionResourceId", "Microsoft.Authorization/roleDefinitions", role_guid)


def role_assignment(symbol: str, scope_symbol: str, principal: str | Expr, role: Role, path: str) -> Resource:
    """A role assignment on a resource of this module, named by guid(scope id, principal id, role id);
    `principal` is the parameter holding the principal id, or an expression reading it."""
    principal = ref(principal) if isinstance(principal, str) else principal
    return resource(
        symbol,
        "Microsoft.Authorization/roleAssignments",
        {
            "name": _assignment_name(scope_symbol, principal, role.guid),
            "scope": ref(scope_symbol),
            "properties": {
                "principalId": principal,
                "principalType": "ServicePrincipal",
                "roleDefinitionId": _role_definition_id(role.guid),
                "description": _description(role.name),
            },
        },
        path=path,
    )


def role_assignments(symbol: str, scope_symbol: str, over: str, count: int, role: Role, path: str) -> Resource:
    """`role` on a resource of this module for every principal id in the object parameter `over`
    (one copy per entry): named as `role_assignment` names each, so its copies are the same
    assignments one declaration each would make."""
    loop = ResourceLoop(over, count, "principal")
    one = role_assignment(symbol, scope_symbol, Expr(f"{loop.item}.value", frozenset({loop.item})), role, path)
    return attrs.evolve(one, loop=loop)


# Like targets of a large stack grant the same roles to the same positional parameters
# (`principal1Id`): one expression each, not one per assignment.
@functools.lru_cache(maxsize=16384)  # bounded: keyed by scope symbols, principals and roles
def _assignment_name(scope_symbol: str, principal: Expr, role_guid: str) -> Expr:
    return call("guid", ref(scope_symbol).prop("id"), principal, role_guid)


@functools.lru_cache(maxsize=1024)  # bounded: one per role
def _description(role_name: str) -> str:
    return f"{role_name}, granted by a momentloop connection."
