import { createConnection } from 'mysql2/promise';
import { beginRotation, errorText, PUNCTUATION, randomPassword, RecordingLogger, rejectionOf, rotate, DATABASE_OPTION_SET } from './harness';
import { mysqlAccepts } from './logins';
import { MemorySecretsStore } from './memory-store';
import { sharedMariaDb } from '../../../support/mariadb';
import { databaseStrategy } from '../../../support/strategies';

const server = sharedMariaDb();
const database = `rt_db_${process.pid}`;
const role = `rt_reader_${process.pid}`;
const master = { username: `rt_admin_${process.pid}`, password: `admin-${PUNCTUATION}` };
const created: Array<[string, string]> = [];
let count = 0;

beforeAll(async () => {
  await server.adminQuery(`CREATE DATABASE \`${database}\``);
  await server.adminQuery(`CREATE TABLE \`${database}\`.orders (id int)`);
  await server.adminQuery(`INSERT INTO \`${database}\`.orders VALUES (42)`);
  await server.adminQuery('CREATE ROLE ?', [role]);
  await server.adminQuery(`GRANT SELECT ON \`${database}\`.* TO ?`, [role]);
  await createAccount(master.username, master.password);
  await server.adminQuery('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master.username, '%']);
  // Granting a role takes ADMIN OPTION on it, which no global privilege includes.
  await server.adminQuery(`GRANT \`${role}\` TO ?@? WITH ADMIN OPTION`, [master.username, '%']);
});

afterAll(async () => {
  for (const [user, host] of created) {
    await server.adminQuery('DROP USER IF EXISTS ?@?', [user, host]);
    await server.adminQuery('DROP USER IF EXISTS ?@?', [`${user}_clone`, host]);
  }
  await server.adminQuery('DROP ROLE IF EXISTS ?', [role]);
  await server.adminQuery(`DROP DATABASE IF EXISTS \`${database}\``);
});

const strategy = () => databaseStrategy('mysql-alternating-users', { connectTimeoutSeconds: 3 });

function uniqueName(prefix = 'rt'): string {
  count += 1;
  return `${prefix}_${process.pid}_${count}`;
}

async function createAccount(user: string, password: string, host = '%'): Promise<void> {
  created.push([user, host]);
  await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
}

/** An application user (a role with a default, a table grant with GRANT OPTION), and a store with its secret and the master's. */
async function setUp(user: string, password: string, options: { host?: string; master?: Record<string, unknown> } = {}) {
  const host = options.host ?? '%';
  await createAccount(user, password, host);
  await server.adminQuery(`GRANT \`${role}\` TO ?@?`, [user, host]);
  await server.adminQuery(`SET DEFAULT ROLE \`${role}\` FOR ?@?`, [user, host]);
  await server.adminQuery(`GRANT INSERT ON \`${database}\`.orders TO ?@? WITH GRANT OPTION`, [user, host]);
  const store = new MemorySecretsStore();
  const masterArn = store.create('mysql-master', JSON.stringify({ ...master, ...options.master }));
  const arn = store.create('mysql-app', secretFor(user, password, { masterarn: masterArn }));
  return { store, arn, masterArn };
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'mariadb', host: '127.0.0.1', port: server.port, username, password, dbname: database, ssl: false, ...extra });
}

function parse(value: string | undefined): { username: string; password: string } {
  return JSON.parse(value!);
}

async function accountExists(user: string, host = '%'): Promise<boolean> {
  return (await server.adminQuery('SELECT 1 FROM mysql.user WHERE User = ? AND Host = ?', [user, host])).length === 1;
}

/** SHOW GRANTS with the grantee blanked and the password hash removed, for comparing two users. */
async function grantsOf(user: string, host = '%'): Promise<string[]> {
  const rows = await server.adminQuery('SHOW GRANTS FOR ?@?', [user, host]);
  return rows
    .map((row) => String(Object.values(row)[0]))
    .map((line) => line.split(`\`${user.replace(/`/g, '``')}\`@\`${host}\``).join('<grantee>').replace(/ IDENTIFIED BY PASSWORD '[^']*'/, ''))
    .sort();
}

