// Data-plane roles for the app's identities, each at the narrowest scope that works. Names are
// guid(scope, principalId, roleId) so a redeploy finds the same assignment instead of failing on a duplicate.
// The app's identity only reads flags; writes go through the flag-admin identity (docs/decisions/0013).

import { assignableRoles as roles } from '../roles.bicep'

@description('Principal (object) id of the app\'s user-assigned identity.')
param principalId string

@description('Principal (object) id of the flag-admin identity: the only one that may write flags.')
param flagAdminPrincipalId string

@description('Storage account the app (and the Functions host, Durable task hub) uses.')
param storageAccountName string

@description('Application Insights component the app publishes telemetry to.')
param appInsightsName string

@description('App Configuration store holding the feature flags.')
param appConfigName string

// Blob (deployment package, backups, exports, flag snapshot, Durable leases), Queue (Durable work items),
// Table (app data, Durable history/instances).
var storageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource store 'Microsoft.AppConfiguration/configurationStores@2024-05-01' existing = {
  name: appConfigName
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in storageRoles: {
    name: guid(storage.id, principalId, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: principalId
      // Skips the directory look-up that fails while a just-created identity is still replicating.
      principalType: 'ServicePrincipal'
    }
  }
]

resource telemetryAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Reader: the flag sync and evaluation only read. A compromised app identity cannot flip a flag.
resource flagsReadAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(store.id, principalId, roles.appConfigurationDataReader)
  scope: store
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.appConfigurationDataReader)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Owner for the flag-admin identity, used by the app only for the admin API's flag writes (kill switch, rollout).
resource flagsWriteAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(store.id, flagAdminPrincipalId, roles.appConfigurationDataOwner)
  scope: store
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.appConfigurationDataOwner)
    principalId: flagAdminPrincipalId
    principalType: 'ServicePrincipal'
  }
}
