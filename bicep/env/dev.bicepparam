using '../main.bicep'

// The dev environment (deploy.yml, environment input `dev`; every green main deploys here). Values that differ per
// tenant come from the environment (GitHub environment variables); the fallbacks keep `bicep build-params` working
// offline in CI.
param environmentName = 'dev'
param appName = 'huntaze'
param authAuthority = readEnvironmentVariable('HUNTAZE_AUTH_AUTHORITY', 'https://login.microsoftonline.com/organizations/v2.0')
param authAudience = readEnvironmentVariable('HUNTAZE_AUTH_AUDIENCE', 'api://huntaze-onboarding-dev')
param allowedOrigins = [
  readEnvironmentVariable('HUNTAZE_ALLOWED_ORIGIN', 'https://dev.huntaze.com')
]
param storageSkuName = 'Standard_LRS'
param storageDeleteLock = false
param pointInTimeRestoreDays = 7
param backupRetentionDays = 30
param exportRetentionDays = 7
param logRetentionDays = 30
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
// Push path for flag changes: empty until the app's flag-event webhook exists (docs/deploy.md).
param flagWebhookUrl = readEnvironmentVariable('HUNTAZE_FLAG_WEBHOOK_URL', '')
param flagWebhookApplicationIdOrUri = readEnvironmentVariable('HUNTAZE_FLAG_WEBHOOK_AUDIENCE', '')
