import { randomUUID } from 'node:crypto';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { RotatingSecretModel } from './assembly';
import { DeployedSecret, SandboxDeployer, SkippedSecret, resolveCheckProperties } from './deploy';
import { SecretsManagerSimulator } from '../simulator';
import { AWSCURRENT, AWSPENDING, CHECK_RESOURCE_TYPE } from '../src/private/contract';

const DUMMY_CREDENTIALS = { accessKeyId: 'AKIASANDBOXEXAMPLE00', secretAccessKey: 'sandbox-not-a-secret' };
const CHECK_POLL_MS = 100;

/** What the sandbox found for one secret. */
export interface SecretReport {
  readonly name: string;
  readonly strategy: string;
  readonly labelsBefore: string;
  readonly labelsAfter: string;
  readonly invariant: 'holds' | 'BROKEN';
  /** How the first rotation ran: through the deploy-time check, or CloudFormation's immediate rotation. */
  readonly firstRotation: string;
  readonly scheduledRotations: number;
  readonly apiCalls: number;
  readonly millis: number;
  readonly error?: string;
  /** Why the secret was not rotated here (not a failure), e.g. no database server reachable. */
  readonly skipped?: string;
}

/** Deploys every rotating secret into a fresh simulator, verifies it, and runs one scheduled rotation. */
export async function runSandbox(models: RotatingSecretModel[], progress: (line: string) => void): Promise<SecretReport[]> {
  // This deployer creates secrets and functions only, not the stacks' roles and permissions: with nothing to
  // authorize against, IAM enforcement stays off (the simulator's default).
  const sim = await SecretsManagerSimulator.start();
  progress(sim.iam.status);
  const client = new SecretsManagerClient({ endpoint: sim.endpoint, region: sim.region, credentials: DUMMY_CREDENTIALS });
  try {
    const deployer = new SandboxDeployer(sim, client);
    const reports: SecretReport[] = [];
    const deployed: Array<{ secret: DeployedSecret; started: number; before: string; error?: string }> = [];
    for (const model of models) {
      const name = `${model.stackName}/${model.secretLogicalId}`;
      const started = Date.now();
      progress(`deploying ${name} (${model.strategy})`);
      try {
        const secret = await deployer.deploy(model);
        const before = labels(await describe(client, secret.arn));
        if (secret.model.check) {
          progress(`  verifying ${name}: first rotation through the deploy-time check`);
          await runCheck(sim, deployer, secret);
        } else if (!model.rotateImmediately) {
          progress(`  ${name} has no deploy-time check and does not rotate immediately`);
        }
        deployed.push({ secret, started, before });
      } catch (error) {
        if (error instanceof SkippedSecret) {
          progress(`  skipping ${name}: ${error.message}`);
          reports.push({ ...failed(name, model.strategy, started, error), invariant: 'holds', firstRotation: 'skipped', error: undefined, skipped: error.message });
        } else {
          reports.push(failed(name, model.strategy, started, error));
        }
      }
    }

    progress('advancing the clock to the next scheduled rotation of every secret');
    const currentBefore = new Map<string, string | undefined>();
    let target = sim.clock.now();
    for (const { secret } of deployed) {
      const description = await describe(client, secret.arn);
      currentBefore.set(secret.arn, versionWith(description.VersionIdsToStages, AWSCURRENT));
      const next = description.NextRotationDate ? new Date(description.NextRotationDate).getTime() : undefined;
      if (next !== undefined) target = Math.max(target, next + 24 * 3600 * 1000);
    }
    await sim.clock.advance(target - sim.clock.now());
    await sim.waitForIdle();

    for (const { secret, started, before } of deployed) {
      const name = `${secret.model.stackName}/${secret.model.secretLogicalId}`;
      const description = await describe(client, secret.arn);
      const stages = description.VersionIdsToStages ?? {};
      const succeeded = sim.events.filter((e) => e.secretArn === secret.arn && e.type === 'RotationSucceeded');
      const scheduledRotations = succeeded.filter((e) => e.trigger === 'schedule').length;
      const firstRotation = succeeded.some((e) => e.trigger === 'RotateSecret') ? (secret.model.check ? 'verified' : 'rotated') : 'none';
      const failures = sim.events.filter((e) => e.secretArn === secret.arn && e.type === 'RotationFailed');
      const scheduled = versionWith(stages, AWSCURRENT) !== currentBefore.get(secret.arn);
      const error = !scheduled
        ? `the scheduled rotation did not complete${failures.length ? `: ${describeFailure(failures[failures.length - 1])}` : ''}`
        : undefined;
      reports.push({
        name,
        strategy: secret.model.strategy,
        labelsBefore: before,
        labelsAfter: labels(description),
        invariant: invariantHolds(stages) ? 'holds' : 'BROKEN',
        firstRotation,
        scheduledRotations,
        apiCalls: Object.values(sim.apiCalls({ secretArn: secret.arn })).reduce((sum, n) => sum + n, 0),
        millis: Date.now() - started,
        error,
      });
    }
    return reports;
  } finally {
    client.destroy();
    await sim.stop();
  }
}

