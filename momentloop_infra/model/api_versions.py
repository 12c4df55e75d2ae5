"""The API version each resource type is pinned to (GA versions, azure-facts §1)."""

API_VERSIONS: dict[str, str] = {
    "Microsoft.Resources/resourceGroups": "2025-04-01",
    "Microsoft.OperationalInsights/workspaces": "2025-07-01",
    "Microsoft.App/managedEnvironments": "2025-07-01",
    "Microsoft.App/containerApps": "2025-07-01",
    "Microsoft.ContainerRegistry/registries": "2025-11-01",
    "Microsoft.Storage/storageAccounts": "2025-06-01",
    "Microsoft.Storage/storageAccounts/blobServices": "2025-06-01",
    "Microsoft.Storage/storageAccounts/blobServices/containers": "2025-06-01",
    "Microsoft.KeyVault/vaults": "2024-11-01",
    "Microsoft.KeyVault/vaults/secrets": "2024-11-01",
    "Microsoft.DBforPostgreSQL/flexibleServers": "2025-08-01",
    "Microsoft.DBforPostgreSQL/flexibleServers/databases": "2025-08-01",
    "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules": "2025-08-01",
    "Microsoft.DBforPostgreSQL/flexibleServers/administrators": "2025-08-01",
    "Microsoft.ManagedIdentity/userAssignedIdentities": "2024-11-30",
    "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials": "2024-11-30",
    "Microsoft.Authorization/roleAssignments": "2022-04-01",
    "Microsoft.Authorization/roleDefinitions": "2022-04-01",
}
