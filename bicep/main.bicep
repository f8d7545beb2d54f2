// Huntaze Onboarding: everything the Functions app needs in one resource group.
// Identity-only by design: no storage key, no App Insights key, no App Configuration key, no publishing password.
// Why these choices: docs/decisions/0002-infrastructure.md. How to deploy: docs/deploy.md.

targetScope = 'resourceGroup'

@description('Environment name; part of every resource name.')
@allowed([
  'dev'
  'test'
  'prod'
])
param environmentName string

@description('Short application name: lowercase letters and digits (it becomes part of the storage account name).')
@minLength(3)
@maxLength(10)
param appName string = 'huntaze'

@description('Azure region for all resources (one that offers Flex Consumption).')
param location string = resourceGroup().location

@description('Extra tags applied to every resource.')
param tags object = {}

@description('OpenID Connect authority (issuer) of the API tokens, e.g. https://login.microsoftonline.com/{tenant}/v2.0.')
@minLength(1)
param authAuthority string

@description('Audience the API tokens must carry, e.g. api://huntaze-onboarding.')
@minLength(1)
param authAudience string

@description('Browser origins allowed to call the API with credentials (platform CORS and the app\'s CSRF Origin check).')
@minLength(1)
param allowedOrigins string[]

@description('Storage replication.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Blob point-in-time restore window in days.')
@minValue(1)
@maxValue(30)
param pointInTimeRestoreDays int = 7

@description('Days before blobs under backups/ are deleted.')
@minValue(1)
@maxValue(3650)
param backupRetentionDays int = 30

@description('Days before data-subject export blobs under exports/ are deleted.')
@minValue(1)
@maxValue(30)
param exportRetentionDays int = 7

@description('Log Analytics retention in days.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Maximum instances the Flex Consumption plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per Flex Consumption instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Lock the storage account against deletion (CanNotDelete): production, where it holds the only copy of the tables.')
param storageDeleteLock bool = false

@description('Webhook that receives App Configuration flag-change events. Empty = no Event Grid subscription (set it once the app is deployed).')
@secure()
param flagWebhookUrl string = ''

@description('Entra application id or URI that Event Grid requests a token for when delivering to the webhook; empty = none.')
param flagWebhookApplicationIdOrUri string = ''

// ---- Observability (issue 13): SLO alerts, paging, availability test. Values the relay needs; secrets stay empty
// until the PagerDuty and Slack integrations exist (docs/slo.md, "Paging"). ----
@description('PagerDuty Events v2 routing key of the paging service (stored in Key Vault); empty = no PagerDuty.')
@secure()
param pagerDutyRoutingKey string = ''

@description('PagerDuty routing key of a low-urgency service for tickets; empty = tickets go to Slack only.')
@secure()
param pagerDutyTicketRoutingKey string = ''

@description('Slack incoming-webhook URL (stored in Key Vault); empty = no Slack.')
@secure()
param slackWebhookUrl string = ''

@description('Object id of the Entra app registration exposing the ActionGroupsSecureWebhook role; empty = no relay webhook.')
param alertRelayAppObjectId string = ''

@description('E-mail addresses that also receive every alert.')
param alertEmails string[] = []

@description('SLO dashboard linked from pages and Slack messages (Grafana or the workbook).')
param sloDashboardUrl string = ''

@description('Base URL of the repository docs the runbook links start with.')
param runbookBaseUrl string = ''

var resourceTags = union(tags, {
  application: appName
  environment: environmentName
})

// The relay's settings: Key Vault references for the secrets that were given, plain values for the links (issue 13).
var alertRelaySecretSettings = [
  { name: 'AlertRelay__PagerDutyRoutingKey', secret: alertSecrets.outputs.secretNames.pagerDutyRoutingKey, given: !empty(pagerDutyRoutingKey) }
  { name: 'AlertRelay__PagerDutyTicketRoutingKey', secret: alertSecrets.outputs.secretNames.pagerDutyTicketRoutingKey, given: !empty(pagerDutyTicketRoutingKey) }
  { name: 'AlertRelay__SlackWebhookUrl', secret: alertSecrets.outputs.secretNames.slackWebhookUrl, given: !empty(slackWebhookUrl) }
]
var alertRelaySettings = concat(
  map(filter(alertRelaySecretSettings, s => s.given), s => {
    name: s.name
    value: '@Microsoft.KeyVault(VaultName=${names.alertVault};SecretName=${s.secret})'
  }),
  [
    { name: 'AlertRelay__DashboardUrl', value: sloDashboardUrl }
    { name: 'AlertRelay__RunbookBaseUrl', value: runbookBaseUrl }
  ]
)

var token = uniqueString(subscription().id, resourceGroup().id, appName, environmentName)

