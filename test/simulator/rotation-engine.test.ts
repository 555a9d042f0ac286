import * as fs from 'node:fs';
import * as path from 'node:path';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pendingIsSettled, startSimulator, stagesOf, versionWith } from './support';
import { SecretsManagerSimulator } from '../../simulator';
import { TEST_OPTION_SET_TAGS, bundleAssetDir, rotationEnvironment } from '../support/strategies';

/** The library's rotation function as it ships: the esbuild bundle of lambda/rotation/generic-function.ts. */
const ASSET_DIR = bundleAssetDir('genericRotation');
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:rotating-secrets-generic';
const DAY = 86_400_000;

let simulator: SecretsManagerSimulator;
let client: SecretsManagerClient;
let arn: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(ASSET_DIR, 'index.js'))) {
    throw new Error(`The rotation handler bundle is missing from ${ASSET_DIR}: run \`npx projen bundle\` first`);
  }
});

beforeEach(async () => {
  ({ simulator, client } = await startSimulator({ maxRotationAttempts: 1 }));
  simulator.registerFunction(FUNCTION_ARN, {
    assetDir: ASSET_DIR,
    handler: 'index.handler',
    environment: rotationEnvironment('generic'),
    timeoutSeconds: 60,
  });
  arn = (await client.send(new CreateSecretCommand({ Name: 'engine/generic', SecretString: 'initial-value', Tags: TEST_OPTION_SET_TAGS }))).ARN!;
});

afterEach(async () => {
  client.destroy();
  await simulator.stop();
});

/** Labels and value now; then, after `rotate`, checks that exactly one rotation moved the secret on. */
async function expectOneRotation(rotate: () => Promise<void>) {
  const before = await stagesOf(client, arn);
  const oldCurrent = versionWith(before, 'AWSCURRENT')!;
  const oldValue = (await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString;

  await rotate();

  const failures = simulator.events.filter((e) => e.type === 'RotationFailed');
  expect(failures).toEqual([]);
  const after = await stagesOf(client, arn);
  const newCurrent = versionWith(after, 'AWSCURRENT');
  expect(newCurrent).not.toBe(oldCurrent);
  expect(versionWith(after, 'AWSPREVIOUS')).toBe(oldCurrent);
  expect(pendingIsSettled(after)).toBe(true);
  const newValue = (await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }))).SecretString;
  expect(newValue).not.toBe(oldValue);
  return newCurrent!;
}

test('the bundled generic rotation function rotates the same secret 5 times in a row through RotateSecret', async () => {
  for (let i = 0; i < 5; i++) {
    const token = await expectOneRotation(async () => {
      const { VersionId } = await client.send(new RotateSecretCommand({
        SecretId: arn, RotationLambdaARN: FUNCTION_ARN, RotationRules: { AutomaticallyAfterDays: 30 },
      }));
      await simulator.waitForIdle();
      expect(simulator.events[simulator.events.length - 1]).toMatchObject({ type: 'RotationSucceeded', token: VersionId });
    });

    // Its structured log lines are found by token, as the deploy-time verifier looks for them
    const logs = new CloudWatchLogsClient(simulator.clientConfig());
    try {
      const finished = await logs.send(new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/rotating-secrets-generic',
        filterPattern: `{ $.token = "${token}" && $.message = "rotation step finished" }`,
      }));
      expect(finished.events!.map((e) => JSON.parse(e.message!).step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    } finally {
      logs.destroy();
    }
  }
  expect(simulator.events.filter((e) => e.type === 'RotationSucceeded')).toHaveLength(5);
});

test('the bundled generic rotation function runs 50 scheduled rotations as the clock advances', async () => {
  await expectOneRotation(async () => {
    await client.send(new RotateSecretCommand({ SecretId: arn, RotationLambdaARN: FUNCTION_ARN, RotationRules: { ScheduleExpression: 'rate(1 day)' } }));
    await simulator.waitForIdle();
  });

  for (let day = 1; day <= 50; day++) {
    await expectOneRotation(() => simulator.clock.advance(DAY));
  }

  const scheduled = simulator.events.filter((e) => e.type === 'RotationSucceeded' && e.trigger === 'schedule');
  expect(scheduled).toHaveLength(50);
  expect(new Set(scheduled.map((e) => e.token)).size).toBe(50);
});
