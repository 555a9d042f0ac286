import * as fs from 'node:fs';
import * as net from 'node:net';
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { databaseAccepts } from './logins';
import { unsupportedSecrets, withoutRotationOf } from './prune';
import { RotatingSecretPlan, rotatingSecretsOf } from './secrets';
import { SecretsManagerSimulator } from '../simulator';
import { settledStages } from './settle';
import { formatStackEvent, LocalCloudFormation } from '../simulator/cloudformation';
import { AssemblyStack, readAssembly } from '../simulator/cloudformation/assembly';
import { createLocalDatabaseHost, DatabaseHost, LocalEngine } from '../simulator/databases';
import type { IamDecision, IamMode } from '../simulator/iam';
import { AWSCURRENT, AWSPREVIOUS } from '../src/private/contract';

export interface SandboxOptions {
  /** The cloud assembly to create. */
  readonly assemblyDir: string;
  /** A second assembly of the same app, deployed as an update between the scheduled rotations and the delete. */
  readonly updateAssemblyDir?: string;
  /** Only these stacks (and the stacks they depend on). @default - every stack */
  readonly stacks?: readonly string[];
  /** Whether calls are authorized against the stacks' roles and policies (see `SimulatorOptions.iam`). @default 'auto' */
  readonly iam?: IamMode;
  readonly progress: (line: string) => void;
}

/** What the sandbox found for one secret at one stage (after create, after its scheduled rotation, after the update). */
export interface SecretState {
  readonly labels: string;
  readonly invariant: boolean;
  /** The rotations that succeeded so far, by what started them. */
  readonly rotations: Readonly<Record<string, number>>;
  /** Database secrets: whether the database takes AWSCURRENT, and refuses AWSPREVIOUS (single user). */
  readonly logins?: string;
  readonly problem?: string;
}

export interface SecretReport {
  readonly plan: RotatingSecretPlan;
  readonly skipped?: string;
  readonly created?: SecretState;
  readonly scheduled?: SecretState;
  readonly updated?: SecretState;
}

export interface StackReport {
  readonly stackName: string;
  /** Final status of each operation: create, update, delete. */
  readonly statuses: Readonly<Record<string, string>>;
  readonly failure?: string;
}

export interface SandboxResult {
  readonly stacks: readonly StackReport[];
  readonly secrets: readonly SecretReport[];
}

const DAY_MS = 86_400_000;
/** How long a rotation that CloudFormation did not wait for (a configuration test) may take before the report shows it. */
const SETTLE_PATIENCE_MS = 120_000;

/**
 * Runs an app's stacks as CloudFormation would, on the local simulator: creates them (their deploy-time checks run
 * the first rotations), advances the clock to every secret's next scheduled rotation, deploys the update if there is
 * one, then deletes them, and reports each rotating secret's state at each stage. What cannot run here (a hosted
 * rotation, a secret imported from outside the app, a database engine without a local server) is skipped with the
 * reason; the rest still runs.
 */
export async function runSandbox(options: SandboxOptions): Promise<SandboxResult> {
  const { progress } = options;
  const host = await createLocalDatabaseHost();
  // The stacks' roles, policies and permissions come with them: by default IAM is enforced when the evaluator is installed.
  const sim = await SecretsManagerSimulator.start({ lambdaCaBundle: host.caBundleFile, iam: options.iam ?? 'auto' });
  progress(sim.iam.status);
  const cfn = new LocalCloudFormation(sim, { databases: host, skipUnsimulated: true, onEvent: (event) => progress(formatStackEvent(event)) });
  const client = new SecretsManagerClient(sim.clientConfig());
  const ca = fs.readFileSync(host.caBundleFile, 'utf8');
  const stackReports: StackReport[] = [];
  const reports = new Map<string, SecretReport>();
  const key = (plan: RotatingSecretPlan) => `${plan.stackName}/${plan.secretLogicalId}`;
  const observe = (stage: 'created' | 'scheduled' | 'updated') => async (stack: AssemblyStack, plan: RotatingSecretPlan) => {
    const report = reports.get(key(plan)) ?? { plan };
    const arn = cfn.describeStack(stack.stackName)?.resources.find((r) => r.logicalId === plan.secretLogicalId)?.physicalId;
    const state = arn === undefined ? { labels: '', invariant: false, rotations: {}, problem: 'the secret does not exist' } : await stateOf(sim, client, arn, plan, ca);
    reports.set(key(plan), { ...report, [stage]: state });
  };
  try {
    const created = await deployAll(cfn, host, selected(options.assemblyDir, options.stacks), progress, 'create', stackReports, reports, key);
    await forEachSecret(created.healthy, reports, key, observe('created'));

    if (created.healthy.length > 0) {
      progress('advancing the clock to each secret\'s next scheduled rotation');
      await sim.clock.advance(await nextRotationsWindow(client, cfn, created.healthy, reports, key, sim.clock.now()) - sim.clock.now());
      await forEachSecret(created.healthy, reports, key, observe('scheduled'));
    }

    let deployed = created.existing;
    // A stack whose create rolled back can only be deleted, as in CloudFormation.
    if (options.updateAssemblyDir !== undefined && created.healthy.length === created.existing.length) {
      const updated = await deployAll(cfn, host, selected(options.updateAssemblyDir, options.stacks), progress, 'update', stackReports, reports, key);
      await forEachSecret(updated.healthy, reports, key, observe('updated'));
      deployed = [...updated.existing, ...deployed.filter((stack) => !updated.existing.some((u) => u.stackName === stack.stackName))];
    }

    for (const stack of [...deployed].reverse()) {
      progress(`deleting ${stack.stackName}`);
      const result = await cfn.delete(stack.stackName);
      record(stackReports, stack.stackName, 'delete', result.status, result.statusReason);
    }
    if (sim.iam.enforcing) progress(iamSummary(sim.iam.decisions()));
    return { stacks: stackReports, secrets: [...reports.values()] };
  } finally {
    client.destroy();
    await cfn.stop();
    await sim.stop();
    await host.destroyAll();
  }
}

