targetScope = 'subscription'

@description('Name of the deploy identity.')
param identityName string

@description('Principal id of the deploy identity.')
param principalId string

@description('Make the assignment (the owner\'s azd up).')
param assignOwnRoles bool

resource deployments 'Microsoft.Authorization/roleDefinitions@2022-04-01' = if (assignOwnRoles) {
  name: guid(subscription().id, identityName, 'azd subscription deployments')
  properties: {
    roleName: 'Subscription deployments of ${identityName}'
    description: 'Create, validate and read deployments at subscription scope (azd provision of a subscription-scoped main.bicep), nothing else.'
    type: 'CustomRole'
    permissions: [
      {
        actions: [
          'Microsoft.Resources/deployments/read'
          'Microsoft.Resources/deployments/write'
          'Microsoft.Resources/deployments/validate/action'
          'Microsoft.Resources/deployments/operations/read'
          'Microsoft.Resources/deployments/operationstatuses/read'
          'Microsoft.Resources/subscriptions/locations/read'
        ]
        notActions: []
      }
    ]
    assignableScopes: [
      subscription().id
    ]
  }
}

resource deploymentsAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (assignOwnRoles) {
  name: guid(subscription().id, principalId, deployments.id)
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: deployments.id
    description: 'Subscription-scope deployments for the deploy workflow (azd provision).'
  }
}
