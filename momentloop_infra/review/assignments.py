"""Role assignment resources read as grants: the role from its definition id, the app from the
module whose output is the principal id. Used for output folders (which hold no grant records)
and for assignments a construct emits outside its connections."""

from __future__ import annotations

import re
from collections.abc import Mapping

from momentloop_infra.model import roles
from momentloop_infra.review.snapshot import GrantRef, Instance, Snapshot
from momentloop_infra.review.values import Opaque

# Built-in roles by id (azure-facts §2), beside the ones the library grants.
ROLE_NAMES: dict[str, str] = {
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
    "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
    "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
    "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "21090545-7ca7-4776-b22c-e363652d74d2": "Key Vault Reader",
    "8311e382-0749-4cb8-b61a-304f252e45ec": "AcrPush",
    **{r.guid: r.name for r in vars(roles).values() if isinstance(r, roles.Role)},
}
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def grant_of(instance: Instance, paths: Mapping[str, str]) -> GrantRef | None:
    """The grant a roleAssignments instance makes; `paths` maps module symbols to construct paths."""
    if instance.type != "Microsoft.Authorization/roleAssignments":
        return None
    props = instance.body.get("properties")
    if not isinstance(props, Mapping):
        return None
    found = _GUID.findall(str(props.get("roleDefinitionId")))
    guid = found[-1] if found else ""
    principal = props.get("principalId")
    module = principal.text.split(".")[0] if isinstance(principal, Opaque) else str(principal)
    return GrantRef(ROLE_NAMES.get(guid, guid or "unknown role"), paths.get(module, module), instance.path)


def assignment_grants(snapshot: Snapshot) -> tuple[GrantRef, ...]:
    """Every role assignment in `snapshot` read as a grant (the only grants an output folder has)."""
    paths = {i.module: i.path for i in snapshot.instances.values() if i.module}
    found = {g for g in (grant_of(i, paths) for i in snapshot.instances.values()) if g is not None}
    return tuple(sorted(found, key=str))


def with_assignment_grants(snapshot: Snapshot) -> Snapshot:
    """`snapshot` whose grants also hold the role assignments no grant record accounts for (a
    construct's own, outside its connections), so that a stack compares alike with its output folder."""
    grants = tuple(sorted(set(snapshot.grants) | set(assignment_grants(snapshot)), key=str))
    return Snapshot(snapshot.stack, snapshot.profile, snapshot.instances, grants, snapshot.source)
