import { assignableRoles } from '../roles.bicep'

// Issue 13: the alert relay's secrets (PagerDuty routing keys, Slack webhook URL) in a Key Vault the app reads with
// its identity, surfaced to the app as Key Vault references. A secret left empty is neither stored nor referenced:
// the relay then skips that sink (docs/slo.md, "Paging").

@description('Key Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Principal (object) id of the app\'s identity, granted Key Vault Secrets User.')
param principalId string

@description('Log Analytics workspace receiving the vault\'s audit logs.')
param workspaceId string

@description('PagerDuty Events v2 routing key of the paging service; empty = no PagerDuty.')
@secure()
param pagerDutyRoutingKey string = ''

@description('PagerDuty routing key of a low-urgency service for tickets; empty = tickets go to Slack only.')
@secure()
param pagerDutyTicketRoutingKey string = ''

@description('Slack incoming-webhook URL; empty = no Slack.')
@secure()
param slackWebhookUrl string = ''

// Built-in role: Key Vault Secrets User.
var secretsUserRole = assignableRoles.keyVaultSecretsUser

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource pagerDutySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(pagerDutyRoutingKey)) {
  parent: vault
  name: 'alert-relay-pagerduty-routing-key' // keep in step with output secretNames
  properties: {
    value: pagerDutyRoutingKey
  }
}

resource pagerDutyTicketSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(pagerDutyTicketRoutingKey)) {
  parent: vault
  name: 'alert-relay-pagerduty-ticket-routing-key'
  properties: {
    value: pagerDutyTicketRoutingKey
  }
}

resource slackSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(slackWebhookUrl)) {
  parent: vault
  name: 'alert-relay-slack-webhook-url'
  properties: {
    value: slackWebhookUrl
  }
}

resource readSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsUserRole)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUserRole)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-workspace'
  scope: vault
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

// Secret names, for the app settings' Key Vault references (VaultName/SecretName form: no secret value leaves here).
output secretNames object = {
  pagerDutyRoutingKey: 'alert-relay-pagerduty-routing-key'
  pagerDutyTicketRoutingKey: 'alert-relay-pagerduty-ticket-routing-key'
  slackWebhookUrl: 'alert-relay-slack-webhook-url'
}
