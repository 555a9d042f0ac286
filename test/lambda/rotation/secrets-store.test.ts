import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { CURRENT_VERSION, SECRET_ARN, TOKEN } from './support';
import { ResourceExistsError, SdkSecretsStore } from '../../../lambda/rotation/secrets-store';

const sm = mockClient(SecretsManagerClient);
const store = new SdkSecretsStore(new SecretsManagerClient({ region: 'us-east-1' }));

beforeEach(() => sm.reset());

describe('describe', () => {
  test('maps DescribeSecret to the engine\'s description', async () => {
    sm.on(DescribeSecretCommand, { SecretId: 'app' }).resolves({
      ARN: SECRET_ARN,
      Name: 'app',
      RotationEnabled: true,
      VersionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
      Tags: [{ Key: 'cdk-rotating-secrets:password-options', Value: 'a1b2c3d4' }, { Key: 'team', Value: 'billing' }],
    });
    await expect(store.describe('app')).resolves.toEqual({
      arn: SECRET_ARN,
      name: 'app',
      rotationEnabled: true,
      versionIdsToStages: { [CURRENT_VERSION]: ['AWSCURRENT'], [TOKEN]: ['AWSPENDING'] },
      tags: { 'cdk-rotating-secrets:password-options': 'a1b2c3d4', 'team': 'billing' },
    });
  });

  test('reads an absent RotationEnabled as false, and absent versions and tags as none', async () => {
    sm.on(DescribeSecretCommand).resolves({ ARN: SECRET_ARN, Name: 'app' });
    await expect(store.describe(SECRET_ARN)).resolves.toEqual({ arn: SECRET_ARN, name: 'app', rotationEnabled: false, versionIdsToStages: {}, tags: {} });
  });

  test('rejects an answer without ARN', async () => {
    sm.on(DescribeSecretCommand).resolves({ Name: 'app' });
    await expect(store.describe('app')).rejects.toThrow('DescribeSecret of app returned no ARN or Name');
  });
});

describe('getValue', () => {
  test('sends VersionId and VersionStage together when both are given', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'pending' });
    await expect(store.getValue(SECRET_ARN, { versionId: TOKEN, stage: 'AWSPENDING' })).resolves.toBe('pending');
    expect(sm.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: SECRET_ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' });
  });

  test('sends VersionStage alone for a stage', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'current' });
    await expect(store.getValue(SECRET_ARN, { stage: 'AWSCURRENT' })).resolves.toBe('current');
    expect(sm.commandCalls(GetSecretValueCommand)[0].args[0].input).toEqual({ SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' });
  });

  test('maps ResourceNotFoundException (a missing or value-less version) to undefined', async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(store.getValue(SECRET_ARN, { versionId: TOKEN, stage: 'AWSPENDING' })).resolves.toBeUndefined();
  });

  test('rethrows other errors', async () => {
    sm.on(GetSecretValueCommand).rejects(new InvalidRequestException({ message: 'stage mismatch', $metadata: {} }));
    await expect(store.getValue(SECRET_ARN, { versionId: TOKEN, stage: 'AWSPENDING' })).rejects.toThrow('stage mismatch');
  });

  test('refuses a binary secret, naming the version and never a value', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(store.getValue(SECRET_ARN, { versionId: TOKEN, stage: 'AWSPENDING' })).rejects.toThrow(
      `the version ${TOKEN}/AWSPENDING of ${SECRET_ARN} holds SecretBinary; only SecretString secrets can be rotated`,
    );
  });
});

describe('putPendingValue', () => {
  test('puts the value under the token with only AWSPENDING', async () => {
    sm.on(PutSecretValueCommand).resolves({});
    await store.putPendingValue(SECRET_ARN, TOKEN, 'new-value');
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ARN, ClientRequestToken: TOKEN, SecretString: 'new-value', VersionStages: ['AWSPENDING'],
    });
  });

  test('passes RotationToken when given', async () => {
    sm.on(PutSecretValueCommand).resolves({});
    await store.putPendingValue(SECRET_ARN, TOKEN, 'new-value', 'rotation-token-0123456789abcdef0123456789');
    expect(sm.commandCalls(PutSecretValueCommand)[0].args[0].input.RotationToken).toBe('rotation-token-0123456789abcdef0123456789');
  });

  test('maps ResourceExistsException to ResourceExistsError, without the value', async () => {
    sm.on(PutSecretValueCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    const error = await store.putPendingValue(SECRET_ARN, TOKEN, 'new-value').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceExistsError);
    expect((error as Error).message).toBe(`version ${TOKEN} of ${SECRET_ARN} already holds a different value`);
    expect((error as Error).cause).toBeInstanceOf(ResourceExistsException);
  });

  test('rethrows other errors unchanged', async () => {
    const failure = new InvalidRequestException({ message: 'scheduled for deletion', $metadata: {} });
    sm.on(PutSecretValueCommand).rejects(failure);
    await expect(store.putPendingValue(SECRET_ARN, TOKEN, 'new-value')).rejects.toBe(failure);
  });
});

describe('moveCurrent', () => {
  test('moves AWSCURRENT to the version, removing it from the old one', async () => {
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    await store.moveCurrent(SECRET_ARN, TOKEN, CURRENT_VERSION);
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0].args[0].input).toEqual({
      SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: CURRENT_VERSION,
    });
  });
});
