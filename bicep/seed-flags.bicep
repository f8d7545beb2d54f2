// The seed feature flags, written once per environment by the seeding principal: the only principal besides the
// app's flag-admin identity that holds App Configuration Data Owner (docs/decisions/0013). Separate from main.bicep
// so that the deploy principal never needs data-plane write rights, and so that no redeploy can reset a live
// rollout or an active kill switch: an ARM PUT replaces a key-value. Deploy it only on an empty store:
//   az deployment group create -g rg-huntaze-dev -f bicep/seed-flags.bicep -p appConfigName=<AZURE_APPCONFIG_NAME>

targetScope = 'resourceGroup'

@description('App Configuration store created by main.bicep (output AZURE_APPCONFIG_NAME).')
param appConfigName string

@description('Targeting groups that see Onboarding in the first ("internal") rollout stage, e.g. role:admin.')
param internalGroups string[] = [
  'role:admin'
  'role:support'
]

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

resource store 'Microsoft.AppConfiguration/configurationStores@2024-05-01' existing = {
  name: appConfigName
}

resource flags 'Microsoft.AppConfiguration/configurationStores/keyValues@2024-05-01' = [
  for flag in seedFlags: {
    parent: store
    // '/' is not allowed in an ARM resource name; App Configuration reads '~2F' as the escaped slash.
    name: '.appconfig.featureflag~2F${flag.id}'
    properties: {
      contentType: featureFlagContentType
      value: string(flag)
    }
  }
]

output seededFlags string[] = [for flag in seedFlags: flag.id]
