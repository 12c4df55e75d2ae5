@description('Whether the app exists already.')
param exists bool

@description('Name of the container app.')
param name string

resource existingApp 'Microsoft.App/containerApps@2025-07-01' existing = if (exists) {
  name: name
}

output image string = exists ? existingApp.properties.template.containers[0].image : ''
