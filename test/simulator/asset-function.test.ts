import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { START, startSimulator, stagesOf } from './support';
import { InvokeResult, SecretsManagerSimulator } from '../../simulator';

/**
 * A bundled function as a user would ship it: AWS's generic rotation template, ported call for call, plus a few
 * modes to observe the execution environment.
 */
const HANDLER_SOURCE = `
const { SecretsManagerClient, DescribeSecretCommand, GetSecretValueCommand, GetRandomPasswordCommand,
  PutSecretValueCommand, UpdateSecretVersionStageCommand } = require('@aws-sdk/client-secrets-manager');
const client = new SecretsManagerClient({});
let invocations = 0;

exports.handler = async (event, context) => {
  invocations += 1;
  switch (event.mode) {
    case 'env': return { env: process.env, invocations, pid: process.pid, requestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis() };
    case 'fail': throw new TypeError('bad input');
    case 'hang': return new Promise(() => undefined);
    case 'exit': process.exit(3);
  }
  const arn = event.SecretId, token = event.ClientRequestToken, step = event.Step;
  console.log('step', step);
  process.stdout.write(JSON.stringify({ level: 'info', message: 'rotation step', step, token }) + '\\n');
  const metadata = await client.send(new DescribeSecretCommand({ SecretId: arn }));
  const versions = metadata.VersionIdsToStages;
  if (!metadata.RotationEnabled) throw new Error('Secret ' + arn + ' is not enabled for rotation');
  if (!versions[token]) throw new Error('no stage for rotation');
  if (versions[token].includes('AWSCURRENT')) return;
  if (!versions[token].includes('AWSPENDING')) throw new Error('not set as AWSPENDING');
  if (step === 'createSecret') {
    await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
    try {
      await client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
    } catch (error) {
      if (error.name !== 'ResourceNotFoundException') throw error;
      const password = await client.send(new GetRandomPasswordCommand({ ExcludeCharacters: process.env.EXCLUDE_CHARACTERS }));
      await client.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: password.RandomPassword, VersionStages: ['AWSPENDING'] }));
    }
  } else if (step === 'finishSecret') {
    const described = await client.send(new DescribeSecretCommand({ SecretId: arn }));
    const current = Object.keys(described.VersionIdsToStages).find((id) => described.VersionIdsToStages[id].includes('AWSCURRENT'));
    if (current === token) return;
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
  }
};
`;

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:asset-rotation';
/** Lambda's timeout leaves the init phase out; a loaded machine may still take a while to answer a warm call. */
const TIMEOUT_SECONDS = 30;
/** The function the timeout test lets time out: its hang must not keep the test waiting long. */
const SHORT_TIMEOUT_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:asset-rotation-short-timeout';
const LOG_GROUP = '/aws/lambda/asset-rotation';

let simulator: SecretsManagerSimulator;
let client: SecretsManagerClient;
let assetDir: string;

beforeAll(() => {
  assetDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulator-asset-'));
  fs.writeFileSync(path.join(assetDir, 'index.js'), HANDLER_SOURCE);
});

afterAll(() => {
  fs.rmSync(assetDir, { recursive: true, force: true });
});

beforeEach(async () => {
  ({ simulator, client } = await startSimulator());
  simulator.registerFunction(FUNCTION_ARN, {
    assetDir,
    handler: 'index.handler',
    environment: { EXCLUDE_CHARACTERS: '/@"\'\\', MY_SETTING: 'from-the-template' },
    timeoutSeconds: TIMEOUT_SECONDS,
  });
  simulator.registerFunction(SHORT_TIMEOUT_ARN, { assetDir, handler: 'index.handler', timeoutSeconds: 2 });
});

afterEach(async () => {
  client.destroy();
  await simulator.stop();
});

async function invokeOk(event: object, functionArn = FUNCTION_ARN): Promise<any> {
  const result = await simulator.invokeFunction(functionArn, event);
  if (!result.ok) throw new Error(`invocation failed: ${result.errorType}: ${result.errorMessage}`);
  return result.result;
}

test("a warm child process runs the handler with the function's environment and Lambda's variables", async () => {
  const first = await invokeOk({ mode: 'env' });
  const second = await invokeOk({ mode: 'env' });

  expect(first.env).toMatchObject({
    MY_SETTING: 'from-the-template',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'asset-rotation',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: simulator.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: simulator.endpoint,
    LAMBDA_TASK_ROOT: assetDir,
  });
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) expect(first.env[name]).toEqual(expect.any(String));
  // Nothing leaks from the simulator's own environment
  expect(first.env.JEST_WORKER_ID).toBeUndefined();
  expect(first.remaining).toBeGreaterThan(0);
  expect(first.remaining).toBeLessThanOrEqual(TIMEOUT_SECONDS * 1000);
  // Warm: the same process, module state kept
  expect(second.pid).toBe(first.pid);
  expect(second.invocations).toBe(2);
  expect(second.requestId).not.toBe(first.requestId);
});

