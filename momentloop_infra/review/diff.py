"""Two snapshots of one stack → what changed: resources added, removed, changed or replaced,
with each changed property (old → new), and the grants added and removed."""

from __future__ import annotations

from typing import Literal

import attrs

from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.review.replacement import forces_replacement
from momentloop_infra.review.snapshot import GrantRef, Instance, Snapshot
from momentloop_infra.review.values import Value, flatten

ChangeKind = Literal["added", "removed", "changed", "replaced"]


@attrs.frozen(repr=False)
class PropertyChange(FieldRepr):
    path: str
    old: Value
    new: Value
    replaces: bool = False


@attrs.frozen(repr=False)
class ResourceChange(FieldRepr):
    kind: ChangeKind
    key: str
    path: str  # construct path
    type: str
    symbol: str  # `module.resource`
    properties: tuple[PropertyChange, ...] = ()
    old: Instance | None = None
    new: Instance | None = None


@attrs.frozen(repr=False)
class StackDiff(FieldRepr):
    old: Snapshot
    new: Snapshot
    resources: tuple[ResourceChange, ...]
    grants_added: tuple[GrantRef, ...]
    grants_removed: tuple[GrantRef, ...]

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for r in self.resources if r.kind == kind)

    @property
    def empty(self) -> bool:
        return not self.resources and not self.grants_added and not self.grants_removed


def _properties(old: Instance, new: Instance) -> tuple[PropertyChange, ...]:
    before, after = flatten(old.body), flatten(new.body)
    changes = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if a != b:
            changes.append(PropertyChange(path, a, b, forces_replacement(new.type, path)))
    return tuple(changes)


def _symbol(instance: Instance) -> str:
    return f"{instance.module}.{instance.symbol}" if instance.module else instance.symbol


def _deployed_as(instance: Instance) -> tuple[str, str, str, str] | None:
    """What Azure knows a resource by (its deployment's module, type, scope and name), once its
    name is resolved; None without one."""
    name = instance.body.get("name")
    if name is None:
        return None
    return instance.module, instance.type, str(instance.body.get("scope")), str(name)


def _same_resources(old: Snapshot, new: Snapshot) -> dict[str, str]:
    """new key -> old key, for resources declared under another symbol on each side but deployed
    as the same one: a target's role assignments become one loop's copies past 200 apps, and Azure
    keeps them, as it keeps any resource whose type, scope and name stay."""
    gone: dict[tuple[str, str, str, str], str] = {}
    for key, instance in old.instances.items():
        if key not in new.instances and (found := _deployed_as(instance)) is not None:
            gone.setdefault(found, key)
    same: dict[str, str] = {}
    for key, instance in new.instances.items():
        if key not in old.instances and (found := _deployed_as(instance)) is not None and found in gone:
            same[key] = gone.pop(found)
    return same


def diff_snapshots(old: Snapshot, new: Snapshot) -> StackDiff:
    changes: list[ResourceChange] = []
    same = _same_resources(old, new)
    for key, instance in new.instances.items():
        before = old.instances.get(same.get(key, key))
        if before is None or before.type != instance.type:
            if before is not None:
                changes.append(ResourceChange("removed", key, before.path, before.type, _symbol(before), old=before))
            changes.append(ResourceChange("added", key, instance.path, instance.type, _symbol(instance), new=instance))
            continue
        properties = _properties(before, instance)
        if properties:
            kind: ChangeKind = "replaced" if any(p.replaces for p in properties) else "changed"
            changes.append(
                ResourceChange(kind, key, instance.path, instance.type, _symbol(instance), properties, before, instance)
            )
    kept = set(same.values())
    for key, instance in old.instances.items():
        if key not in new.instances and key not in kept:
            changes.append(
                ResourceChange("removed", key, instance.path, instance.type, _symbol(instance), old=instance)
            )
    order = {"replaced": 0, "removed": 1, "added": 2, "changed": 3}
    changes.sort(key=lambda c: (order[c.kind], c.path, c.symbol))
    old_grants, new_grants = set(old.grants), set(new.grants)
    return StackDiff(
        old,
        new,
        tuple(changes),
        tuple(g for g in new.grants if g not in old_grants),
        tuple(g for g in old.grants if g not in new_grants),
    )
