import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  LimitExceededException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeSecretsManager, secretMidRotation } from './fake-secrets-manager';
import { CURRENT_VERSION, DEFAULT_POLICY, recordingLogger, RecordingLogger, SECRET_ARN, TOKEN } from './support';
import { RotationError } from '../../../lambda/rotation/errors';
import { GenericStrategy } from '../../../lambda/rotation/generic';
import { ProtocolDependencies, runRotationStep, validateEvent } from '../../../lambda/rotation/protocol';
import { SdkSecretsStore } from '../../../lambda/rotation/secrets-store';
import type { ProtectedService, RotationEvent, StepContext } from '../../../lambda/rotation/types';

const sm = mockClient(SecretsManagerClient);
const CURRENT_VALUE = 'the-current-secret-value';

let fake: FakeSecretsManager;
let log: RecordingLogger;
let deps: ProtocolDependencies;

beforeEach(() => {
  sm.reset();
  fake = secretMidRotation(SECRET_ARN, CURRENT_VERSION, CURRENT_VALUE, TOKEN);
  fake.install(sm);
  log = recordingLogger();
  deps = {
    store: new SdkSecretsStore(new SecretsManagerClient({ region: 'us-east-1' })),
    service: new GenericStrategy(),
    optionsFor: () => ({ passwordPolicy: DEFAULT_POLICY }),
    log,
  };
});

function event(step: string, extra: Partial<RotationEvent> = {}): RotationEvent {
  return { Step: step, SecretId: SECRET_ARN, ClientRequestToken: TOKEN, ...extra };
}

function stubService(overrides: Partial<ProtectedService> = {}): ProtectedService {
  return {
    name: 'stub',
    // Like a strategy that derives the pending value from the current one (JSON, databases).
    createPendingValue: jest.fn(async (readCurrent: () => Promise<string>) => { await readCurrent(); return 'pending-from-service'; }),
    setSecret: jest.fn(async () => undefined),
    testSecret: jest.fn(async () => undefined),
    probe: jest.fn(async () => ({ outcome: 'no-service' as const })),
    ...overrides,
  };
}

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

describe('event validation', () => {
  test.each([
    ['a non-object event', 'not an event', /expected an object, got string/],
    ['a null event', null, /expected an object, got null/],
    ['a missing Step', { SecretId: SECRET_ARN, ClientRequestToken: TOKEN }, /`Step` must be a string/],
    ['a numeric Step', { Step: 1, SecretId: SECRET_ARN, ClientRequestToken: TOKEN }, /`Step` must be a string, got number/],
    ['an empty SecretId', { Step: 'createSecret', SecretId: '', ClientRequestToken: TOKEN }, /`SecretId` must be a non-empty string/],
    ['a missing SecretId', { Step: 'createSecret', ClientRequestToken: TOKEN }, /`SecretId` must be a non-empty string, got undefined/],
    ['a null SecretId', { Step: 'createSecret', SecretId: null, ClientRequestToken: TOKEN }, /`SecretId` must be a non-empty string, got null/],
    ['a short token', { Step: 'createSecret', SecretId: SECRET_ARN, ClientRequestToken: 'a'.repeat(31) }, /`ClientRequestToken` must be 32 to 64 characters.*31 characters/],
    ['a long token', { Step: 'createSecret', SecretId: SECRET_ARN, ClientRequestToken: 'a'.repeat(65) }, /`ClientRequestToken`.*65 characters/],
    ['a token with other characters', { Step: 'createSecret', SecretId: SECRET_ARN, ClientRequestToken: `${'a'.repeat(32)}_` }, /`ClientRequestToken` must be 32 to 64 characters of \[a-zA-Z0-9-\]/],
    ['a non-string RotationToken', { Step: 'createSecret', SecretId: SECRET_ARN, ClientRequestToken: TOKEN, RotationToken: 7 }, /`RotationToken` must be a non-empty string/],
  ])('rejects %s before any API call', async (_, bad, message) => {
    await expect(runRotationStep(bad, deps)).rejects.toThrow(message);
    expect(sm.calls()).toHaveLength(0);
  });

  test('accepts the boundaries of the token length', () => {
    expect(validateEvent(event('createSecret', { ClientRequestToken: 'a'.repeat(32) })).ClientRequestToken).toHaveLength(32);
    expect(validateEvent(event('createSecret', { ClientRequestToken: 'A-9'.repeat(21) + 'z' })).ClientRequestToken).toHaveLength(64);
  });
});

