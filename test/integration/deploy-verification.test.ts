import { randomUUID } from 'node:crypto';
import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  PutSecretValueCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator, SIMULATOR_CREDENTIALS } from '../../simulator';
import { bundleAssetDir, rotationEnvironment } from '../support/strategies';

/**
 * The deploy-time check end to end, as CloudFormation's provider framework would run it: the bundled onEvent
 * and isComplete handlers against the simulator, whose RotateSecret runs the bundled rotation function.
 */

const GENERIC_FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:generic-rotation';
const DATABASE_FUNCTION = 'arn:aws:lambda:us-east-1:123456789012:function:database-rotation';
const ON_EVENT = 'arn:aws:lambda:us-east-1:123456789012:function:check-on-event';
const IS_COMPLETE = 'arn:aws:lambda:us-east-1:123456789012:function:check-is-complete';

let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  sim = await SecretsManagerSimulator.start();
  client = new SecretsManagerClient({ endpoint: sim.endpoint, region: sim.region, credentials: SIMULATOR_CREDENTIALS });
  sim.registerFunction(GENERIC_FUNCTION, {
    assetDir: bundleAssetDir('genericRotation'),
    environment: rotationEnvironment('generic'),
    timeoutSeconds: 30,
  });
  sim.registerFunction(DATABASE_FUNCTION, {
    assetDir: bundleAssetDir('databaseRotation'),
    environment: rotationEnvironment('postgres-single-user', { connectTimeoutSeconds: 1 }),
    timeoutSeconds: 30,
  });
  for (const [arn, handler] of [[ON_EVENT, 'index.onEvent'], [IS_COMPLETE, 'index.isComplete']]) {
    sim.registerFunction(arn, { assetDir: bundleAssetDir('verification'), handler, timeoutSeconds: 30 });
  }
});

afterAll(async () => {
  client.destroy();
  await sim.stop();
});

/** A secret configured for rotation as the RotationSchedule does with RotateImmediatelyOnUpdate: false. */
async function rotatingSecret(value: string, functionArn: string): Promise<string> {
  const { ARN } = await client.send(new CreateSecretCommand({ Name: `secret-${randomUUID()}`, SecretString: value }));
  await client.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: functionArn, RotationRules: { ScheduleExpression: 'rate(30 days)' }, RotateImmediately: false }));
  await sim.waitForIdle();
  return ARN!;
}

/** The provider framework's loop: onEvent once, then isComplete until complete or failed. */
type CheckOutcome = { ok: true; data: Record<string, string> } | { ok: false; message: string };

async function deployCheck(secretArn: string, functionArn: string): Promise<CheckOutcome> {
  const event = {
    RequestType: 'Create',
    ServiceToken: ON_EVENT,
    ResponseURL: 'http://127.0.0.1/unused',
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/Test/${randomUUID()}`,
    RequestId: randomUUID(),
    LogicalResourceId: 'SecretRotationCheck',
    ResourceType: 'Custom::RotationCheck',
    ResourceProperties: {
      ServiceToken: ON_EVENT,
      SecretArn: secretArn,
      RotationFingerprint: 'test',
      TimeoutSeconds: '60',
      RepairStalePending: 'false',
      RotationLogGroup: `/aws/lambda/${functionArn.split(':').pop()}`,
    },
  };
  const started = await sim.invokeFunction(ON_EVENT, event);
  if (!started.ok) return { ok: false, message: started.errorMessage };
  for (let poll = 0; poll < 300; poll++) {
    const result = await sim.invokeFunction(IS_COMPLETE, { ...event, ...(started.result as object) });
    if (!result.ok) return { ok: false, message: result.errorMessage };
    const outcome = result.result as { IsComplete: boolean; Data?: Record<string, string> };
    if (outcome.IsComplete) return { ok: true, data: outcome.Data ?? {} };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the check neither completed nor failed within 30 s');
}

function labelsOf(stages: Record<string, string[]> | undefined, version: string | undefined): string[] {
  return version ? stages?.[version] ?? [] : [];
}

test('a working rotation: the check rotates once, waits, and reports the new and previous versions', async () => {
  const arn = await rotatingSecret('initial-api-key', GENERIC_FUNCTION);

  const result = await deployCheck(arn, GENERIC_FUNCTION);

  expect(result).toMatchObject({ ok: true, data: { Verified: 'true' } });
  const data = (result as { data: Record<string, string> }).data;
  const { VersionIdsToStages: stages } = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(labelsOf(stages, data.NewVersionId)).toContain('AWSCURRENT');
  expect(labelsOf(stages, data.PreviousVersionId)).toEqual(['AWSPREVIOUS']);
  const pending = Object.entries(stages ?? {}).find(([, labels]) => labels.includes('AWSPENDING'))?.[0];
  expect(pending === undefined || pending === data.NewVersionId).toBe(true);
  const previous = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }));
  expect(previous.SecretString).toBe('initial-api-key');
});

test('a broken rotation (setSecret cannot reach the database) fails the check, naming setSecret, and AWSCURRENT keeps the working value', async () => {
  // Nothing listens on port 1: every login in setSecret is refused.
  const original = JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: 1, username: 'app', password: 'original-password', ssl: false });
  const arn = await rotatingSecret(original, DATABASE_FUNCTION);

  const result = await deployCheck(arn, DATABASE_FUNCTION);

  expect(result.ok).toBe(false);
  const message = (result as { message: string }).message;
  expect(message).toMatch(/setSecret/);
  expect(message).toContain(arn);
  expect(message).toContain('/aws/lambda/database-rotation');
  expect(message).not.toContain('original-password');
  const current = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
  expect(current.SecretString).toBe(original);
});

test('an existing secret with history gets rotation and the deploy-time check; turning rotation off cancels it and keeps AWSCURRENT', async () => {
  // A secret created outside the app, with a value and history.
  const { ARN: arn } = await client.send(new CreateSecretCommand({ Name: `existing-${randomUUID()}`, SecretString: 'first' }));
  await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'second' }));
  await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'third' }));

  // What ExistingSecretRotation deploys: the schedule (no immediate rotation), then the check.
  await client.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: GENERIC_FUNCTION, RotationRules: { ScheduleExpression: 'rate(7 days)' }, RotateImmediately: false }));
  await sim.waitForIdle();
  const result = await deployCheck(arn!, GENERIC_FUNCTION);
  expect(result.ok).toBe(true);
  const rotated = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
  expect(rotated.SecretString).not.toBe('third');
  expect((await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('third');

  // Schedule.disabled() removes the RotationSchedule; CloudFormation then cancels the rotation.
  await client.send(new CancelRotateSecretCommand({ SecretId: arn }));
  const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(described.RotationEnabled).toBe(false);
  const before = sim.events.filter((e) => e.secretArn === arn).length;
  await sim.clock.advance(30 * 24 * 3600 * 1000);
  await sim.waitForIdle();
  expect(sim.events.filter((e) => e.secretArn === arn).length).toBe(before);
  expect((await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString).toBe(rotated.SecretString);
});
