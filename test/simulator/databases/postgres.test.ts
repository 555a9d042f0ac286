import { escapeIdentifier as id, escapeLiteral as literal } from 'pg';
import { hostWithServer, HostFixture, Login, postgresSession, queryOnce } from './support';
import type { LocalDatabase } from '../../../simulator/databases';
import { randomPassword } from '../../lambda/rotation/database/harness';

let fixture: HostFixture;
let database: LocalDatabase;
let tls: { readonly ca: string };
const master = { user: 'rds_master', password: randomPassword(), database: 'orders' };

beforeAll(async () => {
  fixture = await hostWithServer('postgres', master);
  ({ database, tls } = fixture);
}, 120_000);

afterAll(() => fixture?.remove());

function queryAs(login: Login, sql: string): Promise<Record<string, unknown>[]> {
  return queryOnce(database, login, tls, sql);
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

test('plaintext logins are refused (as RDS for PostgreSQL 15 and later does by default)', async () => {
  await expect(postgresSession(database, master, 'plaintext')).rejects.toThrow(/pg_hba.conf rejects connection .* no encryption/);
});

test('the certificate is for localhost and verifies against caBundleFile only', async () => {
  await expect(postgresSession(database, master, { ca: fixture.otherCa })).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
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
  expect(await database.adminQuery('SELECT current_user AS "user", $1::text AS value', ['x'])).toEqual([{ user: 'rdsadmin', value: 'x' }]);
});
