/**
 * The bundled check function end to end on the simulator, invoked as CloudFormation invokes it, answering through
 * a local ResponseURL: its RotateSecret runs the bundled rotation functions (or in-process ones, to hold a step),
 * its Lambda calls (resuming a rotation, handing on to itself) go through a Lambda Invoke stand-in, and database
 * rotations log in to a private, password-checking PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { entry, properties, request } from './fixtures';
import type { ParsedAnswer } from './harness';
import { LambdaInvokeStandIn, startLambdaInvokeStandIn } from './lambda-invoke-stand-in';
import { ResponseServer, startResponseServer } from './response-server';
import { verifiedFingerprint } from '../../../lambda/verify/token';
import { SecretsManagerSimulator } from '../../../simulator';
import { CheckedFunction, CheckedSecret, VERIFIED_TAG } from '../../../src/private/contract';
import { gate, pendingIsSettled, templateRotation, versionWith } from '../../simulator/support';
import { PostgresCluster, startPostgres } from '../../support/postgres';
import { TEST_OPTION_SET_TAGS, bundleAssetDir, rotationEnvironment } from '../../support/strategies';
import { postgresAccepts } from '../rotation/database/logins';

const ACCOUNT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function';
const CHECK = `${ACCOUNT_ARN}:rotation-check`;
const GENERIC = `${ACCOUNT_ARN}:generic-rotation`;
const DATABASE = `${ACCOUNT_ARN}:database-rotation`;
const HELD = `${ACCOUNT_ARN}:held-rotation`;
const fn = (arn: string): CheckedFunction => ({ arn, logGroup: `/aws/lambda/${arn.split(':').pop()}`, timeoutSeconds: 30, kind: 'library' });

let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
let lambda: LambdaInvokeStandIn;
let responses: ResponseServer;

beforeAll(async () => {
  sim = await SecretsManagerSimulator.start();
  client = new SecretsManagerClient(sim.clientConfig());
  lambda = await startLambdaInvokeStandIn(sim);
  responses = await startResponseServer();
  registerCheck(120);
  sim.registerFunction(GENERIC, { assetDir: bundleAssetDir('genericRotation'), environment: rotationEnvironment('generic'), timeoutSeconds: 30 });
});

afterAll(async () => {
  await lambda.idle();
  await lambda.close();
  await responses.close();
  client.destroy();
  await sim.stop();
});

function registerCheck(timeoutSeconds: number): void {
  sim.registerFunction(CHECK, { assetDir: bundleAssetDir('verification'), environment: { AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint }, timeoutSeconds });
}

/** Whether the check has logged a line with `message` (its log lines are JSON objects). */
function checkLogged(message: string): boolean {
  return sim.logs.events('/aws/lambda/rotation-check').some((event) => event.message.includes(`"message":"${message}"`));
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Invokes the check as CloudFormation does (the invocation may hand on to others) and returns its one answer. */
async function deploy(type: 'Create' | 'Update', secrets: CheckedSecret[], functions: CheckedFunction[], requestId = randomUUID()): Promise<ParsedAnswer> {
  const answered = responses.received.length;
  const invocation = await sim.invokeFunction(CHECK, request(type, properties(secrets, functions), responses.url, { requestId }));
  expect(invocation).toMatchObject({ ok: true });
  await until(() => responses.received.length > answered, 'the check\'s answer');
  await lambda.idle();
  expect(responses.received).toHaveLength(answered + 1);
  return JSON.parse(responses.received[answered].body);
}

async function newSecret(value: string): Promise<string> {
  const { ARN } = await client.send(new CreateSecretCommand({ Name: `secret-${randomUUID()}`, SecretString: value, Tags: TEST_OPTION_SET_TAGS }));
  return ARN!;
}

async function valueOf(arn: string, stage: string): Promise<string | undefined> {
  return (await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }))).SecretString;
}

