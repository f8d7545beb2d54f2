// Issue 13: alerts generated from observability/slo.json (the one home of the SLOs): multi-window multi-burn-rate
// log alerts for every active SLO, the warning thresholds, the direct alerts, the availability test on the readiness
// endpoint with its metric alert, the action group that posts to the app's AlertRelay, diagnostic settings, and the
// SLO workbook. Query shapes and the reasons behind them: docs/slo.md and docs/decisions/0012-observability.md.

@description('Prefix of every alert rule name (the relay routes by the name\'s suffix).')
param namePrefix string

@description('Azure region of the rules and the web test.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Application Insights component the rules query (customMetrics) and the web test reports to.')
param appInsightsName string

@description('Log Analytics workspace receiving diagnostic settings.')
param workspaceId string

@description('The function app (diagnostic settings, relay webhook, availability test).')
param functionAppName string

@description('Entra object id of the app registration whose app role ActionGroupsSecureWebhook the action group gets tokens for; empty = no relay webhook.')
param relayAppObjectId string = ''

@description('Identifier URI (audience) of that app registration, e.g. api://huntaze-onboarding.')
param relayAudience string = ''

@description('E-mail addresses that also receive every alert (a fallback when the relay is not configured).')
param alertEmails string[] = []

var slo = loadJsonContent('../../observability/slo.json')
var activeSlos = filter(slo.slos, s => s.status == 'active')
var burnRules = flatten(map(activeSlos, s => map(slo.burnRateAlerts, w => {
  slo: s
  window: w
})))
// Budget as a KQL expression: Bicep has no floating-point arithmetic, KQL does.
var burnQueries = map(burnRules, r => join([
  'customMetrics'
  '| where timestamp > ago(${r.window.longWindowMinutes}m)'
  '| where name == \'${r.slo.sli.azureMonitor.metric}\''
  '| where ${r.slo.sli.azureMonitor.where}'
  '| extend w = todouble(${r.slo.sli.azureMonitor.weight}), isBad = ${r.slo.sli.azureMonitor.bad}, isRecent = timestamp > ago(${r.window.shortWindowMinutes}m)'
  '| summarize longTotal = sum(w), longBad = sumif(w, isBad), shortTotal = sumif(w, isRecent), shortBad = sumif(w, isBad and isRecent)'
  '| extend budget = (100.0 - ${string(r.slo.objectivePercent)}) / 100.0'
  '| extend longBurn = iff(longTotal > 0, longBad / longTotal / budget, 0.0), shortBurn = iff(shortTotal > 0, shortBad / shortTotal / budget, 0.0)'
  '| where longBurn >= ${string(r.window.burnRate)} and shortBurn >= ${string(r.window.burnRate)}'
  '| project longBurn, shortBurn, longTotal, longBad'
], '\n'))
var warningQueries = map(slo.warnings, w => join([
  'customMetrics'
  '| where timestamp > ago(${w.windowMinutes}m)'
  '| where name == \'${filter(slo.slos, s => s.id == w.slo)[0].sli.azureMonitor.metric}\''
  '| where ${w.?where ?? filter(slo.slos, s => s.id == w.slo)[0].sli.azureMonitor.where}'
  '| extend w = todouble(${filter(slo.slos, s => s.id == w.slo)[0].sli.azureMonitor.weight}), isBad = ${w.bad}'
  '| summarize total = sum(w), bad = sumif(w, isBad)'
  '| extend badPercent = iff(total > 0, 100.0 * bad / total, 0.0)'
  '| where badPercent > ${string(w.thresholdPercent)}'
  '| project badPercent, total, bad'
], '\n'))

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: '${namePrefix}alerts'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: take(replace('${namePrefix}slo', '-', ''), 12)
    enabled: true
    // The common alert schema is what the relay reads; with AAD auth Azure Monitor sends an Entra token whose
    // roles claim holds ActionGroupsSecureWebhook.
    webhookReceivers: empty(relayAppObjectId) ? [] : [
      {
        name: 'alert-relay'
        serviceUri: 'https://${functionApp.properties.defaultHostName}/api/alerts/relay'
        useCommonAlertSchema: true
        useAadAuth: true
        objectId: relayAppObjectId
        identifierUri: relayAudience
        tenantId: tenant().tenantId
      }
    ]
    emailReceivers: [for (email, i) in alertEmails: {
      name: 'email-${i}'
      emailAddress: email
      useCommonAlertSchema: true
    }]
  }
}

