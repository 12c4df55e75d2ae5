@description('The resource name.')
param name string

@description('The Azure region.')
param location string

@description('Tags applied to every resource of this module.')
param tags object

@description('The Container Apps environment.')
param environmentId string

@description('Resource id of the user-assigned identity of the app.')
param identityId string

@description('Client id of that identity, for AZURE_CLIENT_ID.')
param identityClientId string

@description('True once the app exists: keep its image.')
param exists bool

@description('The image deployed last, when the app exists.')
param existingImage string

@description('vCPU per replica.')
param cpu string

@description('Memory per replica.')
param memory string

@description('Fewest replicas once the real image runs.')
param minReplicas int

@description('Most replicas.')
param maxReplicas int

@description('Value of SERVICEBUS_NAMESPACE.')
param servicebusNamespace string

@description('Value of SERVICEBUS_QUEUE.')
param servicebusQueue string

@description('Login server of the registry.')
param registryServer string

var serviceTags = union(tags, {
  'azd-service-name': 'orders-api'
})

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: serviceTags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 8080
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'orders-api'
          image: exists && !empty(existingImage) ? existingImage : 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: [
            {
              name: 'AZURE_CLIENT_ID'
              value: identityClientId
            }
            {
              name: 'SERVICEBUS_NAMESPACE'
              value: servicebusNamespace
            }
            {
              name: 'SERVICEBUS_QUEUE'
              value: servicebusQueue
            }
          ]
        }
      ]
      scale: {
        minReplicas: exists ? minReplicas : 0
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http-requests'
            http: {
              metadata: {
                concurrentRequests: '10'
              }
            }
          }
        ]
      }
    }
  }
}

output name string = app.name
output uri string = 'https://${app.properties.configuration.ingress.fqdn}'
