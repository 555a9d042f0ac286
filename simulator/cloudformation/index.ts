export { LocalCloudFormation } from './local-cloudformation';
export type { DeployInput, DeployResult, LocalCloudFormationOptions, ResourceDescription, StackDescription } from './local-cloudformation';
export { formatStackEvent } from './events';
export type { ResourceStatus, StackEvent, StackStatus } from './events';
export { PolicyRegistry } from './policy-registry';
export type { IdentityPolicyRecord, PolicyDocument, PolicyRecord, PolicyStatement, ResourcePolicyRecord, RoleRecord } from './policy-registry';
export type { DatabaseHost, LocalDatabase, LocalDatabaseOptions, LocalEngine } from './database-host';
