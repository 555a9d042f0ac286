import { randomUUID } from 'node:crypto';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, RotateSecretCommand, SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator } from '../../../simulator';
import type { Credentials } from '../../../simulator/iam';

/**
 * IAM enforcement in the simulator, with roles and resource policies a test puts: who the caller is, the request
 * context per action, AWS's AccessDeniedException, KMS through Secrets Manager, and Secrets Manager's invoke.
 */

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/reader`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0f9c2b6e-1111-4a7e-9a55-2f0c6d1b7a10`;
const FUNCTION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:rotate`;
const allow = (statement: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...statement }] });

let sim: SecretsManagerSimulator;
let admin: SecretsManagerClient;
const clients: Array<{ destroy(): void }> = [];

beforeEach(async () => {
  sim = await SecretsManagerSimulator.start({ iam: 'enforce' });
  admin = track(new SecretsManagerClient({ ...sim.clientConfig(), maxAttempts: 1 }));
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await sim.stop();
});

function track<T extends { destroy(): void }>(client: T): T {
  clients.push(client);
  return client;
}

function secretsManagerAs(credentials: Credentials): SecretsManagerClient {
  return track(new SecretsManagerClient({ ...sim.clientConfig(), credentials, maxAttempts: 1 }));
}

async function createSecret(name: string, extra: Partial<{ KmsKeyId: string }> = {}): Promise<string> {
  const { ARN } = await admin.send(new CreateSecretCommand({ Name: name, SecretString: 'initial', ...extra }));
  return ARN!;
}

test('the status says enforcement is on, and test code with the default credentials is the administrator', async () => {
  expect(sim.iam.status).toMatch(/^IAM enforcement: on \(@cloud-copilot\/iam-simulate 0\.1\.\d+\)$/);
  const arn = await createSecret('app/admin-made');
  expect(sim.iam.decisions({ action: 'secretsmanager:CreateSecret' })).toEqual([
    expect.objectContaining({ caller: `arn:aws:iam::${ACCOUNT}:user/simulator-administrator`, decision: 'Allowed', grants: ['AdministratorAccess#1'] }),
  ]);
  expect((await admin.send(new DescribeSecretCommand({ SecretId: arn }))).ARN).toBe(arn);
});

test('a role session without a policy is denied with AWS\'s message, naming the secret as the request did', async () => {
  await createSecret('app/db');
  sim.iam.putIdentity(ROLE, []);
  const reader = secretsManagerAs(sim.iam.credentialsFor(ROLE, 'job'));

  const denied = reader.send(new GetSecretValueCommand({ SecretId: 'app/db' }));
  await expect(denied).rejects.toMatchObject({
    name: 'AccessDeniedException',
    message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/job is not authorized to perform: secretsmanager:GetSecretValue on resource: app/db `
      + 'because no identity-based policy allows the secretsmanager:GetSecretValue action',
    $metadata: expect.objectContaining({ httpStatusCode: 400 }),
  });
  expect(sim.apiCalls()).toMatchObject({ GetSecretValue: 1 });
});

test('an explicit deny wins over an allow and is named as such', async () => {
  const arn = await createSecret('app/denied');
  sim.iam.putIdentity(ROLE, [
    { name: 'read', document: allow({ Action: 'secretsmanager:GetSecretValue', Resource: '*' }) },
    { name: 'guard', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'secretsmanager:*', Resource: arn }] } },
  ]);
  const reader = secretsManagerAs(sim.iam.credentialsFor(ROLE));
  await expect(reader.send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toThrow(/with an explicit deny in an identity-based policy$/);
});