test('three rotations alternate the users; the previous user keeps working until its own turn', async () => {
  const user = uniqueName();
  const initial = randomPassword();
  const { store, arn } = await setUp(user, initial);
  const log = new RecordingLogger();
  const values = [{ username: user, password: initial }];

  for (let round = 1; round <= 3; round++) {
    await rotate(store, arn, strategy(), log);
    const current = parse(store.valueAt(arn, 'AWSCURRENT'));
    values.push(current);
    expect(current.username).toBe(round % 2 === 1 ? `${user}_clone` : user);
    expect(await mysqlAccepts(server.port, current.username, current.password)).toBe(true);
    const previous = values[round - 1];
    expect(await mysqlAccepts(server.port, previous.username, previous.password)).toBe(true);
    if (round >= 2) {
      const twoAgo = values[round - 2];
      expect(twoAgo.username).toBe(current.username);
      expect(await mysqlAccepts(server.port, twoAgo.username, twoAgo.password)).toBe(false);
    }
  }
  for (const value of values) expect(log.text()).not.toContain(value.password);
  expect(log.text()).not.toContain(master.password);
});

test('the clone gets the same grants, role and default role, and reads the same table', async () => {
  const user = uniqueName();
  const { store, arn } = await setUp(user, randomPassword());

  await rotate(store, arn, strategy(), new RecordingLogger());

  const clone = `${user}_clone`;
  expect(await grantsOf(clone)).toEqual(await grantsOf(user));
  expect(await grantsOf(clone)).toEqual(expect.arrayContaining([expect.stringContaining('WITH GRANT OPTION'), expect.stringContaining('SET DEFAULT ROLE')]));
  const connection = await createConnection({ host: '127.0.0.1', port: server.port, user: clone, password: parse(store.valueAt(arn, 'AWSCURRENT')).password });
  try {
    const [rows] = await connection.query(`SELECT id FROM \`${database}\`.orders`);
    expect(rows).toEqual([{ id: 42 }]);
  } finally {
    await connection.end();
  }
});

test('an account on host 127.0.0.1 gets its clone on 127.0.0.1', async () => {
  const user = uniqueName();
  const { store, arn } = await setUp(user, randomPassword(), { host: '127.0.0.1' });

  await rotate(store, arn, strategy(), new RecordingLogger());

  expect(await accountExists(`${user}_clone`, '127.0.0.1')).toBe(true);
  expect(await accountExists(`${user}_clone`, '%')).toBe(false);
  expect(await grantsOf(`${user}_clone`, '127.0.0.1')).toEqual(await grantsOf(user, '127.0.0.1'));
});

test('quoted user names and punctuation passwords through the master', async () => {
  const user = uniqueName('o"k \' `x`; DROP USER root; --');
  const initial = `${PUNCTUATION}A1`;
  const { store, arn } = await setUp(user, initial);
  const next = `'); DROP DATABASE ${database}; --\\${PUNCTUATION}`;

  await rotate(store, arn, strategy(), new RecordingLogger(), () => next);

  expect(await mysqlAccepts(server.port, `${user}_clone`, next)).toBe(true);
  expect(await mysqlAccepts(server.port, user, initial)).toBe(true);
  expect(await grantsOf(`${user}_clone`)).toEqual(await grantsOf(user));
  expect(await server.adminQuery(`SELECT id FROM \`${database}\`.orders`)).toEqual([{ id: 42 }]);
});

test('wrong master credentials: setSecret fails, nothing is created, AWSCURRENT keeps working', async () => {
  const user = uniqueName();
  const initial = randomPassword();
  const { store, arn } = await setUp(user, initial, { master: { password: 'not-the-master-password' } });
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/Unable to log into database with the master secret.*Access denied/);
  expect(errorText(error)).not.toContain('not-the-master-password');
  expect(await accountExists(`${user}_clone`)).toBe(false);
  expect(await mysqlAccepts(server.port, user, initial)).toBe(true);
});

test('the current secret must log in, or the master is not used (confused-deputy guard)', async () => {
  const user = uniqueName();
  const { store, arn, masterArn } = await setUp(user, randomPassword());
  store.putCurrent(arn, secretFor(user, 'not-the-password', { masterarn: masterArn }));
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/Unable to log into database with the current secret/);
  expect(await accountExists(`${user}_clone`)).toBe(false);
});

