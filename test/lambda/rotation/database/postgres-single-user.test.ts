import * as fc from 'fast-check';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { beginRotation, errorText, finishRotation, PUNCTUATION, randomPassword, RecordingLogger, rejectionOf, rotate, DATABASE_OPTION_SET } from './harness';
import { postgresAccepts } from './logins';
import { MemorySecretsStore } from './memory-store';
import { startPostgres, PostgresCluster } from '../../../support/postgres';
import { databaseStrategy } from '../../../support/strategies';

let cluster: PostgresCluster;
let userCount = 0;

beforeAll(async () => {
  cluster = await startPostgres();
}, 60_000);

afterAll(async () => {
  await cluster?.destroy();
});

const strategy = () => databaseStrategy('postgres-single-user', { connectTimeoutSeconds: 3 });

function uniqueName(prefix = 'app'): string {
  userCount += 1;
  return `${prefix}_${process.pid}_${userCount}`;
}

async function createUser(username: string, password: string): Promise<void> {
  await cluster.adminQuery(`CREATE ROLE ${escapeIdentifier(username)} LOGIN PASSWORD ${escapeLiteral(password)}`);
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: cluster.port, username, password, dbname: 'postgres', ssl: false, ...extra });
}

function passwordOf(value: string | undefined): string {
  return JSON.parse(value!).password;
}

async function storedVerifier(username: string): Promise<unknown> {
  const [row] = await cluster.adminQuery('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [username]);
  return row.rolpassword;
}

test('this server checks passwords: a wrong one is refused', async () => {
  const username = uniqueName();
  await createUser(username, 'right-password');
  expect(await postgresAccepts(cluster.port, username, 'right-password')).toBe(true);
  expect(await postgresAccepts(cluster.port, username, 'wrong-password')).toBe(false);
});

test('three rotations: AWSCURRENT logs in after each, and older passwords are refused', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-single', secretFor(username, initial, { proxy: 'kept' }));
  const log = new RecordingLogger();
  const passwords = [initial];

  for (let round = 1; round <= 3; round++) {
    await rotate(store, arn, strategy(), log);
    const current = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!);
    passwords.push(current.password);
    expect(current).toMatchObject({ username, host: '127.0.0.1', port: cluster.port, proxy: 'kept' });
    expect(await postgresAccepts(cluster.port, username, current.password)).toBe(true);
    // Single user: the previous password stops working at once, and so does the one before it.
    expect(await postgresAccepts(cluster.port, username, passwords[round - 1])).toBe(false);
    if (round >= 2) expect(await postgresAccepts(cluster.port, username, passwords[round - 2])).toBe(false);
  }
  expect(new Set(passwords).size).toBe(4);
  for (const password of passwords) expect(log.text()).not.toContain(password);
});

test('a user name with quotes, spaces and a semicolon, and passwords with every punctuation character', async () => {
  // The private server's superuser is rdsadmin, as in RDS: the injected statements aim at it.
  const username = uniqueName('we"ird \' name; DROP ROLE rdsadmin; --');
  const initial = `${PUNCTUATION} Aa1`;
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-injection', secretFor(username, initial));
  const next = `\\'; ALTER ROLE rdsadmin PASSWORD 'x'; --${PUNCTUATION}Zz9`;

  await rotate(store, arn, strategy(), new RecordingLogger(), () => next);

  expect(passwordOf(store.valueAt(arn, 'AWSCURRENT'))).toBe(next);
  expect(await postgresAccepts(cluster.port, username, next)).toBe(true);
  expect(await postgresAccepts(cluster.port, username, initial)).toBe(false);
  // The text after the quotes ran as nothing: rdsadmin is still a superuser without that password.
  expect(await cluster.adminQuery("SELECT 1 FROM pg_roles WHERE rolname = 'rdsadmin' AND rolsuper")).toHaveLength(1);
  expect(await postgresAccepts(cluster.port, 'rdsadmin', 'x')).toBe(false);
});

test('property: any user name and password rotate and log in', async () => {
  // Half the characters are punctuation (quotes and backslashes included), so escaping is exercised on most runs.
  const character = fc.oneof(fc.constantFrom(...PUNCTUATION), fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)));
  const printable = fc.string({ unit: character, minLength: 1, maxLength: 30 });
  const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }).filter((text) => !text.includes('\u0000'));
  // PostgreSQL names are at most 63 bytes; the unique prefix takes about 15.
  const namePart = fc.oneof(printable, unicode).filter((text) => Buffer.byteLength(text) <= 45);
  await fc.assert(
    fc.asyncProperty(namePart, printable, printable, async (part, initial, next) => {
      const username = `${uniqueName('p')}_${part}`;
      await createUser(username, initial);
      const store = new MemorySecretsStore();
      const arn = store.create('pg-property', secretFor(username, initial));
      await rotate(store, arn, strategy(), new RecordingLogger(), () => next);
      expect(await postgresAccepts(cluster.port, username, next)).toBe(true);
      if (next !== initial) expect(await postgresAccepts(cluster.port, username, initial)).toBe(false);
    }),
    { numRuns: 15 },
  );
});