describe('entry checks, on every step', () => {
  test.each(STEPS)('%s fails when rotation is not enabled', async (step) => {
    fake.rotationEnabled = false;
    await expect(runRotationStep(event(step), deps)).rejects.toThrow(
      `${step} failed for secret ${SECRET_ARN} (token ${TOKEN}): rotation is not enabled for this secret`,
    );
  });

  test.each(STEPS)('%s fails when the token is not a version of the secret', async (step) => {
    const stranger = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
    await expect(runRotationStep(event(step, { ClientRequestToken: stranger }), deps)).rejects.toThrow(
      `${step} failed for secret ${SECRET_ARN} (token ${stranger}): the token is not a version of this secret`,
    );
  });

  test.each(STEPS)('%s is a logged no-op when the token already holds AWSCURRENT', async (step) => {
    fake.versions.set(CURRENT_VERSION, { value: CURRENT_VALUE, stages: ['AWSPREVIOUS'] });
    fake.versions.set(TOKEN, { value: 'new-value', stages: ['AWSCURRENT'] });
    const before = fake.snapshot();

    await runRotationStep(event(step), deps);

    expect(fake.snapshot()).toEqual(before);
    expect(sm.calls()).toHaveLength(1);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(1);
    expect(log.entries).toContainEqual(expect.objectContaining({
      level: 'info',
      message: 'version is already AWSCURRENT; nothing to do',
      fields: expect.objectContaining({ step, secretArn: SECRET_ARN, token: TOKEN }),
    }));
  });

  test.each(STEPS)('%s fails when the token\'s version is not AWSPENDING', async (step) => {
    fake.versions.set(TOKEN, { value: 'old', stages: ['AWSPREVIOUS'] });
    await expect(runRotationStep(event(step), deps)).rejects.toThrow(
      `${step} failed for secret ${SECRET_ARN} (token ${TOKEN}): the token's version is not AWSPENDING (its stages: [AWSPREVIOUS])`,
    );
  });

  test('an unknown step fails before any call, naming the steps it knows', async () => {
    await expect(runRotationStep(event('rollbackSecret'), deps)).rejects.toThrow(
      `rollbackSecret failed for secret ${SECRET_ARN} (token ${TOKEN}): unknown step; expected one of createSecret, setSecret, testSecret, finishSecret`,
    );
    expect(sm.calls()).toHaveLength(0);
  });

  test('an unknown step fails even when the token is already AWSCURRENT', async () => {
    await expect(runRotationStep(event('deleteEverything', { ClientRequestToken: CURRENT_VERSION }), deps)).rejects.toThrow(/unknown step/);
  });

  test('a DescribeSecret failure is reported with the step, the secret and the token', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:gone-123456';
    const error = await runRotationStep(event('setSecret', { SecretId: missing }), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RotationError);
    expect((error as Error).message).toBe(`setSecret failed for secret ${missing} (token ${TOKEN}): ResourceNotFoundException: Secrets Manager can't find the specified secret.`);
    expect((error as Error).cause).toBeInstanceOf(ResourceNotFoundException);
  });

  test('errors name the full ARN even when the event names the secret by name', async () => {
    fake.rotationEnabled = false;
    await expect(runRotationStep(event('createSecret', { SecretId: fake.name }), deps)).rejects.toThrow(`for secret ${SECRET_ARN} (token`);
  });

  test.each(STEPS)('%s selects the secret\'s option set from its description, and fails with nothing written when it selects none', async (step) => {
    if (step === 'finishSecret' || step === 'testSecret') fake.versions.set(TOKEN, { value: 'pending', stages: ['AWSPENDING'] });
    const optionsFor = jest.fn((): never => {
      throw new Error('the secret selects no password option set');
    });
    const before = fake.snapshot();
    await expect(runRotationStep(event(step), { ...deps, optionsFor })).rejects.toThrow(
      `${step} failed for secret ${SECRET_ARN} (token ${TOKEN}): the secret selects no password option set`,
    );
    expect(optionsFor).toHaveBeenCalledWith(expect.objectContaining({ arn: SECRET_ARN, tags: fake.tags }));
    expect(fake.snapshot()).toEqual(before);
  });

  test('a finished rotation needs no option set: the step ends before selecting one', async () => {
    fake.versions.set(TOKEN, { value: 'new-value', stages: ['AWSCURRENT'] });
    const optionsFor = jest.fn();
    await runRotationStep(event('testSecret'), { ...deps, optionsFor });
    expect(optionsFor).not.toHaveBeenCalled();
  });
});

