import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { captureStdout, setEnv } from './support';
import { OPTION_SET_TAG, encodeRotationEnvironment } from '../../../src/private/contract';
import { createDummyRotationFunction, DUMMY_CREDENTIALS, MotoServer, startMoto } from '../../support/moto';
import { TEST_OPTION_SET, bundleAssetDir, testOptionSet } from '../../support/strategies';

/**
 * The real handler, with the real SDK client, over HTTP against moto. moto cannot run a Lambda here, so
 * RotateSecret (with moto's dummy function) only creates the empty AWSPENDING placeholder and the test
 * invokes the four steps itself, as Secrets Manager would.
 */

const REGION = 'us-east-1';
/** The esbuild bundle Lambda runs, built by the bundle task that runs before the tests. */
const BUNDLE = path.join(bundleAssetDir('genericRotation'), 'index.js');
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

let moto: MotoServer;
let dummyFunctionArn: string;
let client: SecretsManagerClient;
let restoreEnv: () => void;
let handler: (event: unknown) => Promise<unknown>;

beforeAll(async () => {
  moto = await startMoto();
  dummyFunctionArn = await createDummyRotationFunction(moto.endpoint, REGION);
  restoreEnv = setEnv({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
    AWS_ENDPOINT_URL: undefined,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: DUMMY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: DUMMY_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
    // One function, two option sets: each secret selects its own with its tag.
    ...encodeRotationEnvironment({
      strategy: 'generic',
      optionSets: {
        [TEST_OPTION_SET]: testOptionSet('generic'),
        json: { passwordPolicy: { ...testOptionSet('generic').passwordPolicy, passwordLength: 40, excludePunctuation: true }, generateStringKey: 'password' },
      },
    }),
  });
  // Imported only now: the handler creates its client at module load, from this environment.
  handler = jest.requireActual<typeof import('../../../lambda/rotation/generic-function')>('../../../lambda/rotation/generic-function').handler;
  client = new SecretsManagerClient({ region: REGION, endpoint: moto.endpoint, credentials: DUMMY_CREDENTIALS });
});

afterAll(async () => {
  restoreEnv?.();
  client?.destroy();
  await moto?.stop();
});

interface Started {
  readonly arn: string;
  readonly token: string;
  readonly previousVersion: string;
}

/** Creates a secret and starts a rotation: moto leaves the empty AWSPENDING placeholder under the token. */
async function startRotation(name: string, value: string, optionSet = TEST_OPTION_SET): Promise<Started> {
  const created = await client.send(new CreateSecretCommand({
    Name: `${name}-${Date.now()}`, SecretString: value, Tags: [{ Key: OPTION_SET_TAG, Value: optionSet }],
  }));
  const rotation = await client.send(new RotateSecretCommand({
    SecretId: created.ARN,
    RotationLambdaARN: dummyFunctionArn,
    RotationRules: { AutomaticallyAfterDays: 30 },
  }));
  const token = rotation.VersionId!;
  const stages = (await client.send(new DescribeSecretCommand({ SecretId: created.ARN }))).VersionIdsToStages!;
  expect(stages[token]).toEqual(['AWSPENDING']);
  return { arn: created.ARN!, token, previousVersion: created.VersionId! };
}

/** What a step could change: rotation state, labels, and the value of every labelled version. */
async function observe(arn: string) {
  const description = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  const values: Record<string, string | null> = {};
  for (const [id, stages] of Object.entries(description.VersionIdsToStages ?? {})) {
    if (stages.length === 0) continue;
    // Always with VersionStage: moto can answer a bare VersionId from a stale default version.
    values[id] = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: id, VersionStage: stages[0] }))
      .then((out) => out.SecretString ?? null, (error: Error) => {
        if (error.name === 'ResourceNotFoundException') return null;
        throw error;
      });
  }
  return { rotationEnabled: description.RotationEnabled, versionIdsToStages: description.VersionIdsToStages, values };
}

async function valueAt(arn: string, stage: string): Promise<string> {
  return (await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }))).SecretString!;
}

/** Runs every step twice in order; the second run of each must change nothing. Returns all log lines. */
async function rotate({ arn, token }: Started, run = handler): Promise<string[]> {
  const lines: string[] = [];
  for (const step of STEPS) {
    const event = { Step: step, SecretId: arn, ClientRequestToken: token };
    const first = await captureStdout(() => run(event));
    expect(first.error).toBeUndefined();
    const after = await observe(arn);
    const second = await captureStdout(() => run(event));
    expect(second.error).toBeUndefined();
    expect(await observe(arn)).toEqual(after);
    lines.push(...first.lines, ...second.lines);
  }
  return lines;
}

