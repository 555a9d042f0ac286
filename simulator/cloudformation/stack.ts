import { ResourceStatus, StackStatus } from './events';
import type { PendingRollback } from './operations/update';
import { ResourceDeclaration, Template } from './template';

/** One resource of a stack, as the deployer tracks it. */
export interface ResourceState {
  readonly logicalId: string;
  readonly type: string;
  physicalId?: string;
  status: ResourceStatus;
  statusReason?: string;
  /** What Fn::GetAtt answers. */
  attributes: Record<string, unknown>;
  /** The attributes are masked wherever they are shown (a custom resource's NoEcho). */
  noEcho?: boolean;
  /** Properties as last created or updated: intrinsics resolved, dynamic references kept as written. */
  properties: Record<string, unknown>;
  declaration: ResourceDeclaration;
  /** Why the resource is recorded but not simulated (a transform, an engine this machine cannot serve, ...). */
  notSimulated?: string;
}

export interface OutputState {
  readonly value: unknown;
  readonly description?: string;
  readonly exportName?: string;
}

/** A stack: its template, parameters, resources and outputs. */
export interface StackState {
  readonly name: string;
  readonly id: string;
  status: StackStatus;
  statusReason?: string;
  template: Template;
  parameters: Record<string, unknown>;
  conditions: Record<string, boolean>;
  resources: Map<string, ResourceState>;
  outputs: Map<string, OutputState>;
  /** Asset directories by S3 object key, for Lambda code. */
  assets: ReadonlyMap<string, string>;
  /** The rollback an update left unfinished (UPDATE_ROLLBACK_FAILED), for continueUpdateRollback. */
  pendingRollback?: PendingRollback;
}

/** A physical copy of a resource that the stack no longer uses and deletes in the cleanup phase. */
export interface RetiredResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
  readonly attributes: Record<string, unknown>;
  readonly declaration: ResourceDeclaration;
  readonly notSimulated?: string;
}
