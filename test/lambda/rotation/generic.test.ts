import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_POLICY, recordingLogger, RecordingLogger, SECRET_ARN, TOKEN } from './support';
import { GENERIC_STRATEGIES, GenericStrategy } from '../../../lambda/rotation/generic';
import { generatePassword } from '../../../lambda/rotation/password';
import { SdkSecretsStore } from '../../../lambda/rotation/secrets-store';
import type { StepContext } from '../../../lambda/rotation/types';
import { rotationConfig } from '../../support/strategies';

const sm = mockClient(SecretsManagerClient);
const NEW_PASSWORD = generatePassword(DEFAULT_POLICY);

let log: RecordingLogger;
let context: StepContext;

beforeEach(() => {
  sm.reset();
  log = recordingLogger();
  context = {
    secretArn: SECRET_ARN,
    token: TOKEN,
    store: new SdkSecretsStore(new SecretsManagerClient({ region: 'us-east-1' })),
    log,
    options: { passwordPolicy: DEFAULT_POLICY },
    generatePassword: () => NEW_PASSWORD,
  };
});

const generic = new GenericStrategy();

/** The step context of a secret whose option set names a JSON key. */
function withKey(generateStringKey: string): StepContext {
  return { ...context, options: { passwordPolicy: DEFAULT_POLICY, generateStringKey } };
}

function pendingIs(value: string | undefined): void {
  const reads = sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' });
  if (value === undefined) reads.rejects(new ResourceNotFoundException({ message: 'no value', $metadata: {} }));
  else reads.resolves({ SecretString: value });
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof Error)) throw new Error('expected the promise to reject with an Error');
  return error.message;
}

describe('createPendingValue', () => {
  test('plain mode: the pending value is a new password', async () => {
    await expect(generic.createPendingValue(async () => 'old-password', context)).resolves.toBe(NEW_PASSWORD);
  });

  test('JSON mode: replaces the key and keeps every other field', async () => {
    const current = JSON.stringify({ engine: 'postgres', username: 'app', password: 'old', port: 5432, options: { ssl: true } });
    const pending = JSON.parse(await generic.createPendingValue(async () => current, withKey('password')));
    expect(pending).toEqual({ engine: 'postgres', username: 'app', password: NEW_PASSWORD, port: 5432, options: { ssl: true } });
  });

  test('JSON mode: adds the key when the current object lacks it', async () => {
    const pending = JSON.parse(await generic.createPendingValue(async () => '{"username":"app"}', withKey('password')));
    expect(pending).toEqual({ username: 'app', password: NEW_PASSWORD });
  });

  test.each([
    ['not JSON', 'hunter2-plain-text'],
    ['a JSON array', '["hunter2-in-array"]'],
    ['a JSON string', '"hunter2-json-string"'],
    ['JSON null', 'null'],
  ])('JSON mode: a current value that is %s fails, naming the key and never the value', async (_, current) => {
    const message = await failure(generic.createPendingValue(async () => current, withKey('password')));
    expect(message).toBe('the current value is not a JSON object, so its `password` field cannot be replaced');
    expect(message).not.toContain('hunter2');
  });
});

describe('setSecret', () => {
  test('is a no-op: no Secrets Manager call', async () => {
    await generic.setSecret(context);
    expect(sm.calls()).toHaveLength(0);
    expect(log.entries[0]).toMatchObject({ message: 'generic strategy: no external service to update', fields: { token: TOKEN, strategy: 'generic' } });
  });
});

describe('testSecret, plain mode', () => {
  test('accepts a pending password that fits the policy', async () => {
    pendingIs(NEW_PASSWORD);
    await expect(generic.testSecret(context)).resolves.toBeUndefined();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('accepts a value generated under an earlier policy (the configuration test runs on a copy of the current value)', async () => {
    pendingIs('Short1!Short1!');
    await expect(generic.testSecret(context)).resolves.toBeUndefined();
  });

  test.each([
    ['a missing pending value', undefined, 'the pending version has no value (createSecret has not stored one)'],
    ['an empty pending value', '', 'the pending value is empty'],
  ])('refuses %s without quoting it', async (_, value, expected) => {
    pendingIs(value);
    const message = await failure(generic.testSecret(context));
    expect(message).toBe(expected);
    if (value) expect(message).not.toContain(value);
  });
});

describe('testSecret, JSON mode', () => {
  test('accepts a JSON object whose key holds a fitting password', async () => {
    pendingIs(JSON.stringify({ username: 'app', password: NEW_PASSWORD }));
    await expect(generic.testSecret(withKey('password'))).resolves.toBeUndefined();
  });

  test.each([
    ['not JSON', 'pending-hunter2', 'the pending value is not a JSON object'],
    ['a JSON array', '["pending-hunter2"]', 'the pending value is not a JSON object'],
    ['an object without the key', '{"username":"pending-hunter2"}', 'the pending value\'s `password` field is not a non-empty string'],
    ['an object with a numeric key', '{"password":12345}', 'the pending value\'s `password` field is not a non-empty string'],
    ['an object with an empty key', '{"password":""}', 'the pending value\'s `password` field is not a non-empty string'],
  ])('refuses %s without quoting it', async (_, value, expected) => {
    pendingIs(value);
    const message = await failure(generic.testSecret(withKey('password')));
    expect(message).toBe(expected);
    expect(message).not.toContain('hunter2');
  });
});

describe('the generic rotation function\'s strategy table', () => {
  test('one strategy serves plain secrets and JSON secrets: the JSON key comes with each secret\'s option set', async () => {
    const strategy = GENERIC_STRATEGIES.generic!(rotationConfig('generic'));
    expect(strategy.name).toBe('generic');
    await expect(strategy.createPendingValue(async () => 'old', context)).resolves.toBe(NEW_PASSWORD);
    await expect(strategy.createPendingValue(async () => '{"user":"u"}', withKey('token'))).resolves.toBe(JSON.stringify({ user: 'u', token: NEW_PASSWORD }));
    pendingIs(JSON.stringify({ token: generatePassword({ ...DEFAULT_POLICY, passwordLength: 12 }) }));
    await expect(strategy.testSecret(withKey('token'))).resolves.toBeUndefined();
  });
});
