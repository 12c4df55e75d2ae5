"""Role assignment resources read as grants: the role from its definition id, the app from the
module whose output is the principal id. Used for output folders (which hold no grant records)
and for assignments a construct emits outside its connections."""

from __future__ import annotations

import re
from collections.abc import Mapping

from momentloop_infra.model.role_catalogue import builtin_role_name
from momentloop_infra.review.snapshot import ROLE_ASSIGNMENTS, GrantRef, Instance, Snapshot, module_paths
from momentloop_infra.review.values import Opaque

_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def grant_of(
    instance: Instance, paths: Mapping[str, str], instances: Mapping[str, Instance] | None = None
) -> GrantRef | None:
    """The grant a roleAssignments instance makes; `paths` maps module symbols to construct paths.
    With `instances` (its snapshot's), the target is the resource the assignment is scoped to (a
    child Resource has a path of its own); else the construct owning the module."""
    if instance.type != ROLE_ASSIGNMENTS:
        return None
    props = instance.body.get("properties")
    if not isinstance(props, Mapping):
        return None
    found = _GUID.findall(str(props.get("roleDefinitionId")))
    guid = found[-1] if found else ""
    principal = props.get("principalId")  # `app_7Identity.outputs.principalId`, resolved through any group
    module = principal.text.split(".")[0] if isinstance(principal, Opaque) else str(principal)
    target = instance.path
    scope = instance.body.get("scope")
    if instances is not None and isinstance(scope, Opaque):
        scoped = instances.get(f"{instance.module}.{scope.text}" if instance.module else scope.text)
        target = scoped.path if scoped is not None else target
    return GrantRef(builtin_role_name(guid) or guid or "unknown role", paths.get(module, module), target)


def assignment_grants(snapshot: Snapshot) -> tuple[GrantRef, ...]:
    """Every role assignment in `snapshot` read as a grant (the only grants an output folder has)."""
    paths = module_paths(snapshot.instances.values())
    grants = (grant_of(i, paths, snapshot.instances) for i in snapshot.instances.values())
    return tuple(sorted({g for g in grants if g is not None}, key=str))


def with_assignment_grants(snapshot: Snapshot) -> Snapshot:
    """`snapshot` whose grants also hold the role assignments no grant record accounts for (a
    construct's own, outside its connections), so that a stack compares alike with its output folder."""
    grants = tuple(sorted(set(snapshot.grants) | set(assignment_grants(snapshot)), key=str))
    return Snapshot(snapshot.stack, snapshot.profile, snapshot.instances, grants, snapshot.source)
