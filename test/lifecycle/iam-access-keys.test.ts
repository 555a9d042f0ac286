import { randomUUID } from 'node:crypto';
import { CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Duration, Stack, aws_iam as iam, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { RotatingSecret, RotationStrategy, Schedule } from '../../src';
import { ACCESS_KEYS_RESOURCE_TYPE, CHECK_RESOURCE_TYPE } from '../../src/private/contract';
import { LocalCloud } from '../support/cloud';
import { KeyValue, keysOf, signsAs } from '../support/iam-keys';
import { MotoServer, enableRequestAuthentication, startMoto } from '../support/moto';

/**
 * IAM user access keys through CloudFormation on the local cloud: the user lives in moto's IAM (request authentication
 * on), the rotation function calls it, and IAM is enforced on the function's Secrets Manager calls. The deployer
 * deletes a user as IAM does, refusing one that still has access keys (moto alone would not).
 */

jest.setTimeout(300_000);

let moto: MotoServer;
let admin: IAMClient;
let cloud: LocalCloud;
beforeAll(async () => {
  moto = await startMoto();
  const credentials = await enableRequestAuthentication(moto.endpoint);
  admin = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
  cloud = await LocalCloud.start({ databases: false, iam: { endpoint: moto.endpoint, credentials } });
});
afterAll(async () => {
  await cloud?.stop();
  admin?.destroy();
  await moto?.stop();
});

/** The stack: a user of its own, its key secret, and whatever `more` adds. */
type AddMore = (stack: Stack, secret: RotatingSecret) => void;

function keysApp(userName: string, schedule = Schedule.rate(Duration.days(30)), more: AddMore = () => undefined) {
  return (stack: Stack) => {
    const user = new iam.User(stack, 'PartnerSync', { userName, path: '/partners/' });
    const secret = new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }), schedule });
    more(stack, secret);
  };
}

async function userExists(userName: string): Promise<boolean> {
  try {
    await admin.send(new GetUserCommand({ UserName: userName }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'NoSuchEntityException') return false;
    throw error;
  }
}

const userArn = (userName: string) => `arn:aws:iam::123456789012:user/partners/${userName}`;

test('create: the check\'s first rotation makes the first key; update; delete: the secret\'s keys go first, then the user', async () => {
  const userName = `partner-${randomUUID().slice(0, 8)}`;
  expect((await cloud.deploy('AccessKeys', keysApp(userName))).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('AccessKeys', 'PartnerKey');
  await cloud.settledLabels(arn);
  const first: KeyValue = JSON.parse(await cloud.value(arn));
  expect(await signsAs(moto.endpoint, first)).toBe(userArn(userName));
  expect(await keysOf(admin, userName)).toEqual({ [first.accessKeyId!]: 'Active' });

  // A new schedule is a new configuration: the check rotates again and verifies it.
  expect((await cloud.deploy('AccessKeys', keysApp(userName, Schedule.rate(Duration.days(10))))).status).toBe('UPDATE_COMPLETE');
  await cloud.settledLabels(arn);
  const second: KeyValue = JSON.parse(await cloud.value(arn));
  expect(second.accessKeyId).not.toBe(first.accessKeyId);
  expect(await signsAs(moto.endpoint, second)).toBe(userArn(userName));
  expect(await keysOf(admin, userName)).toEqual({ [second.accessKeyId!]: 'Active', [first.accessKeyId!]: 'Inactive' });

  expect((await cloud.cfn.delete('AccessKeys')).status).toBe('DELETE_COMPLETE');
  expect(await userExists(userName)).toBe(false);
});

test('a first deploy that fails after the first rotation rolls back completely: the key is deleted, then the user', async () => {
  const userName = `partner-${randomUUID().slice(0, 8)}`;
  const takenName = `taken-${randomUUID()}`;
  await cloud.client.send(new CreateSecretCommand({ Name: takenName, SecretString: 'someone else\'s' }));
  // A secret whose name is taken fails, after the key secret's check (it waits for the whole key secret).
  const failing = keysApp(userName, undefined, (stack, secret) => {
    new secretsmanager.Secret(stack, 'Clash', { secretName: takenName }).node.addDependency(secret);
  });
  expect((await cloud.deploy('AccessKeysRollback', failing)).status).toBe('ROLLBACK_COMPLETE');
  expect(cloud.failureReason('AccessKeysRollback')).toMatch(/already exists/);
  // The check had run (and its rotation made the first key) before the failure.
  const events = cloud.cfn.events('AccessKeysRollback');
  expect(events.some((event) => event.resourceType === CHECK_RESOURCE_TYPE && event.resourceStatus === 'CREATE_COMPLETE')).toBe(true);
  expect(events.some((event) => event.resourceType === ACCESS_KEYS_RESOURCE_TYPE && event.resourceStatus === 'DELETE_COMPLETE')).toBe(true);
  // The check's rotation had made a key: the rollback deleted it with the secret, so IAM could delete the user.
  expect(await userExists(userName)).toBe(false);
});

test('the deployer deletes a user as IAM does: refused while it has access keys', async () => {
  const userName = `plain-${randomUUID().slice(0, 8)}`;
  expect((await cloud.deploy('PlainUser', (stack) => {
    new iam.User(stack, 'Plain', { userName });
  })).status).toBe('CREATE_COMPLETE');
  const { AccessKey: key } = await admin.send(new CreateAccessKeyCommand({ UserName: userName }));
  expect((await cloud.cfn.delete('PlainUser')).status).toBe('DELETE_FAILED');
  expect(cloud.failureReason('PlainUser')).toMatch(/Cannot delete entity, must delete access keys first/);
  await admin.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: key!.AccessKeyId! }));
  expect((await cloud.cfn.delete('PlainUser')).status).toBe('DELETE_COMPLETE');
  expect(await userExists(userName)).toBe(false);
});

test('a user that already has two keys fails the deploy in createSecret, naming them, and keeps both', async () => {
  const userName = `legacy-${randomUUID().slice(0, 8)}`;
  await admin.send(new CreateUserCommand({ UserName: userName }));
  for (let i = 0; i < 2; i++) await admin.send(new CreateAccessKeyCommand({ UserName: userName }));
  const before = await keysOf(admin, userName);
  const labels = Object.keys(before).map((id) => `…${id.slice(-4)}`);
  expect((await cloud.deploy('LegacyKeys', (stack) => {
    new RotatingSecret(stack, 'LegacyKey', { strategy: RotationStrategy.iamUserAccessKey({ user: iam.User.fromUserName(stack, 'Legacy', userName) }) });
  })).status).toBe('ROLLBACK_COMPLETE');
  const reason = cloud.failureReason('LegacyKeys')!;
  expect(reason).toMatch(/failed in step createSecret/);
  expect(reason).toContain(`the user ${userName} has 2 access keys (${labels.join(', ')}), made before this secret, and IAM allows 2: delete one`);
  expect(await keysOf(admin, userName)).toEqual(before);
});
