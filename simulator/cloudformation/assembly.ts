import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template, TemplateError } from './template';

/** One stack of a cloud assembly, ready to deploy. */
export interface AssemblyStack {
  /** The CloudFormation stack name (the artifact's `stackName`, else its id). */
  readonly stackName: string;
  readonly artifactId: string;
  readonly template: Template;
  /** Asset directories (or files) by S3 object key, from the stack's asset manifest. */
  readonly assets: ReadonlyMap<string, string>;
  /** Artifact ids of the stacks this one depends on. */
  readonly dependencies: readonly string[];
}

interface Artifact {
  readonly type: string;
  readonly properties?: Record<string, any>;
  readonly dependencies?: string[];
  readonly displayName?: string;
}

/**
 * Reads the stacks of a cloud assembly (manifest.json) as the CDK CLI writes it, in the order the manifest's
 * dependencies require (a stack after the stacks it depends on).
 */
export function readAssembly(assemblyDir: string): AssemblyStack[] {
  const manifestFile = path.join(assemblyDir, 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new TemplateError(`\`assemblyDir\` must be a cloud assembly with a manifest.json, got ${assemblyDir}`);
  const artifacts: Record<string, Artifact> = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).artifacts ?? {};
  const stackIds = Object.keys(artifacts).filter((id) => artifacts[id].type === 'aws:cloudformation:stack');
  const stacks = new Map<string, AssemblyStack>();
  for (const id of stackIds) {
    const artifact = artifacts[id];
    const assetManifests = (artifact.dependencies ?? []).filter((dep) => artifacts[dep]?.type === 'cdk:asset-manifest');
    stacks.set(id, {
      stackName: artifact.properties?.stackName ?? id,
      artifactId: id,
      template: JSON.parse(fs.readFileSync(path.join(assemblyDir, artifact.properties?.templateFile), 'utf8')),
      assets: readAssets(assemblyDir, assetManifests.map((dep) => artifacts[dep].properties?.file)),
      dependencies: (artifact.dependencies ?? []).filter((dep) => stackIds.includes(dep)),
    });
  }
  return dependencyOrder(stacks);
}

/** Maps every file asset's destination object key to its path in the assembly. */
function readAssets(assemblyDir: string, manifestFiles: string[]): Map<string, string> {
  const assets = new Map<string, string>();
  for (const file of manifestFiles) {
    const manifest = JSON.parse(fs.readFileSync(path.join(assemblyDir, file), 'utf8'));
    for (const asset of Object.values<any>(manifest.files ?? {})) {
      for (const destination of Object.values<any>(asset.destinations ?? {})) {
        assets.set(destination.objectKey, path.resolve(assemblyDir, asset.source.path));
      }
    }
  }
  return assets;
}

function dependencyOrder(stacks: Map<string, AssemblyStack>): AssemblyStack[] {
  const ordered: AssemblyStack[] = [];
  const visiting = new Set<string>();
  const visit = (id: string) => {
    const stack = stacks.get(id)!;
    if (ordered.includes(stack)) return;
    if (visiting.has(id)) throw new TemplateError(`The assembly's stacks depend on each other in a cycle through ${id}`);
    visiting.add(id);
    stack.dependencies.forEach(visit);
    visiting.delete(id);
    ordered.push(stack);
  };
  [...stacks.keys()].forEach(visit);
  return ordered;
}

/** The stacks to deploy for `stackName`: it and, first, the stacks it depends on (as `cdk deploy` does). */
export function stacksToDeploy(stacks: AssemblyStack[], stackName: string): AssemblyStack[] {
  const target = stacks.find((stack) => stack.stackName === stackName || stack.artifactId === stackName);
  if (!target) throw new TemplateError(`No stack named ${stackName} in the assembly (it has: ${stacks.map((s) => s.stackName).join(', ')})`);
  const needed = new Set<string>();
  const collect = (stack: AssemblyStack) => {
    if (needed.has(stack.artifactId)) return;
    needed.add(stack.artifactId);
    stack.dependencies.forEach((id) => collect(stacks.find((s) => s.artifactId === id)!));
  };
  collect(target);
  return stacks.filter((stack) => needed.has(stack.artifactId));
}
