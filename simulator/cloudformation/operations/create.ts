import { runInDependencyOrder } from '../graph';
import { NotSimulatedError, ResourceFailure } from '../resources/handler';
import { ResourceState, StackState } from '../stack';
import {
  errorMessage, handlerOf, handlerRequest, OperationContext, resolveProperties, resourceEvent, setResourceStatus, setStackStatus,
  StackPlan, transformNote,
} from './context';
import { deleteResources } from './delete';
import { publishOutputs } from './outputs';

/**
 * Create stack: every resource in dependency order, independent ones at once. When one fails, nothing new starts,
 * the stack rolls back (ROLLBACK_IN_PROGRESS) deleting what was created in reverse order, and ends in
 * ROLLBACK_COMPLETE, or ROLLBACK_FAILED when a delete fails.
 */
export async function createStack(context: OperationContext, stack: StackState, plan: StackPlan): Promise<void> {
  setStackStatus(context, stack, 'CREATE_IN_PROGRESS', 'User Initiated');
  const state = { failing: false };
  const run = await runInDependencyOrder(plan.graph.keys(), plan.graph, async (logicalId) => {
    const ok = await createResource(context, stack, plan, logicalId, () => state.failing);
    if (!ok) state.failing = true;
    return ok;
  });
  let failure = run.failed.size > 0 ? `The following resource(s) failed to create: [${[...run.failed].join(', ')}]. ` : undefined;
  if (failure === undefined) {
    try {
      publishOutputs(context, stack, plan);
      setStackStatus(context, stack, 'CREATE_COMPLETE');
      return;
    } catch (error) {
      failure = `${errorMessage(error)} `;
    }
  }
  setStackStatus(context, stack, 'ROLLBACK_IN_PROGRESS', `${failure}Rollback requested by user.`);
  const failed = await deleteResources(context, stack, stack.resources, plan.graph, {
    policy: 'DeletionPolicy',
    rollingBackCreation: true,
    onGone: (resource) => {
      const current = stack.resources.get(resource.logicalId)!;
      current.status = 'DELETE_COMPLETE';
    },
  });
  for (const logicalId of failed) stack.resources.get(logicalId)!.status = 'DELETE_FAILED';
  setStackStatus(context, stack, failed.size > 0 ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE');
}

/**
 * Creates one resource: CREATE_IN_PROGRESS, then CREATE_COMPLETE or CREATE_FAILED with the reason. A resource that
 * this machine cannot simulate is skipped (with its dependents) when the deployer is told to; a resource that
 * finished while another failed is reported cancelled.
 */
export async function createResource(
  context: OperationContext,
  stack: StackState,
  plan: StackPlan,
  logicalId: string,
  cancelled: () => boolean,
): Promise<boolean> {
  const declaration = plan.template.Resources[logicalId];
  const resource: ResourceState = { logicalId, type: declaration.Type, status: 'CREATE_IN_PROGRESS', attributes: {}, properties: {}, declaration };
  stack.resources.set(logicalId, resource);
  resourceEvent(context, stack, resource, 'CREATE_IN_PROGRESS');
  const skippedPrerequisite = [...plan.graph.get(logicalId)!].find((id) => {
    const prerequisite = stack.resources.get(id);
    return prerequisite?.notSimulated !== undefined && prerequisite.physicalId === undefined;
  });
  if (skippedPrerequisite !== undefined) {
    return skip(context, stack, resource, `depends on ${skippedPrerequisite}, which is not simulated`);
  }
  try {
    resource.properties = resolveProperties(context, stack, plan, logicalId);
    resource.notSimulated = transformNote(plan.template, logicalId);
    const request = await handlerRequest(context, stack, resource, resource.properties);
    resourceEvent(context, stack, resource, 'CREATE_IN_PROGRESS', 'Resource creation Initiated');
    const result = await handlerOf(resource).create(request, context.env);
    resource.physicalId = result.physicalId;
    resource.attributes = result.attributes;
    resource.noEcho = result.noEcho;
  } catch (error) {
    if (error instanceof NotSimulatedError && context.skipUnsimulated) return skip(context, stack, resource, error.message);
    if (error instanceof ResourceFailure && error.physicalId !== undefined) resource.physicalId = error.physicalId;
    setResourceStatus(context, stack, resource, 'CREATE_FAILED', errorMessage(error));
    return false;
  }
  if (cancelled()) {
    setResourceStatus(context, stack, resource, 'CREATE_FAILED', 'Resource creation cancelled');
    return false;
  }
  setResourceStatus(context, stack, resource, 'CREATE_COMPLETE', resource.notSimulated && `Not simulated: ${resource.notSimulated}`);
  return true;
}

/** Records a resource as not simulated here: no physical resource; its dependents are skipped too. */
function skip(context: OperationContext, stack: StackState, resource: ResourceState, reason: string): boolean {
  resource.notSimulated = reason;
  setResourceStatus(context, stack, resource, 'CREATE_COMPLETE', `Skipped, not simulated: ${reason}`);
  return true;
}
