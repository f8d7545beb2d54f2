// App Configuration store holding the feature flags (Microsoft v2 flag schema). Entra-only: access keys are
// disabled. The seed flags are written by bicep/seed-flags.bicep, deployed once by the seeding principal (the only
// one holding App Configuration Data Owner besides the app's flag-admin identity; docs/decisions/0013).

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
      // Key-values written through ARM (seed-flags.bicep) use the caller's Entra identity (App Configuration Data
      // Owner), the only way once access keys are disabled.
      authenticationMode: 'Pass-through'
      privateLinkDelegation: 'Disabled'
    }
  }
}

output name string = store.name
output id string = store.id
output endpoint string = store.properties.endpoint
