import { DependencyGraph, reversed, runInDependencyOrder } from '../graph';
import { DeletionPolicy } from '../template';
import { errorMessage, handlerOf, handlerRequest, OperationContext, resourceEvent, setStackStatus } from './context';
import { ResourceState, StackState } from '../stack';

/** A physical resource to delete: a resource of the stack, or a copy an update retired. */
export type Deletable = Pick<ResourceState, 'logicalId' | 'type' | 'physicalId' | 'properties' | 'attributes' | 'declaration' | 'notSimulated'>;

export interface DeletionOptions {
  /** Which policy decides: DeletionPolicy (stack deletion, removal, rollback) or UpdateReplacePolicy (replaced copies). */
  readonly policy: 'DeletionPolicy' | 'UpdateReplacePolicy';
  /** Rolling back the operation that created these resources: RetainExceptOnCreate deletes them. */
  readonly rollingBackCreation?: boolean;
  /** Called with each copy once it is gone (or retained). */
  readonly onGone?: (resource: Deletable) => void;
}

/**
 * Deletes resources in reverse dependency order (dependents first, independent ones at once), honouring Retain:
 * DELETE_IN_PROGRESS then DELETE_COMPLETE, DELETE_SKIPPED for retained ones, DELETE_FAILED with the reason.
 * Resolves with the logical ids whose deletion failed. Nothing new starts after a failure.
 */
export async function deleteResources(
  context: OperationContext,
  stack: StackState,
  resources: ReadonlyMap<string, Deletable>,
  graph: DependencyGraph,
  options: DeletionOptions,
): Promise<ReadonlySet<string>> {
  const run = await runInDependencyOrder(resources.keys(), reversed(graph), async (logicalId) => {
    const resource = resources.get(logicalId)!;
    const policy: DeletionPolicy = resource.declaration[options.policy] ?? 'Delete';
    if (policy === 'Retain' || (policy === 'RetainExceptOnCreate' && !options.rollingBackCreation)) {
      resourceEvent(context, stack, resource, 'DELETE_SKIPPED');
      options.onGone?.(resource);
      return true;
    }
    resourceEvent(context, stack, resource, 'DELETE_IN_PROGRESS');
    try {
      if (resource.physicalId !== undefined) {
        const request = await handlerRequest(context, stack, resource, resource.properties);
        await handlerOf(resource).delete(request, context.env);
      }
      resourceEvent(context, stack, resource, 'DELETE_COMPLETE');
      options.onGone?.(resource);
      return true;
    } catch (error) {
      resourceEvent(context, stack, resource, 'DELETE_FAILED', errorMessage(error));
      return false;
    }
  });
  return run.failed;
}

/** Delete stack: every resource in reverse dependency order; DELETE_COMPLETE, or DELETE_FAILED naming the failures. */
export async function deleteStack(context: OperationContext, stack: StackState, graph: DependencyGraph): Promise<void> {
  setStackStatus(context, stack, 'DELETE_IN_PROGRESS', 'User Initiated');
  // After a rolled-back create, its resources are gone already (or retained): nothing to delete again.
  for (const [logicalId, resource] of stack.resources) {
    if (resource.status === 'DELETE_COMPLETE') stack.resources.delete(logicalId);
  }
  const failed = await deleteResources(context, stack, stack.resources, graph, {
    policy: 'DeletionPolicy',
    onGone: (resource) => stack.resources.delete(resource.logicalId),
  });
  for (const logicalId of failed) stack.resources.get(logicalId)!.status = 'DELETE_FAILED';
  if (failed.size > 0) setStackStatus(context, stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${[...failed].join(', ')}].`);
  else setStackStatus(context, stack, 'DELETE_COMPLETE');
}
