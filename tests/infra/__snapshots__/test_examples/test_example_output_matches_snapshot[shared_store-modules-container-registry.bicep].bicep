@description('The resource name.')
param name string

@description('The Azure region.')
param location string

@description('Tags applied to every resource of this module.')
param tags object

@description('Registry SKU.')
param skuName string

@description('Principal id of the identity of gallery/ingest.')
param ingestPrincipalId string

@description('Principal id of the identity of gallery/gallery.')
param galleryPrincipalId string

resource registry 'Microsoft.ContainerRegistry/registries@2025-11-01' = {
  // checkov:skip=CKV_AZURE_139: no virtual network in this design: pulls use managed identities
  // checkov:skip=CKV_AZURE_163: the SKU is a parameter (Basic by default, for cost); Premium-only features are not available
  // checkov:skip=CKV_AZURE_166: the SKU is a parameter (Basic by default, for cost); Premium-only features are not available
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
    roleAssignmentMode: 'LegacyRegistryPermissions'
  }
}

resource ingestAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, ingestPrincipalId, '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  scope: registry
  properties: {
    principalId: ingestPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
    description: 'AcrPull, granted by a momentloop connection.'
  }
}

resource galleryAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, galleryPrincipalId, '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  scope: registry
  properties: {
    principalId: galleryPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
    description: 'AcrPull, granted by a momentloop connection.'
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
