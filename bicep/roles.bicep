// Built-in role definition ids (the same in every tenant), in one place: the app's role assignments (modules/rbac.bicep)
// and the deploy principal's ABAC condition (bootstrap/deployer.bicep) both import them, so the principal can grant
// exactly the roles the templates assign and nothing else (no Owner, no User Access Administrator).

@export()
@description('Roles the templates assign to the app\'s identities: the only ones the deploy principal may grant or remove.')
var assignableRoles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  appConfigurationDataReader: '516239f1-63e1-4d78-a4de-a74fb236a071'
  appConfigurationDataOwner: '5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b'
  // The alert relay's secrets (issue 13, modules/alertsecrets.bicep): import it from here rather than a literal.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

@export()
@description('Roles given to the pipeline\'s principals by the bootstrap template (never by the app\'s templates).')
var pipelineRoles = {
  contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c'
  roleBasedAccessControlAdministrator: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168'
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
}
