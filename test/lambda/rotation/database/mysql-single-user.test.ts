import * as fc from 'fast-check';
import { beginRotation, errorText, PUNCTUATION, randomPassword, RecordingLogger, rejectionOf, rotate, DATABASE_OPTION_SET } from './harness';
import { mysqlAccepts } from './logins';
import { MemorySecretsStore } from './memory-store';
import { sharedMariaDb } from '../../../support/mariadb';
import { databaseStrategy } from '../../../support/strategies';

const server = sharedMariaDb();
const created: Array<[string, string]> = [];
let count = 0;

afterAll(async () => {
  for (const [user, host] of created) await server.adminQuery('DROP USER IF EXISTS ?@?', [user, host]);
});

const strategy = () => databaseStrategy('mysql-single-user', { connectTimeoutSeconds: 3 });

function uniqueName(prefix = 'rt'): string {
  count += 1;
  return `${prefix}_${process.pid}_${count}`;
}

async function createUser(user: string, password: string, host = '%'): Promise<void> {
  created.push([user, host]);
  await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'mariadb', host: '127.0.0.1', port: server.port, username, password, ssl: false, ...extra });
}

function passwordOf(value: string | undefined): string {
  return JSON.parse(value!).password;
}

async function passwordHash(user: string, host: string): Promise<unknown> {
  const [row] = await server.adminQuery('SELECT authentication_string AS hash FROM mysql.user WHERE User = ? AND Host = ?', [user, host]);
  return row?.hash;
}

test('this server checks passwords: a wrong one is refused', async () => {
  const user = uniqueName();
  await createUser(user, 'right-password');
  expect(await mysqlAccepts(server.port, user, 'right-password')).toBe(true);
  expect(await mysqlAccepts(server.port, user, 'wrong-password')).toBe(false);
});

test('three rotations: AWSCURRENT logs in after each, and older passwords are refused', async () => {
  const user = uniqueName();
  const initial = randomPassword();
  await createUser(user, initial);
  await server.adminQuery('GRANT SELECT ON test.* TO ?@?', [user, '%']);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-single', secretFor(user, initial, { dbname: 'test' }));
  const log = new RecordingLogger();
  const passwords = [initial];

  for (let round = 1; round <= 3; round++) {
    await rotate(store, arn, strategy(), log);
    const current = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!);
    passwords.push(current.password);
    expect(current).toMatchObject({ username: user, dbname: 'test' });
    expect(await mysqlAccepts(server.port, user, current.password)).toBe(true);
    expect(await mysqlAccepts(server.port, user, passwords[round - 1])).toBe(false);
    if (round >= 2) expect(await mysqlAccepts(server.port, user, passwords[round - 2])).toBe(false);
  }
  for (const password of passwords) expect(log.text()).not.toContain(password);
});

test('the account the user logged in as is changed, not another host entry of the same name', async () => {
  const user = uniqueName();
  const initial = randomPassword();
  // TCP logins from 127.0.0.1 match the '127.0.0.1' entry (the server skips name resolution); 'localhost' is another account.
  await createUser(user, initial, '127.0.0.1');
  await createUser(user, 'socket-password', 'localhost');
  const otherHash = await passwordHash(user, 'localhost');
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-host', secretFor(user, initial));

  await rotate(store, arn, strategy(), new RecordingLogger());

  expect(await mysqlAccepts(server.port, user, passwordOf(store.valueAt(arn, 'AWSCURRENT')))).toBe(true);
  expect(await passwordHash(user, 'localhost')).toBe(otherHash);
});

