import {
  CancelRotateSecretCommand, CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand,
  PutSecretValueCommand, RotateSecretCommand, RotateSecretCommandInput, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { FUNCTION_ARN, gate, RotationEventIn, START, startSimulator, stagesOf, templateRotation, versionWith } from './support';
import { RotationServiceEvent, SecretsManagerSimulator } from '../../simulator';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let simulator: SecretsManagerSimulator;
let client: SecretsManagerClient;

afterEach(async () => {
  client?.destroy();
  await simulator?.stop();
});

async function setUp(maxRotationAttempts = 3) {
  ({ simulator, client } = await startSimulator({ maxRotationAttempts }));
  const created = await client.send(new CreateSecretCommand({ Name: 'app/secret', SecretString: 'initial' }));
  return { arn: created.ARN!, firstVersion: created.VersionId! };
}

function rotate(arn: string, extra: Partial<RotateSecretCommandInput> = {}) {
  return client.send(new RotateSecretCommand({
    SecretId: arn, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 7 }, ...extra,
  }));
}

function summary(events: readonly RotationServiceEvent[]) {
  return events.map((e) => [e.type, e.attempt, e.step, e.error?.type, e.final].filter((part) => part !== undefined).join(' '));
}

class DatabaseError extends Error {
  public readonly name = 'DatabaseError';
}

test('RotateSecret answers at once with the value-less placeholder, then the four steps run in order', async () => {
  // GIVEN a rotation function that waits in its first step until released
  const { arn, firstVersion } = await setUp();
  const invocations: RotationEventIn[] = [];
  const firstStep = gate();
  simulator.registerFunction(FUNCTION_ARN, templateRotation(client, async (event) => {
    invocations.push(event);
    if (invocations.length === 1) await firstStep.opened;
  }));
  const seen: RotationServiceEvent[] = [];
  simulator.onRotationEvent((event) => seen.push(event));

  // WHEN
  const { VersionId: token } = await rotate(arn);

  // THEN the placeholder exists before any step has finished
  expect(await stagesOf(client, arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token!]: ['AWSPENDING'] });
  firstStep.release();
  await simulator.waitForIdle();
  expect(invocations.map((e) => e.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  for (const event of invocations) {
    expect(event).toEqual({ Step: event.Step, SecretId: arn, ClientRequestToken: token, RotationToken: invocations[0].RotationToken });
  }
  expect(invocations[0].RotationToken).toMatch(UUID);
  // AWS takes AWSPENDING off the new version once the rotation succeeds
  expect(await stagesOf(client, arn)).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [token!]: ['AWSCURRENT'] });
  expect(summary(simulator.events)).toEqual(['RotationStarted 1', 'RotationSucceeded 1']);
  expect(seen).toEqual(simulator.events);
  expect(simulator.events.every((e) => e.secretArn === arn && e.token === token && e.trigger === 'RotateSecret' && e.time === START)).toBe(true);
  const description = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(description.LastRotatedDate?.getTime()).toBe(START);
  expect(description.NextRotationDate?.toISOString()).toBe('2030-01-09T00:00:00.000Z');
});

test('a failed step stops the attempt; the whole rotation is retried with the same token until it succeeds', async () => {
  const { arn, firstVersion } = await setUp();
  const steps: string[] = [];
  const tokens = new Set<string>();
  let failures = 0;
  simulator.registerFunction(FUNCTION_ARN, templateRotation(client, (event) => {
    steps.push(event.Step);
    tokens.add(event.ClientRequestToken);
    if (event.Step === 'setSecret' && failures++ < 2) throw new DatabaseError('database unreachable');
  }));
  const mark = simulator.apiCallMark();

  const { VersionId: token } = await rotate(arn);
  await simulator.waitForIdle();

  expect(steps).toEqual(['createSecret', 'setSecret', 'createSecret', 'setSecret', 'createSecret', 'setSecret', 'testSecret', 'finishSecret']);
  expect([...tokens]).toEqual([token]);
  expect(summary(simulator.events)).toEqual([
    'RotationStarted 1', 'RotationFailed 1 setSecret DatabaseError false',
    'RotationStarted 2', 'RotationFailed 2 setSecret DatabaseError false',
    'RotationStarted 3', 'RotationSucceeded 3',
  ]);
  expect(simulator.events[1].error).toEqual({ type: 'DatabaseError', message: 'database unreachable' });
  // createSecret ran three times but filled the placeholder once
  expect(simulator.apiCalls({ secretArn: arn, since: mark }).PutSecretValue).toBe(1);
  expect(await stagesOf(client, arn)).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [token!]: ['AWSCURRENT'] });
});

