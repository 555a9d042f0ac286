import { hostWithServer, HostFixture, Login, mysqlSession, queryOnce, Transport } from './support';
import type { LocalDatabase } from '../../../simulator/databases';
import { randomPassword } from '../../lambda/rotation/database/harness';

let fixture: HostFixture;
let database: LocalDatabase;
let tls: { readonly ca: string };
const master = { user: 'rds_master', password: randomPassword(), database: 'orders' };

beforeAll(async () => {
  fixture = await hostWithServer('mysql', master);
  ({ database, tls } = fixture);
}, 120_000);

afterAll(() => fixture?.remove());

function queryAs(login: Login, sql: string, params: unknown[] = [], transport: Transport = tls): Promise<Record<string, unknown>[]> {
  return queryOnce(database, login, transport, sql, params);
}

const SESSION = "SELECT CURRENT_USER() AS user, DATABASE() AS db, VARIABLE_VALUE <> '' AS tls FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_CIPHER'";

test('the master logs in with its password over TLS, to localhost, into its database', async () => {
  expect(database).toMatchObject({ engine: 'mysql', host: 'localhost' });
  expect(await queryAs(master, SESSION)).toEqual([{ user: `${master.user}@%`, db: master.database, tls: 1 }]);
});

test('the master holds every privilege with the grant option', async () => {
  expect(await queryAs(master, 'SHOW GRANTS')).toContainEqual({ [`Grants for ${master.user}@%`]: expect.stringMatching(/^GRANT ALL PRIVILEGES ON \*\.\* TO .* WITH GRANT OPTION$/) });
});

test('plaintext logins are allowed (RDS\'s default), except for users that REQUIRE SSL', async () => {
  expect(await queryAs(master, SESSION, [], 'plaintext')).toEqual([{ user: `${master.user}@%`, db: master.database, tls: 0 }]);

  const strict = { user: 'strict', password: randomPassword() };
  await queryAs(master, 'CREATE USER ?@? IDENTIFIED BY ? REQUIRE SSL', [strict.user, '%', strict.password]);
  await expect(mysqlSession(database, strict, 'plaintext')).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  expect(await queryAs(strict, 'SELECT CURRENT_USER() AS user')).toEqual([{ user: 'strict@%' }]);
});

// mysql2 checks the name against `localhost` (the first test) but cannot be made to check another name: that the
// certificate names nothing else is shown by certificate-authority.test.ts and postgres.test.ts.
test('the certificate verifies against caBundleFile only', async () => {
  await expect(mysqlSession(database, master, { ca: fixture.otherCa })).rejects.toMatchObject({ code: 'HANDSHAKE_SSL_ERROR', message: /self-signed certificate in certificate chain/ });
});

test('the master creates a user and grants it what it holds', async () => {
  const app = { user: 'app', password: randomPassword(), database: master.database };
  await queryAs(master, 'CREATE TABLE orders.items (id int)');
  await queryAs(master, 'INSERT INTO orders.items VALUES (7)');
  await queryAs(master, 'CREATE USER ?@? IDENTIFIED BY ?', [app.user, '%', app.password]);
  await queryAs(master, 'GRANT SELECT ON orders.items TO ?@?', [app.user, '%']);

  expect(await queryAs(app, 'SELECT id FROM items')).toEqual([{ id: 7 }]);
  await expect(queryAs(app, 'INSERT INTO items VALUES (8)')).rejects.toMatchObject({ code: 'ER_TABLEACCESS_DENIED_ERROR' });
});

test('root logs in through the socket only (adminQuery), never over TCP', async () => {
  expect(await database.adminQuery('SELECT CURRENT_USER() AS user, ? AS value', ['x'])).toEqual([{ user: 'root@localhost', value: 'x' }]);
  await expect(mysqlSession(database, { user: 'root', password: '' }, 'plaintext')).rejects.toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
  expect(await database.adminQuery("SELECT User AS user, Host AS host FROM mysql.user WHERE User IN ('root', '')")).toEqual([{ user: 'root', host: 'localhost' }]);
});
