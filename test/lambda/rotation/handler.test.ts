import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeSecretsManager, secretMidRotation } from './fake-secrets-manager';
import { captureStdout, CURRENT_VERSION, DEFAULT_POLICY, SECRET_ARN, setEnv, TOKEN } from './support';
import { handler as databaseHandler } from '../../../lambda/rotation/database-function';
import { handler } from '../../../lambda/rotation/generic-function';
import { freePort } from '../../../simulator/databases/ports';
import { MAX_PROBE_VERSIONS, OPTION_SET_TAG, encodeRotationEnvironment } from '../../../src/private/contract';
import { rotationEnvironment } from '../../support/strategies';

// The handler's module-level client is mocked through the SDK's prototype.
const sm = mockClient(SecretsManagerClient);
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];
const CURRENT_JSON = JSON.stringify({ username: 'app', password: 'current-hunter2-password', host: 'db.internal' });

let fake: FakeSecretsManager;
let restoreEnv: () => void;

beforeEach(() => {
  sm.reset();
  fake = secretMidRotation(SECRET_ARN, CURRENT_VERSION, CURRENT_JSON, TOKEN);
  fake.install(sm);
  restoreEnv = setEnv(rotationEnvironment('generic', { generateStringKey: 'password', passwordPolicy: { ...DEFAULT_POLICY, passwordLength: 24 } }));
});

afterEach(() => restoreEnv());

const event = (step: string, token = TOKEN) => ({ Step: step, SecretId: SECRET_ARN, ClientRequestToken: token });

test('runs the four steps, logging start and finish of each as one JSON line with step, secret, token and strategy', async () => {
  const { lines, error } = await captureStdout(async () => {
    for (const step of STEPS) await handler(event(step));
  });
  expect(error).toBeUndefined();

  const entries = lines.map((line) => JSON.parse(line));
  for (const step of STEPS) {
    const fields = { step, secretArn: SECRET_ARN, token: TOKEN, strategy: 'generic' };
    expect(entries).toContainEqual({ timestamp: expect.any(String), level: 'info', message: 'rotation step started', ...fields });
    expect(entries).toContainEqual({ timestamp: expect.any(String), level: 'info', message: 'rotation step finished', ...fields });
  }
  const rotated = JSON.parse(fake.versions.get(TOKEN)!.value!);
  expect(rotated).toEqual({ username: 'app', password: expect.any(String), host: 'db.internal' });
  expect(rotated.password).toHaveLength(24);
  expect(fake.versions.get(TOKEN)!.stages).toContain('AWSCURRENT');

  // Leak check: neither the old nor the new secret string, nor either password, appears in any line.
  for (const secret of [CURRENT_JSON, 'current-hunter2-password', fake.versions.get(TOKEN)!.value!, rotated.password]) {
    for (const line of lines) expect(line).not.toContain(secret);
  }
});

test('a failing step logs exactly one error line for the verifier and rethrows', async () => {
  const stranger = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
  const { lines, error } = await captureStdout(() => handler(event('createSecret', stranger)));

  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe(`createSecret failed for secret ${SECRET_ARN} (token ${stranger}): the token is not a version of this secret, so it has no stage for rotation`);
  const errors = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'error');
  expect(errors).toEqual([{
    timestamp: expect.any(String),
    level: 'error',
    message: 'rotation step failed',
    step: 'createSecret',
    secretArn: SECRET_ARN,
    token: stranger,
    strategy: 'generic',
    error: `RotationError: ${(error as Error).message}`,
  }]);
});

test('a failing testSecret logs why without the malformed pending value', async () => {
  fake.versions.set(TOKEN, { value: '{"username":"pending-hunter2"}', stages: ['AWSPENDING'] });
  const { lines, error } = await captureStdout(() => handler(event('testSecret')));

  expect((error as Error).message).toMatch(/testSecret failed .*`password` field is not a non-empty string/);
  expect(lines.filter((line) => JSON.parse(line).level === 'error')).toHaveLength(1);
  for (const line of lines) expect(line).not.toContain('hunter2');
});

test('each secret rotates with the option set its tag selects among those the function declares', async () => {
  restoreEnv();
  restoreEnv = setEnv(encodeRotationEnvironment({
    strategy: 'generic',
    optionSets: {
      digits: { passwordPolicy: { ...DEFAULT_POLICY, passwordLength: 12, excludePunctuation: true, excludeUppercase: true, excludeLowercase: true } },
      json: { passwordPolicy: { ...DEFAULT_POLICY, passwordLength: 50 }, generateStringKey: 'password' },
    },
  }));
  fake.tags = { [OPTION_SET_TAG]: 'json' };
  const { error } = await captureStdout(async () => {
    for (const step of STEPS) await handler(event(step));
  });
  expect(error).toBeUndefined();
  expect(JSON.parse(fake.versions.get(TOKEN)!.value!).password).toHaveLength(50);
});

test.each([
  ['no tag', {}, /the secret selects no password option set: it has no tag `cdk-rotating-secrets:password-options`/],
  ['a tag naming an undeclared set', { [OPTION_SET_TAG]: 'weak' }, /its tag `cdk-rotating-secrets:password-options` names "weak", which this rotation function does not declare \(it declares test\)/],
])('a secret with %s fails createSecret, logged for the check, and nothing is written', async (_name, tags, message) => {
  fake.tags = tags;
  const before = fake.snapshot();
  const { lines, error } = await captureStdout(() => handler(event('createSecret')));

  expect((error as Error).message).toMatch(new RegExp(`^createSecret failed for secret ${SECRET_ARN} .*${message.source}`));
  expect(lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'error')).toEqual([expect.objectContaining({ message: 'rotation step failed', step: 'createSecret' })]);
  expect(fake.snapshot()).toEqual(before);
});

