import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Duration, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { ExistingSecretRotation, RotatingSecret, RotationStrategy, Schedule } from '../../src';
import { VERIFIED_TAG } from '../../src/private/contract';
import { LocalCloud } from '../support/cloud';

/**
 * Generic secrets through CloudFormation's whole lifecycle on the local cloud: create (the check configures rotation,
 * runs the first rotation and verifies it), update (a changed option rotates again, an unchanged one does not), delete.
 */

let cloud: LocalCloud;
beforeAll(async () => (cloud = await LocalCloud.start({ databases: false })));
afterAll(() => cloud.stop());

const versionOf = (labels: Record<string, string[]>, label: string) => Object.keys(labels).find((id) => labels[id].includes(label));

test('create verifies the first rotation, which applies the password options; an update of an option rotates again; delete removes it', async () => {
  const app = (length: number, description = 'API key') => cloud.deploy('Generic', (stack) => {
    new RotatingSecret(stack, 'ApiKey', { description, strategy: RotationStrategy.randomPassword({ passwordLength: length, excludePunctuation: true }) });
  });

  expect((await app(40)).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('Generic', 'ApiKey');
  const created = await cloud.settledLabels(arn);
  // The first value came from the constant generator (30 characters); the check's rotation applied the options.
  expect(await cloud.value(arn, 'AWSPREVIOUS')).toMatch(/^[A-Za-z0-9]{30}$/);
  expect(await cloud.value(arn)).toMatch(/^[A-Za-z0-9]{40}$/);
  expect(versionOf(created, 'AWSPENDING')).toBeUndefined();
  // The check's verified rotation came first; the rotation schedule, created after it, then had its configuration tested.
  const rotations = cloud.sim.events.filter((event) => event.secretArn === arn && event.type === 'RotationSucceeded');
  expect(rotations.map((event) => event.trigger)).toEqual(['RotateSecret', 'configuration-test']);

  expect((await app(48)).status).toBe('UPDATE_COMPLETE');
  expect(await cloud.value(arn)).toMatch(/^[A-Za-z0-9]{48}$/);
  expect(versionOf(await cloud.settledLabels(arn), 'AWSPREVIOUS')).toBe(versionOf(created, 'AWSCURRENT'));

  const before = versionOf(await cloud.settledLabels(arn), 'AWSCURRENT');
  expect((await app(48, 'The billing service\'s API key')).status).toBe('UPDATE_COMPLETE');
  expect(versionOf(await cloud.settledLabels(arn), 'AWSCURRENT')).toBe(before);

  expect((await cloud.cfn.delete('Generic')).status).toBe('DELETE_COMPLETE');
  await expect(cloud.labels(arn)).rejects.toThrow(/can't find the specified secret/);
});

test('the check tags the secret with the fingerprint it verified', async () => {
  expect((await cloud.deploy('Tagged', (stack) => new RotatingSecret(stack, 'Token'))).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('Tagged', 'Token');
  const { Tags } = await cloud.client.send(new DescribeSecretCommand({ SecretId: arn }));
  expect(Tags).toEqual(expect.arrayContaining([{ Key: VERIFIED_TAG, Value: expect.stringMatching(/^[0-9a-f]+$/) }]));
  await cloud.cfn.delete('Tagged');
});

test('without verification the schedule configures rotation and rotates at once; nothing waits', async () => {
  expect((await cloud.deploy('Unverified', (stack) => new RotatingSecret(stack, 'Token', { verifyOnDeploy: false }))).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('Unverified', 'Token');
  // RotateSecret is asynchronous: the rotation it started is awaited here, as an operator would look later.
  await cloud.sim.waitForIdle();
  expect(cloud.sim.events.filter((e) => e.secretArn === arn && e.type === 'RotationSucceeded').map((e) => e.trigger)).toEqual(['RotateSecret']);
  await cloud.cfn.delete('Unverified');
});

test('an existing secret of the app rotates, is verified, and stays when its rotation is removed', async () => {
  const app = (rotate: boolean) => cloud.deploy('Existing', (stack) => {
    const secret = new secretsmanager.Secret(stack, 'Legacy', { generateSecretString: { excludePunctuation: true } });
    if (rotate) new ExistingSecretRotation(stack, 'LegacyRotation', { secret, schedule: Schedule.rate(Duration.days(7)) });
  });
  expect((await app(true)).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('Existing', 'Legacy');
  expect(versionOf(await cloud.settledLabels(arn), 'AWSPREVIOUS')).toBeDefined();

  expect((await app(false)).status).toBe('UPDATE_COMPLETE');
  const description = await cloud.client.send(new DescribeSecretCommand({ SecretId: arn }));
  // Removing the rotation schedule cancels rotation (CloudFormation's delete of a RotationSchedule); the value stays.
  expect(description.RotationEnabled).toBe(false);
  await cloud.cfn.delete('Existing');
});
