import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FUNCTION_ARN, startSimulator, templateRotation } from './support';
import { SecretsManagerSimulator } from '../../simulator';

let simulator: SecretsManagerSimulator;
let client: SecretsManagerClient;
let arn: string;

beforeEach(async () => {
  ({ simulator, client } = await startSimulator());
  arn = (await client.send(new CreateSecretCommand({ Name: 'faulty', SecretString: 'value' }))).ARN!;
});

afterEach(async () => {
  client.destroy();
  await simulator.stop();
});

const read = () => client.send(new GetSecretValueCommand({ SecretId: arn }));

test('failCall fails the nth call of the operation, counted from when the fault is added', async () => {
  await read();
  simulator.faults.failCall('GetSecretValue', { nth: 2 });

  await expect(read()).resolves.toMatchObject({ SecretString: 'value' });
  await expect(read()).rejects.toMatchObject({ name: 'InternalServiceError', $metadata: { httpStatusCode: 500 } });
  await expect(read()).resolves.toMatchObject({ SecretString: 'value' });
  expect(simulator.faults.pending).toBe(0);
});

test('failCall answers with a chosen error', async () => {
  simulator.faults.failCall('GetSecretValue', { error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 } });

  await expect(read()).rejects.toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
});

test('a failed call inside the rotation function fails that step; the retried attempt completes', async () => {
  simulator.registerFunction(FUNCTION_ARN, templateRotation(client));
  simulator.faults.failCall('PutSecretValue');

  await client.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 1 } }));
  await simulator.waitForIdle();

  expect(simulator.events.map((e) => [e.type, e.step, e.error?.type].filter(Boolean).join(' '))).toEqual([
    'RotationStarted', 'RotationFailed createSecret InternalServiceError', 'RotationStarted', 'RotationSucceeded',
  ]);
});

test('delayCall holds the answer back while other calls go through', async () => {
  // Far longer than a local call takes, even on a loaded machine; the test waits for it once.
  simulator.faults.delayCall('GetSecretValue', { ms: 3_000 });
  const finished: string[] = [];

  const delayed = read().then(() => finished.push('delayed'));
  // The other call starts once the delayed one is held, whatever the machine's speed.
  while (simulator.faults.pending > 0) await new Promise((resolve) => setImmediate(resolve));
  await client.send(new ListSecretVersionIdsCommand({ SecretId: arn })).then(() => finished.push('other'));
  await delayed;

  expect(finished).toEqual(['other', 'delayed']);
});

test('dropResponse applies the call, then cuts the connection: the client sees a network error', async () => {
  simulator.faults.dropResponse('PutSecretValue');
  const token = '11111111-2222-3333-4444-555555555555';

  const error = await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'second', ClientRequestToken: token })).then(
    () => undefined,
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => e,
  );

  expect(error).toBeDefined();
  expect(error!.$metadata?.httpStatusCode).toBeUndefined();
  await expect(read()).resolves.toMatchObject({ SecretString: 'second', VersionId: token });
});

test('a dropped PutSecretValue retried by the SDK is idempotent: one version, no error', async () => {
  const retrying = new SecretsManagerClient({ ...simulator.clientConfig(), maxAttempts: 3 });
  simulator.faults.dropResponse('PutSecretValue');
  try {
    const put = await retrying.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'second' }));

    expect(put.$metadata.attempts).toBe(2);
    const versions = await client.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
    expect(versions.Versions).toHaveLength(2);
    expect(simulator.apiCalls({ secretArn: arn }).PutSecretValue).toBe(2);
  } finally {
    retrying.destroy();
  }
});