function expectInvariant(stages: Record<string, string[]>, token: string): void {
  expect(stages[token]).toContain('AWSCURRENT');
  const pendingHolders = Object.keys(stages).filter((id) => stages[id].includes('AWSPENDING'));
  expect(pendingHolders.every((id) => id === token)).toBe(true);
}

test('a plain-string secret rotates; every step is idempotent; logs hold no secret value', async () => {
  const initial = 'initial-plain-secret-value-0001';
  const started = await startRotation('plain', initial);

  const lines = await rotate(started);

  const current = await valueAt(started.arn, 'AWSCURRENT');
  expect(current).toHaveLength(32);
  expect(current).not.toBe(initial);
  expect(current).not.toMatch(/[/@"'\\]/);
  expect(await valueAt(started.arn, 'AWSPREVIOUS')).toBe(initial);
  const state = await observe(started.arn);
  expect(state.versionIdsToStages![started.previousVersion]).toContain('AWSPREVIOUS');
  expectInvariant(state.versionIdsToStages!, started.token);

  // Reruns of all four steps after the rotation finished change nothing either.
  for (const step of STEPS) await captureStdout(() => handler({ Step: step, SecretId: started.arn, ClientRequestToken: started.token }));
  expect(await observe(started.arn)).toEqual(state);

  expect(lines.length).toBeGreaterThanOrEqual(16);
  for (const line of lines) {
    expect(() => JSON.parse(line)).not.toThrow();
    expect(line).not.toContain(initial);
    expect(line).not.toContain(current);
  }
  expect(lines.filter((line) => line.includes(started.token)).length).toBe(lines.length);
});

test('a JSON secret (its own option set, same function) rotates its generateStringKey field and keeps the others', async () => {
  const initial = JSON.stringify({ engine: 'custom', username: 'svc', password: 'initial-json-password', port: 8443 });
  const started = await startRotation('json', initial, 'json');

  const lines = await rotate(started);

  const current = JSON.parse(await valueAt(started.arn, 'AWSCURRENT'));
  expect(current).toEqual({ engine: 'custom', username: 'svc', password: expect.stringMatching(/^[A-Za-z0-9]{40}$/), port: 8443 });
  expect(await valueAt(started.arn, 'AWSPREVIOUS')).toBe(initial);
  expectInvariant((await observe(started.arn)).versionIdsToStages!, started.token);
  for (const line of lines) {
    expect(line).not.toContain('initial-json-password');
    expect(line).not.toContain(current.password);
  }
});

test('a failed step logs the one error line the deploy-time verifier looks for, and leaves the secret as it was', async () => {
  const initial = 'initial-value-for-failure-0002';
  const started = await startRotation('failing', initial);
  const before = await observe(started.arn);
  const foreignToken = '11111111-2222-4333-8444-555555555555';

  const { lines, error } = await captureStdout(() => handler({ Step: 'createSecret', SecretId: started.arn, ClientRequestToken: foreignToken }));

  expect((error as Error).message).toBe(`createSecret failed for secret ${started.arn} (token ${foreignToken}): the token is not a version of this secret, so it has no stage for rotation`);
  const failures = lines.map((line) => JSON.parse(line)).filter((entry) => entry.message === 'rotation step failed');
  expect(failures).toEqual([expect.objectContaining({
    level: 'error', step: 'createSecret', secretArn: started.arn, token: foreignToken, strategy: 'generic', error: expect.stringContaining(foreignToken),
  })]);
  expect(await observe(started.arn)).toEqual(before);
  for (const line of lines) expect(line).not.toContain(initial);
});

test('the esbuild bundle Lambda runs rotates a secret the same way', async () => {
  if (!fs.existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`npx projen bundle\` (the test task does) first`);
  const bundled = jest.requireActual<{ handler: (event: unknown) => Promise<void> }>(BUNDLE).handler;
  const initial = 'initial-value-for-bundle-0003';
  const started = await startRotation('bundled', initial);

  const lines = await rotate(started, bundled);

  const current = await valueAt(started.arn, 'AWSCURRENT');
  expect(current).toHaveLength(32);
  expect(await valueAt(started.arn, 'AWSPREVIOUS')).toBe(initial);
  expectInvariant((await observe(started.arn)).versionIdsToStages!, started.token);
  expect(lines.map((line) => JSON.parse(line).message)).toContain('rotation step finished');
  for (const line of lines) {
    expect(line).not.toContain(initial);
    expect(line).not.toContain(current);
  }
});