describe('createSecret', () => {
  test('stores a new password under the token with only AWSPENDING', async () => {
    await runRotationStep(event('createSecret'), deps);

    const puts = sm.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0].args[0].input;
    expect(input).toMatchObject({ SecretId: SECRET_ARN, ClientRequestToken: TOKEN, VersionStages: ['AWSPENDING'] });
    expect(input.RotationToken).toBeUndefined();
    expect(input.SecretString).toHaveLength(32);
    expect(input.SecretString).not.toBe(CURRENT_VALUE);
    expect(fake.versions.get(TOKEN)).toEqual({ value: input.SecretString, stages: ['AWSPENDING'] });
    expect(fake.versions.get(CURRENT_VERSION)).toEqual({ value: CURRENT_VALUE, stages: ['AWSCURRENT'] });
  });

  test('reads the pending and current versions with VersionStage always set', async () => {
    await runRotationStep(event('createSecret'), { ...deps, service: stubService() });
    const reads = sm.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input);
    expect(reads).toEqual([
      { SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' },
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' },
    ]);
  });

  test('a plain generated password does not read the current value', async () => {
    await runRotationStep(event('createSecret'), deps);
    const reads = sm.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input);
    expect(reads).toEqual([{ SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }]);
  });

  test('derives the pending value from the current one through the service', async () => {
    const service = stubService();
    await runRotationStep(event('createSecret'), { ...deps, service });
    expect(service.createPendingValue).toHaveBeenCalledWith(expect.any(Function), expect.objectContaining({ secretArn: SECRET_ARN, token: TOKEN }));
    const readCurrent = (service.createPendingValue as jest.Mock).mock.calls[0][0] as () => Promise<string>;
    await expect(readCurrent()).resolves.toBe(CURRENT_VALUE);
    expect(fake.versions.get(TOKEN)?.value).toBe('pending-from-service');
  });

  test('passes RotationToken through to PutSecretValue', async () => {
    const rotationToken = '0123456789abcdef0123456789abcdef0123';
    await runRotationStep(event('createSecret', { RotationToken: rotationToken }), deps);
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input.RotationToken).toBe(rotationToken);
  });

  test('never overwrites a pending value that exists', async () => {
    fake.versions.set(TOKEN, { value: 'already-pending', stages: ['AWSPENDING'] });
    const service = stubService();

    await runRotationStep(event('createSecret'), { ...deps, service });

    expect(fake.versions.get(TOKEN)?.value).toBe('already-pending');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(service.createPendingValue).not.toHaveBeenCalled();
  });

  test('running it twice stores one value and the second run changes nothing', async () => {
    await runRotationStep(event('createSecret'), deps);
    const after = fake.snapshot();
    await runRotationStep(event('createSecret'), deps);
    expect(fake.snapshot()).toEqual(after);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  test('two concurrent runs with the same token both succeed and the first stored value stands', async () => {
    await Promise.all([runRotationStep(event('createSecret'), deps), runRotationStep(event('createSecret'), deps)]);

    const puts = sm.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(2);
    const offered = puts.map((call) => call.args[0].input.SecretString);
    expect(offered[0]).not.toBe(offered[1]);
    expect(fake.versions.get(TOKEN)?.value).toBe(offered[0]);
    expect(log.entries.map((entry) => entry.message)).toContain('a concurrent createSecret stored the pending value first; keeping it');
  });

  test('ResourceExists with a pending value on re-read is the lost race: success', async () => {
    sm.on(PutSecretValueCommand).callsFake(async () => {
      fake.versions.set(TOKEN, { value: 'winner', stages: ['AWSPENDING'] });
      throw new ResourceExistsException({ message: 'exists', $metadata: {} });
    });
    await runRotationStep(event('createSecret'), deps);
    expect(fake.versions.get(TOKEN)?.value).toBe('winner');
  });

  test('ResourceExists with no pending value on re-read is rethrown', async () => {
    sm.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    await expect(runRotationStep(event('createSecret'), deps)).rejects.toThrow(
      `createSecret failed for secret ${SECRET_ARN} (token ${TOKEN}): ResourceExistsError: version ${TOKEN} of ${SECRET_ARN} already holds a different value`,
    );
    expect(sm.commandCalls(GetSecretValueCommand, { VersionId: TOKEN })).toHaveLength(2);
  });

  test('any other PutSecretValue error fails the step', async () => {
    sm.on(PutSecretValueCommand).rejects(new LimitExceededException({ message: 'too many versions', $metadata: {} }));
    await expect(runRotationStep(event('createSecret'), deps)).rejects.toThrow(/createSecret failed .*LimitExceededException: too many versions/);
    expect(sm.commandCalls(GetSecretValueCommand, { VersionId: TOKEN })).toHaveLength(1);
  });

  test('fails when the secret has no AWSCURRENT value', async () => {
    fake.versions.set(CURRENT_VERSION, { stages: ['AWSCURRENT'] });
    await expect(runRotationStep(event('createSecret'), { ...deps, service: stubService() })).rejects.toThrow(
      `createSecret failed for secret ${SECRET_ARN} (token ${TOKEN}): the secret has no AWSCURRENT value to derive the pending value from`,
    );
  });

  test('a service error fails the step with its message, and no value is stored', async () => {
    const service = stubService({ createPendingValue: async () => { throw new Error('the current value is not a JSON object'); } });
    await expect(runRotationStep(event('createSecret'), { ...deps, service })).rejects.toThrow(
      `createSecret failed for secret ${SECRET_ARN} (token ${TOKEN}): the current value is not a JSON object`,
    );
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});

describe('setSecret and testSecret', () => {
  test.each(['setSecret', 'testSecret'] as const)('%s delegates to the service with the step context', async (step) => {
    const service = stubService();
    await runRotationStep(event(step), { ...deps, service });
    expect(service[step]).toHaveBeenCalledTimes(1);
    const context = (service[step] as jest.Mock).mock.calls[0][0] as StepContext;
    expect(context).toMatchObject({ secretArn: SECRET_ARN, token: TOKEN, store: deps.store, log });
    expect(context.generatePassword()).toHaveLength(32);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  test.each(['setSecret', 'testSecret'] as const)('a failing %s is reported with the step, the secret and the token', async (step) => {
    const cause = new Error('could not log in with the pending credentials');
    const service = stubService({ [step]: async () => { throw cause; } });
    const error = await runRotationStep(event(step), { ...deps, service }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(`${step} failed for secret ${SECRET_ARN} (token ${TOKEN}): could not log in with the pending credentials`);
    expect((error as Error).cause).toBe(cause);
  });
});

describe('finishSecret', () => {
  beforeEach(() => {
    fake.versions.set(TOKEN, { value: 'the-new-value', stages: ['AWSPENDING'] });
  });

  test('moves AWSCURRENT to the token, removing it from the old version', async () => {
    await runRotationStep(event('finishSecret'), deps);

    const moves = sm.commandCalls(UpdateSecretVersionStageCommand).map((call) => call.args[0].input);
    expect(moves).toEqual([{ SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: CURRENT_VERSION }]);
    expect(fake.versions.get(TOKEN)?.stages).toContain('AWSCURRENT');
    expect(fake.versions.get(CURRENT_VERSION)?.stages).toEqual(['AWSPREVIOUS']);
  });

  test('never removes AWSPENDING itself', async () => {
    await runRotationStep(event('finishSecret'), deps);
    const moves = sm.commandCalls(UpdateSecretVersionStageCommand).map((call) => call.args[0].input.VersionStage);
    expect(moves).toEqual(['AWSCURRENT']);
  });

  test('running it twice changes nothing the second time', async () => {
    await runRotationStep(event('finishSecret'), deps);
    const after = fake.snapshot();
    await runRotationStep(event('finishSecret'), deps);
    expect(fake.snapshot()).toEqual(after);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(1);
  });

  test('two concurrent runs both succeed: the loser sees the token already AWSCURRENT', async () => {
    await Promise.all([runRotationStep(event('finishSecret'), deps), runRotationStep(event('finishSecret'), deps)]);

    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(2);
    expect(fake.versions.get(TOKEN)?.stages).toContain('AWSCURRENT');
    expect(fake.versions.get(CURRENT_VERSION)?.stages).toEqual(['AWSPREVIOUS']);
    expect(log.entries.map((entry) => entry.message)).toContain('a concurrent finishSecret already moved AWSCURRENT to this version');
  });

  test('a failed move with the token still not AWSCURRENT is rethrown, naming the old version', async () => {
    sm.on(UpdateSecretVersionStageCommand).rejects(new LimitExceededException({ message: 'slow down', $metadata: {} }));
    const error = await runRotationStep(event('finishSecret'), deps).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `finishSecret failed for secret ${SECRET_ARN} (token ${TOKEN}): could not move AWSCURRENT from version ${CURRENT_VERSION}: LimitExceededException: slow down`,
    );
    expect((error as Error).cause).toBeInstanceOf(LimitExceededException);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(2);
  });

  test('fails when no version holds AWSCURRENT', async () => {
    fake.versions.set(CURRENT_VERSION, { value: CURRENT_VALUE, stages: ['AWSPREVIOUS'] });
    await expect(runRotationStep(event('finishSecret'), deps)).rejects.toThrow(
      `finishSecret failed for secret ${SECRET_ARN} (token ${TOKEN}): no version of the secret holds AWSCURRENT`,
    );
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  test.each([
    ['removed AWSPENDING', ['AWSCURRENT']],
    ['left AWSPENDING on the new current version', ['AWSCURRENT', 'AWSPENDING']],
  ])('a rerun after Secrets Manager %s is a no-op', async (_, stages) => {
    fake.versions.set(TOKEN, { value: 'the-new-value', stages });
    fake.versions.set(CURRENT_VERSION, { value: CURRENT_VALUE, stages: ['AWSPREVIOUS'] });
    await runRotationStep(event('finishSecret'), deps);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });
});

describe('a whole generic rotation', () => {
  test('takes 8 Secrets Manager calls (a plain password needs no read of the current value), fewer than the 10 of AWS\'s generic template', async () => {
    for (const step of STEPS) await runRotationStep(event(step), deps);

    const calls = sm.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(calls).toEqual([
      'DescribeSecretCommand', 'GetSecretValueCommand', 'PutSecretValueCommand',
      'DescribeSecretCommand',
      'DescribeSecretCommand', 'GetSecretValueCommand',
      'DescribeSecretCommand', 'UpdateSecretVersionStageCommand',
    ]);
    expect(calls.length).toBeLessThan(10);
  });

  test('ends with the new value AWSCURRENT, the old AWSPREVIOUS, and reruns of every step change nothing', async () => {
    for (const step of STEPS) {
      await runRotationStep(event(step), deps);
      const after = fake.snapshot();
      await runRotationStep(event(step), deps);
      expect(fake.snapshot()).toEqual(after);
    }
    const newValue = fake.versions.get(TOKEN)!.value!;
    expect(newValue).toHaveLength(32);
    expect(fake.versions.get(TOKEN)!.stages).toContain('AWSCURRENT');
    expect(fake.versions.get(CURRENT_VERSION)).toEqual({ value: CURRENT_VALUE, stages: ['AWSPREVIOUS'] });
    for (const step of STEPS) await runRotationStep(event(step), deps);
    expect(fake.versions.get(TOKEN)!.value).toBe(newValue);
  });

  test('logs neither the old nor the new value', async () => {
    for (const step of STEPS) await runRotationStep(event(step), deps);
    const text = log.text();
    expect(text).toContain(TOKEN);
    expect(text).not.toContain(CURRENT_VALUE);
    expect(text).not.toContain(fake.versions.get(TOKEN)!.value!);
  });
});