test('after maxRotationAttempts the simulator gives up: the last failure is final and AWSPENDING stays', async () => {
  const { arn, firstVersion } = await setUp(2);
  simulator.registerFunction(FUNCTION_ARN, templateRotation(client, (event) => {
    if (event.Step === 'testSecret') throw new Error('new password rejected');
  }));

  const { VersionId: token } = await rotate(arn);
  await simulator.waitForIdle();

  expect(summary(simulator.events)).toEqual([
    'RotationStarted 1', 'RotationFailed 1 testSecret Error false',
    'RotationStarted 2', 'RotationFailed 2 testSecret Error true',
  ]);
  expect(await stagesOf(client, arn)).toEqual({ [firstVersion]: ['AWSCURRENT'], [token!]: ['AWSPENDING'] });
  await expect(rotate(arn)).rejects.toMatchObject({
    name: 'InvalidRequestException',
    message: "A previous rotation isn't complete. That rotation will be reattempted.",
  });
});

test('a manual PutSecretValue supersedes an unfinished rotation: AWSPENDING is dropped and RotationAbandoned recorded', async () => {
  const { arn, firstVersion } = await setUp(1);
  let failing = true;
  simulator.registerFunction(FUNCTION_ARN, templateRotation(client, (event) => {
    if (failing && event.Step === 'setSecret') throw new Error('unreachable');
  }));
  const { VersionId: token } = await rotate(arn);
  await simulator.waitForIdle();

  const manual = await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'set by hand' }));

  expect(await stagesOf(client, arn)).toEqual({ [firstVersion]: ['AWSPREVIOUS'], [manual.VersionId!]: ['AWSCURRENT'] });
  const abandoned = simulator.events[simulator.events.length - 1];
  expect(abandoned).toMatchObject({ type: 'RotationAbandoned', token, secretArn: arn });
  expect(abandoned.reason).toMatch(/PutSecretValue/);
  failing = false;
  const next = await rotate(arn);
  await simulator.waitForIdle();
  expect(versionWith(await stagesOf(client, arn), 'AWSCURRENT')).toBe(next.VersionId);
});

test('CancelRotateSecret stops a running rotation before its next step and keeps the labels', async () => {
  const { arn, firstVersion } = await setUp();
  const steps: string[] = [];
  const inSetSecret = gate();
  const release = gate();
  simulator.registerFunction(FUNCTION_ARN, templateRotation(client, async (event) => {
    steps.push(event.Step);
    if (event.Step === 'setSecret') {
      inSetSecret.release();
      await release.opened;
    }
  }));
  const { VersionId: token } = await rotate(arn);
  await inSetSecret.opened;

  const cancelled = await client.send(new CancelRotateSecretCommand({ SecretId: arn }));
  release.release();
  await simulator.waitForIdle();

  expect(cancelled.VersionId).toBe(token);
  expect(steps).toEqual(['createSecret', 'setSecret']);
  expect(summary(simulator.events)).toEqual(['RotationStarted 1', 'RotationAbandoned']);
  const description = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(description.RotationEnabled).toBe(false);
  expect(description.NextRotationDate).toBeUndefined();
  expect(description.VersionIdsToStages).toEqual({ [firstVersion]: ['AWSCURRENT'], [token!]: ['AWSPENDING'] });
});

test('RotateImmediately=false runs only testSecret, on an AWSPENDING copy of the current value that is removed afterwards', async () => {
  const { arn, firstVersion } = await setUp();
  const seen: Array<{ step: string; pendingValue?: string }> = [];
  simulator.registerFunction(FUNCTION_ARN, {
    handler: async (event: RotationEventIn) => {
      const pending = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: event.ClientRequestToken, VersionStage: 'AWSPENDING' }));
      seen.push({ step: event.Step, pendingValue: pending.SecretString });
    },
  });

  const { VersionId: token } = await rotate(arn, { RotateImmediately: false });
  await simulator.waitForIdle();

  expect(seen).toEqual([{ step: 'testSecret', pendingValue: 'initial' }]);
  expect(await stagesOf(client, arn)).toEqual({ [firstVersion]: ['AWSCURRENT'] });
  const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
  expect(versions.Versions!.find((v) => v.VersionId === token)).not.toHaveProperty('VersionStages');
  expect(summary(simulator.events)).toEqual(['RotationStarted 1', 'RotationSucceeded 1']);
  expect(simulator.events[0].trigger).toBe('configuration-test');
  const description = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(description.RotationEnabled).toBe(true);
  expect(description.LastRotatedDate).toBeUndefined();
});

test('steps that all pass without moving AWSCURRENT are a failed rotation', async () => {
  const { arn } = await setUp(1);
  simulator.registerFunction(FUNCTION_ARN, { handler: async () => undefined });

  const { VersionId: token } = await rotate(arn);
  await simulator.waitForIdle();

  expect(simulator.events[1]).toMatchObject({
    type: 'RotationFailed',
    step: 'finishSecret',
    final: true,
    error: { type: 'RotationIncomplete', message: `finishSecret returned, but AWSCURRENT is not on version ${token}` },
  });
});
