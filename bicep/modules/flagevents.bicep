// Push path for flag changes (platform-notes.md "Flag propagation"): App Configuration publishes KeyValueModified /
// KeyValueDeleted to an Event Grid system topic; a subscription filtered to feature-flag keys delivers them to the
// app's webhook. Deployed only once that endpoint exists, because Event Grid validates a webhook when subscribing.

@description('App Configuration store that raises the events.')
param appConfigName string

@description('Azure region (the store\'s).')
param location string

@description('Tags applied to the system topic.')
param tags object

@description('HTTPS endpoint that receives the events and answers the subscription-validation handshake.')
@secure()
param webhookUrl string

@description('Entra tenant id used to secure webhook delivery (Event Grid sends a token for the application below).')
param webhookTenantId string

@description('Entra application id or URI that the delivered token is issued for; empty = no Entra token on delivery.')
param webhookApplicationIdOrUri string

resource store 'Microsoft.AppConfiguration/configurationStores@2024-05-01' existing = {
  name: appConfigName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${store.name}-events'
  location: location
  tags: tags
  properties: {
    source: store.id
    topicType: 'Microsoft.AppConfiguration.ConfigurationStores'
  }
}

resource flagChanges 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'feature-flag-changes'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: webhookUrl
        azureActiveDirectoryTenantId: empty(webhookApplicationIdOrUri) ? null : webhookTenantId
        azureActiveDirectoryApplicationIdOrUri: empty(webhookApplicationIdOrUri) ? null : webhookApplicationIdOrUri
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.AppConfiguration.KeyValueModified'
        'Microsoft.AppConfiguration.KeyValueDeleted'
      ]
      advancedFilters: [
        {
          operatorType: 'StringBeginsWith'
          key: 'data.key'
          values: [
            '.appconfig.featureflag/'
          ]
        }
      ]
    }
    retryPolicy: {
      // A flag change is worth little after a few minutes: the slow safety-net sync will have caught it.
      maxDeliveryAttempts: 10
      eventTimeToLiveInMinutes: 30
    }
  }
}

output topicName string = topic.name
