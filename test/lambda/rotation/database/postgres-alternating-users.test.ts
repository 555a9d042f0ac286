import { Client, escapeIdentifier as id, escapeLiteral as literal } from 'pg';
import { beginRotation, errorText, PUNCTUATION, randomPassword, RecordingLogger, rejectionOf, rotate, DATABASE_OPTION_SET } from './harness';
import { postgresAccepts } from './logins';
import { MemorySecretsStore } from './memory-store';
import { startPostgres, PostgresCluster } from '../../../support/postgres';
import { databaseStrategy } from '../../../support/strategies';

let cluster: PostgresCluster;
let count = 0;
const masterUsername = 'rotation_admin';
const masterPassword = `admin-${PUNCTUATION}`;

beforeAll(async () => {
  cluster = await startPostgres();
  // Like an RDS master user: not a superuser, but allowed to create roles and grant membership.
  await cluster.adminQuery(`CREATE ROLE ${id(masterUsername)} LOGIN CREATEROLE PASSWORD ${literal(masterPassword)}`);
  await cluster.adminQuery('CREATE TABLE orders (id int)');
  await cluster.adminQuery('INSERT INTO orders VALUES (42)');
}, 60_000);

afterAll(async () => {
  await cluster?.destroy();
});

const strategy = () => databaseStrategy('postgres-alternating-users', { connectTimeoutSeconds: 3 });

function uniqueName(prefix = 'app'): string {
  count += 1;
  return `${prefix}_${process.pid}_${count}`;
}

/** A user that may read `orders`, and a store holding its secret and the master secret. */
async function setUp(username: string, password: string, master: Record<string, unknown> = {}) {
  await cluster.adminQuery(`CREATE ROLE ${id(username)} LOGIN PASSWORD ${literal(password)}`);
  await cluster.adminQuery(`GRANT SELECT ON orders TO ${id(username)}`);
  const store = new MemorySecretsStore();
  const masterArn = store.create('pg-master', JSON.stringify({ username: masterUsername, password: masterPassword, ...master }));
  const arn = store.create('pg-app', secretFor(username, password, { masterarn: masterArn }));
  return { store, arn, masterArn };
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'postgres', host: '127.0.0.1', port: cluster.port, username, password, dbname: 'postgres', ssl: false, ...extra });
}

function parse(value: string | undefined): { username: string; password: string } {
  return JSON.parse(value!);
}

async function roleExists(name: string): Promise<boolean> {
  return (await cluster.adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).length === 1;
}

async function verifierOf(name: string): Promise<unknown> {
  const [row] = await cluster.adminQuery('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [name]);
  return row?.rolpassword;
}

test('three rotations alternate the users; the previous user keeps working until its own turn', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  const { store, arn } = await setUp(username, initial);
  const log = new RecordingLogger();
  const values = [{ username, password: initial }];

  for (let round = 1; round <= 3; round++) {
    await rotate(store, arn, strategy(), log);
    const current = parse(store.valueAt(arn, 'AWSCURRENT'));
    values.push(current);
    expect(current.username).toBe(round % 2 === 1 ? `${username}_clone` : username);
    expect(await postgresAccepts(cluster.port, current.username, current.password)).toBe(true);
    // The previous user was not touched by this rotation.
    const previous = values[round - 1];
    expect(await postgresAccepts(cluster.port, previous.username, previous.password)).toBe(true);
    // The value from two rotations ago names the user that was just changed: refused.
    if (round >= 2) {
      const twoAgo = values[round - 2];
      expect(twoAgo.username).toBe(current.username);
      expect(await postgresAccepts(cluster.port, twoAgo.username, twoAgo.password)).toBe(false);
    }
  }
  for (const value of values) expect(log.text()).not.toContain(value.password);
  expect(log.text()).not.toContain(masterPassword);
});

test('the clone is a member of the current user and reads what it reads', async () => {
  const username = uniqueName();
  const { store, arn } = await setUp(username, randomPassword());

  await rotate(store, arn, strategy(), new RecordingLogger());

  const clone = `${username}_clone`;
  const members = await cluster.adminQuery(
    'SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = $1 AND u.rolname = $2',
    [username, clone],
  );
  expect(members).toHaveLength(1);
  const client = new Client({ host: '127.0.0.1', port: cluster.port, user: clone, password: parse(store.valueAt(arn, 'AWSCURRENT')).password, database: 'postgres' });
  await client.connect();
  try {
    expect((await client.query('SELECT id FROM orders')).rows).toEqual([{ id: 42 }]);
  } finally {
    await client.end();
  }
});

test('quoted user names and punctuation passwords through the master', async () => {
  const username = uniqueName('o"k \'; DROP TABLE orders; --');
  const initial = `${PUNCTUATION}A1`;
  const { store, arn } = await setUp(username, initial);
  const next = `'; DROP TABLE orders; --\\${PUNCTUATION}`;

  await rotate(store, arn, strategy(), new RecordingLogger(), () => next);

  expect(parse(store.valueAt(arn, 'AWSCURRENT')).username).toBe(`${username}_clone`);
  expect(await postgresAccepts(cluster.port, `${username}_clone`, next)).toBe(true);
  expect(await postgresAccepts(cluster.port, username, initial)).toBe(true);
  expect(await cluster.adminQuery('SELECT count(*)::int AS n FROM orders')).toEqual([{ n: 1 }]);
});

