"""Every Azure built-in role by name: the catalogue is package data (data/azure-roles.json,
from Microsoft Learn's list of built-in roles), loaded on first use."""

from __future__ import annotations

import difflib
import json
from functools import cache

from momentloop_infra.model.package_data import data_text
from momentloop_infra.model.roles import Role


@cache
def _catalogue() -> tuple[dict[str, Role], dict[str, str]]:
    text = data_text("azure-roles.json")
    data = json.loads(text)
    by_name = {entry["name"]: Role(entry["name"], entry["id"]) for entry in data["roles"]}
    return by_name, dict(data.get("renamed", {}))


def builtin_role(name: str) -> Role | None:
    """The built-in role of that exact name (a former name maps to the current one), or None."""
    roles, renamed = _catalogue()
    return roles.get(renamed.get(name, name))


@cache
def _names_by_id() -> dict[str, str]:
    roles, _ = _catalogue()
    return {role.guid: role.name for role in roles.values()}


def builtin_role_name(role_id: str) -> str | None:
    """The name of the built-in role with that id (a GUID), or None."""
    return _names_by_id().get(role_id)


@cache
def _data_plane_roles() -> dict[str, str]:
    """Role names of data planes with access control of their own (not Azure RBAC), and how each
    is assigned: with a child Resource of the account or cache, reading `app.principal_id`."""
    data = json.loads(data_text("azure-roles.json"))
    cosmos = {
        entry["name"]: (
            "is an Azure Cosmos DB data-plane role, not an Azure RBAC role: assign it with a child "
            "Resource of the account of type 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments' "
            f"(roleDefinitionId: the account's id + '/sqlRoleDefinitions/{entry['id']}', "
            "principalId: app.principal_id, scope: the account's id)"
        )
        for entry in data.get("cosmos_sql_roles", {}).get("roles", [])
    }
    redis = {
        policy: (
            "is an Azure Cache for Redis access policy, not an Azure RBAC role: assign it with a child "
            "Resource of the cache of type 'Microsoft.Cache/redis/accessPolicyAssignments' "
            f"(accessPolicyName: {policy!r}, objectId: app.principal_id, objectIdAlias: a name for it)"
        )
        for policy in data.get("redis_access_policies", {}).get("policies", [])
    }
    return {**cosmos, **redis}


def unknown_role_message(name: object) -> str:
    """Why `name` names no built-in role, with the closest names."""
    roles, _ = _catalogue()
    if not isinstance(name, str):
        return "give the name of an Azure built-in role, e.g. 'Azure Service Bus Data Sender'"
    data_plane = _data_plane_roles().get(name)
    if data_plane is not None:
        return data_plane
    folded = {role.lower(): role for role in roles}
    if name.lower() in folded:
        return f"role names are case-sensitive; did you mean {folded[name.lower()]!r}?"
    close = difflib.get_close_matches(name, list(roles), n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    return f"is not an Azure built-in role{hint}"