test('a bad configuration fails the step with a logged reason before any Secrets Manager call', async () => {
  restoreEnv();
  restoreEnv = setEnv({ ...rotationEnvironment('generic'), ROTATION_STRATEGY: 'oracle-single-user' });
  const { lines, error } = await captureStdout(() => handler(event('createSecret')));

  expect((error as Error).message).toMatch(/^`ROTATION_STRATEGY` must be one of generic, .* got "oracle-single-user"/);
  expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({
    level: 'error', message: 'rotation step failed', step: 'createSecret', token: TOKEN, strategy: 'oracle-single-user',
  })]);
  expect(sm.calls()).toHaveLength(0);
});

test('a malformed event is logged with null for the fields it lacks', async () => {
  const { lines, error } = await captureStdout(() => handler({ Step: 'createSecret' }));

  expect((error as Error).message).toMatch(/`SecretId` must be a non-empty string/);
  const failure = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === 'error');
  expect(failure).toMatchObject({ message: 'rotation step failed', step: 'createSecret', secretArn: null, token: null, strategy: 'generic' });
  expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
});

test('a non-object event is logged with null identifiers and refused', async () => {
  const { lines, error } = await captureStdout(() => handler(null));

  expect((error as Error).message).toBe('invalid rotation event: expected an object, got null');
  expect(lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 'error')).toEqual([expect.objectContaining({
    level: 'error', message: 'rotation step failed', step: null, secretArn: null, token: null, strategy: 'generic',
  })]);
  expect(sm.calls()).toHaveLength(0);
});

describe('the deploy-time check\'s probe', () => {
  const probe = (VersionIds: unknown, SecretId: unknown = SECRET_ARN) => ({ ProbeVersions: { SecretId, VersionIds } });

  test('generic: every version is no-service, read from nowhere, in one log line', async () => {
    const { lines, result, error } = await captureStdout(() => handler(probe([CURRENT_VERSION, TOKEN])));

    expect(error).toBeUndefined();
    expect(result).toEqual({ outcomes: { [CURRENT_VERSION]: 'no-service', [TOKEN]: 'no-service' } });
    expect(sm.calls()).toHaveLength(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([{
      timestamp: expect.any(String),
      level: 'info',
      message: 'probe answered',
      secretId: SECRET_ARN,
      strategy: 'generic',
      outcomes: { [CURRENT_VERSION]: 'no-service', [TOKEN]: 'no-service' },
    }]);
  });

  test('database: each version is read by its id and tried once; a version without a value is refused', async () => {
    restoreEnv();
    restoreEnv = setEnv(rotationEnvironment('postgres-single-user', { connectTimeoutSeconds: 2 }));
    const closed = await freePort();
    fake.versions.set(CURRENT_VERSION, {
      value: JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: closed, username: 'app', password: 'current-hunter2-password', ssl: false }),
      stages: ['AWSCURRENT'],
    });

    const { lines, result } = await captureStdout(() => databaseHandler(probe([CURRENT_VERSION, TOKEN])));

    expect(result).toEqual({
      outcomes: { [CURRENT_VERSION]: 'unreachable', [TOKEN]: 'refused' },
      reasons: { [CURRENT_VERSION]: expect.stringMatching(/ECONNREFUSED/), [TOKEN]: 'the version has no value' },
    });
    expect(sm.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual(expect.arrayContaining([
      { SecretId: SECRET_ARN, VersionId: CURRENT_VERSION },
      { SecretId: SECRET_ARN, VersionId: TOKEN },
    ]));
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('hunter2');
  });

  test.each([
    ['no SecretId', { ProbeVersions: { VersionIds: [TOKEN] } }, /^invalid probe: `ProbeVersions.SecretId` must be a non-empty string, got undefined$/],
    ['an empty SecretId', probe([TOKEN], ''), /`ProbeVersions.SecretId` must be a non-empty string, got a string of 0 characters/],
    ['VersionIds not a list', probe(TOKEN), new RegExp(`\`ProbeVersions.VersionIds\` must be a list of 1 to ${MAX_PROBE_VERSIONS} version ids, got a string of 36 characters`)],
    ['no version', probe([]), /`ProbeVersions.VersionIds` must be a list of 1 to \d+ version ids, got a list of 0/],
    ['too many versions', probe(Array.from({ length: MAX_PROBE_VERSIONS + 1 }, () => TOKEN)), /got a list of 11/],
    ['a version id that is not one', probe([TOKEN, 'AWSCURRENT']), /`ProbeVersions.VersionIds\[1\]` must be 32 to 64 characters of \[a-zA-Z0-9-\], got a string of 10 characters/],
  ])('a probe with %s is refused naming the field, logged, and nothing is read', async (_name, request, message) => {
    const { lines, error } = await captureStdout(() => handler(request));

    expect((error as Error).message).toMatch(message);
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 'error', message: 'probe failed', strategy: 'generic' })]);
    expect(sm.calls()).toHaveLength(0);
  });

  test('a bad configuration fails the probe with a logged reason', async () => {
    restoreEnv();
    restoreEnv = setEnv({ ...rotationEnvironment('generic'), ROTATION_STRATEGY: 'oracle-single-user' });

    const { lines, error } = await captureStdout(() => handler(probe([TOKEN])));

    expect((error as Error).message).toMatch(/`ROTATION_STRATEGY` must be one of/);
    expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({
      level: 'error', message: 'probe failed', secretId: SECRET_ARN, strategy: 'oracle-single-user',
    })]);
  });
});
