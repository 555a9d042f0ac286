import { referencesOf } from './intrinsics';
import { dependsOnOf, Template, TemplateError } from './template';

/** Each resource's prerequisites: DependsOn plus the resources its properties reference. */
export type DependencyGraph = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The dependency graph of the resources whose condition holds. Unknown references and cycles are template
 * errors, as CloudFormation reports them before it starts.
 */
export function dependencyGraph(
  template: Template,
  conditions: Readonly<Record<string, boolean>>,
  parameterNames: ReadonlySet<string>,
): DependencyGraph {
  const included = includedResources(template, conditions);
  const all = new Set(Object.keys(template.Resources));
  const graph = new Map<string, Set<string>>();
  const unresolved = new Set<string>();
  for (const logicalId of included) {
    const resource = template.Resources[logicalId];
    const refs = referencesOf(resource.Properties ?? {}, { resources: all, parameters: parameterNames, conditions });
    refs.unresolved.forEach((name) => unresolved.add(name));
    const prerequisites = new Set([...refs.resources, ...dependsOnOf(resource)]);
    for (const prerequisite of prerequisites) {
      if (!all.has(prerequisite)) {unresolved.add(prerequisite);} else if (!included.has(prerequisite)) {
        throw new TemplateError(`Template format error: Unresolved resource dependencies [${prerequisite}] in the Resources block of the template (its condition is false)`);
      }
    }
    graph.set(logicalId, prerequisites);
  }
  for (const output of Object.values(template.Outputs ?? {})) {
    if (output.Condition !== undefined && conditions[output.Condition] === false) continue;
    referencesOf(output, { resources: all, parameters: parameterNames, conditions }).unresolved.forEach((name) => unresolved.add(name));
  }
  if (unresolved.size > 0) {
    throw new TemplateError(`Template format error: Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`);
  }
  checkAcyclic(graph);
  return graph;
}

/** The logical ids whose Condition (if any) is true. */
export function includedResources(template: Template, conditions: Readonly<Record<string, boolean>>): Set<string> {
  return new Set(Object.entries(template.Resources)
    .filter(([, resource]) => resource.Condition === undefined || conditions[resource.Condition])
    .map(([logicalId]) => logicalId));
}

function checkAcyclic(graph: DependencyGraph): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'visiting') {
      throw new TemplateError(`Circular dependency between resources: [${path.slice(path.indexOf(node)).join(', ')}]`);
    }
    state.set(node, 'visiting');
    path.push(node);
    for (const prerequisite of graph.get(node) ?? []) visit(prerequisite);
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node);
}

/** The graph with every edge turned around: for deletion, dependents go first. */
export function reversed(graph: DependencyGraph): DependencyGraph {
  const result = new Map<string, Set<string>>();
  for (const node of graph.keys()) result.set(node, new Set());
  for (const [node, prerequisites] of graph) {
    for (const prerequisite of prerequisites) result.get(prerequisite)?.add(node);
  }
  return result;
}

/** What a run in dependency order did. */
export interface OrderedRun {
  readonly succeeded: ReadonlySet<string>;
  readonly failed: ReadonlySet<string>;
  /** Not started because a run failed first. */
  readonly notStarted: ReadonlySet<string>;
}

/**
 * Runs `work` for every node of `nodes` as soon as its prerequisites among `nodes` have succeeded, many at once,
 * as CloudFormation does. After the first failure nothing new starts; the runs in flight are awaited.
 * `work` resolves true for success and false for failure (it must not reject).
 */
export async function runInDependencyOrder(
  nodes: Iterable<string>,
  graph: DependencyGraph,
  work: (node: string) => Promise<boolean>,
): Promise<OrderedRun> {
  const pending = new Set(nodes);
  const succeeded = new Set<string>();
  const failed = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const done = (prerequisite: string) => !pending.has(prerequisite) && !running.has(prerequisite) && !failed.has(prerequisite);
  const ready = (node: string) => [...(graph.get(node) ?? [])].every(done);
  for (;;) {
    if (failed.size === 0) {
      for (const node of [...pending]) {
        if (!ready(node)) continue;
        pending.delete(node);
        running.set(node, work(node).then((ok) => {
          (ok ? succeeded : failed).add(node);
          running.delete(node);
        }));
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  return { succeeded, failed, notStarted: pending };
}
