using './main.bicep'

// The parameters `azd provision` / `azd up` use (azure.yaml: infra.path bicep, module main). azd exports its
// environment's values, so set them with `azd env set`: HUNTAZE_ENVIRONMENT (dev, test or prod; default dev),
// HUNTAZE_AUTH_AUTHORITY, HUNTAZE_AUTH_AUDIENCE, HUNTAZE_ALLOWED_ORIGIN. Sizes are the template's defaults
// (a dev-sized environment); the pipeline deploys dev and prod with env/dev.bicepparam and env/prod.bicepparam.
param environmentName = readEnvironmentVariable('HUNTAZE_ENVIRONMENT', 'dev')
param authAuthority = readEnvironmentVariable('HUNTAZE_AUTH_AUTHORITY', 'https://login.microsoftonline.com/organizations/v2.0')
param authAudience = readEnvironmentVariable('HUNTAZE_AUTH_AUDIENCE', 'api://huntaze-onboarding-dev')
param allowedOrigins = [
  readEnvironmentVariable('HUNTAZE_ALLOWED_ORIGIN', 'https://dev.huntaze.com')
]
