import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Duration, Stack, aws_lambda as lambda, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { ExistingSecretRotation, RotatingSecret } from '../../src';
import { CHECK_RESOURCE_TYPE } from '../../src/private/contract';
import { LocalCloud } from '../support/cloud';
import { bundleAssetDir, rotationEnvironment, TEST_OPTION_SET } from '../support/strategies';

/**
 * Rotation is never silently turned off. CloudFormation creates a new resource before it deletes the old one, and
 * deleting an AWS::SecretsManager::RotationSchedule cancels rotation: whatever a template change replaces or removes,
 * the secret must still rotate afterwards, with the library's function.
 */

let cloud: LocalCloud;
beforeAll(async () => (cloud = await LocalCloud.start({ databases: false })));
afterAll(() => cloud.stop());

async function rotationOf(secretArn: string) {
  const { RotationEnabled, RotationLambdaARN, NextRotationDate } = await cloud.client.send(new DescribeSecretCommand({ SecretId: secretArn }));
  return { enabled: RotationEnabled, functionName: RotationLambdaARN?.split(':').pop(), scheduled: NextRotationDate !== undefined };
}

test('turning verification off and on again leaves rotation on, with the same function', async () => {
  const app = (verifyOnDeploy: boolean) => cloud.deploy('Toggled', (stack) => new RotatingSecret(stack, 'Token', { verifyOnDeploy }));

  expect((await app(true)).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('Toggled', 'Token');
  const verified = await rotationOf(arn);
  expect(verified).toMatchObject({ enabled: true, scheduled: true });
  // A later deploy: without a check to wait for it, the schedule's update would meet Secrets Manager's asynchronous
  // configuration test of the last deploy ("A previous rotation isn't complete").
  await cloud.settledLabels(arn);

  // Off: the check resource (the stack's only entry) is deleted at cleanup, after the schedule's update.
  expect((await app(false)).status).toBe('UPDATE_COMPLETE');
  expect(cloud.describe('Toggled').resources.some((resource) => resource.type === CHECK_RESOURCE_TYPE)).toBe(false);
  expect(await rotationOf(arn)).toEqual(verified);
  await cloud.settledLabels(arn);

  expect((await app(true)).status).toBe('UPDATE_COMPLETE');
  expect(await rotationOf(arn)).toEqual(verified);
  await cloud.settledLabels(arn);
  await cloud.cfn.delete('Toggled');
});

test('a check resource replaced under a new logical id: the old one\'s delete runs last and leaves rotation on', async () => {
  const assembly = cloud.synth('Replaced', (stack) => new RotatingSecret(stack, 'Token'));
  const assets = Object.fromEntries(assembly.assets);
  expect((await cloud.cfn.deploy({ stackName: 'Replaced', template: assembly.template, assets })).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('Replaced', 'Token');
  const before = await rotationOf(arn);
  const labels = await cloud.settledLabels(arn);

  // As a later version of the library might name it: the same resource under another logical id.
  const renamed = JSON.parse(JSON.stringify(assembly.template).replace(/"RotationCheckCA1AF613"/g, '"RotationCheckRenamed"'));
  expect(renamed.Resources.RotationCheckRenamed.Type).toBe(CHECK_RESOURCE_TYPE);
  expect((await cloud.cfn.deploy({ stackName: 'Replaced', template: renamed, assets })).status).toBe('UPDATE_COMPLETE');

  const events = cloud.cfn.events('Replaced').map((event) => `${event.logicalResourceId} ${event.resourceStatus}`);
  expect(events.indexOf('RotationCheckCA1AF613 DELETE_COMPLETE')).toBeGreaterThan(events.indexOf('RotationCheckRenamed CREATE_COMPLETE'));
  expect(await rotationOf(arn)).toEqual(before);
  // The new resource found the secret verified with the same fingerprint: it did not rotate again.
  expect(await cloud.settledLabels(arn)).toEqual(labels);
  await cloud.cfn.delete('Replaced');
});

test('from a Secret with addRotationSchedule of one\'s own function to ExistingSecretRotation (replacesScheduleId): rotation stays on, now ours', async () => {
  const ownFunction = (stack: Stack, secret: secretsmanager.ISecret) => new lambda.Function(stack, 'OwnRotation', {
    // A working rotation function of the user's: the library's generic bundle, deployed as the user's own asset,
    // configured for this one secret.
    code: lambda.Code.fromAsset(bundleAssetDir('genericRotation')),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_22_X,
    environment: rotationEnvironment('generic', { optionSetBySecret: { [secret.secretArn]: TEST_OPTION_SET } }),
    timeout: Duration.minutes(1),
  });
  const app = (ours: boolean) => cloud.deploy('Migrated', (stack) => {
    const secret = new secretsmanager.Secret(stack, 'Token');
    if (ours) new ExistingSecretRotation(stack, 'TokenRotation', { secret, replacesScheduleId: 'RotationSchedule' });
    else secret.addRotationSchedule('RotationSchedule', { rotationLambda: ownFunction(stack, secret), automaticallyAfter: Duration.days(30) });
  });
  expect((await app(false)).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('Migrated', 'Token');
  const schedule = cloud.physicalId('Migrated', 'TokenRotationSchedule', 'AWS::SecretsManager::RotationSchedule');
  expect((await rotationOf(arn)).functionName).toMatch(/OwnRotation/);
  await cloud.settledLabels(arn);

  expect((await app(true)).status).toBe('UPDATE_COMPLETE');

  // The same schedule, updated in place: never deleted, so rotation was never cancelled.
  expect(cloud.physicalId('Migrated', 'TokenRotationSchedule', 'AWS::SecretsManager::RotationSchedule')).toBe(schedule);
  expect(await rotationOf(arn)).toMatchObject({ enabled: true, scheduled: true, functionName: expect.stringMatching(/GenericRotation/) });
  expect(await cloud.value(arn)).toMatch(/^\S{32}$/);
  await cloud.cfn.delete('Migrated');
});
