import { Client, escapeIdentifier as id, escapeLiteral as literal } from 'pg';
import { beginRotation, errorText, RecordingLogger, rejectionOf, rotate } from './harness';
import { postgresAccepts } from './logins';
import { MemorySecretsStore } from './memory-store';
import { parseDatabaseSecret } from '../../../../lambda/rotation/database/secret';
import { generatePassword } from '../../../../lambda/rotation/password';
import { DATABASE_EXCLUDE_CHARACTERS, passwordPolicyWithDefaults, REDSHIFT_FAMILY } from '../../../../src/private/contract';
import { startPostgres, PostgresCluster } from '../../../support/postgres';
import { clearTextPasswordProblem } from '../../../support/redshift-reference';
import { databaseStrategy } from '../../../support/strategies';

/**
 * The Redshift strategies against a real PostgreSQL server, for what Redshift shares with it: the wire protocol and
 * logins, `ALTER USER ... PASSWORD`, `CREATE USER ... PASSWORD`, user groups (`CREATE GROUP`, `ALTER GROUP ... ADD
 * USER`, `PG_GROUP`, `PG_USER`) and transactions. PostgreSQL has no SVV_USER_GRANTS, so these runs take the path of a
 * cluster without roles; the role statements are judged in redshift-statements.test.ts. The master is a superuser,
 * as a Redshift cluster's admin user is. Secrets name no `dbname`, so they connect to Redshift's default, `dev`.
 */

let cluster: PostgresCluster;
let count = 0;
const masterUsername = 'rs_admin';
const masterPassword = 'Admin-Passw0rd';
/** The default options of a Redshift strategy, as the constructs declare them. */
const policy = passwordPolicyWithDefaults({}, DATABASE_EXCLUDE_CHARACTERS);
const newPassword = () => generatePassword(policy);

beforeAll(async () => {
  cluster = await startPostgres();
  await cluster.adminQuery(`CREATE ROLE ${id(masterUsername)} LOGIN SUPERUSER PASSWORD ${literal(masterPassword)}`);
  await cluster.adminQuery('CREATE DATABASE dev');
  await asMaster(async (client) => {
    await client.query('CREATE TABLE sales (id int)');
    await client.query('INSERT INTO sales VALUES (7)');
  });
}, 60_000);

afterAll(async () => {
  await cluster?.destroy();
});

async function asMaster<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ host: '127.0.0.1', port: cluster.port, user: masterUsername, password: masterPassword, database: 'dev' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function uniqueName(prefix = 'rs'): string {
  count += 1;
  return `${prefix}_${process.pid}_${count}`;
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'redshift', host: '127.0.0.1', port: cluster.port, username, password, ssl: false, ...extra });
}

function parse(value: string | undefined): { username: string; password: string } {
  return JSON.parse(value!);
}

/** A user in a new group that may read `sales`, and a store with its secret and the master secret. */
async function setUp(username: string, password: string) {
  const group = `${username}_readers`;
  await asMaster(async (client) => {
    await client.query(`CREATE GROUP ${id(group)}`);
    await client.query(`GRANT SELECT ON sales TO GROUP ${id(group)}`);
    await client.query(`CREATE USER ${id(username)} PASSWORD ${literal(password)}`);
    await client.query(`ALTER GROUP ${id(group)} ADD USER ${id(username)}`);
  });
  const store = new MemorySecretsStore();
  const masterArn = store.create('rs-master', JSON.stringify({ username: masterUsername, password: masterPassword }));
  const arn = store.create('rs-app', secretFor(username, password, { masterarn: masterArn }));
  return { store, arn, masterArn, group };
}

async function groupsOf(username: string): Promise<string[]> {
  const rows = await cluster.adminQuery(
    'SELECT g.groname FROM pg_group g, pg_user u WHERE u.usename = $1 AND u.usesysid = ANY(g.grolist) ORDER BY 1',
    [username],
  );
  return rows.map((row) => String(row.groname));
}

/** Reads `sales` in `dev` as the user: what its groups allow. */
async function readsSales(username: string, password: string): Promise<unknown> {
  const client = new Client({ host: '127.0.0.1', port: cluster.port, user: username, password, database: 'dev' });
  await client.connect();
  try {
    return (await client.query('SELECT id FROM sales')).rows;
  } finally {
    await client.end();
  }
}

