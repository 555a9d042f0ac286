import { referencesOf, resolve } from '../intrinsics';
import { OutputState, StackState } from '../stack';
import { OperationContext, resolutionScope, StackPlan } from './context';

/**
 * Resolves the template's Outputs (those whose condition holds, and that read no skipped resource) into the stack;
 * an Export must not be exported by another stack already. Throws, without changing the stack, when an output
 * cannot be published.
 */
export function publishOutputs(context: OperationContext, stack: StackState, plan: StackPlan): void {
  const scope = resolutionScope(context, stack, plan);
  const outputs = new Map<string, OutputState>();
  for (const [name, output] of Object.entries(plan.template.Outputs ?? {})) {
    if (output.Condition !== undefined && !plan.conditions[output.Condition]) continue;
    if (readsSkippedResource(stack, plan, output)) continue;
    const exportName = output.Export === undefined ? undefined : String(resolve(output.Export.Name, scope));
    if (exportName !== undefined) {
      const exporter = context.exporterOf(exportName);
      if (exporter !== undefined && exporter !== stack.name) throw new Error(`Export with name ${exportName} is already exported by stack ${exporter}.`);
    }
    outputs.set(name, {
      value: resolve(output.Value, scope),
      ...(output.Description !== undefined ? { description: output.Description } : {}),
      ...(exportName !== undefined ? { exportName } : {}),
    });
  }
  stack.outputs = outputs;
}

function readsSkippedResource(stack: StackState, plan: StackPlan, output: unknown): boolean {
  const known = { resources: new Set(plan.graph.keys()), parameters: new Set(Object.keys(plan.parameters)), conditions: plan.conditions };
  return [...referencesOf(output, known).resources].some((logicalId) => {
    const resource = stack.resources.get(logicalId);
    return resource?.notSimulated !== undefined && resource.physicalId === undefined;
  });
}