test('Secrets Manager\'s condition keys: a role allowed secrets tagged for it reads those and no others', async () => {
  const ours = (await admin.send(new CreateSecretCommand({ Name: 'ours', SecretString: 'x', Tags: [{ Key: 'team', Value: 'blue' }] }))).ARN!;
  const theirs = (await admin.send(new CreateSecretCommand({ Name: 'theirs', SecretString: 'y', Tags: [{ Key: 'team', Value: 'red' }] }))).ARN!;
  sim.iam.putIdentity(ROLE, [{
    name: 'tagged',
    document: allow({ Action: 'secretsmanager:GetSecretValue', Resource: '*', Condition: { StringEquals: { 'secretsmanager:ResourceTag/team': 'blue' } } }),
  }]);
  const reader = secretsManagerAs(sim.iam.credentialsFor(ROLE));
  expect((await reader.send(new GetSecretValueCommand({ SecretId: ours }))).ARN).toBe(ours);
  await expect(reader.send(new GetSecretValueCommand({ SecretId: theirs }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
});

test('a secret under a customer managed key needs kms:Decrypt through Secrets Manager, by the key policy and the caller\'s policy', async () => {
  const arn = await createSecret('app/encrypted', { KmsKeyId: KEY });
  sim.iam.putResourcePolicy(KEY, allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }));
  const read = { name: 'read', document: allow({ Action: 'secretsmanager:GetSecretValue', Resource: arn }) };
  sim.iam.putIdentity(ROLE, [read]);
  const reader = secretsManagerAs(sim.iam.credentialsFor(ROLE));
  await expect(reader.send(new GetSecretValueCommand({ SecretId: arn }))).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'Access to KMS is not allowed' });

  sim.iam.putIdentity(ROLE, [read, {
    name: 'decrypt',
    document: allow({
      Action: 'kms:Decrypt',
      Resource: KEY,
      Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' }, StringLike: { 'kms:EncryptionContext:SecretARN': arn } },
    }),
  }]);
  expect((await reader.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('initial');
  const decision = sim.iam.decisions({ action: 'kms:Decrypt', decision: 'Allowed' })[0];
  expect(decision.context).toMatchObject({ 'kms:EncryptionContext:SecretARN': arn, 'aws:CalledVia': ['secretsmanager.amazonaws.com'] });
  expect(decision.context['kms:EncryptionContext:SecretVersionId']).toMatch(/^[0-9a-f-]{36}$/);
});

test('a key whose policy the simulator does not know is not evaluated, and the decision log says so', async () => {
  const arn = await createSecret('app/imported-key', { KmsKeyId: KEY });
  sim.iam.putIdentity(ROLE, [{ name: 'read', document: allow({ Action: 'secretsmanager:GetSecretValue', Resource: arn }) }]);
  await secretsManagerAs(sim.iam.credentialsFor(ROLE)).send(new GetSecretValueCommand({ SecretId: arn }));
  expect(sim.iam.decisions({ action: 'kms:Decrypt' })).toEqual([expect.objectContaining({ decision: 'NotEvaluated', note: `no policy of ${KEY} is known to the simulator` })]);
});

test('PutSecretValue needs kms:GenerateDataKey with the new version in the encryption context', async () => {
  const arn = await createSecret('app/put', { KmsKeyId: KEY });
  sim.iam.putResourcePolicy(KEY, allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }));
  const put = { name: 'put', document: allow({ Action: 'secretsmanager:PutSecretValue', Resource: arn }) };
  sim.iam.putIdentity(ROLE, [put, { name: 'decrypt-only', document: allow({ Action: 'kms:Decrypt', Resource: KEY }) }]);
  const writer = secretsManagerAs(sim.iam.credentialsFor(ROLE));
  const token = randomUUID();
  await expect(writer.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'next', ClientRequestToken: token }))).rejects.toThrow('Access to KMS is not allowed');
  expect(sim.iam.decisions({ action: 'kms:GenerateDataKey' })[0].context['kms:EncryptionContext:SecretVersionId']).toBe(token);
});

