// The app's one storage account: Functions host state (AzureWebJobsStorage, Durable task hub), the Flex
// Consumption deployment package, and the app's own tables and blobs (backups/, exports/, flags/).
// Identity-only: shared keys are refused, so no connection string exists to leak.

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Replication. Zone- or geo-redundant SKUs for production.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param skuName string

@description('Blob point-in-time restore window in days. Soft delete and change feed are kept a week longer, as the restore requires.')
@minValue(1)
@maxValue(30)
param pointInTimeRestoreDays int

// ---- Backups (issue 12; ADR 0016) -------------------------------------------------------------------------
@description('Days a daily backup is kept (Backups__DailyDays). The lifecycle rule deletes two days later: the app expires first, the rule is the backstop.')
@minValue(1)
param backupRetentionDays int

@description('Days a Sunday (weekly-tier) backup is kept: Backups__WeeklyWeeks × 7.')
@minValue(1)
param backupWeeklyRetentionDays int = 84

@description('Days the first backup of a month (monthly tier) is kept: Backups__MonthlyMonths (12) months, as days.')
@minValue(1)
@maxValue(395)
param backupMonthlyRetentionDays int = 366

// The app tags every backup blob with its tier (index tag 'tier': daily, weekly, monthly); one rule per tier.
var backupTiers = [
  { tier: 'daily', days: backupRetentionDays + 2 }
  { tier: 'weekly', days: backupWeeklyRetentionDays + 2 }
  { tier: 'monthly', days: backupMonthlyRetentionDays + 2 }
]
var backupRules = [
  for t in backupTiers: {
    name: 'delete-backups-${t.tier}'
    enabled: true
    type: 'Lifecycle'
    definition: {
      filters: {
        blobTypes: [
          'blockBlob'
        ]
        prefixMatch: [
          'backups/'
        ]
        blobIndexMatch: [
          {
            name: 'tier'
            op: '=='
            value: t.tier
          }
        ]
      }
      actions: {
        baseBlob: {
          delete: {
            daysAfterModificationGreaterThan: t.days
          }
        }
        version: {
          delete: {
            daysAfterCreationGreaterThan: t.days
          }
        }
      }
    }
  }
]
// ---- end of backups ------------------------------------------------------------------------------------

@description('Days after which blobs under exports/ (data-subject request results) are deleted (with their versions).')
@minValue(1)
param exportRetentionDays int

@description('Put a CanNotDelete lock on the account (production): Tables have no soft delete, so deleting the account would lose every table for good.')
param deleteLock bool

@description('Name of the blob container that holds the Flex Consumption deployment package.')
@minLength(3)
@maxLength(63)
param deploymentContainerName string

// Point-in-time restore requires soft delete (and change feed) retained strictly longer than the restore window.
var softDeleteDays = pointInTimeRestoreDays + 7

// Previous blob versions are kept for the restore window plus a week's margin, then deleted account-wide: without
// this every rewrite (the flag sync's status blob, snapshots, host leases) left a version behind for ever.
var versionRetentionDays = pointInTimeRestoreDays + 7

// The app names its containers by logical name (StorageClients.ContainerName) with an empty prefix in Azure.
var appContainers = [
  'backups'
  'exports'
  'flags'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      // Flex Consumption without VNet integration reaches storage over its public endpoint; access is Entra-only.
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      requireInfrastructureEncryption: false
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    isVersioningEnabled: true
    changeFeed: {
      enabled: true
      retentionInDays: softDeleteDays
    }
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    restorePolicy: {
      enabled: true
      days: pointInTimeRestoreDays
    }
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = [
  for container in appContainers: {
    parent: blobService
    name: container
    properties: {
      publicAccess: 'None'
    }
  }
]

// Retention by lifecycle management. With versioning on, deleting a base blob leaves a previous version behind,
// so each rule deletes versions too: an expired export must really be gone (GDPR storage limitation), apart from
// the soft-delete window that point-in-time restore needs.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: concat(backupRules, [
        {
          // Account-wide. Version age counts from the version's creation (when that content was written), so a blob
          // left unchanged for longer than this and then overwritten loses its previous version at the next
          // lifecycle run: a point-in-time restore to before that overwrite cannot bring that one blob back
          // (docs/decisions/0002). Frequently rewritten blobs, the reason for this rule, are unaffected.
          name: 'delete-old-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: versionRetentionDays
                }
              }
            }
          }
        }
        {
          name: 'delete-exports'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                'exports/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: exportRetentionDays
                }
              }
              version: {
                delete: {
                  daysAfterCreationGreaterThan: exportRetentionDays
                }
              }
            }
          }
        }
      ])
    }
  }
}

// From the template, not a manual step: the deploy principal may create locks but not delete them (bootstrap).
resource lock 'Microsoft.Authorization/locks@2020-05-01' = if (deleteLock) {
  name: 'keep-data'
  scope: storage
  properties: {
    level: 'CanNotDelete'
    notes: 'Tables have no soft delete or point-in-time restore: deleting this account loses all onboarding data.'
  }
}

output name string = storage.name
output id string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