test('rotates a secret end to end: the SDK inside the child reaches the simulator; ten calls per rotation', async () => {
  const created = await client.send(new CreateSecretCommand({ Name: 'asset/secret', SecretString: 'initial' }));
  const mark = simulator.apiCallMark();

  const { VersionId: token } = await client.send(new RotateSecretCommand({
    SecretId: created.ARN, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 30 },
  }));
  await simulator.waitForIdle();

  // AWS's generic template: 10 calls per rotation, 9 of them naming the secret (GetRandomPassword names none)
  expect(simulator.apiCalls({ since: mark })).toEqual({
    RotateSecret: 1, DescribeSecret: 5, GetSecretValue: 2, GetRandomPassword: 1, PutSecretValue: 1, UpdateSecretVersionStage: 1,
  });
  expect(simulator.apiCalls({ since: mark, secretArn: created.ARN })).toEqual({
    RotateSecret: 1, DescribeSecret: 5, GetSecretValue: 2, PutSecretValue: 1, UpdateSecretVersionStage: 1,
  });
  expect(await stagesOf(client, created.ARN!)).toEqual({ [created.VersionId!]: ['AWSPREVIOUS'], [token!]: ['AWSCURRENT'] });
  expect(simulator.events.map((e) => e.type)).toEqual(['RotationStarted', 'RotationSucceeded']);
});

test('every line the function prints lands in its log group, and FilterLogEvents finds a JSON line by token', async () => {
  const created = await client.send(new CreateSecretCommand({ Name: 'asset/logged', SecretString: 'initial' }));
  const { VersionId: token } = await client.send(new RotateSecretCommand({
    SecretId: created.ARN, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 30 },
  }));
  await simulator.waitForIdle();

  const messages = simulator.logs.events(LOG_GROUP).map((e) => e.message);
  expect(messages[0]).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
  // console.log as the Node.js runtime writes it (text format): time, request id, level, message
  expect(messages[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z\t[0-9a-f-]{36}\tINFO\tstep createSecret$/);
  expect(JSON.parse(messages[2])).toEqual({ level: 'info', message: 'rotation step', step: 'createSecret', token });
  expect(messages.filter((m) => m.startsWith('END RequestId:'))).toHaveLength(4);
  expect(messages.filter((m) => /^REPORT RequestId: \S+\tDuration: [\d.]+ ms/.test(m))).toHaveLength(4);
  // A secret value never reaches the logs
  expect(messages.join('\n')).not.toContain('initial');

  const logs = new CloudWatchLogsClient(simulator.clientConfig());
  try {
    const found = await logs.send(new FilterLogEventsCommand({
      logGroupName: LOG_GROUP,
      filterPattern: `{ $.token = "${token}" && $.step = "setSecret" }`,
      startTime: START,
      endTime: START,
    }));
    expect(found.events).toHaveLength(1);
    expect(found.events![0]).toMatchObject({ timestamp: START, ingestionTime: START, logStreamName: expect.stringMatching(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/) });
    expect(JSON.parse(found.events![0].message!).step).toBe('setSecret');
    expect(found.events![0].eventId).toEqual(expect.any(String));

    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: LOG_GROUP, filterPattern: '' }));
    expect(all.events).toHaveLength(messages.length);
    const later = await logs.send(new FilterLogEventsCommand({ logGroupName: LOG_GROUP, startTime: START + 1 }));
    expect(later.events).toEqual([]);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/unknown' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  } finally {
    logs.destroy();
  }
});

test('a thrown error comes back as errorType and errorMessage and is logged as an Invoke Error', async () => {
  const result = await simulator.invokeFunction(FUNCTION_ARN, { mode: 'fail' });

  expect(result).toMatchObject({ ok: false, errorType: 'TypeError', errorMessage: 'bad input' });
  const errorLine = simulator.logs.events(LOG_GROUP).map((e) => e.message).find((m) => m.includes('Invoke Error'));
  expect(errorLine).toMatch(/\t[0-9a-f-]{36}\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"bad input","stack":\[/);
});

test('a timeout kills the execution environment; the next invocation starts a fresh one', async () => {
  const before = await invokeOk({ mode: 'env' }, SHORT_TIMEOUT_ARN);

  const timedOut = await simulator.invokeFunction(SHORT_TIMEOUT_ARN, { mode: 'hang' });
  const after = await invokeOk({ mode: 'env' }, SHORT_TIMEOUT_ARN);

  expect(timedOut).toMatchObject({ ok: false, errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/Task timed out after 2\.00 seconds$/) });
  expect(after.pid).not.toBe(before.pid);
  expect(after.invocations).toBe(1);
  expect(isRunning(before.pid)).toBe(false);
  const streams = new Set(simulator.logs.events(`${LOG_GROUP}-short-timeout`).map((e) => e.logStreamName));
  expect(streams.size).toBe(2);
});

test('a function that exits its process fails with Runtime.ExitError, and the next invocation recovers', async () => {
  const exited: InvokeResult = await simulator.invokeFunction(FUNCTION_ARN, { mode: 'exit' });
  const after = await invokeOk({ mode: 'env' });

  expect(exited).toMatchObject({ ok: false, errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(/Runtime exited with error: exit status 3$/) });
  expect(after.invocations).toBe(1);
});

test('a handler that is not exported fails with Runtime.HandlerNotFound', async () => {
  simulator.registerFunction('arn:aws:lambda:us-east-1:123456789012:function:misnamed', { assetDir, handler: 'index.missing' });

  const result = await simulator.invokeFunction('misnamed', {});

  expect(result).toMatchObject({ ok: false, errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.missing is undefined or not exported' });
});

test('stop() ends every function process', async () => {
  const { pid } = await invokeOk({ mode: 'env' });
  expect(isRunning(pid)).toBe(true);

  await simulator.stop();

  expect(isRunning(pid)).toBe(false);
  ({ simulator, client } = await startSimulator());
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