/** Runs the check's custom-resource lifecycle as the provider framework would: onEvent, then isComplete until done. */
async function runCheck(sim: SecretsManagerSimulator, deployer: SandboxDeployer, secret: DeployedSecret): Promise<void> {
  const check = secret.model.check!;
  const onEventArn = deployer.registerFunction(secret.model.stackName, check.onEvent);
  const isCompleteArn = deployer.registerFunction(secret.model.stackName, check.isComplete);
  const event = {
    RequestType: 'Create',
    ServiceToken: onEventArn,
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: `arn:aws:cloudformation:${sim.region}:${sim.accountId}:stack/${secret.model.stackName}/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: `${secret.model.secretLogicalId}RotationCheck`,
    ResourceType: CHECK_RESOURCE_TYPE,
    ResourceProperties: { ServiceToken: onEventArn, ...resolveCheckProperties(secret) },
  };
  const started = await invoke(sim, onEventArn, event);
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    const result = await invoke(sim, isCompleteArn, { ...event, ...started }) as { IsComplete?: boolean };
    if (result?.IsComplete) return;
    if (Date.now() > deadline) throw new Error('the deploy-time check did not finish within 10 minutes');
    await new Promise((resolve) => setTimeout(resolve, CHECK_POLL_MS));
  }
}

async function invoke(sim: SecretsManagerSimulator, arn: string, event: unknown): Promise<any> {
  const result = await sim.invokeFunction(arn, event);
  if (!result.ok) throw new Error(`the deploy-time check failed: ${result.errorMessage}`);
  return result.result;
}

async function describe(client: SecretsManagerClient, arn: string) {
  return client.send(new DescribeSecretCommand({ SecretId: arn }));
}

function versionWith(stages: Record<string, string[]> | undefined, label: string): string | undefined {
  return Object.entries(stages ?? {}).find(([, labelsOfVersion]) => labelsOfVersion.includes(label))?.[0];
}

/** AWSPENDING absent, or on the same version as AWSCURRENT. */
export function invariantHolds(stages: Record<string, string[]>): boolean {
  const pending = versionWith(stages, AWSPENDING);
  return pending === undefined || pending === versionWith(stages, AWSCURRENT);
}

/** `abcd1234: AWSCURRENT; ef567890: AWSPREVIOUS` with short version ids. */
function labels(description: { VersionIdsToStages?: Record<string, string[]> }): string {
  return Object.entries(description.VersionIdsToStages ?? {})
    .map(([version, stages]) => `${version.slice(0, 8)}: ${stages.join('+')}`)
    .join('; ');
}

function describeFailure(event: { step?: string; error?: { message: string } }): string {
  return `${event.step ?? 'unknown step'} failed: ${event.error?.message ?? 'no error message'}`;
}

function failed(name: string, strategy: string, started: number, error: unknown): SecretReport {
  return {
    name,
    strategy,
    labelsBefore: '',
    labelsAfter: '',
    invariant: 'BROKEN',
    firstRotation: 'failed',
    scheduledRotations: 0,
    apiCalls: 0,
    millis: Date.now() - started,
    error: error instanceof Error ? error.message : String(error),
  };
}
