using './main.bicep'

// The dev environment. Values that differ per tenant come from the environment (set as GitHub environment
// variables in deploy.yml); the fallbacks keep `bicep build-params` working offline in CI.
param environmentName = 'dev'
param appName = 'huntaze'
param authAuthority = readEnvironmentVariable('HUNTAZE_AUTH_AUTHORITY', 'https://login.microsoftonline.com/organizations/v2.0')
param authAudience = readEnvironmentVariable('HUNTAZE_AUTH_AUDIENCE', 'api://huntaze-onboarding-dev')
param allowedOrigins = [
  readEnvironmentVariable('HUNTAZE_ALLOWED_ORIGIN', 'https://dev.huntaze.com')
]
param storageSkuName = 'Standard_LRS'
param pointInTimeRestoreDays = 7
param backupRetentionDays = 30
param exportRetentionDays = 7
param logRetentionDays = 30
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param seedFeatureFlags = bool(readEnvironmentVariable('HUNTAZE_SEED_FEATURE_FLAGS', 'false'))
param internalGroups = [
  'role:admin'
  'role:support'
]
// Push path for flag changes: empty until the app's flag-event webhook exists (docs/deploy.md, step 5).
param flagWebhookUrl = readEnvironmentVariable('HUNTAZE_FLAG_WEBHOOK_URL', '')
param flagWebhookApplicationIdOrUri = readEnvironmentVariable('HUNTAZE_FLAG_WEBHOOK_AUDIENCE', '')
