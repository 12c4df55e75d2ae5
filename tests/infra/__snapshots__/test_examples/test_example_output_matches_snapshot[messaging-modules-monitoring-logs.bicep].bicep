@description('The resource name.')
param name string

@description('The Azure region.')
param location string

@description('Tags applied to every resource of this module.')
param tags object

@description('Pricing tier of the workspace.')
param skuName string

@description('Days logs are kept.')
param retentionDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    retentionInDays: retentionDays
    sku: {
      name: skuName
    }
  }
}

output id string = workspace.id
output name string = workspace.name
