@description('The resource name.')
param name string

@description('The Azure region.')
param location string

@description('Tags applied to every resource of this module.')
param tags object

@description('Registry SKU.')
param skuName string

@description('Principal id of the identity of messaging/orders-api.')
param ordersApiPrincipalId string

@description('Principal id of the identity of messaging/fulfilment.')
param fulfilmentPrincipalId string

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

resource ordersApiAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, ordersApiPrincipalId, '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  scope: registry
  properties: {
    principalId: ordersApiPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
    description: 'AcrPull, granted by a momentloop connection.'
  }
}

resource fulfilmentAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, fulfilmentPrincipalId, '7f951dda-4ed3-4680-a7ca-43fe172d538d')
  scope: registry
  properties: {
    principalId: fulfilmentPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')
    description: 'AcrPull, granted by a momentloop connection.'
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
