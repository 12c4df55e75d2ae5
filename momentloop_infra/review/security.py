"""The security table: one row per change to who can reach what, and whether it widens access.

Rows come from the grants and from a short list of properties per resource type; a new
resource's values count as changes from nothing, so a new public endpoint is a row too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Literal

import attrs

from momentloop_infra.field_repr import FieldRepr
from momentloop_infra.review.assignments import grant_of
from momentloop_infra.review.diff import ResourceChange, StackDiff
from momentloop_infra.review.snapshot import GrantRef, Instance, module_paths
from momentloop_infra.review.values import Opaque, Value, flatten, show

Kind = Literal[
    "role",
    "ingress",
    "public network",
    "firewall",
    "shared key / anonymous",
    "TLS",
    "PostgreSQL admin",
    "Key Vault secret",
    "federated sign-in",
]


@attrs.frozen(repr=False)
class SecurityRow(FieldRepr):
    kind: Kind
    subject: str  # the construct path (for a role: the app)
    change: str  # what happened, in words
    broadening: bool
    resource: str = ""  # the resource it is on (for a role: the target)


# Each role listed covers the roles after it on the same resource: swapping down is a narrowing.
COVERS: dict[str, frozenset[str]] = {
    "Owner": frozenset({"*"}),
    "Contributor": frozenset({"*"}),
    "Storage Blob Data Owner": frozenset({"Storage Blob Data Contributor", "Storage Blob Data Reader"}),
    "Storage Blob Data Contributor": frozenset({"Storage Blob Data Reader"}),
    "Key Vault Administrator": frozenset({"Key Vault Secrets Officer", "Key Vault Secrets User", "Key Vault Reader"}),
    "Key Vault Secrets Officer": frozenset({"Key Vault Secrets User", "Key Vault Reader"}),
    "Key Vault Secrets User": frozenset({"Key Vault Reader"}),
    "AcrPush": frozenset({"AcrPull"}),
}


def _covers(strong: str, weak: str) -> bool:
    covered = COVERS.get(strong, frozenset())
    return "*" in covered or weak in covered


def role_rows(added: tuple[GrantRef, ...], removed: tuple[GrantRef, ...]) -> list[SecurityRow]:
    rows = []
    for grant in added:
        narrowed_from = [
            r.role
            for r in removed
            if (r.principal, r.target) == (grant.principal, grant.target) and _covers(r.role, grant.role)
        ]
        change = f"granted {grant.role}" + (f" (replacing {narrowed_from[0]})" if narrowed_from else "")
        rows.append(SecurityRow("role", grant.principal, change, not narrowed_from, grant.target))
    for grant in removed:
        rows.append(SecurityRow("role", grant.principal, f"removed {grant.role}", False, grant.target))
    return rows


Opens = Callable[[Value, Value], bool]  # (old, new) -> does the change widen access
NEW = Opaque("(new resource)")  # the `old` of a resource that did not exist


def _becomes(*open_values: Value) -> Opens:
    return lambda old, new: new in open_values and old not in open_values


_TLS_ORDER = {"TLS1_0": 0, "TLS1_1": 1, "TLS1_2": 2, "TLS1_3": 3}


def _tls_lowered(old: Value, new: Value) -> bool:
    # An omitted minimum is TLS 1.0 (type description of minimumTlsVersion); a new resource
    # below TLS 1.2 is a row.
    return _TLS_ORDER.get(str(new), 0) < (2 if old is NEW else _TLS_ORDER.get(str(old), 0))


def _shared_key_opened(old: Value, new: Value) -> bool:
    # allowSharedKeyAccess: null means true.
    return new is not False and (old is False or old is NEW)


@attrs.frozen(repr=False)
class Watch(FieldRepr):
    kind: Kind
    label: str
    opens: Opens


WATCHED: dict[str, dict[str, Watch]] = {
    "Microsoft.App/containerApps": {
        "properties.configuration.ingress.external": Watch("ingress", "external ingress", _becomes(True)),
        "properties.configuration.ingress.allowInsecure": Watch("TLS", "plain HTTP allowed", _becomes(True)),
    },
    "Microsoft.Storage/storageAccounts": {
        "properties.publicNetworkAccess": Watch("public network", "public network access", _becomes("Enabled")),
        "properties.networkAcls.defaultAction": Watch("public network", "network default action", _becomes("Allow")),
        "properties.allowSharedKeyAccess": Watch("shared key / anonymous", "shared-key access", _shared_key_opened),
        "properties.allowBlobPublicAccess": Watch("shared key / anonymous", "anonymous blob access", _becomes(True)),
        "properties.minimumTlsVersion": Watch("TLS", "minimum TLS version", _tls_lowered),
        "properties.supportsHttpsTrafficOnly": Watch("TLS", "HTTPS only", _becomes(False)),
    },
    "Microsoft.Storage/storageAccounts/blobServices/containers": {
        "properties.publicAccess": Watch(
            "shared key / anonymous", "anonymous container access", _becomes("Blob", "Container")
        ),
    },
    "Microsoft.KeyVault/vaults": {
        "properties.publicNetworkAccess": Watch("public network", "public network access", _becomes("Enabled")),
        "properties.networkAcls.defaultAction": Watch("public network", "network default action", _becomes("Allow")),
        "properties.enableRbacAuthorization": Watch("shared key / anonymous", "RBAC authorization", _becomes(False)),
    },
    "Microsoft.ContainerRegistry/registries": {
        "properties.publicNetworkAccess": Watch("public network", "public network access", _becomes("Enabled")),
        "properties.anonymousPullEnabled": Watch("shared key / anonymous", "anonymous pull", _becomes(True)),
        "properties.adminUserEnabled": Watch("shared key / anonymous", "admin user (shared password)", _becomes(True)),
    },
    "Microsoft.DBforPostgreSQL/flexibleServers": {
        "properties.network.publicNetworkAccess": Watch("public network", "public network access", _becomes("Enabled")),
        "properties.authConfig.passwordAuth": Watch(
            "shared key / anonymous", "password authentication", _becomes("Enabled")
        ),
    },
}

# Array-valued properties whose elements are firewall ranges: each element added or removed is a row.
RANGE_LISTS: dict[str, tuple[str, ...]] = {
    "Microsoft.Storage/storageAccounts": ("properties.networkAcls.ipRules",),
    "Microsoft.KeyVault/vaults": ("properties.networkAcls.ipRules",),
    "Microsoft.ContainerRegistry/registries": ("properties.networkRuleSet.ipRules",),
}


def _get(body: Mapping[str, Value], dotted: str) -> Value:
    value: Value = body
    for part in dotted.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _ranges(instance: Instance | None, dotted: str) -> set[str]:
    if instance is None:
        return set()
    items = _get(instance.body, dotted)
    if not isinstance(items, list):
        return set()
    return {show(i.get("value") if isinstance(i, Mapping) else i) for i in items}


def _range_of(instance: Instance) -> str:
    props = instance.body.get("properties")
    props = props if isinstance(props, Mapping) else {}
    start, end = props.get("startIpAddress"), props.get("endIpAddress")
    text = f"{show(start)}-{show(end)}".replace("'", "")
    if (start, end) == ("0.0.0.0", "0.0.0.0"):
        text += " (every Azure service, any tenant)"
    return text


def _range_size(instance: Instance | None) -> int:
    if instance is None:
        return 0
    props = instance.body.get("properties")
    if not isinstance(props, Mapping):
        return 0
    try:
        start = int(ipaddress.ip_address(str(props.get("startIpAddress"))))
        end = int(ipaddress.ip_address(str(props.get("endIpAddress"))))
    except ValueError:
        return 1
    return end - start + 1


def _who(instance: Instance, paths: Mapping[str, str]) -> str:
    """The app an administrator is: its principalName is that app identity's module output."""
    props = instance.body.get("properties")
    name = props.get("principalName") if isinstance(props, Mapping) else None
    if isinstance(name, Opaque):
        return paths.get(name.text.split(".")[0], name.text)
    return show(name) if isinstance(name, str) else instance.symbol


