"""Role assignment resources read as grants: the role from its definition id, the app from the
module whose output is the principal id. Used for output folders (which hold no grant records)
and for assignments a construct emits outside its connections."""

from __future__ import annotations

import re
from collections.abc import Mapping

from momentloop_infra.model.role_catalogue import builtin_role_name
from momentloop_infra.review.snapshot import GrantRef, Instance, Snapshot
from momentloop_infra.review.values import Opaque

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
    return GrantRef(builtin_role_name(guid) or guid or "unknown role", paths.get(module, module), instance.path)


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
