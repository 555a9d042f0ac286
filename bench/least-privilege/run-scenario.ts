import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { ScenarioContext, ScenarioEnvironment } from './environment';
import { Template } from './policy-elements';
import { prepareOtherSecret, Scenario, ScenarioRun } from './scenarios';
import { SecretsManagerSimulator } from '../../simulator';
import { LocalCloudFormation } from '../../simulator/cloudformation';
import type { IamDecision } from '../../simulator/iam';
import { CHECK_PROPERTY_NAMES, CHECK_RESOURCE_TYPE, CHECKED_SECRET_PROPERTY_NAMES } from '../../src/private/contract';

/** A scenario synthesized once: its assembly, the template the construct produced, and what it was built with. */
export interface SynthesizedScenario {
  readonly scenario: Scenario;
  readonly context: ScenarioContext;
  readonly assemblyDir: string;
  readonly stackName: string;
  readonly template: Template;
}

export interface ScenarioOutcome {
  /** Undefined when the scenario ended as expected; otherwise what went wrong. */
  readonly failure?: string;
  /** Every authorization decided while the stack deployed and the scenario was verified (the probes' are not). */
  readonly decisions: readonly IamDecision[];
  /** The wrong callers that got through. */
  readonly allowedProbes: readonly string[];
  /** The deployed physical id of each resource, by logical id. */
  readonly physicalIds: Readonly<Record<string, string>>;
}

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/**
 * How long a scenario's check waits for each secret's rotation: below the construct's one-minute minimum (the
 * handler accepts it), so that a run whose rotation function cannot write its logs fails in seconds, not minutes.
 */
export const SCENARIO_CHECK_TIMEOUT_SECONDS = 20;

export async function synthesizeScenario(scenario: Scenario, environment: ScenarioEnvironment): Promise<SynthesizedScenario> {
  const context = await environment.context(scenario);
  const assemblyDir = await environment.temporaryDirectory(`least-privilege-${scenario.name}-`);
  const app = new App({ outdir: assemblyDir, context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true } });
  const stackName = `LeastPrivilege-${scenario.name}`;
  const stack = new Stack(app, stackName, { env: { account: ACCOUNT, region: REGION } });
  scenario.build(stack, context);
  app.synth();
  const file = templateFile(assemblyDir, stackName);
  const template: Template = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const check of Object.values(template.Resources).filter((resource) => resource.Type === CHECK_RESOURCE_TYPE)) {
    for (const entry of check.Properties[CHECK_PROPERTY_NAMES.secrets]) {
      entry[CHECKED_SECRET_PROPERTY_NAMES.timeoutSeconds] = String(SCENARIO_CHECK_TIMEOUT_SECONDS);
    }
  }
  fs.writeFileSync(file, JSON.stringify(template));
  return { scenario, context, assemblyDir, stackName, template };
}

/**
 * Deploys the scenario (with `template` instead of the synthesized one, when given) on a new simulator with IAM
 * enforced, checks its outcome and runs its probes, then `inspect` (a test's own calls) on the deployed stack.
 * Never throws for a failing scenario: the outcome says why.
 */
export async function runScenario(
  synthesized: SynthesizedScenario,
  template: Template = synthesized.template,
  inspect?: (run: ScenarioRun) => Promise<void>,
): Promise<ScenarioOutcome> {
  const file = templateFile(synthesized.assemblyDir, synthesized.stackName);
  fs.writeFileSync(file, JSON.stringify(template));
  const ago = synthesized.scenario.preparedAgoMs ?? 0;
  const sim = await SecretsManagerSimulator.start({ iam: 'enforce', region: REGION, accountId: ACCOUNT, clock: { start: Date.now() - ago } });
  const cfn = new LocalCloudFormation(sim);
  try {
    await synthesized.scenario.prepare?.(sim, synthesized.context);
    if (ago > 0) await sim.clock.advance(ago);
    const deployed = await cfn.deploy({ assemblyDir: synthesized.assemblyDir, stackName: synthesized.stackName });
    const run: ScenarioRun = {
      sim, cfn, stackName: synthesized.stackName, deployed, physicalId: (type, pathPart) => physicalId(cfn, synthesized, type, pathPart),
    };
    let failure: string | undefined;
    try {
      await synthesized.scenario.verify(run);
    } catch (error) {
      failure = (error as Error).message;
    }
    const decisions = sim.iam.decisions();
    const allowedProbes: string[] = [];
    if (synthesized.scenario.probes.length > 0 && deployed.status === 'CREATE_COMPLETE') {
      await prepareOtherSecret(run);
      for (const probe of synthesized.scenario.probes) {
        if (await probe.allowed(run)) allowedProbes.push(probe.wrongCaller);
      }
    }
    await inspect?.(run);
    const physicalIds = Object.fromEntries((cfn.describeStack(synthesized.stackName)?.resources ?? [])
      .filter((resource) => resource.physicalId !== undefined).map((resource) => [resource.logicalId, resource.physicalId!]));
    return { ...(failure ? { failure } : {}), decisions, allowedProbes, physicalIds };
  } finally {
    fs.writeFileSync(file, JSON.stringify(synthesized.template));
    await cfn.stop();
    await sim.stop();
  }
}

function templateFile(assemblyDir: string, stackName: string): string {
  return path.join(assemblyDir, `${stackName}.template.json`);
}

/** The deployed physical id of the resource whose construct path contains `pathPart`. */
function physicalId(cfn: LocalCloudFormation, synthesized: SynthesizedScenario, type: string, pathPart: string | RegExp): string {
  const matches = (constructPath: string) => (typeof pathPart === 'string' ? constructPath.includes(`/${pathPart}`) : pathPart.test(constructPath));
  const logicalId = Object.entries(synthesized.template.Resources)
    .find(([, resource]) => resource.Type === type && matches(String(resource.Metadata?.['aws:cdk:path'] ?? '')))?.[0];
  const physical = cfn.describeStack(synthesized.stackName)?.resources.find((resource) => resource.logicalId === logicalId)?.physicalId;
  if (!physical) throw new Error(`no deployed ${type} at a path containing ${pathPart}`);
  return physical;
}