def _resource_rows(change: ResourceChange, paths: Mapping[str, str]) -> list[SecurityRow]:
    rows: list[SecurityRow] = []
    instance = change.new or change.old
    assert instance is not None
    where = change.symbol
    if change.type == "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules":
        if change.kind == "added":
            rows.append(SecurityRow("firewall", change.path, f"opened {_range_of(instance)}", True, where))
        elif change.kind == "removed":
            rows.append(SecurityRow("firewall", change.path, f"closed {_range_of(instance)}", False, where))
        elif change.old is not None and change.new is not None and _range_of(change.old) != _range_of(change.new):
            widened = _range_size(change.new) > _range_size(change.old)
            text = f"range {_range_of(change.old)} → {_range_of(change.new)}"
            rows.append(SecurityRow("firewall", change.path, text, widened, where))
        return rows
    if change.type == "Microsoft.DBforPostgreSQL/flexibleServers/administrators" and change.kind in (
        "added",
        "removed",
    ):
        verb = "made administrator" if change.kind == "added" else "no longer administrator"
        rows.append(SecurityRow("PostgreSQL admin", _who(instance, paths), verb, change.kind == "added", change.path))
        return rows
    if change.type == "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials":
        props = instance.body.get("properties")
        subject = show(props.get("subject")) if isinstance(props, Mapping) else "?"
        if change.kind in ("added", "removed"):
            verb = "may now sign in as this identity" if change.kind == "added" else "may no longer sign in"
            rows.append(
                SecurityRow("federated sign-in", change.path, f"{subject} {verb}", change.kind == "added", where)
            )
        elif any(p.path.startswith(("properties.subject", "properties.issuer")) for p in change.properties):
            rows.append(
                SecurityRow("federated sign-in", change.path, f"who may sign in changed: now {subject}", True, where)
            )
        return rows
    if change.type == "Microsoft.KeyVault/vaults/secrets" and change.kind in ("added", "removed"):
        name = instance.body.get("name")
        rows.append(SecurityRow("Key Vault secret", change.path, f"{change.kind} secret {show(name)}", False, where))
        return rows
    if change.kind == "removed":
        return rows
    before = flatten(change.old.body) if change.old is not None else {}
    after = flatten(instance.body)
    for prop, watch in WATCHED.get(change.type, {}).items():
        old, new = before.get(prop), after.get(prop)
        if change.kind == "added" or old != new:
            opens = watch.opens(NEW if change.kind == "added" else old, new)
            if change.kind == "added" and not opens:
                continue  # a new resource that is closed by default needs no row
            text = (
                f"{watch.label}: {show(new)}" if change.kind == "added" else f"{watch.label}: {show(old)} → {show(new)}"
            )
            rows.append(SecurityRow(watch.kind, change.path, text, opens, where))
    for prop in RANGE_LISTS.get(change.type, ()):
        old_ranges, new_ranges = _ranges(change.old, prop), _ranges(change.new, prop)
        for value in sorted(new_ranges - old_ranges):
            rows.append(SecurityRow("firewall", change.path, f"opened {value.strip(chr(39))}", True, where))
        for value in sorted(old_ranges - new_ranges):
            rows.append(SecurityRow("firewall", change.path, f"closed {value.strip(chr(39))}", False, where))
    return rows


def security_rows(diff: StackDiff) -> tuple[SecurityRow, ...]:
    paths = module_paths([*diff.old.instances.values(), *diff.new.instances.values()])
    # Role assignments no grant record accounts for (a construct's own, outside its connections).
    known = set(diff.old.grants) | set(diff.new.grants)
    added, removed = list(diff.grants_added), list(diff.grants_removed)
    for change in diff.resources:
        instance = change.new or change.old
        grant = None
        if instance is not None and change.kind in ("added", "removed"):
            grant = grant_of(instance, paths, (diff.new if change.new is not None else diff.old).instances)
        if grant is not None and grant not in known:
            (added if change.kind == "added" else removed).append(grant)
    rows = role_rows(tuple(added), tuple(removed))
    for change in diff.resources:
        rows += _resource_rows(change, paths)
    return tuple(rows)


def broadening(rows: tuple[SecurityRow, ...]) -> tuple[SecurityRow, ...]:
    return tuple(r for r in rows if r.broadening)