test('wrong master credentials: setSecret fails, nothing is created, AWSCURRENT keeps working', async () => {
  const username = uniqueName();
  const initial = randomPassword();
  const { store, arn } = await setUp(username, initial, { password: 'not-the-master-password' });
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/Unable to log into database with the master secret.*password authentication failed/);
  expect(errorText(error)).not.toContain('not-the-master-password');
  expect(await roleExists(`${username}_clone`)).toBe(false);
  expect(await postgresAccepts(cluster.port, username, initial)).toBe(true);
});

test('the current secret must log in, or the master is not used (confused-deputy guard)', async () => {
  const username = uniqueName();
  const { store, arn, masterArn } = await setUp(username, randomPassword());
  store.putCurrent(arn, secretFor(username, 'not-the-password', { masterarn: masterArn }));
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/Unable to log into database with the current secret/);
  expect(await roleExists(`${username}_clone`)).toBe(false);
});

test('a pending secret naming any user but the alternate is refused: the master never resets the postgres password', async () => {
  const username = uniqueName();
  const { store, arn, masterArn } = await setUp(username, randomPassword());
  const token = 'token-not-the-alternate-000000000000';
  store.startRotation(arn, token);
  await store.putPendingValue(arn, token, secretFor('postgres', 'attacker-chosen', { masterarn: masterArn }));
  const verifier = await verifierOf('postgres');

  const context = { secretArn: arn, token, store, log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };
  const error = await rejectionOf(strategy().setSecret(context));

  expect(error.message).toMatch(/`username` is not the alternate/);
  expect(await verifierOf('postgres')).toBe(verifier);
});

test('a pending secret for another port is refused', async () => {
  const username = uniqueName();
  const { store, arn, masterArn } = await setUp(username, randomPassword());
  const token = 'token-other-port-0000000000000000000';
  store.startRotation(arn, token);
  await store.putPendingValue(arn, token, secretFor(`${username}_clone`, randomPassword(), { masterarn: masterArn, port: 1 }));
  const context = { secretArn: arn, token, store, log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };

  const error = await rejectionOf(strategy().setSecret(context));

  expect(error.message).toMatch(/AWSPENDING secret's `port` differs .* both users must be on one server/);
  expect(await roleExists(`${username}_clone`)).toBe(false);
});

test('a master secret for another host is refused', async () => {
  const username = uniqueName();
  const { store, arn } = await setUp(username, randomPassword(), { host: 'elsewhere.example.com' });
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/master secret.*`host` differs/);
});

test('setSecret is a no-op when run again, and two at once leave one working clone', async () => {
  const username = uniqueName();
  const { store, arn } = await setUp(username, randomPassword());
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);

  await Promise.all([strategy().setSecret(rotation.context), strategy().setSecret(rotation.context)]);
  const clone = `${username}_clone`;
  const verifier = await verifierOf(clone);
  await strategy().setSecret(rotation.context);

  expect(await verifierOf(clone)).toBe(verifier);
  expect(log.entries.some((entry) => entry.message.includes('already logs in'))).toBe(true);
  await strategy().testSecret(rotation.context);
  expect(await postgresAccepts(cluster.port, clone, parse(store.valueAt(arn, 'AWSPENDING')).password)).toBe(true);
});

test('a grant that fails after CREATE ROLE leaves no clone behind, and no password in the error', async () => {
  // Only a superuser may grant membership in a superuser role, so the GRANT fails after CREATE ROLE.
  const username = uniqueName('su');
  const initial = randomPassword();
  const { store, arn } = await setUp(username, initial);
  await cluster.adminQuery(`ALTER ROLE ${id(username)} SUPERUSER`);
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);
  const pendingPassword = parse(store.valueAt(arn, 'AWSPENDING')).password;

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/superuser/);
  expect(await roleExists(`${username}_clone`)).toBe(false);
  expect(errorText(error)).not.toContain(pendingPassword);
  expect(log.text()).not.toContain(pendingPassword);
});

test('createSecret refuses a user name whose clone would exceed 63 bytes, and a secret without masterarn', async () => {
  const context = { secretArn: 'arn', token: 't', store: new MemorySecretsStore(), log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };
  const long = await rejectionOf(strategy().createPendingValue(async () => secretFor('x'.repeat(58), 'pw', { masterarn: 'arn:m' }), context));
  expect(long.message).toMatch(/`username` is too long to alternate: .* 64 bytes, and PostgreSQL allows at most 63/);

  const noMaster = await rejectionOf(strategy().createPendingValue(async () => secretFor('app', 'pw'), context));
  expect(noMaster.message).toMatch(/`masterarn` is missing/);
});
