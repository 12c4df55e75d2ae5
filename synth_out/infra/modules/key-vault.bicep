@description('The resource name.')
param name string

@description('The Azure region.')
param location string

@description('Tags applied to every resource of this module.')
param tags object

@description('Key Vault SKU.')
param skuName string

@description('Purge protection is irreversible; off by default.')
param enablePurgeProtection bool

@description('Value of the secret \'google-client-id\'.')
@secure()
param googleClientId string

@description('Value of the secret \'google-client-secret\'.')
@secure()
param googleClientSecret string

@description('Value of the secret \'google-ai-api-key\'.')
@secure()
param googleAiApiKey string

@description('Value of the secret \'fal-key\'.')
@secure()
param falKey string

@description('Value of the secret \'jwt-secret\'.')
@secure()
param jwtSecret string

@description('Principal id of the identity of momentloop/backend.')
param backendPrincipalId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  // checkov:skip=CKV_AZURE_42: purge protection is the enablePurgeProtection parameter, off by default so that `azd down` frees the name
  // checkov:skip=CKV_AZURE_110: purge protection is the enablePurgeProtection parameter, off by default so that `azd down` frees the name
  // checkov:skip=CKV_AZURE_109: no virtual network in this design; data-plane access needs Entra ID and RBAC
  // checkov:skip=CKV_AZURE_189: no virtual network in this design; data-plane access needs Entra ID and RBAC
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: skuName
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource googleClientIdSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  // checkov:skip=CKV_AZURE_41: external API keys are rotated by their owners, not on a schedule; no expiry
  parent: vault
  name: 'google-client-id'
  properties: {
    value: googleClientId
    contentType: 'text/plain'
  }
}

resource googleClientSecretSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  // checkov:skip=CKV_AZURE_41: external API keys are rotated by their owners, not on a schedule; no expiry
  parent: vault
  name: 'google-client-secret'
  properties: {
    value: googleClientSecret
    contentType: 'text/plain'
  }
}

resource googleAiApiKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  // checkov:skip=CKV_AZURE_41: external API keys are rotated by their owners, not on a schedule; no expiry
  parent: vault
  name: 'google-ai-api-key'
  properties: {
    value: googleAiApiKey
    contentType: 'text/plain'
  }
}

resource falKeySecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  // checkov:skip=CKV_AZURE_41: external API keys are rotated by their owners, not on a schedule; no expiry
  parent: vault
  name: 'fal-key'
  properties: {
    value: falKey
    contentType: 'text/plain'
  }
}

resource jwtSecretSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  // checkov:skip=CKV_AZURE_41: external API keys are rotated by their owners, not on a schedule; no expiry
  parent: vault
  name: 'jwt-secret'
  properties: {
    value: jwtSecret
    contentType: 'text/plain'
  }
}

resource backendKeyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, backendPrincipalId, '4633458b-17de-408a-b874-0445c86b69e6')
  scope: vault
  properties: {
    principalId: backendPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    description: 'Key Vault Secrets User, granted by a momentloop connection.'
  }
}

output name string = vault.name
output uri string = vault.properties.vaultUri
