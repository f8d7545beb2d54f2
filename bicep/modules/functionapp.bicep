// Flex Consumption plan + the function app. Every connection is identity-based with the user-assigned identity:
// storage (host state, Durable task hub, deployment package), Application Insights ingestion, App Configuration.

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the function app (becomes {name}.azurewebsites.net).')
@minLength(2)
@maxLength(60)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('Resource id of the user-assigned managed identity the app runs as.')
param identityId string

@description('Client id of that identity (for AzureWebJobsStorage__clientId, AZURE_CLIENT_ID and telemetry auth).')
param identityClientId string

@description('Name of the storage account used for AzureWebJobsStorage.')
param storageAccountName string

@description('URL of the blob container holding the deployment package.')
param deploymentContainerUrl string

@description('Application Insights connection string (not a secret with local auth disabled).')
param appInsightsConnectionString string

@description('App Configuration endpoint, e.g. https://name.azconfig.io.')
param appConfigEndpoint string

@description('OpenID Connect authority that issues the API tokens.')
param authAuthority string

@description('Audience the API tokens must carry.')
param authAudience string

@description('Browser origins allowed to call the API with credentials.')
param allowedOrigins string[]

@description('Upper bound on instances the plan scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Resource id of the flag-admin identity (App Configuration Data Owner), used only for flag writes.')
param flagAdminIdentityId string

@description('Client id of the flag-admin identity.')
param flagAdminClientId string

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Further app settings ({name, value}) from other modules, e.g. the alert relay\'s Key Vault references (issue 13).')
param extraAppSettings array = []

// The app's CORS/CSRF origin allowlist (Security__AllowedOrigins__{i}) mirrors the platform CORS list.
var originSettings = [for (origin, i) in allowedOrigins: { name: 'Security__AllowedOrigins__${i}', value: origin }]

var appSettings = concat(
  [
    // Functions host storage and the Durable task hub: identity-based, no shared key (platform-notes.md).
    { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
    { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
    { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
    // Azure.Identity's DefaultAzureCredential/ManagedIdentityCredential pick the user-assigned identity from this.
    { name: 'AZURE_CLIENT_ID', value: identityClientId }
    { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
    // Entra ingestion: required once the component's local auth is disabled.
    { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
    // Explicit, because development tokens are accepted only in Development (issue 3): never inherit it by accident.
    { name: 'AZURE_FUNCTIONS_ENVIRONMENT', value: 'Production' }
    { name: 'Auth__Authority', value: authAuthority }
    { name: 'Auth__Audience', value: authAudience }
    { name: 'Flags__AppConfiguration__Endpoint', value: appConfigEndpoint }
    // Flag writes (admin API) authenticate as this identity; reads as AZURE_CLIENT_ID, which may only read.
    { name: 'Flags__AppConfiguration__WriterClientId', value: flagAdminClientId }
    // Behind the Functions front end the caller's address is the right-most X-Forwarded-For entry
    // (per-IP limits of anonymous calls); verify on first deployment (docs/deploy.md).
    { name: 'Security__TrustForwardedFor', value: 'true' }
    // The backup timers read their schedules from these settings (%Backups__Schedule%); the Functions host needs them set.
    { name: 'Backups__Schedule', value: '0 0 2 * * *' }
    { name: 'Backups__DrillSchedule', value: '0 0 4 * * 0' }
    // The retention timer's schedule is a binding expression (%Privacy__RetentionSchedule%): the host needs the setting.
    { name: 'Privacy__RetentionSchedule', value: '0 30 2 * * *' }
  ],
  originSettings,
  extraAppSettings
)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the service's host by this tag (azure.yaml: services.api).
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
      '${flagAdminIdentityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    // Key Vault references (the alert relay's secrets) resolve with the user-assigned identity.
    keyVaultReferenceIdentity: identityId
    httpsOnly: true
    clientCertEnabled: false
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      cors: {
        allowedOrigins: allowedOrigins
        supportCredentials: true
      }
      appSettings: appSettings
    }
  }
}

// No publishing passwords: deployments authenticate with Entra (OIDC in GitHub Actions).
resource ftpCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmCredentials 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

output name string = app.name
output id string = app.id
output defaultHostName string = app.properties.defaultHostName
