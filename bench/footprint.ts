import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Approach } from './approaches';
import { elapsedMs } from './support/stats';

/** The stack every approach is synthesized into; its name and environment appear in rendered ARNs. */
export const BENCH_STACK = { name: 'RotatingSecretsBench', account: '123456789012', region: 'eu-west-1' };

/** CloudFormation's limit on resources in one stack. */
export const CLOUDFORMATION_RESOURCE_LIMIT = 500;

export type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** One synthesis of one approach with `count` secrets. */
export interface Synthesis {
  readonly approach: Approach;
  readonly count: number;
  readonly resources: number;
  /** Over CloudFormation's limit: aws-cdk-lib would refuse to synthesize it with its default settings. */
  readonly overLimit: boolean;
  /** Template size as minified JSON, in bytes. */
  readonly bytes: number;
  readonly lambdaFunctions: number;
  /** Constructing the stack plus `app.synth()` (writing the cloud assembly). */
  readonly synthMs: number;
  readonly template: CfnTemplate;
  /** The synthesized template file, while `keep` holds the cloud assembly. */
  readonly templateFile: string;
  /** Removes the cloud assembly from the temporary directory. */
  readonly dispose: () => void;
}

/** aws-cdk-lib refuses to synthesize a stack over the limit; 0 lifts that check so large stacks can be measured. */
const NO_RESOURCE_LIMIT = { '@aws-cdk/core:stackResourceLimit': 0 };

/**
 * Synthesizes `approach` with `count` secrets in-process, into a temporary cloud assembly (removed at once
 * unless `keep`: then call `dispose`). A bare `App`: aws-cdk-lib's own defaults, no feature flags, no
 * version reporting, so every approach is judged on what the library itself emits. aws-cdk-lib's
 * 500-resource check is lifted (see `overLimit`).
 */
export function synthesize(approach: Approach, count: number, options: { keep?: boolean; context?: Record<string, unknown> } = {}): Synthesis {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rotating-secrets-bench-'));
  const dispose = () => fs.rmSync(outdir, { recursive: true, force: true });
  try {
    const started = process.hrtime.bigint();
    const app = new App({ outdir, analyticsReporting: false, context: { ...NO_RESOURCE_LIMIT, ...options.context } });
    const stack = new Stack(app, BENCH_STACK.name, { env: { account: BENCH_STACK.account, region: BENCH_STACK.region } });
    approach.build(stack, count);
    const artifact = app.synth().getStackByName(BENCH_STACK.name);
    const synthMs = elapsedMs(started);
    const template = artifact.template as CfnTemplate;
    const resources = Object.values(template.Resources);
    const result: Synthesis = {
      approach,
      count,
      resources: resources.length,
      overLimit: resources.length > CLOUDFORMATION_RESOURCE_LIMIT,
      bytes: Buffer.byteLength(JSON.stringify(template)),
      lambdaFunctions: resources.filter((resource) => resource.Type === 'AWS::Lambda::Function').length,
      synthMs,
      template,
      templateFile: path.join(outdir, artifact.templateFile),
      dispose,
    };
    if (!options.keep) dispose();
    return result;
  } catch (error) {
    dispose();
    throw error;
  }
}

/** The smallest N at which `resources(N) = fixed + perSecret * N` passes CloudFormation's limit. */
export function firstCountOverLimit(fixed: number, perSecret: number): number {
  return Math.floor((CLOUDFORMATION_RESOURCE_LIMIT - fixed) / perSecret) + 1;
}