test('single user: three rotations; each new password logs in to dev, the replaced one is refused, each is a valid Redshift password', async () => {
  const username = uniqueName();
  const initial = newPassword();
  const { store, arn } = await setUp(username, initial);
  const log = new RecordingLogger();
  const strategy = databaseStrategy('redshift-single-user', { connectTimeoutSeconds: 3 });
  const passwords = [initial];

  for (let round = 1; round <= 3; round++) {
    await rotate(store, arn, strategy, log, newPassword);
    const current = parse(store.valueAt(arn, 'AWSCURRENT'));
    passwords.push(current.password);
    expect(current.username).toBe(username);
    expect(clearTextPasswordProblem(current.password)).toBeUndefined();
    expect(await readsSales(username, current.password)).toEqual([{ id: 7 }]);
    expect(await postgresAccepts(cluster.port, username, passwords[round - 1])).toBe(false);
  }
  for (const password of passwords) expect(log.text()).not.toContain(password);
});

test('alternating users: the clone joins the user\'s groups and reads what they read; the previous user works until its turn', async () => {
  const username = uniqueName();
  const initial = newPassword();
  const { store, arn, group } = await setUp(username, initial);
  const log = new RecordingLogger();
  const strategy = databaseStrategy('redshift-alternating-users', { connectTimeoutSeconds: 3 });
  const clone = `${username}_clone`;
  const values = [{ username, password: initial }];

  for (let round = 1; round <= 3; round++) {
    await rotate(store, arn, strategy, log, newPassword);
    const current = parse(store.valueAt(arn, 'AWSCURRENT'));
    values.push(current);
    expect(current.username).toBe(round % 2 === 1 ? clone : username);
    expect(await readsSales(current.username, current.password)).toEqual([{ id: 7 }]);
    const previous = values[round - 1];
    expect(await postgresAccepts(cluster.port, previous.username, previous.password)).toBe(true);
    if (round >= 2) expect(await postgresAccepts(cluster.port, values[round - 2].username, values[round - 2].password)).toBe(false);
    // After the first rotation the user joins a second group: the clone follows when it is next the one changed.
    if (round === 1) await asMaster((client) => client.query(`CREATE GROUP ${id(`${username}_etl`)} WITH USER ${id(username)}`));
  }
  expect(await groupsOf(clone)).toEqual([`${username}_etl`, group].sort());
  for (const value of values) expect(log.text()).not.toContain(value.password);
  expect(log.text()).not.toContain(masterPassword);
});

test('alternating users: the current secret must log in before the master acts (confused-deputy guard)', async () => {
  const username = uniqueName();
  const { store, arn, masterArn } = await setUp(username, newPassword());
  store.putCurrent(arn, secretFor(username, 'Not-the-passw0rd', { masterarn: masterArn }));
  const strategy = databaseStrategy('redshift-alternating-users', { connectTimeoutSeconds: 3 });
  const rotation = await beginRotation(store, arn, strategy, new RecordingLogger(), newPassword);

  const error = await rejectionOf(strategy.setSecret(rotation.context));

  expect(error.message).toMatch(/Unable to log into database with the current secret/);
  expect(await cluster.adminQuery('SELECT 1 FROM pg_user WHERE usename = $1', [`${username}_clone`])).toEqual([]);
});

test('createUser: a user that does not exist is created by the master, in its groups, with the pending password', async () => {
  const username = uniqueName('new');
  const group = `${username}_readers`;
  await asMaster(async (client) => {
    await client.query(`CREATE GROUP ${id(group)}`);
    await client.query(`GRANT SELECT ON sales TO GROUP ${id(group)}`);
  });
  const store = new MemorySecretsStore();
  const masterArn = store.create('rs-master', JSON.stringify({ username: masterUsername, password: masterPassword }));
  const arn = store.create('rs-new', secretFor(username, 'Initial-passw0rd', { masterarn: masterArn }));
  const strategy = databaseStrategy('redshift-single-user', { connectTimeoutSeconds: 3, createUsers: { [arn]: { memberOf: [group] } } });

  await rotate(store, arn, strategy, new RecordingLogger(), newPassword);

  const current = parse(store.valueAt(arn, 'AWSCURRENT'));
  expect(await groupsOf(username)).toEqual([group]);
  expect(await readsSales(username, current.password)).toEqual([{ id: 7 }]);
});

