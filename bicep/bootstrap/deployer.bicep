// Once per environment, by an Owner of the resource group (docs/deploy.md, "Bootstrap"): the rights of the two
// pipeline principals, and nothing more.
//   deploy principal: Contributor; Role Based Access Control Administrator limited by an ABAC condition to the
//     role ids main.bicep assigns (roles.bicep: assignableRoles), so it can never grant Owner, User Access
//     Administrator or itself more; a custom role that may create (not delete) management locks, for the storage
//     account's delete lock.
//   preview principal: Reader and a custom role that may run deployments, for what-if before the approval (it can
//     preview every change but make none: resource writes need Contributor, which it lacks).
//   seed principal (optional): App Configuration Data Owner and the same deployment role, for seed-flags.bicep
//     only; it runs in its own GitHub environment, once.
//   az deployment group create -g rg-huntaze-prod -f bicep/bootstrap/deployer.bicep \
//     -p deployPrincipalId=<object id> previewPrincipalId=<object id> seedPrincipalId=<object id>

targetScope = 'resourceGroup'

import { assignableRoles, pipelineRoles } from '../roles.bicep'

@description('Object id of the deploy workflow\'s service principal.')
param deployPrincipalId string

@description('Object id of the what-if (preview) service principal.')
param previewPrincipalId string

@description('Object id of the flag-seeding service principal; empty = none.')
param seedPrincipalId string = ''

var assignable = join(map(items(assignableRoles), role => role.value), ', ')

// Both halves matter: a condition on write alone would still let the principal delete any assignment, such as
// an administrator's.
var roleAssignmentCondition = '((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/write\'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${assignable}})) AND ((!(ActionMatches{\'Microsoft.Authorization/roleAssignments/delete\'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${assignable}}))'

resource lockWriter 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'huntaze-lock-writer')
  properties: {
    roleName: 'Huntaze lock writer (${resourceGroup().name})'
    description: 'Create and read management locks; deleting one stays with the resource group\'s owners.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Authorization/locks/read'
          'Microsoft.Authorization/locks/write'
        ]
        notActions: []
      }
    ]
  }
}

resource deploymentRunner 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, 'huntaze-deployment-runner')
  properties: {
    roleName: 'Huntaze deployment runner (${resourceGroup().name})'
    description: 'Run ARM deployments in the resource group; what they may change is the caller\'s other roles\' business.'
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: [
          'Microsoft.Resources/deployments/*'
          'Microsoft.Resources/subscriptions/resourceGroups/read'
          'Microsoft.AppConfiguration/configurationStores/read'
        ]
        notActions: []
      }
    ]
  }
}

resource deployContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, deployPrincipalId, pipelineRoles.contributor)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', pipelineRoles.contributor)
    principalId: deployPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource deployRoleAssigner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, deployPrincipalId, pipelineRoles.roleBasedAccessControlAdministrator)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', pipelineRoles.roleBasedAccessControlAdministrator)
    principalId: deployPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Only the roles main.bicep assigns to the app\'s identities (bicep/roles.bicep).'
    condition: roleAssignmentCondition
    conditionVersion: '2.0'
  }
}

resource deployLockWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, deployPrincipalId, lockWriter.id)
  properties: {
    roleDefinitionId: lockWriter.id
    principalId: deployPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource previewReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, previewPrincipalId, pipelineRoles.reader)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', pipelineRoles.reader)
    principalId: previewPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource previewDeployments 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(resourceGroup().id, previewPrincipalId, deploymentRunner.id)
  properties: {
    roleDefinitionId: deploymentRunner.id
    principalId: previewPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource seedFlagsOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(seedPrincipalId)) {
  name: guid(resourceGroup().id, seedPrincipalId, assignableRoles.appConfigurationDataOwner)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', assignableRoles.appConfigurationDataOwner)
    principalId: seedPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource seedDeployments 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(seedPrincipalId)) {
  name: guid(resourceGroup().id, seedPrincipalId, deploymentRunner.id)
  properties: {
    roleDefinitionId: deploymentRunner.id
    principalId: seedPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output roleAssignmentCondition string = roleAssignmentCondition