var names = {
  identity: 'id-${appName}-${environmentName}'
  flagAdminIdentity: 'id-${appName}-flags-${environmentName}'
  storage: take(toLower('st${appName}${environmentName}${token}'), 24)
  workspace: 'log-${appName}-${environmentName}'
  appInsights: 'appi-${appName}-${environmentName}'
  plan: 'plan-${appName}-${environmentName}'
  functionApp: 'func-${appName}-${environmentName}-${token}'
  appConfig: 'appcs-${appName}-${environmentName}-${token}'
  alertVault: take('kv-${appName}-${environmentName}-${take(token, 6)}', 24)
  // Flex Consumption reads the app package from here with the app's identity.
  deploymentContainer: 'app-package'
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  params: {
    name: names.identity
    location: location
    tags: resourceTags
  }
}

// Writes flags for the admin API and nothing else (App Configuration Data Owner); docs/decisions/0013.
module flagAdminIdentity 'modules/identity.bicep' = {
  name: 'flag-admin-identity'
  params: {
    name: names.flagAdminIdentity
    location: location
    tags: resourceTags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: names.storage
    location: location
    tags: resourceTags
    skuName: storageSkuName
    pointInTimeRestoreDays: pointInTimeRestoreDays
    backupRetentionDays: backupRetentionDays
    exportRetentionDays: exportRetentionDays
    deleteLock: storageDeleteLock
    deploymentContainerName: names.deploymentContainer
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: names.workspace
    appInsightsName: names.appInsights
    location: location
    tags: resourceTags
    retentionInDays: logRetentionDays
  }
}

module appConfig 'modules/appconfig.bicep' = {
  name: 'appconfig'
  params: {
    name: names.appConfig
    location: location
    tags: resourceTags
    softDeleteRetentionInDays: 7
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    // Role assignment names are guid(scope, principalId, roleId), so they need the principal id, which exists only
    // once the identity does: What-If cannot predict these names before the identity is created, and says so.
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
    #disable-next-line what-if-short-circuiting
    flagAdminPrincipalId: flagAdminIdentity.outputs.principalId
    // Names, not module outputs, so What-If can resolve the scopes; the dependsOn orders the deployment instead.
    storageAccountName: names.storage
    appInsightsName: names.appInsights
    appConfigName: names.appConfig
  }
  dependsOn: [
    storage
    monitoring
    appConfig
  ]
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    planName: names.plan
    name: names.functionApp
    location: location
    tags: resourceTags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    flagAdminIdentityId: flagAdminIdentity.outputs.id
    flagAdminClientId: flagAdminIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    appConfigEndpoint: appConfig.outputs.endpoint
    authAuthority: authAuthority
    authAudience: authAudience
    allowedOrigins: allowedOrigins
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    extraAppSettings: alertRelaySettings
  }
  // The host reads its storage with the identity at start-up; grant the roles before the app exists.
  dependsOn: [
    rbac
  ]
}

module flagEvents 'modules/flagevents.bicep' = if (!empty(flagWebhookUrl)) {
  name: 'flagevents'
  params: {
    appConfigName: names.appConfig
    location: location
    tags: resourceTags
    webhookUrl: flagWebhookUrl
    webhookTenantId: tenant().tenantId
    webhookApplicationIdOrUri: flagWebhookApplicationIdOrUri
  }
  dependsOn: [
    appConfig
  ]
}

// ---- Observability (issue 13) ----
module alertSecrets 'modules/alertsecrets.bicep' = {
  name: 'alertsecrets'
  params: {
    name: names.alertVault
    location: location
    tags: resourceTags
    #disable-next-line what-if-short-circuiting
    principalId: identity.outputs.principalId
    workspaceId: monitoring.outputs.workspaceId
    pagerDutyRoutingKey: pagerDutyRoutingKey
    pagerDutyTicketRoutingKey: pagerDutyTicketRoutingKey
    slackWebhookUrl: slackWebhookUrl
  }
}

module sloAlerts 'modules/slo-alerts.bicep' = {
  name: 'slo-alerts'
  params: {
    namePrefix: '${appName}-${environmentName}-'
    location: location
    tags: resourceTags
    // Names, not module outputs, so What-If can resolve the resources; dependsOn orders the deployment.
    appInsightsName: names.appInsights
    workspaceId: monitoring.outputs.workspaceId
    functionAppName: names.functionApp
    relayAppObjectId: alertRelayAppObjectId
    relayAudience: authAudience
    alertEmails: alertEmails
  }
  dependsOn: [
    functionApp
  ]
}
// ---- end observability ----

// Outputs in azd's naming (UPPER_SNAKE_CASE become azd environment values); the workflows read the same names.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = resourceGroup().name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_APPCONFIG_NAME string = appConfig.outputs.name
output AZURE_APPCONFIG_ENDPOINT string = appConfig.outputs.endpoint
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_APP_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_FLAG_ADMIN_IDENTITY_CLIENT_ID string = flagAdminIdentity.outputs.clientId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