describe('rotation and Lambda', () => {
  beforeEach(() => sim.registerFunction(FUNCTION, { handler: () => undefined }));

  test('RotateSecret is refused when the function\'s resource policy does not let Secrets Manager invoke it; nothing is stored', async () => {
    const arn = await createSecret('app/rotated');
    const rotate = admin.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION, RotateImmediately: false }));
    await expect(rotate).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: 'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
    });
    expect((await admin.send(new DescribeSecretCommand({ SecretId: arn }))).RotationLambdaARN).toBeUndefined();
  });

  test('Secrets Manager invokes with the secret as source: a permission for another account\'s secrets does not let it in', async () => {
    const arn = await createSecret('app/source');
    const permission = (account: string) => allow({
      Principal: { Service: 'secretsmanager.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: FUNCTION,
      Condition: { StringEquals: { 'AWS:SourceAccount': account } },
    });
    sim.iam.putResourcePolicy(FUNCTION, permission('210987654321'));
    await expect(admin.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION, RotateImmediately: false }))).rejects.toThrow(/cannot invoke/);

    sim.iam.putResourcePolicy(FUNCTION, permission(ACCOUNT));
    await admin.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION, RotateImmediately: false }));
    await sim.waitForIdle();
    expect(sim.events.map((event) => event.type)).toEqual(['RotationStarted', 'RotationSucceeded']);
    expect(sim.iam.decisions({ caller: 'secretsmanager.amazonaws.com', decision: 'Allowed' })[0].context).toMatchObject({ 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': arn });
  });

  test('RotateSecret\'s caller needs lambda:InvokeFunction on the function, as AWS requires', async () => {
    const arn = await createSecret('app/caller');
    sim.iam.putResourcePolicy(FUNCTION, allow({ Principal: { Service: 'secretsmanager.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: FUNCTION }));
    const rotateOnly = { name: 'rotate', document: allow({ Action: 'secretsmanager:RotateSecret', Resource: arn }) };
    sim.iam.putIdentity(ROLE, [rotateOnly]);
    const rotator = secretsManagerAs(sim.iam.credentialsFor(ROLE, 'deploy'));
    await expect(rotator.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION, RotateImmediately: false }))).rejects.toThrow(
      `User: arn:aws:sts::${ACCOUNT}:assumed-role/reader/deploy is not authorized to perform: lambda:InvokeFunction on resource: ${FUNCTION} `
      + 'because no identity-based policy allows the lambda:InvokeFunction action');

    sim.iam.putIdentity(ROLE, [rotateOnly, { name: 'invoke', document: allow({ Action: 'lambda:InvokeFunction', Resource: FUNCTION }) }]);
    await rotator.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION, RotateImmediately: false }));
    expect(sim.iam.decisions({ action: 'secretsmanager:RotateSecret', decision: 'Allowed' })[0].context).toMatchObject({ 'secretsmanager:RotationLambdaARN': FUNCTION });
  });

  test('Lambda\'s Invoke from a role of another account is a 403 AccessDeniedException unless the function\'s policy names it', async () => {
    const outsider = 'arn:aws:iam::210987654321:role/outsider';
    sim.iam.putIdentity(outsider, [{ name: 'everything', document: allow({ Action: '*', Resource: '*' }) }]);
    const lambda = track(new LambdaClient({ ...sim.clientConfig(), credentials: sim.iam.credentialsFor(outsider), maxAttempts: 1 }));
    await expect(lambda.send(new InvokeCommand({ FunctionName: FUNCTION }))).rejects.toMatchObject({
      name: 'AccessDeniedException',
      $metadata: expect.objectContaining({ httpStatusCode: 403 }),
      message: expect.stringContaining('because no resource-based policy allows the lambda:InvokeFunction action'),
    });
    sim.iam.putResourcePolicy(FUNCTION, allow({ Principal: { AWS: outsider }, Action: 'lambda:InvokeFunction', Resource: FUNCTION }));
    expect((await lambda.send(new InvokeCommand({ FunctionName: FUNCTION }))).StatusCode).toBe(200);
  });
});

test('FilterLogEvents is authorized on the log group as CloudWatch Logs names it (`...:log-group:<name>:log-stream:`)', async () => {
  sim.registerFunction(FUNCTION, { handler: () => undefined });
  await sim.invokeFunction(FUNCTION, {});
  const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/rotate`;
  sim.iam.putIdentity(ROLE, [{ name: 'exact', document: allow({ Action: 'logs:FilterLogEvents', Resource: group }) }]);
  const logs = track(new CloudWatchLogsClient({ ...sim.clientConfig(), credentials: sim.iam.credentialsFor(ROLE), maxAttempts: 1 }));
  await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/rotate' }))).rejects.toThrow(`on resource: ${group}:log-stream: because`);
  sim.iam.putIdentity(ROLE, [{ name: 'group', document: allow({ Action: 'logs:FilterLogEvents', Resource: `${group}:*` }) }]);
  expect((await logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/rotate' }))).events?.length).toBeGreaterThan(0);
});

test.each([
  ['by default', {}],
  ['switched off', { iam: 'off' as const }],
])('%s, enforcement is off: every call is served and nothing is decided', async (_, options) => {
  const off = await SecretsManagerSimulator.start(options);
  try {
    expect(off.iam.status).toBe('IAM enforcement: off');
    off.iam.putIdentity(ROLE, []);
    const client = new SecretsManagerClient({ ...off.clientConfig(), credentials: off.iam.credentialsFor(ROLE), maxAttempts: 1 });
    await client.send(new CreateSecretCommand({ Name: 'anything', SecretString: 'x' }));
    client.destroy();
    expect(off.iam.decisions()).toEqual([]);
  } finally {
    await off.stop();
  }
});

test('`auto` enforces when the evaluator is installed, as it is here', async () => {
  const auto = await SecretsManagerSimulator.start({ iam: 'auto' });
  try {
    expect(auto.iam.status).toBe(sim.iam.status);
    expect(auto.iam.enforcing).toBe(true);
  } finally {
    await auto.stop();
  }
});