/** How many calls IAM allowed and denied, and which actions to whom: a denial the run survived shows here too. */
function iamSummary(decisions: readonly IamDecision[]): string {
  const denied = decisions.filter((decision) => decision.decision === 'ImplicitlyDenied' || decision.decision === 'ExplicitlyDenied');
  const which = [...new Set(denied.map((decision) => `${decision.action} to ${decision.caller}`))];
  return `IAM: ${decisions.length - denied.length} call(s) allowed, ${denied.length} denied${which.length > 0 ? `: ${which.join('; ')}` : ''}`;
}

function selected(assemblyDir: string, names: readonly string[] | undefined): AssemblyStack[] {
  const stacks = readAssembly(assemblyDir);
  if (names === undefined || names.length === 0) return stacks;
  const unknown = names.filter((name) => !stacks.some((stack) => stack.stackName === name || stack.artifactId === name));
  if (unknown.length > 0) throw new Error(`no stack named ${unknown.join(', ')} in the assembly (it has ${stacks.map((s) => s.stackName).join(', ')})`);
  const needed = new Set<string>();
  const add = (stack: AssemblyStack) => {
    if (needed.has(stack.artifactId)) return;
    needed.add(stack.artifactId);
    stack.dependencies.forEach((id) => add(stacks.find((s) => s.artifactId === id)!));
  };
  stacks.filter((stack) => names.includes(stack.stackName) || names.includes(stack.artifactId)).forEach(add);
  return stacks.filter((stack) => needed.has(stack.artifactId));
}

/** The stacks a deploy left: every one that exists, and those whose operation completed without a rollback. */
interface Deployed {
  readonly existing: AssemblyStack[];
  readonly healthy: AssemblyStack[];
}

/** Deploys the stacks in order, each without the rotation of the secrets that cannot run here; stops at a failure. */
async function deployAll(
  cfn: LocalCloudFormation,
  host: DatabaseHost,
  stacks: AssemblyStack[],
  progress: (line: string) => void,
  operation: 'create' | 'update',
  reports: StackReport[],
  secrets: Map<string, SecretReport>,
  key: (plan: RotatingSecretPlan) => string,
): Promise<Deployed> {
  const deployed: Deployed = { existing: [], healthy: [] };
  for (const stack of stacks) {
    const plans = rotatingSecretsOf(stack.stackName, stack.template);
    const skipped = await unsupportedSecrets(stack.template, plans, (engine) => host.unavailableReason(localEngineOf(engine)), unreachable);
    for (const plan of plans) secrets.set(key(plan), { ...secrets.get(key(plan)), plan });
    for (const { plan, reason } of skipped) {
      secrets.set(key(plan), { ...secrets.get(key(plan)), plan, skipped: reason });
      progress(`skipping the rotation of ${key(plan)}: ${reason}`);
    }
    progress(`${operation === 'create' ? 'creating' : 'updating'} ${stack.stackName}`);
    const template = skipped.length === 0 ? stack.template : withoutRotationOf(stack.template, skipped);
    const earlierEvents = cfn.events(stack.stackName).length;
    const result = await cfn.deploy({ stackName: stack.stackName, template, assets: Object.fromEntries(stack.assets) });
    // As the CDK CLI does, a failure names the first resource that failed and why.
    const failed = cfn.events(stack.stackName).slice(earlierEvents).find((event) => event.resourceStatus.endsWith('_FAILED'));
    const reason = failed === undefined ? result.statusReason : `${failed.logicalResourceId} ${failed.resourceStatus}: ${failed.resourceStatusReason}`;
    record(reports, stack.stackName, operation, result.status, reason);
    if (cfn.describeStack(stack.stackName) !== undefined) deployed.existing.push(stack);
    if (!completed(result.status)) break;
    deployed.healthy.push(stack);
  }
  return deployed;
}

