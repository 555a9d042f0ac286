import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { DatabaseTarget, ExistingSecretRotation, RotationStrategy } from '../../src';
import { LocalCloud } from '../support/cloud';
import { deleteRedisUsers, redisAccess, redisAdminCommand, uniqueRedisUser } from '../support/redis';

/**
 * Redis ACL users through CloudFormation's lifecycle on the local cloud, IAM enforced, against the shared Redis 7: the
 * secrets exist with the users' passwords (Redis strategies create no user), `ExistingSecretRotation` adds the
 * strategy, and the deploy-time check merges the connection fields, rotates and verifies in the first deploy.
 */

jest.setTimeout(300_000);

let cloud: LocalCloud;
const users: string[] = [];
beforeAll(async () => (cloud = await LocalCloud.start()));
afterAll(async () => {
  await cloud?.stop();
  await deleteRedisUsers(users);
});

const randomPassword = () => `Pw-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;

/** A Redis ACL user with `rules`, and a secret holding its name and password; returns both names. */
async function userWithSecret(prefix: string, rules: readonly string[]): Promise<{ username: string; secretName: string; password: string }> {
  const username = uniqueRedisUser(prefix);
  const password = randomPassword();
  users.push(username);
  await redisAdminCommand('ACL', 'SETUSER', username, 'reset', 'on', `>${password}`, ...rules);
  const secretName = `redis/${username}`;
  await cloud.client.send(new CreateSecretCommand({ Name: secretName, SecretString: JSON.stringify({ username, password }) }));
  return { username, secretName, password };
}

const server = () => DatabaseTarget.fromEndpoint({ host: '127.0.0.1' });

test('alternating users: the first deploy rotates to the clone and verifies it; both users log in', async () => {
  const master = await userWithSecret('lc_admin', ['+acl|setuser', '+acl|getuser']);
  const app = await userWithSecret('lc_app', ['~app:*', '+get']);

  const deploy = await cloud.deploy('RedisAlternating', (stack) => {
    new ExistingSecretRotation(stack, 'CacheRotation', {
      secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Cache', app.secretName),
      strategy: RotationStrategy.redisAlternatingUsers({
        database: server(),
        username: app.username,
        ssl: false,
        masterSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Master', master.secretName),
      }),
    });
  });

  expect(`${deploy.status}: ${cloud.failureReason('RedisAlternating') ?? ''}`).toBe('CREATE_COMPLETE: ');
  const current = JSON.parse(await cloud.value(app.secretName));
  expect(current).toMatchObject({ engine: 'redis', host: '127.0.0.1', port: 6379, ssl: false, username: `${app.username}_clone` });
  // Imported by name: the partial ARN, which Secrets Manager resolves (and IAM matches with `-??????`).
  expect(current.masterarn).toMatch(new RegExp(`:secret:${master.secretName}$`));
  expect(await redisAccess(current.username, current.password)).toBe('works');
  const previous = JSON.parse(await cloud.value(app.secretName, 'AWSPREVIOUS'));
  expect(previous.username).toBe(app.username);
  expect(await redisAccess(previous.username, previous.password)).toBe('works');
  expect((await cloud.cfn.delete('RedisAlternating')).status).toBe('DELETE_COMPLETE');
});

test('single user: the first deploy rotates and verifies; the replaced password is refused', async () => {
  const admin = await userWithSecret('lc_single', ['~app:*', '+get', '+acl|setuser']);

  const deploy = await cloud.deploy('RedisSingle', (stack) => {
    new ExistingSecretRotation(stack, 'AdminRotation', {
      secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Admin', admin.secretName),
      strategy: RotationStrategy.redisSingleUser({ database: server(), username: admin.username, ssl: false }),
    });
  });

  expect(`${deploy.status}: ${cloud.failureReason('RedisSingle') ?? ''}`).toBe('CREATE_COMPLETE: ');
  const current = JSON.parse(await cloud.value(admin.secretName));
  expect(await redisAccess(admin.username, current.password)).toBe('works');
  expect(await redisAccess(admin.username, admin.password)).toBe('refused');
  expect((await cloud.cfn.delete('RedisSingle')).status).toBe('DELETE_COMPLETE');
});

test('a user whose secret does not hold its password: the deploy fails, naming the refused login; the password is unchanged', async () => {
  const admin = await userWithSecret('lc_wrong', ['+acl|setuser']);
  await redisAdminCommand('ACL', 'SETUSER', admin.username, 'resetpass', '>another-password-1');

  const deploy = await cloud.deploy('RedisWrong', (stack) => {
    new ExistingSecretRotation(stack, 'AdminRotation', {
      secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Admin', admin.secretName),
      strategy: RotationStrategy.redisSingleUser({ database: server(), username: admin.username, ssl: false }),
    });
  });

  expect(deploy.status).toBe('ROLLBACK_COMPLETE');
  expect(cloud.failureReason('RedisWrong')).toMatch(/setSecret.*WRONGPASS/s);
  expect(await redisAccess(admin.username, 'another-password-1')).toBe('no-privilege');
});
