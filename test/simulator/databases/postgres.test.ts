import { readFile, rm } from 'node:fs/promises';
import { escapeIdentifier as id, escapeLiteral as literal } from 'pg';
import { postgresSession, serverDirectories, workDirWithOtherCa } from './support';
import { createLocalDatabaseHost, DatabaseHost, LocalDatabase } from '../../../simulator/databases';
import { randomPassword } from '../../lambda/rotation/db/harness';

let workDir: string;
let otherCa: string;
let host: DatabaseHost;
let database: LocalDatabase;
let tls: { readonly ca: string };
const master = { user: 'rds_master', password: randomPassword(), database: 'orders' };

beforeAll(async () => {
  ({ workDir, otherCa } = await workDirWithOtherCa());
  host = await createLocalDatabaseHost({ workDir });
  database = await host.start({ engine: 'postgres', masterUsername: master.user, masterPassword: master.password, databaseName: master.database });
  tls = { ca: await readFile(host.caBundleFile, 'utf8') };
}, 120_000);

afterAll(async () => {
  await host?.destroyAll();
  await rm(workDir, { recursive: true, force: true });
});

async function queryAs(login: typeof master, sql: string): Promise<Record<string, unknown>[]> {
  const client = await postgresSession(database, login, tls);
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

test('the master logs in with its password over TLS, to localhost, into the database it owns', async () => {
  const rows = await queryAs(master, `SELECT current_user AS "user", ssl, pg_get_userbyid(datdba) AS owner
    FROM pg_stat_ssl, pg_database WHERE pid = pg_backend_pid() AND datname = current_database()`);

  expect(database).toMatchObject({ engine: 'postgres', host: 'localhost' });
  expect(rows).toEqual([{ user: master.user, ssl: true, owner: master.user }]);
});

test('the master is like RDS\'s: it may create roles and databases, but is no superuser', async () => {
  const [role] = await database.adminQuery('SELECT rolsuper, rolcreaterole, rolcreatedb, rolcanlogin FROM pg_roles WHERE rolname = $1', [master.user]);

  expect(role).toEqual({ rolsuper: false, rolcreaterole: true, rolcreatedb: true, rolcanlogin: true });
});

test('a wrong password is refused', async () => {
  await expect(postgresSession(database, { ...master, password: `${master.password}x` }, tls)).rejects.toMatchObject({ code: '28P01' });
});

test('plaintext logins are refused (as RDS for PostgreSQL 15 and later does by default)', async () => {
  await expect(postgresSession(database, master, 'plaintext')).rejects.toThrow(/pg_hba.conf rejects connection .* no encryption/);
});

test('the certificate is for localhost and verifies against caBundleFile only', async () => {
  await expect(postgresSession(database, master, { ca: otherCa })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  await expect(postgresSession(database, master, { ...tls, host: '127.0.0.1' })).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
});

test('the master creates a user and grants it a table and its own membership to another', async () => {
  const app = { user: 'app', password: randomPassword(), database: master.database };
  const clone = { user: 'app_clone', password: randomPassword(), database: master.database };
  await queryAs(master, `CREATE TABLE items (id int); INSERT INTO items VALUES (7);
    CREATE ROLE ${id(app.user)} LOGIN PASSWORD ${literal(app.password)}; GRANT SELECT ON items TO ${id(app.user)};
    CREATE ROLE ${id(clone.user)} LOGIN PASSWORD ${literal(clone.password)}; GRANT ${id(app.user)} TO ${id(clone.user)}`);

  expect(await queryAs(app, 'SELECT id FROM items')).toEqual([{ id: 7 }]);
  expect(await queryAs(clone, 'SELECT id FROM items')).toEqual([{ id: 7 }]);
});

test('adminQuery runs as the server\'s superuser, with parameters', async () => {
  expect(await database.adminQuery('SELECT current_user AS "user", $1::text AS value', ['x'])).toEqual([{ user: 'postgres', value: 'x' }]);
});

test('stop and start keep the data', async () => {
  await queryAs(master, 'CREATE TABLE kept (id int); INSERT INTO kept VALUES (1)');

  await database.stop();
  await expect(postgresSession(database, master, tls)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await database.start();

  expect(await queryAs(master, 'SELECT id FROM kept')).toEqual([{ id: 1 }]);
});

test('without TLS, plaintext logins work and still check the password', async () => {
  const plain = await host.start({ engine: 'postgres', masterUsername: 'plain_master', masterPassword: master.password, tls: false });
  try {
    const client = await postgresSession(plain, { user: 'plain_master', password: master.password }, 'plaintext');
    await client.end();
    await expect(postgresSession(plain, { user: 'plain_master', password: 'wrong' }, 'plaintext')).rejects.toMatchObject({ code: '28P01' });
    await expect(postgresSession(plain, { user: 'plain_master', password: master.password }, tls)).rejects.toThrow(/does not support SSL/);
  } finally {
    await plain.destroy();
  }
});

test('destroy stops the server and removes its directory', async () => {
  const before = await serverDirectories(workDir, 'postgres');
  const doomed = await host.start({ engine: 'postgres', masterUsername: 'doomed', masterPassword: master.password });
  expect(await serverDirectories(workDir, 'postgres')).toHaveLength(before.length + 1);

  await doomed.destroy();

  expect(await serverDirectories(workDir, 'postgres')).toEqual(before);
  await expect(postgresSession(doomed, { user: 'doomed', password: master.password }, tls)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
});
