@description('The resource name.')
param name string

@description('The Azure region.')
param location string

@description('Tags applied to every resource of this module.')
param tags object

@description('Replication of the storage account.')
param skuName string

@description('Default access tier of new blobs.')
param accessTier string

@description('Principal id of the identity of storefronts/outlet/app.')
param outletAppPrincipalId string

resource account 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  // checkov:skip=CKV_AZURE_206: replication is the skuName parameter (Standard_LRS by default, for cost); set it to a geo-redundant SKU in a profile where that matters
  // checkov:skip=CKV_AZURE_59: no virtual network in this design; access needs Entra ID (shared keys are disabled)
  // checkov:skip=CKV_AZURE_35: no virtual network in this design; access needs Entra ID (shared keys are disabled)
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: accessTier
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-06-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource uploadsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' = {
  parent: blobService
  name: 'uploads'
  properties: {
    publicAccess: 'None'
  }
}

resource outletAppStorageBlobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, outletAppPrincipalId, 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
  scope: account
  properties: {
    principalId: outletAppPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'ba92f5b4-2d11-453d-a403-e96b0029c9fe')
    description: 'Storage Blob Data Contributor, granted by a momentloop connection.'
  }
}

output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
