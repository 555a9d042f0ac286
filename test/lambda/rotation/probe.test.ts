import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeSecretsManager, secretMidRotation } from './fake-secrets-manager';
import { captureStdout, CURRENT_VERSION, SECRET_ARN, setEnv, TOKEN } from './support';
import { handler as databaseHandler } from '../../../lambda/rotation/database-function';
import { handler as genericHandler } from '../../../lambda/rotation/generic-function';
import { MAX_PROBE_VERSIONS } from '../../../src/private/contract';
import { freePort } from '../../support/postgres';
import { rotationEnvironment } from '../../support/strategies';

// The handlers' module-level client is mocked through the SDK's prototype.
const sm = mockClient(SecretsManagerClient);
const CURRENT_JSON = JSON.stringify({ username: 'app', password: 'current-hunter2-password' });

let fake: FakeSecretsManager;
let restoreEnv: () => void;

beforeEach(() => {
  sm.reset();
  fake = secretMidRotation(SECRET_ARN, CURRENT_VERSION, CURRENT_JSON, TOKEN);
  fake.install(sm);
  restoreEnv = setEnv(rotationEnvironment('generic', { generateStringKey: 'password' }));
});

afterEach(() => restoreEnv());

const probe = (VersionIds: unknown, SecretId: unknown = SECRET_ARN) => ({ ProbeVersions: { SecretId, VersionIds } });

test('generic: every version is no-service, read from nowhere, in one log line', async () => {
  const { lines, result, error } = await captureStdout(() => genericHandler(probe([CURRENT_VERSION, TOKEN])));

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
  const { lines, error } = await captureStdout(() => genericHandler(request));

  expect((error as Error).message).toMatch(message);
  expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({ level: 'error', message: 'probe failed', strategy: 'generic' })]);
  expect(sm.calls()).toHaveLength(0);
});

test('a bad configuration fails the probe with a logged reason', async () => {
  restoreEnv();
  restoreEnv = setEnv({ ...rotationEnvironment('generic'), ROTATION_STRATEGY: 'oracle-single-user' });

  const { lines, error } = await captureStdout(() => genericHandler(probe([TOKEN])));

  expect((error as Error).message).toMatch(/`ROTATION_STRATEGY` must be one of/);
  expect(lines.map((line) => JSON.parse(line))).toEqual([expect.objectContaining({
    level: 'error', message: 'probe failed', secretId: SECRET_ARN, strategy: 'oracle-single-user',
  })]);
});