test('a failed ALTER GROUP leaves no user behind, and no password in the error', async () => {
  const username = uniqueName('new');
  const store = new MemorySecretsStore();
  const masterArn = store.create('rs-master', JSON.stringify({ username: masterUsername, password: masterPassword }));
  const arn = store.create('rs-new', secretFor(username, 'Initial-passw0rd', { masterarn: masterArn }));
  const strategy = databaseStrategy('redshift-single-user', { connectTimeoutSeconds: 3, createUsers: { [arn]: { memberOf: ['no_such_group'] } } });
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy, log, newPassword);
  const pending = parse(store.valueAt(arn, 'AWSPENDING')).password;

  const error = await rejectionOf(strategy.setSecret(rotation.context));

  expect(error.message).toMatch(/creating the user failed.*no_such_group/);
  expect(await cluster.adminQuery('SELECT 1 FROM pg_user WHERE usename = $1', [username])).toEqual([]);
  expect(errorText(error)).not.toContain(pending);
  expect(log.text()).not.toContain(pending);
});

test('a secret whose engine is not redshift is refused before any login', async () => {
  const strategy = databaseStrategy('redshift-single-user');
  const store = new MemorySecretsStore();
  const arn = store.create('pg', JSON.stringify({ engine: 'postgres', host: '127.0.0.1', username: 'x', password: 'y' }));
  const context = { secretArn: arn, token: 't', store, log: new RecordingLogger(), options: { passwordPolicy: policy }, generatePassword: newPassword };

  const error = await rejectionOf(strategy.createPendingValue(async () => store.valueAt(arn, 'AWSCURRENT')!, context));

  expect(error.message).toMatch(/`engine` must be one of redshift for a Redshift rotation strategy/);
});

test('Redshift\'s defaults: port 5439 and database dev', () => {
  const secret = parseDatabaseSecret(JSON.stringify({ engine: 'redshift', host: 'cluster.example.com', username: 'u', password: 'p' }), REDSHIFT_FAMILY, 'the secret');
  expect(secret.port).toBe(5439);
  expect(secret.dbname).toBe('dev');
});

test('a generated password that Redshift would read as a hash is replaced by the next one', async () => {
  const strategy = databaseStrategy('redshift-single-user');
  const store = new MemorySecretsStore();
  const arn = store.create('rs', secretFor('app', 'Initial-passw0rd'));
  const generated = ['md5' + 'Ab1'.repeat(10), 'sha256|Ab1' + 'x'.repeat(20), 'Good-passw0rd-Ab1'];
  const context = { secretArn: arn, token: 't', store, log: new RecordingLogger(), options: { passwordPolicy: policy }, generatePassword: () => generated.shift()! };

  const pending = parse(await strategy.createPendingValue(async () => store.valueAt(arn, 'AWSCURRENT')!, context));

  expect(pending.password).toBe('Good-passw0rd-Ab1');
  expect(generated).toEqual([]);
});

test('options that never make a Redshift password fail createSecret saying why, without a password', async () => {
  const strategy = databaseStrategy('redshift-single-user');
  const store = new MemorySecretsStore();
  const arn = store.create('rs', secretFor('app', 'Initial-passw0rd'));
  const lowercaseOnly = generatePassword.bind(undefined, { ...policy, excludeUppercase: true, excludeNumbers: true, excludePunctuation: true });
  const context = { secretArn: arn, token: 't', store, log: new RecordingLogger(), options: { passwordPolicy: policy }, generatePassword: lowercaseOnly };

  const error = await rejectionOf(strategy.createPendingValue(async () => store.valueAt(arn, 'AWSCURRENT')!, context));

  expect(error.message).toBe('the password options make passwords that Redshift refuses: 10 generated passwords in a row each lacks an uppercase letter, a lowercase letter or a digit, which Amazon Redshift requires');
});
