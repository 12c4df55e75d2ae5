"""Who reaches what: the apps, the resources they are granted roles on or administer, per snapshot."""

from __future__ import annotations

from typing import Literal

import attrs

from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.review.diff import StackDiff
from momentloop_infra.review.snapshot import Snapshot
from momentloop_infra.review.values import Opaque

State = Literal["kept", "added", "removed"]

ADMIN = "PostgreSQL administrator"


@attrs.frozen(repr=False)
class Edge(FieldRepr):
    principal: str
    target: str
    role: str
    state: State = "kept"


def _admins(snapshot: Snapshot) -> set[tuple[str, str, str]]:
    """(app path, server path, ADMIN) from the administrators resources: principalName is the
    app identity's output, so its module symbol leads back to the app."""
    paths = {i.module: i.path for i in snapshot.instances.values() if i.module}
    found = set()
    for instance in snapshot.instances.values():
        if instance.type != "Microsoft.DBforPostgreSQL/flexibleServers/administrators":
            continue
        props = instance.body.get("properties")
        name = props.get("principalName") if isinstance(props, dict) else None
        module = name.text.split(".")[0] if isinstance(name, Opaque) else None
        found.add((paths.get(module or "", str(name)), instance.path, ADMIN))
    return found


def _edges(snapshot: Snapshot) -> set[tuple[str, str, str]]:
    return {(g.principal, g.target, g.role) for g in snapshot.grants} | _admins(snapshot)


def edges(diff: StackDiff) -> list[Edge]:
    before, after = _edges(diff.old), _edges(diff.new)
    out = [Edge(*e, "kept") for e in sorted(before & after)]
    out += [Edge(*e, "added") for e in sorted(after - before)]
    out += [Edge(*e, "removed") for e in sorted(before - after)]
    return sorted(out, key=lambda e: (e.principal, e.target, e.role))


def apps(diff: StackDiff) -> list[str]:
    found = {
        i.path for s in (diff.old, diff.new) for i in s.instances.values() if i.type == "Microsoft.App/containerApps"
    }
    return sorted(found | {e.principal for e in edges(diff)})


NODE_TYPES = {
    "Microsoft.App/containerApps": "container app",
    "Microsoft.Storage/storageAccounts": "storage",
    "Microsoft.KeyVault/vaults": "key vault",
    "Microsoft.DBforPostgreSQL/flexibleServers": "PostgreSQL",
    "Microsoft.ContainerRegistry/registries": "registry",
    "Microsoft.App/managedEnvironments": "environment",
    "Microsoft.OperationalInsights/workspaces": "Log Analytics",
}


def nodes(diff: StackDiff) -> dict[str, tuple[str, State]]:
    """Construct path -> (kind, state) of every main resource on either side."""

    def kinds(s: Snapshot) -> dict[str, str]:
        return {i.path: NODE_TYPES[i.type] for i in s.instances.values() if i.type in NODE_TYPES}

    before, after = kinds(diff.old), kinds(diff.new)
    found: dict[str, tuple[str, State]] = {}
    for path in sorted(before.keys() | after.keys()):
        state: State = "kept" if path in before and path in after else ("added" if path in after else "removed")
        found[path] = (after.get(path) or before[path], state)
    return found
