import { randomUUID } from 'node:crypto';
import { beginRotation, DATABASE_OPTION_SET, errorText, PUNCTUATION, randomPassword, RecordingLogger, rejectionOf, rotate } from './harness';
import { MemorySecretsStore } from './memory-store';
import { connectRedis } from '../../../../lambda/rotation/database/redis-client';
import { runProbe } from '../../../../lambda/rotation/probe';
import { freePort } from '../../../../simulator/databases/ports';
import { aclRules, deleteRedisUsers, redisAccess, redisAdminCommand, SHARED_REDIS_PORT, uniqueRedisUser } from '../../../support/redis';
import { databaseStrategy } from '../../../support/strategies';

// Against the shared Redis 7 (127.0.0.1:6379): every ACL user made here has a name of its own and is deleted after.
const made: string[] = [];
const master = { username: uniqueRedisUser('rt_admin'), password: `admin-${PUNCTUATION}` };

beforeAll(async () => {
  made.push(master.username);
  // The alternating strategy's administrator: it reads and writes ACL users, nothing else.
  await redisAdminCommand('ACL', 'SETUSER', master.username, 'reset', 'on', `>${master.password}`, '+acl|setuser', '+acl|getuser');
});

afterAll(async () => {
  await deleteRedisUsers(made);
});

/** An application user: reads `app:*` keys, publishes to one channel, and may SET `cache:*` through a selector. */
const APP_RULES = ['~app:*', 'resetchannels', '&news', '+get', '+publish', '(~cache:* +set)'];
/** A single user also changes its own password, which Redis allows only with ACL SETUSER. */
const SELF_MANAGING_RULES = [...APP_RULES, '+acl|setuser'];

async function createUser(prefix: string, password: string, rules: readonly string[]): Promise<string> {
  const username = uniqueRedisUser(prefix);
  made.push(username);
  await redisAdminCommand('ACL', 'SETUSER', username, 'reset', 'on', `>${password}`, ...rules);
  return username;
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'redis', host: '127.0.0.1', port: SHARED_REDIS_PORT, username, password, ssl: false, ...extra });
}

/** An application user, and a store holding its secret (with `storedPassword`, by default its own) and the master's. */
async function appUserWithMaster(password: string, storedPassword: string = password) {
  const username = await createUser('rt_app', password, APP_RULES);
  const store = new MemorySecretsStore();
  const masterArn = store.create('redis-master', JSON.stringify(master));
  const arn = store.create('redis-app', secretFor(username, storedPassword, { masterarn: masterArn }));
  return { username, store, arn };
}

function parse(value: string | undefined): { username: string; password: string } {
  return JSON.parse(value!);
}

const singleUser = () => databaseStrategy('redis-single-user', { connectTimeoutSeconds: 3 });
const alternatingUsers = () => databaseStrategy('redis-alternating-users', { connectTimeoutSeconds: 3 });