test('a new generic secret: the check configures rotation, rotates, verifies and tags it in one request', async () => {
  const arn = await newSecret('initial-api-key');

  const answer = await deploy('Create', [entry(arn, { pollSeconds: 1 })], [fn(GENERIC)]);

  expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { Secrets: '1', Verified: '1' } });
  const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(described).toMatchObject({ RotationEnabled: true, RotationLambdaARN: GENERIC, RotationRules: expect.objectContaining({ ScheduleExpression: 'rate(30 days)', Duration: '3h' }) });
  expect(described.Tags).toContainEqual({ Key: VERIFIED_TAG, Value: verifiedFingerprint('fingerprint-1', GENERIC) });
  expect(pendingIsSettled(described.VersionIdsToStages ?? {})).toBe(true);
  expect(await valueOf(arn, 'AWSPREVIOUS')).toBe('initial-api-key');
  expect(await valueOf(arn, 'AWSCURRENT')).not.toBe('initial-api-key');
});

test('a broken rotation (setSecret cannot reach the database) fails naming setSecret, and AWSCURRENT keeps the working value', async () => {
  sim.registerFunction(DATABASE, {
    assetDir: bundleAssetDir('databaseRotation'),
    environment: rotationEnvironment('postgres-single-user', { connectTimeoutSeconds: 1 }),
    timeoutSeconds: 30,
  });
  // Nothing listens on port 1: every login in setSecret is refused.
  const original = JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: 1, username: 'app', password: 'original-password', ssl: false });
  const arn = await newSecret(original);

  const answer = await deploy('Create', [entry(arn, { pollSeconds: 1 })], [fn(DATABASE)]);

  expect(answer.Status).toBe('FAILED');
  expect(answer.Reason).toMatch(new RegExp(`^Rotation of secret "secret-[0-9a-f-]+" \\(${arn}\\) failed in step setSecret: `));
  expect(answer.Reason).toContain('Details: CloudWatch log group /aws/lambda/database-rotation');
  expect(answer.Reason).not.toContain('original-password');
  expect(await valueOf(arn, 'AWSCURRENT')).toBe(original);
  await sim.waitForIdle();
});

test('a wait longer than one invocation is handed on to a fresh invocation of the check, which answers once', async () => {
  const setSecret = gate();
  sim.registerFunction(HELD, templateRotation(new SecretsManagerClient(sim.clientConfig()), async (event) => {
    if (event.Step === 'setSecret') await setSecret.opened;
  }));
  // 35 s: 5 s of work per invocation after the 30 s kept for handing on.
  registerCheck(35);
  try {
    const arn = await newSecret('initial');
    const answered = responses.received.length;

    const first = sim.invokeFunction(CHECK, request('Create', properties([entry(arn, { pollSeconds: 1 })], [fn(HELD)]), responses.url, { requestId: randomUUID() }));
    await until(() => checkLogged('handed the check on to a fresh invocation'), 'the check to hand on');
    expect(await first).toMatchObject({ ok: true });
    expect(responses.received).toHaveLength(answered);
    setSecret.release();

    await until(() => responses.received.length > answered, 'the check\'s answer');
    await lambda.idle();
    expect(responses.received).toHaveLength(answered + 1);
    expect(JSON.parse(responses.received[answered].body)).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
  } finally {
    registerCheck(120);
  }
});

test('finding 2: a slow configuration test of the rotation schedule is waited for, then the check rotates', async () => {
  const testSecret = gate();
  let configurationTests = 0;
  sim.registerFunction(HELD, templateRotation(new SecretsManagerClient(sim.clientConfig()), async (event) => {
    if (event.Step === 'testSecret' && configurationTests++ === 0) await testSecret.opened;
  }));
  const arn = await newSecret('initial');
  // What a RotationSchedule with RotateImmediately=false does: testSecret on a temporary AWSPENDING.
  await client.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: HELD, RotationRules: { ScheduleExpression: 'rate(30 days)' }, RotateImmediately: false }));
  const answered = responses.received.length;

  const invocation = sim.invokeFunction(CHECK, request('Create', properties([entry(arn, { pollSeconds: 1, repairStalePending: true })], [fn(HELD)]), responses.url));
  await until(() => checkLogged('a rotation may be running: waiting for it'), 'the check to wait');
  testSecret.release();
  expect(await invocation).toMatchObject({ ok: true });

  expect(JSON.parse(responses.received[answered].body)).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
  expect(sim.events.filter((event) => event.secretArn === arn && event.trigger === 'configuration-test').map((event) => event.type))
    .toEqual(['RotationStarted', 'RotationSucceeded']);
});