resource burnRateAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for (rule, i) in burnRules: {
  name: '${namePrefix}slo-${rule.slo.id}-${rule.window.name}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: '${rule.slo.title}: burn rate ${string(rule.window.burnRate)}x (${rule.window.name})'
    description: 'Error budget of "${rule.slo.title}" (${string(rule.slo.objectivePercent)}% over ${rule.slo.windowDays} d) burning at ${string(rule.window.burnRate)}x over ${rule.window.longWindowMinutes} and ${rule.window.shortWindowMinutes} minutes. Runbook: ${rule.slo.runbook}'
    severity: rule.window.severity
    enabled: true
    evaluationFrequency: 'PT${rule.window.evaluationMinutes}M'
    windowSize: 'PT${rule.window.evaluationMinutes}M'
    // The query filters both windows itself; the range it may see is the long window.
    overrideQueryTimeRange: 'PT${rule.window.longWindowMinutes}M'
    scopes: [
      appInsights.id
    ]
    criteria: {
      allOf: [
        {
          query: burnQueries[i]
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'longBurn'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        slo: rule.slo.id
        window: rule.window.name
        action: rule.window.action
        runbook: rule.slo.runbook
      }
    }
  }
}]

resource warningAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for (warning, i) in slo.warnings: {
  name: '${namePrefix}warn-${warning.id}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: warning.title
    description: '${warning.description} Runbook: ${warning.runbook}'
    severity: 3
    enabled: true
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    overrideQueryTimeRange: 'PT${warning.windowMinutes}M'
    scopes: [
      appInsights.id
    ]
    criteria: {
      allOf: [
        {
          query: warningQueries[i]
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'badPercent'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        warning: warning.id
        action: warning.action
        runbook: warning.runbook
      }
    }
  }
}]

resource directAlerts 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = [for alert in slo.directAlerts: {
  name: '${namePrefix}alert-${alert.id}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: alert.title
    description: 'Runbook: ${alert.runbook}'
    severity: alert.severity
    enabled: true
    evaluationFrequency: 'PT${alert.evaluationMinutes}M'
    windowSize: 'PT${alert.windowMinutes}M'
    scopes: [
      appInsights.id
    ]
    criteria: {
      allOf: [
        {
          query: alert.query
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        alert: alert.id
        action: alert.action
        runbook: alert.runbook
      }
    }
  }
}]

resource readinessTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: '${namePrefix}readiness'
  location: location
  // Links the test to the component (required for it to show and report there).
  tags: union(tags, {
    'hidden-link:${appInsights.id}': 'Resource'
  })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: '${namePrefix}readiness'
    Name: slo.availabilityTest.title
    Enabled: true
    Frequency: slo.availabilityTest.frequencySeconds
    Timeout: slo.availabilityTest.timeoutSeconds
    Kind: 'standard'
    RetryEnabled: true
    Locations: [for id in slo.availabilityTest.locations: {
      Id: id
    }]
    Request: {
      RequestUrl: 'https://${functionApp.properties.defaultHostName}${slo.availabilityTest.path}'
      HttpVerb: 'GET'
      ParseDependentRequests: false
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource readinessAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: '${namePrefix}availability'
  location: 'global'
  tags: tags
  properties: {
    description: '${slo.availabilityTest.title}. Runbook: ${slo.availabilityTest.runbook}'
    severity: slo.availabilityTest.severity
    enabled: true
    scopes: [
      readinessTest.id
      appInsights.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: readinessTest.id
      componentId: appInsights.id
      failedLocationCount: slo.availabilityTest.failedLocationCount
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

resource appDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'to-workspace'
  scope: functionApp
  properties: {
    workspaceId: workspaceId
    logs: [
      {
        category: 'FunctionAppLogs'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

// The SLO workbook: generated from the same file by `huntaze dashboards` (observability/dashboards/).
resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, namePrefix, 'slo-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: '${namePrefix}SLOs'
    category: 'workbook'
    sourceId: appInsights.id
    serializedData: loadTextContent('../../observability/dashboards/azure-workbook.json')
  }
}

output actionGroupId string = actionGroup.id
output burnRateRuleNames string[] = [for (rule, i) in burnRules: burnRateAlerts[i].name]
