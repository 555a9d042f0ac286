import { resolve } from '../intrinsics';
import { OutputState, StackState } from '../stack';
import { OperationContext, resolutionScope, StackPlan } from './context';

/**
 * Resolves the template's Outputs (those whose condition holds) into the stack; an Export must not be exported by
 * another stack already. Throws, without changing the stack, when an output cannot be published.
 */
export function publishOutputs(context: OperationContext, stack: StackState, plan: StackPlan): void {
  const scope = resolutionScope(context, stack, plan);
  const outputs = new Map<string, OutputState>();
  for (const [name, output] of Object.entries(plan.template.Outputs ?? {})) {
    if (output.Condition !== undefined && !plan.conditions[output.Condition]) continue;
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
