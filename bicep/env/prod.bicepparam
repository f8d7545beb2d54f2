using '../main.bicep'

// The production environment (deploy.yml, environment input `prod`, behind the environment's required reviewers).
// Differs from dev in what protects data and capacity: zone-redundant storage, a CanNotDelete lock on the account
// (Tables have no soft delete), a higher scale-out ceiling, longer log retention.
param environmentName = 'prod'
param appName = 'huntaze'
param authAuthority = readEnvironmentVariable('HUNTAZE_AUTH_AUTHORITY', 'https://login.microsoftonline.com/organizations/v2.0')
param authAudience = readEnvironmentVariable('HUNTAZE_AUTH_AUDIENCE', 'api://huntaze-onboarding')
param allowedOrigins = [
  readEnvironmentVariable('HUNTAZE_ALLOWED_ORIGIN', 'https://app.huntaze.com')
]
param storageSkuName = 'Standard_ZRS'
param storageDeleteLock = true
param pointInTimeRestoreDays = 7
param backupRetentionDays = 30
param exportRetentionDays = 7
param logRetentionDays = 90
param maximumInstanceCount = 100
param instanceMemoryMB = 2048
param flagWebhookUrl = readEnvironmentVariable('HUNTAZE_FLAG_WEBHOOK_URL', '')
param flagWebhookApplicationIdOrUri = readEnvironmentVariable('HUNTAZE_FLAG_WEBHOOK_AUDIENCE', '')