test('database down during setSecret: the step fails, AWSCURRENT keeps working, and the retry succeeds', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-down', secretFor(username, initial));
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);

  await cluster.stop();
  let error: Error;
  try {
    error = await rejectionOf(strategy().setSecret(rotation.context));
  } finally {
    await cluster.start();
  }
  expect(error.message).toMatch(/Unable to log into database with previous, current, or pending secret/);
  expect(error.message).toMatch(/ECONNREFUSED/);
  expect(await postgresAccepts(cluster.port, username, initial)).toBe(true);

  await strategy().setSecret(rotation.context);
  await strategy().testSecret(rotation.context);
  await finishRotation(store, rotation);
  expect(await postgresAccepts(cluster.port, username, passwordOf(store.valueAt(arn, 'AWSCURRENT')))).toBe(true);
  expect(await postgresAccepts(cluster.port, username, initial)).toBe(false);
});

test('setSecret run again after it succeeded changes nothing', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-twice', secretFor(username, initial));
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);
  await strategy().setSecret(rotation.context);
  const verifier = await storedVerifier(username);

  await strategy().setSecret(rotation.context);

  // ALTER USER would store a fresh salt, so an unchanged verifier proves no second change.
  expect(await storedVerifier(username)).toBe(verifier);
  expect(log.entries.filter((entry) => entry.message.includes('already logs in'))).toHaveLength(1);
});

test('after a manual change of AWSCURRENT that the database never saw, the AWSPREVIOUS password is used', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-previous', secretFor(username, initial));
  store.putCurrent(arn, secretFor(username, 'never-set-in-the-database'));
  const log = new RecordingLogger();

  await rotate(store, arn, strategy(), log);

  expect(await postgresAccepts(cluster.port, username, passwordOf(store.valueAt(arn, 'AWSCURRENT')))).toBe(true);
  expect(log.entries.some((entry) => entry.fields?.loggedInWith === 'previous')).toBe(true);
});

test('a pending secret for another host is refused before anything changes', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-host', secretFor(username, initial));
  const token = 'token-host-mismatch-0000000000000000';
  store.startRotation(arn, token);
  const pendingPassword = randomPassword();
  await store.putPendingValue(arn, token, secretFor(username, pendingPassword, { host: 'localhost' }));
  const context = { secretArn: arn, token, store, log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };

  const error = await rejectionOf(strategy().setSecret(context));

  expect(error.message).toMatch(/`host` differs/);
  expect(errorText(error)).not.toContain(pendingPassword);
  expect(await postgresAccepts(cluster.port, username, initial)).toBe(true);
});

test('a failing ALTER USER never puts the password into the error or the logs', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  // Every transaction of this user is read-only, so its ALTER USER fails after the password is in the SQL.
  await cluster.adminQuery(`ALTER ROLE ${escapeIdentifier(username)} SET default_transaction_read_only = on`);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-alter-fails', secretFor(username, initial));
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);
  const pendingPassword = passwordOf(store.valueAt(arn, 'AWSPENDING'));

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/read-only transaction.*\(25006\)/);
  expect(errorText(error)).not.toContain(pendingPassword);
  expect(log.text()).not.toContain(pendingPassword);
});

test('malformed secrets fail createSecret with the field named and no value quoted', async () => {
  const context = { secretArn: 'arn', token: 't', store: new MemorySecretsStore(), log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };
  const notJson = '{"password": "hunter2-secret", ';
  const notJsonError = await rejectionOf(strategy().createPendingValue(async () => notJson, context));
  expect(notJsonError.message).toMatch(/AWSCURRENT secret is not valid JSON/);
  expect(errorText(notJsonError)).not.toContain('hunter2');

  const wrongEngine = await rejectionOf(strategy().createPendingValue(async () => secretFor('u', 'hunter2-secret', { engine: 'mysql' }), context));
  expect(wrongEngine.message).toMatch(/`engine` must be one of postgres, aurora-postgresql/);
});

test('a secret without `ssl` asks for verified TLS: a server without TLS fails with the fix in the message', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const withoutSsl = JSON.parse(secretFor(username, initial));
  delete withoutSsl.ssl;
  const arn = store.create('pg-no-tls', JSON.stringify(withoutSsl));
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/current: the server does not support TLS; to connect without TLS, set "ssl": false in the secret/);
  expect(await postgresAccepts(cluster.port, username, initial)).toBe(true);
});

test('testSecret fails when the pending secret does not log in', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  await createUser(username, initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-test-fails', secretFor(username, initial));
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  // setSecret never ran, so the database does not know the pending password.
  const error = await rejectionOf(strategy().testSecret(rotation.context));

  expect(error.message).toMatch(/^Unable to log into database with the pending secret \(password authentication failed .*\(28P01\)\)$/);
});

test('an unreadable AWSPREVIOUS is reported, not used, and its content not quoted', async () => {
  const username = uniqueName();
  await createUser(username, randomPassword());
  const store = new MemorySecretsStore();
  const arn = store.create('pg-bad-previous', '{"password": "previous-secret-value", ');
  store.putCurrent(arn, secretFor(username, 'not-the-password'));
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/previous: the AWSPREVIOUS secret is not valid JSON/);
  expect(errorText(error) + log.text()).not.toContain('previous-secret-value');
});