describe('redis-single-user', () => {
  test('three rotations: each new password works, every replaced one is refused, the user keeps its rules', async () => {
    const initial = randomPassword();
    const username = await createUser('rt_single', initial, SELF_MANAGING_RULES);
    const rulesBefore = await aclRules(username);
    const store = new MemorySecretsStore();
    const arn = store.create('redis-single', secretFor(username, initial));
    const log = new RecordingLogger();
    const passwords = [initial];

    for (let round = 1; round <= 3; round++) {
      await rotate(store, arn, singleUser(), log);
      const current = parse(store.valueAt(arn, 'AWSCURRENT'));
      expect(current.username).toBe(username);
      expect(await redisAccess(username, current.password)).toBe('works');
      for (const replaced of passwords) expect(await redisAccess(username, replaced)).toBe('refused');
      passwords.push(current.password);
    }
    expect(await aclRules(username)).toBe(rulesBefore);
    for (const password of passwords) expect(log.text()).not.toContain(password);
  });

  test('setSecret twice at once, then again: at most the known race fails, and exactly the pending password is left', async () => {
    const initial = randomPassword();
    const username = await createUser('rt_single', initial, SELF_MANAGING_RULES);
    const store = new MemorySecretsStore();
    const arn = store.create('redis-single', secretFor(username, initial));
    const log = new RecordingLogger();
    const rotation = await beginRotation(store, arn, singleUser(), log);

    const outcomes = await Promise.allSettled([singleUser().setSecret(rotation.context), singleUser().setSecret(rotation.context)]);
    // The other invocation changed the password between this one's pending login (too early) and its current login
    // (too late), as with PostgreSQL and MySQL; Secrets Manager's retry then finds the pending password set.
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason.message).toMatch(/^Unable to log into database with previous, current, or pending secret \(pending: WRONGPASS[^;]*; current: WRONGPASS[^;]*\)$/);
    }
    expect(outcomes.some((outcome) => outcome.status === 'fulfilled')).toBe(true);
    await singleUser().setSecret(rotation.context);
    await singleUser().testSecret(rotation.context);
    const pending = parse(await store.getValue(arn, { versionId: rotation.token }));
    expect(await redisAccess(username, pending.password)).toBe('works');
    expect(await redisAccess(username, initial)).toBe('refused');
  });

  test('a user that may not run ACL SETUSER: setSecret fails with NOPERM, no password in the error, the current one still works', async () => {
    const initial = randomPassword();
    const username = await createUser('rt_single', initial, APP_RULES);
    const store = new MemorySecretsStore();
    const arn = store.create('redis-single', secretFor(username, initial));
    const rotation = await beginRotation(store, arn, singleUser(), new RecordingLogger());
    const pending = parse(await store.getValue(arn, { versionId: rotation.token }));

    const error = await rejectionOf(singleUser().setSecret(rotation.context));
    expect(error.message).toMatch(/NOPERM.*acl\|setuser/);
    expect(errorText(error)).not.toContain(pending.password);
    expect(errorText(error)).not.toContain(initial);
    expect(await redisAccess(username, initial)).toBe('works');
    expect(await redisAccess(username, pending.password)).toBe('refused');
  });

  test('a pending value naming another user is refused before anything logs in', async () => {
    const initial = randomPassword();
    const username = await createUser('rt_single', initial, SELF_MANAGING_RULES);
    const store = new MemorySecretsStore();
    const arn = store.create('redis-single', secretFor(username, initial));
    const token = randomUUID();
    store.startRotation(arn, token);
    await store.putPendingValue(arn, token, secretFor(master.username, 'forged-password'));
    const context = { secretArn: arn, token, store, log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };

    const error = await rejectionOf(singleUser().setSecret(context));
    expect(error.message).toMatch(/`username` differs/);
    expect(await redisAccess(master.username, master.password)).toBe('no-privilege');
    expect(await redisAccess(username, initial)).toBe('works');
  });
});

describe('redis-alternating-users', () => {
  test('three rotations alternate the users: the clone copies the rules, the other user keeps working, the value from two rotations ago is refused', async () => {
    const initial = randomPassword();
    const { username, store, arn } = await appUserWithMaster(initial);
    const log = new RecordingLogger();
    const values = [{ username, password: initial }];

    for (let round = 1; round <= 3; round++) {
      await rotate(store, arn, alternatingUsers(), log);
      const current = parse(store.valueAt(arn, 'AWSCURRENT'));
      values.push(current);
      expect(current.username).toBe(round % 2 === 1 ? `${username}_clone` : username);
      expect(await redisAccess(current.username, current.password)).toBe('works');
      const previous = values[round - 1];
      expect(await redisAccess(previous.username, previous.password)).toBe('works');
      if (round >= 2) {
        const twoAgo = values[round - 2];
        expect(twoAgo.username).toBe(current.username);
        expect(await redisAccess(twoAgo.username, twoAgo.password)).toBe('refused');
      }
    }
    // Same keys, channels, commands and selector: only the name and the password differ.
    expect(await aclRules(`${username}_clone`)).toBe(await aclRules(username));
    expect(await aclRules(username)).toContain('(~cache:*');
    for (const value of [...values, master]) expect(log.text()).not.toContain(value.password);
  });

  test('rules the operator gave the current user reach the other user at the next rotation', async () => {
    const initial = randomPassword();
    const { username, store, arn } = await appUserWithMaster(initial);
    await rotate(store, arn, alternatingUsers(), new RecordingLogger());
    // AWSCURRENT is now the clone; the operator narrows it.
    await redisAdminCommand('ACL', 'SETUSER', `${username}_clone`, '-publish');
    await rotate(store, arn, alternatingUsers(), new RecordingLogger());
    expect(await aclRules(username)).toBe(await aclRules(`${username}_clone`));
    expect(await aclRules(username)).not.toContain('+publish');
  });

  test('setSecret run twice at once converges; the current user is untouched', async () => {
    const initial = randomPassword();
    const { username, store, arn } = await appUserWithMaster(initial);
    const rotation = await beginRotation(store, arn, alternatingUsers(), new RecordingLogger());

    await Promise.all([alternatingUsers().setSecret(rotation.context), alternatingUsers().setSecret(rotation.context)]);
    await alternatingUsers().setSecret(rotation.context);
    await alternatingUsers().testSecret(rotation.context);
    const pending = parse(await store.getValue(arn, { versionId: rotation.token }));
    expect(await redisAccess(pending.username, pending.password)).toBe('works');
    expect(await redisAccess(username, initial)).toBe('works');
  });

  test('a current secret that does not log in: the master changes nothing (the confused-deputy guard)', async () => {
    const initial = randomPassword();
    const { username, store, arn } = await appUserWithMaster(initial, 'not-the-password');
    const rotation = await beginRotation(store, arn, alternatingUsers(), new RecordingLogger());

    const error = await rejectionOf(alternatingUsers().setSecret(rotation.context));
    expect(error.message).toMatch(/current secret.*WRONGPASS/);
    expect(await aclRules(`${username}_clone`)).toBeUndefined();
  });
});

