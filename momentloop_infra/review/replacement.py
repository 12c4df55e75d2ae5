"""Properties Azure cannot update in place: changing one deletes the resource and creates it anew.

Every resource is replaced when its `name` or `location` changes (ARM identifies a resource by
its id, and moving regions is not an update). The rest, per type we emit, with where it is said:
"""

from __future__ import annotations

ALWAYS: tuple[str, ...] = ("name", "location")

# type -> property paths (dotted, as in the resource body) that force a replacement.
CREATE_ONLY: dict[str, tuple[str, ...]] = {
    # Learn "Storage account overview": the account kind cannot be changed back, and hierarchical
    # namespace (isHnsEnabled) is chosen at creation (the upgrade is a separate one-way migration).
    "Microsoft.Storage/storageAccounts": ("kind", "properties.isHnsEnabled"),
    # Learn "Flexible server: high availability / backup": the availability zone, geo-redundant
    # backup and the network mode (private access: delegated subnet, private DNS zone) are set at
    # creation only.
    "Microsoft.DBforPostgreSQL/flexibleServers": (
        "properties.availabilityZone",
        "properties.backup.geoRedundantBackup",
        "properties.network.delegatedSubnetResourceId",
        "properties.network.privateDnsZoneArmResourceId",
    ),
    # A database's charset and collation are fixed when it is created (PostgreSQL CREATE DATABASE).
    "Microsoft.DBforPostgreSQL/flexibleServers/databases": ("properties.charset", "properties.collation"),
    # Learn "Container Apps environments": the VNet and zone redundancy are creation-time settings.
    "Microsoft.App/managedEnvironments": ("properties.vnetConfiguration", "properties.zoneRedundant"),
    # An app cannot move to another environment (Learn "Container Apps: manage revisions").
    "Microsoft.App/containerApps": ("properties.environmentId",),
    # Role assignments are immutable: a new principal, role or scope is a new assignment.
    "Microsoft.Authorization/roleAssignments": (
        "scope",
        "properties.principalId",
        "properties.roleDefinitionId",
    ),
}


def forces_replacement(resource_type: str, path: str) -> bool:
    for create_only in ALWAYS + CREATE_ONLY.get(resource_type, ()):
        if path == create_only or path.startswith((f"{create_only}.", f"{create_only}[")):
            return True
    return False
