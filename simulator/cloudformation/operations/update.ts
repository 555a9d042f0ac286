import { DependencyGraph, runInDependencyOrder } from '../graph';
import { changedCreateOnlyProperties } from '../resource-types';
import { ResourceFailure } from '../resources/handler';
import { ResourceState, StackState } from '../stack';
import {
  errorMessage, handlerOf, handlerRequest, OperationContext, resolveProperties, resourceEvent, setResourceStatus, setStackStatus,
  StackPlan, transformNote,
} from './context';
import { createResource } from './create';
import { Deletable, deleteResources } from './delete';
import { publishOutputs } from './outputs';
import { isCustomResource } from '../resources/index';

/** How a resource is put back when an update rolls back. */
interface RollbackStep {
  /** `update`: an Update with the old properties; `readopt`: the old copy (kept until cleanup) becomes current again. */
  readonly kind: 'update' | 'readopt';
  /** The resource as it was before the update. */
  readonly before: ResourceState;
}

/** An update rollback, kept while it is unfinished (UPDATE_ROLLBACK_FAILED) so that it can be continued. */
export interface PendingRollback {
  readonly steps: Map<string, RollbackStep>;
  /** Copies to delete once the rollback is done: what the update created, new copies of replaced resources. */
  readonly cleanup: Map<string, Deletable>;
  readonly before: StackPlan;
  readonly graph: DependencyGraph;
  /** Steps whose rollback failed (UPDATE_FAILED), which continueUpdateRollback may skip. */
  readonly failed: Set<string>;
}

const REPLACING = 'Requested update requires the creation of a new physical resource; hence creating one.';

/**
 * Update stack: in dependency order (independent resources at once) new resources are created, changed ones
 * updated in place or replaced (a create-only property changed, or a custom resource answered a new physical id);
 * unchanged ones get no event. Then UPDATE_COMPLETE_CLEANUP_IN_PROGRESS deletes replaced copies and removed
 * resources in reverse dependency order, and the stack is UPDATE_COMPLETE. When a resource fails, the update
 * rolls back instead (see rollBack).
 */
