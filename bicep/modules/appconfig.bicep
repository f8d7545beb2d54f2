// App Configuration store holding the feature flags (Microsoft v2 flag schema). Entra-only: access keys are
// disabled, so ARM writes the seed flags in pass-through mode with the deploying principal's own data-plane rights.

@description('App Configuration store name (5-50 characters, globally unique).')
@minLength(5)
@maxLength(50)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the store.')
param tags object

@description('Days a deleted store is kept recoverable (purge protection holds it for the whole period).')
@minValue(1)
@maxValue(7)
param softDeleteRetentionInDays int

@description('Write the seed flags. Each write replaces the flag, so leave this off after the first deployment or a redeploy resets a live rollout or kill switch.')
param seedFeatureFlags bool

@description('Targeting groups that see Onboarding in the first ("internal") rollout stage, e.g. role:admin.')
param internalGroups string[]

var internalAudienceGroups = [for group in internalGroups: { Name: group, RolloutPercentage: 100 }]

var featureFlagContentType = 'application/vnd.microsoft.appconfig.ff+json;charset=utf-8'

// v2 schema documents (platform-notes.md "Feature flags"). Onboarding starts at the internal stage: listed groups
// at 100 %, everyone else at 0 %. The kill switch starts off.
var onboardingFlag = {
  id: 'Onboarding'
  description: 'The onboarding guide. Rolled out internal -> 5 -> 25 -> 50 -> 100 % (docs/flags.md).'
  enabled: true
  conditions: {
    requirement_type: 'Any'
    client_filters: [
      {
        name: 'Microsoft.Targeting'
        parameters: {
          Audience: {
            Users: []
            Groups: internalAudienceGroups
            DefaultRolloutPercentage: 0
            Exclusion: {
              Users: []
              Groups: []
            }
          }
        }
      }
    ]
  }
}

var killSwitchFlag = {
  id: 'Onboarding.KillSwitch'
  description: 'When enabled, onboarding is hidden and its writes answer 503 everywhere within seconds.'
  enabled: false
  conditions: {
    client_filters: []
  }
}

var seedFlags = [
  onboardingFlag
  killSwitchFlag
]

resource store 'Microsoft.AppConfiguration/configurationStores@2024-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'standard'
  }
  properties: {
    disableLocalAuth: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    publicNetworkAccess: 'Enabled'
    dataPlaneProxy: {
      // Key-values written through ARM use the caller's Entra identity (needs App Configuration Data Owner),
      // the only way once access keys are disabled.
      authenticationMode: 'Pass-through'
      privateLinkDelegation: 'Disabled'
    }
  }
}

resource flags 'Microsoft.AppConfiguration/configurationStores/keyValues@2024-05-01' = [
  for flag in seedFlags: if (seedFeatureFlags) {
    parent: store
    // '/' is not allowed in an ARM resource name; App Configuration reads '~2F' as the escaped slash.
    name: '.appconfig.featureflag~2F${flag.id}'
    properties: {
      contentType: featureFlagContentType
      value: string(flag)
    }
  }
]

output name string = store.name
output id string = store.id
output endpoint string = store.properties.endpoint