function completed(status: string): boolean {
  return status.endsWith('_COMPLETE') && !status.includes('ROLLBACK');
}

function record(reports: StackReport[], stackName: string, operation: string, status: string, reason?: string): void {
  const index = reports.findIndex((report) => report.stackName === stackName);
  const existing = index < 0 ? { stackName, statuses: {} } : reports[index];
  const failed = !completed(status);
  const updated: StackReport = {
    stackName,
    statuses: { ...existing.statuses, [operation]: status },
    failure: existing.failure ?? (failed ? `${operation}: ${status}${reason ? `: ${reason}` : ''}` : undefined),
  };
  if (index < 0) reports.push(updated); else reports[index] = updated;
}

async function forEachSecret(
  stacks: AssemblyStack[],
  reports: Map<string, SecretReport>,
  key: (plan: RotatingSecretPlan) => string,
  visit: (stack: AssemblyStack, plan: RotatingSecretPlan) => Promise<void>,
): Promise<void> {
  for (const stack of stacks) {
    for (const plan of rotatingSecretsOf(stack.stackName, stack.template)) {
      if (reports.get(key(plan))?.skipped === undefined) await visit(stack, plan);
    }
  }
}

/** A moment one day past the latest next rotation of the deployed secrets, so each rotates once on schedule. */
async function nextRotationsWindow(
  client: SecretsManagerClient,
  cfn: LocalCloudFormation,
  stacks: AssemblyStack[],
  reports: Map<string, SecretReport>,
  key: (plan: RotatingSecretPlan) => string,
  now: number,
): Promise<number> {
  let latest = 0;
  await forEachSecret(stacks, reports, key, async (stack, plan) => {
    const arn = cfn.describeStack(stack.stackName)?.resources.find((r) => r.logicalId === plan.secretLogicalId)?.physicalId;
    if (arn === undefined) return;
    const { NextRotationDate: next } = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    if (next !== undefined) latest = Math.max(latest, next.getTime());
  });
  return Math.max(latest, now) + DAY_MS;
}

/** The secret's labels, the invariant, its rotations so far, and for database secrets what the database takes. */
async function stateOf(
  sim: SecretsManagerSimulator,
  client: SecretsManagerClient,
  arn: string,
  plan: RotatingSecretPlan,
  ca: string,
): Promise<SecretState> {
  const { stages, settled } = await settledStages(client, arn, SETTLE_PATIENCE_MS);
  const holder = (label: string) => Object.keys(stages).find((id) => stages[id].includes(label));
  const rotations: Record<string, number> = {};
  for (const event of sim.events) {
    if (event.secretArn === arn && event.type === 'RotationSucceeded' && event.trigger) rotations[event.trigger] = (rotations[event.trigger] ?? 0) + 1;
  }
  const state = {
    // The last 8 digits: tokens of one deploy-time check share their first 12.
    labels: Object.entries(stages).map(([id, labels]) => `…${id.slice(-8)}: ${labels.join('+')}`).join('; '),
    invariant: settled,
    rotations,
  };
  if (plan.strategy === 'generic' || plan.strategy === 'custom') return state;
  const value = async (stage: string) => (await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }))).SecretString!;
  const current = await databaseAccepts(await value(AWSCURRENT), ca);
  const previous = holder(AWSPREVIOUS) === undefined ? undefined : await databaseAccepts(await value(AWSPREVIOUS), ca);
  const singleUser = plan.strategy.endsWith('-single-user');
  const logins = `${AWSCURRENT} ${current}${previous === undefined ? '' : `, ${AWSPREVIOUS} ${previous}`}`;
  const expected = current === 'accepted' && (!singleUser || previous === undefined || previous === 'refused');
  return { ...state, logins, problem: expected ? undefined : `the database should take ${AWSCURRENT}${singleUser ? ` and refuse ${AWSPREVIOUS}` : ''}: ${logins}` };
}

/** Whether nothing accepts a TCP connection on host:port (a refusal is immediate; silence gets a few seconds). */
function unreachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(false));
    socket.once('timeout', () => done(true));
    socket.once('error', () => done(true));
  });
}

/** The local server that stands in for an RDS engine. */
function localEngineOf(engine: string): LocalEngine {
  return engine.includes('postgres') ? 'postgres' : 'mysql';
}