export async function updateStack(context: OperationContext, stack: StackState, before: StackPlan, after: StackPlan): Promise<void> {
  setStackStatus(context, stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
  const snapshot = new Map([...stack.resources].map(([id, resource]) => [id, { ...resource }]));
  const steps = new Map<string, RollbackStep>();
  const retired = new Map<string, Deletable>();
  const created = new Map<string, Deletable>();
  const state = { failing: false };

  const run = await runInDependencyOrder(after.graph.keys(), after.graph, async (logicalId) => {
    const previous = snapshot.get(logicalId);
    let ok: boolean;
    if (previous === undefined || previous.physicalId === undefined) {
      ok = await createResource(context, stack, after, logicalId, () => state.failing);
      created.set(logicalId, stack.resources.get(logicalId)!);
    } else {
      ok = await updateResource(context, stack, after, previous, { steps, retired, created }, () => state.failing);
    }
    if (!ok) state.failing = true;
    return ok;
  });

  let failure = run.failed.size > 0 ? `The following resource(s) failed to update: [${[...run.failed].join(', ')}]. ` : undefined;
  if (failure === undefined) {
    try {
      publishOutputs(context, stack, after);
    } catch (error) {
      failure = `${errorMessage(error)} `;
    }
  }
  if (failure !== undefined) {
    setStackStatus(context, stack, 'UPDATE_ROLLBACK_IN_PROGRESS', failure.trim());
    stack.pendingRollback = { steps, cleanup: created, before, graph: after.graph, failed: new Set() };
    await rollBack(context, stack);
    return;
  }

  stack.template = after.template;
  stack.parameters = after.parameters;
  stack.conditions = after.conditions;
  setStackStatus(context, stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
  for (const [logicalId, resource] of snapshot) {
    if (!after.graph.has(logicalId) && resource.physicalId !== undefined) {
      retired.set(logicalId, resource);
      stack.resources.delete(logicalId);
    }
  }
  // Replaced copies follow UpdateReplacePolicy and removed resources DeletionPolicy; failed deletions leave the
  // resources behind without failing the update, as in CloudFormation.
  const replaced = new Map([...retired].filter(([id]) => after.graph.has(id)));
  const removed = new Map([...retired].filter(([id]) => !after.graph.has(id)));
  await Promise.all([
    deleteResources(context, stack, replaced, before.graph, { policy: 'UpdateReplacePolicy' }),
    deleteResources(context, stack, removed, before.graph, { policy: 'DeletionPolicy' }),
  ]);
  setStackStatus(context, stack, 'UPDATE_COMPLETE');
}

interface UpdateRecords {
  readonly steps: Map<string, RollbackStep>;
  readonly retired: Map<string, Deletable>;
  readonly created: Map<string, Deletable>;
}

async function updateResource(
  context: OperationContext,
  stack: StackState,
  plan: StackPlan,
  previous: ResourceState,
  records: UpdateRecords,
  cancelled: () => boolean,
): Promise<boolean> {
  const logicalId = previous.logicalId;
  const declaration = plan.template.Resources[logicalId];
  const resource = stack.resources.get(logicalId)!;
  resource.declaration = declaration;
  let properties: Record<string, unknown>;
  try {
    properties = resolveProperties(context, stack, plan, logicalId);
  } catch (error) {
    setResourceStatus(context, stack, resource, 'UPDATE_FAILED', errorMessage(error));
    return false;
  }
  if (JSON.stringify(properties) === JSON.stringify(previous.properties)) return true;

  const notSimulated = transformNote(plan.template, logicalId);
  const replace = !isCustomResource(resource.type) && changedCreateOnlyProperties(resource.type, previous.properties, properties).length > 0;
  try {
    if (replace) {
      setResourceStatus(context, stack, resource, 'UPDATE_IN_PROGRESS', REPLACING);
      records.steps.set(logicalId, { kind: 'readopt', before: previous });
      const copy = { logicalId, type: resource.type, notSimulated };
      const request = await handlerRequest(context, stack, copy, properties);
      resourceEvent(context, stack, copy, 'UPDATE_IN_PROGRESS', 'Resource creation Initiated');
      const result = await handlerOf(copy).create(request, context.env);
      Object.assign(resource, { physicalId: result.physicalId, attributes: result.attributes, noEcho: result.noEcho, properties, notSimulated });
      records.created.set(logicalId, { ...resource });
      // The template being deployed says what becomes of the replaced copy (its UpdateReplacePolicy).
      records.retired.set(logicalId, { ...previous, declaration });
    } else {
      setResourceStatus(context, stack, resource, 'UPDATE_IN_PROGRESS');
      records.steps.set(logicalId, { kind: 'update', before: previous });
      const request = await handlerRequest(context, stack, resource, properties, previous.properties);
      const result = await handlerOf(resource).update(request, context.env);
      if (result.physicalId !== previous.physicalId) {
        // A custom resource that answers a new physical id was replaced: the old one is deleted in the cleanup.
        records.retired.set(logicalId, { ...previous, declaration });
        records.created.set(logicalId, { ...resource, physicalId: result.physicalId, properties });
      }
      Object.assign(resource, { physicalId: result.physicalId, attributes: result.attributes, noEcho: result.noEcho, properties });
    }
  } catch (error) {
    if (replace && error instanceof ResourceFailure && error.physicalId !== undefined) {
      records.created.set(logicalId, { ...resource, physicalId: error.physicalId, properties });
    }
    setResourceStatus(context, stack, resource, 'UPDATE_FAILED', errorMessage(error));
    return false;
  }
  if (cancelled()) {
    setResourceStatus(context, stack, resource, 'UPDATE_FAILED', 'Resource update cancelled');
    return false;
  }
  setResourceStatus(context, stack, resource, 'UPDATE_COMPLETE');
  return true;
}

/**
 * Update rollback: an update back to the old template, in its dependency order (a resource is put back after what
 * it depends on, so a custom resource's rollback Update runs on its reverted function): resources updated in place
 * get an Update back to their old properties (a custom resource: ResourceProperties the old ones,
 * OldResourceProperties the failed new ones), replaced ones take their old copy back. Then
 * UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS deletes what the update created, and the stack is
 * UPDATE_ROLLBACK_COMPLETE; a failed step leaves it UPDATE_ROLLBACK_FAILED, to continue with continueUpdateRollback.
 */
export async function rollBack(context: OperationContext, stack: StackState, skip: ReadonlySet<string> = new Set()): Promise<void> {
  const pending = stack.pendingRollback!;
  pending.failed.clear();
  const run = await runInDependencyOrder([...pending.steps.keys()], pending.before.graph, async (logicalId) => {
    const step = pending.steps.get(logicalId)!;
    const resource = stack.resources.get(logicalId)!;
    if (skip.has(logicalId)) {
      Object.assign(resource, { ...step.before, status: resource.status });
      setResourceStatus(context, stack, resource, 'UPDATE_COMPLETE', 'Resource skipped during continue update rollback');
      pending.steps.delete(logicalId);
      return true;
    }
    setResourceStatus(context, stack, resource, 'UPDATE_IN_PROGRESS');
    try {
      if (step.kind === 'update') {
        const current = { ...step.before, physicalId: resource.physicalId, attributes: resource.attributes };
        const request = await handlerRequest(context, stack, current, step.before.properties, resource.properties);
        const result = await handlerOf(current).update(request, context.env);
        // Back on the old physical id, the new copy goes in the cleanup; on another one, the old copy does.
        if (result.physicalId !== step.before.physicalId) pending.cleanup.set(logicalId, step.before);
        Object.assign(resource, { ...step.before, physicalId: result.physicalId, attributes: result.attributes, noEcho: result.noEcho });
      } else {
        Object.assign(resource, { ...step.before });
      }
    } catch (error) {
      setResourceStatus(context, stack, resource, 'UPDATE_FAILED', errorMessage(error));
      pending.failed.add(logicalId);
      return false;
    }
    setResourceStatus(context, stack, resource, 'UPDATE_COMPLETE');
    pending.steps.delete(logicalId);
    return true;
  });
  if (run.failed.size > 0) {
    setStackStatus(context, stack, 'UPDATE_ROLLBACK_FAILED', `The following resource(s) failed to update: [${[...run.failed].join(', ')}].`);
    return;
  }
  setStackStatus(context, stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
  await deleteResources(context, stack, pending.cleanup, pending.graph, { policy: 'DeletionPolicy', rollingBackCreation: true });
  for (const logicalId of [...stack.resources.keys()]) {
    if (!pending.before.graph.has(logicalId)) stack.resources.delete(logicalId);
  }
  stack.pendingRollback = undefined;
  stack.template = pending.before.template;
  stack.parameters = pending.before.parameters;
  stack.conditions = pending.before.conditions;
  setStackStatus(context, stack, 'UPDATE_ROLLBACK_COMPLETE');
}