test('a pending secret naming any user but the alternate is refused: the master never resets another account', async () => {
  const user = uniqueName();
  const { store, arn, masterArn } = await setUp(user, randomPassword());
  const victim = uniqueName('victim');
  await createAccount(victim, 'victim-password');
  const token = 'token-not-the-alternate-000000000000';
  store.startRotation(arn, token);
  await store.putPendingValue(arn, token, secretFor(victim, 'attacker-chosen', { masterarn: masterArn }));

  const context = { secretArn: arn, token, store, log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };
  const error = await rejectionOf(strategy().setSecret(context));

  expect(error.message).toMatch(/`username` is not the alternate/);
  expect(await mysqlAccepts(server.port, victim, 'victim-password')).toBe(true);
});

test('a master without CREATE USER: the error quotes no password (mysql2 keeps the SQL on its errors)', async () => {
  const user = uniqueName();
  const weakMaster = uniqueName('weak');
  await createAccount(weakMaster, 'weak-master-password');
  await server.adminQuery('GRANT SELECT ON mysql.* TO ?@?', [weakMaster, '%']);
  await server.adminQuery(`GRANT SELECT ON \`${database}\`.* TO ?@?`, [weakMaster, '%']);
  const { store, arn } = await setUp(user, randomPassword(), { master: { username: weakMaster, password: 'weak-master-password' } });
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);
  const pendingPassword = parse(store.valueAt(arn, 'AWSPENDING')).password;

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/CREATE USER/);
  expect(errorText(error)).not.toContain(pendingPassword);
  expect(log.text()).not.toContain(pendingPassword);
  expect(await accountExists(`${user}_clone`)).toBe(false);
});

test('a grant the master cannot give: the half-made clone is dropped, so a retry starts over', async () => {
  const user = uniqueName();
  const partialMaster = uniqueName('partial');
  await createAccount(partialMaster, 'partial-master-password');
  // May create users and read mysql.user, but holds none of the app's privileges to grant.
  await server.adminQuery('GRANT CREATE USER ON *.* TO ?@?', [partialMaster, '%']);
  await server.adminQuery('GRANT SELECT ON mysql.* TO ?@?', [partialMaster, '%']);
  await server.adminQuery(`GRANT SELECT ON \`${database}\`.* TO ?@?`, [partialMaster, '%']);
  const { store, arn } = await setUp(user, randomPassword(), { master: { username: partialMaster, password: 'partial-master-password' } });
  const rotation = await beginRotation(store, arn, strategy(), new RecordingLogger());

  const error = await rejectionOf(strategy().setSecret(rotation.context));

  expect(error.message).toMatch(/copying the current user's privileges to the alternate user failed at `GRANT .*`, so the user was dropped/);
  expect(await accountExists(`${user}_clone`)).toBe(false);
});

test('setSecret is a no-op when run again, and two at once leave one working clone with every grant', async () => {
  const user = uniqueName();
  const { store, arn } = await setUp(user, randomPassword());
  const log = new RecordingLogger();
  const rotation = await beginRotation(store, arn, strategy(), log);

  await Promise.all([strategy().setSecret(rotation.context), strategy().setSecret(rotation.context)]);
  await strategy().setSecret(rotation.context);

  expect(log.entries.some((entry) => entry.message.includes('already logs in'))).toBe(true);
  await strategy().testSecret(rotation.context);
  expect(await grantsOf(`${user}_clone`)).toEqual(await grantsOf(user));
});

test('createSecret applies the user-name limit of the engine: 32 for MySQL, 80 for MariaDB, 16 for Aurora MySQL 1', async () => {
  const context = { secretArn: 'arn', token: 't', store: new MemorySecretsStore(), log: new RecordingLogger(), options: DATABASE_OPTION_SET, generatePassword: randomPassword };
  const name = 'u'.repeat(27);
  const mysql = await rejectionOf(strategy().createPendingValue(async () => secretFor(name, 'pw', { engine: 'mysql', masterarn: 'm' }), context));
  expect(mysql.message).toMatch(/33 characters, and MySQL \(engine mysql\) allows at most 32/);
  const mariadb = JSON.parse(await strategy().createPendingValue(async () => secretFor(name, 'pw', { engine: 'mariadb', masterarn: 'm' }), context));
  expect(mariadb.username).toBe(`${name}_clone`);
  const aurora = await rejectionOf(strategy().createPendingValue(async () => secretFor('u'.repeat(11), 'pw', { engine: 'aurora', masterarn: 'm' }), context));
  expect(aurora.message).toMatch(/allows at most 16/);
});
