import { DynamicReferenceSources, resolveDynamicReferences } from '../dynamic-references';
import { ResourceStatus, StackEventLog, StackStatus, STACK_RESOURCE_TYPE } from '../events';
import { DependencyGraph } from '../graph';
import { NO_VALUE, resolve, ResolutionError, ResolutionScope } from '../intrinsics';
import { DeployEnvironment, ResourceHandler, ResourceRequest } from '../resources/handler';
import { handlerFor, recordedHandler } from '../resources/index';
import { ResourceState, StackState } from '../stack';
import { Template, transformsOf, UNSIMULATED_TRANSFORMS } from '../template';

/** What stack operations work with. */
export interface OperationContext {
  readonly env: DeployEnvironment;
  readonly events: StackEventLog;
  readonly dynamicReferences: DynamicReferenceSources;
  /** Skip a resource this machine cannot simulate (and its dependents) instead of failing it. */
  readonly skipUnsimulated: boolean;
  /** `AWS::Region`, `AWS::StackName`, ... for a stack. */
  pseudoParameters(stack: StackState): Record<string, unknown>;
  importValue(exportName: string): unknown;
  /** The live stack that exports `exportName`, if any. */
  exporterOf(exportName: string): string | undefined;
}

/** A stack operation's plan: the template it works towards and its dependency graph. */
export interface StackPlan {
  readonly template: Template;
  readonly graph: DependencyGraph;
  readonly parameters: Record<string, unknown>;
  readonly conditions: Record<string, boolean>;
}

export function setStackStatus(context: OperationContext, stack: StackState, status: StackStatus, reason?: string): void {
  stack.status = status;
  stack.statusReason = reason;
  context.events.record({
    stackName: stack.name,
    stackId: stack.id,
    logicalResourceId: stack.name,
    physicalResourceId: stack.id,
    resourceType: STACK_RESOURCE_TYPE,
    resourceStatus: status,
    ...(reason ? { resourceStatusReason: reason } : {}),
  });
}

/** Records a resource event (and, for the current copy of the resource, its status). */
export function resourceEvent(
  context: OperationContext,
  stack: StackState,
  resource: { logicalId: string; type: string; physicalId?: string },
  status: ResourceStatus,
  reason?: string,
): void {
  context.events.record({
    stackName: stack.name,
    stackId: stack.id,
    logicalResourceId: resource.logicalId,
    ...(resource.physicalId ? { physicalResourceId: resource.physicalId } : {}),
    resourceType: resource.type,
    resourceStatus: status,
    ...(reason ? { resourceStatusReason: reason } : {}),
  });
}

export function setResourceStatus(
  context: OperationContext,
  stack: StackState,
  resource: ResourceState,
  status: ResourceStatus,
  reason?: string,
): void {
  resource.status = status;
  resource.statusReason = reason;
  resourceEvent(context, stack, resource, status, reason);
}

/** Intrinsics of `plan` resolved against the stack's current resources. */
export function resolutionScope(context: OperationContext, stack: StackState, plan: StackPlan): ResolutionScope {
  return {
    pseudoParameters: context.pseudoParameters(stack),
    parameters: plan.parameters,
    mappings: plan.template.Mappings ?? {},
    conditions: plan.conditions,
    ref: (logicalId) => {
      const resource = stack.resources.get(logicalId);
      if (resource?.physicalId === undefined) throw new ResolutionError(`Template error: resource ${logicalId} has no physical id yet`);
      return resource.physicalId;
    },
    getAtt: (logicalId, attribute) => {
      const resource = stack.resources.get(logicalId);
      if (!resource) throw new ResolutionError(`Template error: instance of Fn::GetAtt references undefined resource ${logicalId}`);
      const value = resource.attributes[attribute];
      if (value === undefined) throw new ResolutionError(`Template error: resource ${logicalId} does not support attribute type ${attribute} in Fn::GetAtt`);
      return value;
    },
    importValue: (name) => context.importValue(name),
  };
}

/** A resource's properties with intrinsics resolved; dynamic references stay as written until the handler runs. */
export function resolveProperties(context: OperationContext, stack: StackState, plan: StackPlan, logicalId: string): Record<string, unknown> {
  const declared = plan.template.Resources[logicalId].Properties ?? {};
  const resolved = resolve(declared, resolutionScope(context, stack, plan));
  return resolved === NO_VALUE ? {} : resolved as Record<string, unknown>;
}

/** Why a resource is recorded only: a transform this deployer cannot run serves it. */
export function transformNote(template: Template, logicalId: string): string | undefined {
  const resource = template.Resources[logicalId];
  const transform = transformsOf(template).find((name) => UNSIMULATED_TRANSFORMS[name]?.(resource));
  return transform ? `served by the ${transform} transform, which is not simulated` : undefined;
}

/** The handler for a resource: recording-only for what a transform serves. */
export function handlerOf(resource: { type: string; notSimulated?: string; physicalId?: string }): ResourceHandler {
  return resource.notSimulated !== undefined ? recordedHandler : handlerFor(resource.type);
}

/** A handler request with dynamic references resolved (in properties and old properties). */
export async function handlerRequest(
  context: OperationContext,
  stack: StackState,
  resource: { logicalId: string; type: string; physicalId?: string; attributes?: Record<string, unknown> },
  properties: Record<string, unknown>,
  oldProperties?: Record<string, unknown>,
): Promise<ResourceRequest> {
  return {
    logicalId: resource.logicalId,
    type: resource.type,
    stack: { name: stack.name, id: stack.id },
    properties: await resolveDynamicReferences(properties, context.dynamicReferences) as Record<string, unknown>,
    ...(oldProperties ? { oldProperties: await resolveDynamicReferences(oldProperties, context.dynamicReferences) as Record<string, unknown> } : {}),
    ...(resource.physicalId !== undefined ? { physicalId: resource.physicalId } : {}),
    ...(resource.attributes ? { attributes: resource.attributes } : {}),
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
