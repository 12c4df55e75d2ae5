@description('The resource name.')
param name string

@description('The Azure region.')
param location string

@description('Tags applied to every resource of this module.')
param tags object

@description('SKU name.')
param skuName string

@description('Principal id of the identity of messaging/orders-api.')
param ordersApiPrincipalId string

@description('Principal id of the identity of messaging/fulfilment.')
param fulfilmentPrincipalId string

resource bus 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource busOrders 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: bus
  name: 'orders'
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    deadLetteringOnMessageExpiration: true
  }
}

resource ordersApiBusOrdersAzureServiceBusDataSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(busOrders.id, ordersApiPrincipalId, '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39')
  scope: busOrders
  properties: {
    principalId: ordersApiPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39')
    description: 'Azure Service Bus Data Sender, granted by a momentloop connection.'
  }
}

resource fulfilmentBusOrdersAzureServiceBusDataReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(busOrders.id, fulfilmentPrincipalId, '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0')
  scope: busOrders
  properties: {
    principalId: fulfilmentPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0')
    description: 'Azure Service Bus Data Receiver, granted by a momentloop connection.'
  }
}

output serviceBusEndpoint string = bus.properties.serviceBusEndpoint
output busOrdersName string = busOrders.name
