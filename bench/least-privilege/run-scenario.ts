import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from './policy-elements';
import { closedPort, prepareOtherSecret, Scenario, ScenarioRun } from './scenarios';
import { SecretsManagerSimulator } from '../../simulator';
import { LocalCloudFormation } from '../../simulator/cloudformation';
import type { IamDecision } from '../../simulator/iam';

/** A scenario synthesized once: its assembly, and the template the construct produced. */
export interface SynthesizedScenario {
  readonly scenario: Scenario;
  readonly assemblyDir: string;
  readonly stackName: string;
  readonly template: Template;
}

export interface ScenarioOutcome {
  /** Undefined when the scenario ended as expected; otherwise what went wrong. */
  readonly failure?: string;
  /** Every authorization decided during the run. */
  readonly decisions: readonly IamDecision[];
  /** The wrong callers that got through. */
  readonly allowedProbes: readonly string[];
  /** The deployed physical id of each resource, by logical id. */
  readonly physicalIds: Readonly<Record<string, string>>;
}

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export async function synthesizeScenario(scenario: Scenario): Promise<SynthesizedScenario> {
  const assemblyDir = fs.mkdtempSync(path.join(os.tmpdir(), `least-privilege-${scenario.name}-`));
  const app = new App({ outdir: assemblyDir, context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:enable-path-metadata': true } });
  const stackName = `LeastPrivilege-${scenario.name}`;
  scenario.build(new Stack(app, stackName, { env: { account: ACCOUNT, region: REGION } }), { closedPort: await closedPort() });
  app.synth();
  const template = JSON.parse(fs.readFileSync(templateFile(assemblyDir, stackName), 'utf8'));
  return { scenario, assemblyDir, stackName, template };
}

/**
 * Deploys the scenario (with `template` instead of the synthesized one, when given) on a new simulator with IAM
 * enforced, checks its outcome and runs its probes. Never throws for a failing scenario: the outcome says why.
 */
export async function runScenario(synthesized: SynthesizedScenario, template: Template = synthesized.template): Promise<ScenarioOutcome> {
  const file = templateFile(synthesized.assemblyDir, synthesized.stackName);
  fs.writeFileSync(file, JSON.stringify(template));
  const sim = await SecretsManagerSimulator.start({ iam: 'enforce', region: REGION, accountId: ACCOUNT });
  // The constructs' check can race the RotationSchedule's configuration test (see the report's notes): the runs
  // treat that test as synchronous so that every scenario is deterministic.
  const cfn = new LocalCloudFormation(sim, { awaitConfigurationTests: true });
  try {
    const deployed = await cfn.deploy({ assemblyDir: synthesized.assemblyDir, stackName: synthesized.stackName });
    const run: ScenarioRun = { sim, cfn, stackName: synthesized.stackName, deployed, physicalId: (type, pathPart) => physicalId(cfn, synthesized, type, pathPart) };
    let failure: string | undefined;
    try {
      await synthesized.scenario.verify(run);
    } catch (error) {
      failure = (error as Error).message;
    }
    const allowedProbes: string[] = [];
    if (synthesized.scenario.probes.length > 0 && deployed.status === 'CREATE_COMPLETE') {
      await prepareOtherSecret(run);
      for (const probe of synthesized.scenario.probes) {
        if (await probe.allowed(run)) allowedProbes.push(probe.wrongCaller);
      }
    }
    const physicalIds = Object.fromEntries((cfn.describeStack(synthesized.stackName)?.resources ?? [])
      .filter((resource) => resource.physicalId !== undefined).map((resource) => [resource.logicalId, resource.physicalId!]));
    return { ...(failure ? { failure } : {}), decisions: sim.iam.decisions(), allowedProbes, physicalIds };
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
function physicalId(cfn: LocalCloudFormation, synthesized: SynthesizedScenario, type: string, pathPart: string): string {
  const logicalId = Object.entries(synthesized.template.Resources)
    .find(([, resource]) => resource.Type === type && String(resource.Metadata?.['aws:cdk:path'] ?? '').includes(`/${pathPart}`))?.[0];
  const physical = cfn.describeStack(synthesized.stackName)?.resources.find((resource) => resource.logicalId === logicalId)?.physicalId;
  if (!physical) throw new Error(`no deployed ${type} at a path containing ${pathPart}`);
  return physical;
}