test('a user name with quotes, spaces and a semicolon, and passwords with every punctuation character', async () => {
  const user = uniqueName('we"ird \' `name`; DROP USER root; --');
  const initial = `${PUNCTUATION} Aa1`;
  await createUser(user, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-injection', secretFor(user, initial));
  const next = `\\'); DROP USER 'root'@'127.0.0.1'; --${PUNCTUATION}Zz9`;

  await rotate(store, arn, strategy(), new RecordingLogger(), () => next);

  expect(await mysqlAccepts(server.port, user, next)).toBe(true);
  expect(await mysqlAccepts(server.port, user, initial)).toBe(false);
  expect(await server.adminQuery("SELECT 1 FROM mysql.user WHERE User = 'root' AND Host = '127.0.0.1'")).toHaveLength(1);
});

test('property: any printable user name and password rotate and log in', async () => {
  // Half the characters are punctuation (quotes and backslashes included), so escaping is exercised on most runs.
  const character = fc.oneof(fc.constantFrom(...PUNCTUATION), fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)));
  const printable = fc.string({ unit: character, minLength: 1, maxLength: 30 });
  // MySQL compares account names ignoring trailing spaces, so a name ending in one would be another user's.
  const namePart = printable.filter((text) => !text.endsWith(' '));
  await fc.assert(
    fc.asyncProperty(namePart, printable, printable, async (part, initial, next) => {
      const user = `${uniqueName('p')}_${part}`;
      await createUser(user, initial);
      const store = new MemorySecretsStore();
      const arn = store.create('mysql-property', secretFor(user, initial));
      await rotate(store, arn, strategy(), new RecordingLogger(), () => next);
      expect(await mysqlAccepts(server.port, user, next)).toBe(true);
      if (next !== initial) expect(await mysqlAccepts(server.port, user, initial)).toBe(false);
    }),
    { numRuns: 15 },
  );
});

test('setSecret run again after it succeeded changes nothing', async () => {
  const user = uniqueName();
  const initial = randomPassword();
  await createUser(user, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-twice', secretFor(user, initial));
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);

  await strategy().setSecret(rotation.context);
  await strategy().setSecret(rotation.context);

  expect(log.entries.filter((entry) => entry.message === 'set the pending password')).toHaveLength(1);
  expect(log.entries.filter((entry) => entry.message.includes('already logs in'))).toHaveLength(1);
  expect(await mysqlAccepts(server.port, user, passwordOf(store.valueAt(arn, 'AWSPENDING')))).toBe(true);
});

test('a pending secret for another host is refused before anything changes', async () => {
  const user = uniqueName();
  const initial = randomPassword();
  await createUser(user, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-host-mismatch', secretFor(user, initial));
  const token = 'token-host-mismatch-0000000000000000';
  store.startRotation(arn, token);
  const pendingPassword = randomPassword();
  await store.putPendingValue(arn, token, secretFor(user, pendingPassword, { host: 'db.other.example' }));

  const context = { secretArn: arn, token, store, log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };
  const error = await rejectionOf(strategy().setSecret(context));

  expect(error.message).toMatch(/`host` differs/);
  expect(errorText(error)).not.toContain(pendingPassword);
  expect(await mysqlAccepts(server.port, user, initial)).toBe(true);
});

test('no login works: the error names every attempt and quotes no password', async () => {
  const user = uniqueName();
  await createUser(user, 'the-real-password');
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-no-login', secretFor(user, 'stale-password-1'));
  store.putCurrent(arn, secretFor(user, 'stale-password-2'));
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/^Unable to log into database with previous, current, or pending secret \(pending: .*Access denied.*; current: .*; previous: .*\)$/);
  expect(errorText(error)).not.toMatch(/stale-password|the-real-password/);
  expect(await mysqlAccepts(server.port, user, 'the-real-password')).toBe(true);
});

test('malformed secrets fail with the field named and no value quoted', async () => {
  const context = { secretArn: 'arn', token: 't', store: new MemorySecretsStore(), log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };
  const missing = await rejectionOf(strategy().createPendingValue(async () => JSON.stringify({ engine: 'mysql', host: 'h', username: 'u' }), context));
  expect(missing.message).toMatch(/`password` is missing/);
  const wrongType = await rejectionOf(strategy().createPendingValue(async () => secretFor('u', 'p', { port: 'hunter2' }), context));
  expect(wrongType.message).toMatch(/`port` must be a whole number/);
  expect(errorText(wrongType)).not.toContain('hunter2');
  const badSsl = await rejectionOf(strategy().createPendingValue(async () => secretFor('u', 'p', { ssl: 'yes' }), context));
  expect(badSsl.message).toMatch(/`ssl` must be true, false/);
});

test('a secret without `ssl` asks for verified TLS: a server without TLS fails with the fix in the message', async () => {
  const user = uniqueName();
  const initial = randomPassword();
  await createUser(user, initial);
  const store = new MemorySecretsStore();
  const withoutSsl = { ...JSON.parse(secretFor(user, initial)), host: 'localhost' };
  delete withoutSsl.ssl;
  const arn = store.create('mysql-no-tls', JSON.stringify(withoutSsl));
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/current: the server does not support TLS; to connect without TLS, set "ssl": false in the secret/);
  expect(await mysqlAccepts(server.port, user, initial)).toBe(true);
});