describe('the deploy-time check\'s probe', () => {
  test.each(['redis-single-user', 'redis-alternating-users'] as const)('%s: each version accepted, refused or unreachable; nothing changes, no value in the answer', async (strategy) => {
    const password = randomPassword();
    const username = await createUser('rt_probe', password, APP_RULES);
    const rulesBefore = await aclRules(username);
    const store = new MemorySecretsStore();
    const arn = store.create('redis-probe', secretFor(username, password));
    const current = store.versionIdWith(arn, 'AWSCURRENT')!;
    const wrongPassword = randomPassword();
    const pending = randomUUID();
    store.startRotation(arn, pending);
    await store.putPendingValue(arn, pending, secretFor(username, wrongPassword));
    const placeholder = randomUUID();
    store.startRotation(arn, placeholder);
    const closedPort = store.putCurrent(arn, JSON.stringify({ ...JSON.parse(secretFor(username, password)), port: await freePort() }));
    const log = new RecordingLogger();

    const result = await runProbe(
      { ProbeVersions: { SecretId: arn, VersionIds: [current, pending, placeholder, closedPort] } },
      { store, service: databaseStrategy(strategy, { connectTimeoutSeconds: 3 }), log },
    );

    expect(result.outcomes).toEqual({ [current]: 'accepted', [pending]: 'refused', [placeholder]: 'refused', [closedPort]: 'unreachable' });
    expect(result.reasons).toEqual({
      [pending]: expect.stringMatching(/^WRONGPASS/),
      [placeholder]: 'the version has no value',
      [closedPort]: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(await aclRules(username)).toBe(rulesBefore);
    expect(await redisAccess(username, password)).toBe('works');
    for (const secret of [password, wrongPassword]) expect(JSON.stringify(result) + log.text()).not.toContain(secret);
  });
});

describe('the Redis client', () => {
  const target = (overrides: Record<string, unknown> = {}) => ({
    host: '127.0.0.1',
    port: SHARED_REDIS_PORT,
    username: master.username,
    password: master.password,
    tls: 'disable' as const,
    trust: {},
    connectTimeoutMs: 3000,
    queryTimeoutMs: 3000,
    ...overrides,
  });

  test('a wrong password is `authentication`, without the password in the message', async () => {
    const error = await rejectionOf(connectRedis(target({ password: 'wrong-password-1234' })));
    expect(error).toMatchObject({ reason: 'authentication', message: expect.stringMatching(/^WRONGPASS/) });
    expect(errorText(error)).not.toContain('wrong-password-1234');
  });

  test('TLS to a server without TLS (which never answers the handshake) is `unreachable`, with the hint to set "ssl": false', async () => {
    const error = await rejectionOf(connectRedis(target({ tls: 'verify-full', connectTimeoutMs: 1000 })));
    expect(error).toMatchObject({ reason: 'unreachable', message: expect.stringMatching(/TLS handshake .* got no answer .*"ssl": false/) });
  });

  test('a port nobody listens on is `unreachable`', async () => {
    const error = await rejectionOf(connectRedis(target({ port: 1 })));
    expect(error).toMatchObject({ reason: 'unreachable' });
  });

  test('an ACL SETUSER refused for a password modifier: the reason, not the modifier', async () => {
    const client = await connectRedis(target());
    try {
      const secret = 'no-such-password-5678';
      const error = await rejectionOf(client.query('ACL', ['SETUSER', master.username, `<${secret}`], { sensitive: [secret] }));
      expect(error.message).toMatch(/The password you are trying to remove from the user does not exist/);
      expect(errorText(error)).not.toContain(secret);
    } finally {
      await client.end();
    }
  });
});