test('finding 6: the rollback after a failed update resumes the rotation with the reverted function, without rotating again', async () => {
  const arn = await newSecret('initial');
  await client.send(new TagResourceCommand({ SecretId: arn, Tags: [{ Key: VERIFIED_TAG, Value: verifiedFingerprint('fingerprint-1', GENERIC) }] }));
  // The update deploys a function that cannot work (a strategy it does not implement).
  sim.registerFunction(GENERIC, { assetDir: bundleAssetDir('genericRotation'), environment: { ...rotationEnvironment('generic'), ROTATION_STRATEGY: 'no-such-strategy' }, timeoutSeconds: 30 });
  const updateId = randomUUID();
  const failed = await deploy('Update', [entry(arn, { fingerprint: 'fingerprint-2', pollSeconds: 1 })], [fn(GENERIC)], updateId);
  expect(failed.Status).toBe('FAILED');
  expect(failed.Reason).toContain('failed in step createSecret');
  await sim.waitForIdle();
  const pending = versionWith((await client.send(new DescribeSecretCommand({ SecretId: arn }))).VersionIdsToStages ?? {}, 'AWSPENDING');

  // CloudFormation rolls the function back first, then sends the check the old properties.
  sim.registerFunction(GENERIC, { assetDir: bundleAssetDir('genericRotation'), environment: rotationEnvironment('generic'), timeoutSeconds: 30 });
  const rollback = await deploy('Update', [entry(arn, { pollSeconds: 1 })], [fn(GENERIC)]);

  expect(rollback).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '0', Unchanged: '1' } });
  expect(rollback.Data!.Notes).toContain(`resumed rotation ${pending} to completion`);
  const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(versionWith(described.VersionIdsToStages ?? {}, 'AWSCURRENT')).toBe(pending);
  expect(pendingIsSettled(described.VersionIdsToStages ?? {})).toBe(true);
  expect(described.Tags).toContainEqual({ Key: VERIFIED_TAG, Value: verifiedFingerprint('fingerprint-1', GENERIC) });
  expect(await valueOf(arn, 'AWSPREVIOUS')).toBe('initial');
});

describe('a single-user PostgreSQL secret', () => {
  let cluster: PostgresCluster;
  const user = `check_${process.pid}`;

  beforeAll(async () => {
    cluster = await startPostgres();
    sim.registerFunction(DATABASE, {
      assetDir: bundleAssetDir('databaseRotation'),
      environment: rotationEnvironment('postgres-single-user', { connectTimeoutSeconds: 5 }),
      timeoutSeconds: 30,
    });
  });
  afterAll(() => cluster.destroy());

  test('the connection fields are merged (password kept, types kept), then the rotation changes the password the server checks', async () => {
    const initialPassword = `initial-${randomUUID()}`;
    await cluster.adminQuery(`CREATE ROLE ${escapeIdentifier(user)} LOGIN PASSWORD ${escapeLiteral(initialPassword)}`);
    const arn = await newSecret(JSON.stringify({ engine: 'postgres', host: '127.0.0.1', username: user, password: initialPassword }));

    const answer = await deploy('Create', [entry(arn, { pollSeconds: 1, connection: { port: cluster.port, dbname: 'postgres', ssl: false } })], [fn(DATABASE)]);

    expect(answer).toMatchObject({ Status: 'SUCCESS', Data: { Verified: '1' } });
    expect(answer.Data!.Notes).toContain('merged port, dbname, ssl into a new AWSCURRENT version, password unchanged');
    const merged = JSON.parse((await valueOf(arn, 'AWSPREVIOUS'))!);
    expect(merged).toEqual({ engine: 'postgres', host: '127.0.0.1', username: user, password: initialPassword, port: cluster.port, dbname: 'postgres', ssl: false });
    const current = JSON.parse((await valueOf(arn, 'AWSCURRENT'))!);
    expect(current).toEqual({ ...merged, password: expect.any(String) });
    expect(await postgresAccepts(cluster.port, user, current.password)).toBe(true);
    expect(await postgresAccepts(cluster.port, user, initialPassword)).toBe(false);
  });
});
