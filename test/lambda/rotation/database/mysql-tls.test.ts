import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { createTestCertificates, issueServerCertificate, TestCertificates } from './certificates';
import { loginWithExtraCaCerts } from './extra-ca';
import { beginRotation, randomPassword, RecordingLogger, rejectionOf, rotate } from './harness';
import { mysqlAccepts } from './logins';
import { MemorySecretsStore } from './memory-store';
import { PrivateMariaDbServer, startMariaDb } from '../../../support/mariadb';
import { databaseStrategy } from '../../../support/strategies';

// The shared MariaDB serves no TLS, so this file runs its own mariadbd with a throwaway certificate.
let dir: string;
let server: PrivateMariaDbServer;
let certificates: TestCertificates;
let otherCa: string;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotation-mariadb-tls-'));
  certificates = await createTestCertificates(dir, 'mariadb', ['localhost']);
  otherCa = (await createTestCertificates(dir, 'other', ['localhost'])).caPem;
  server = await startMariaDb({ tls: certificates });
}, 90_000);

afterAll(async () => {
  await server?.destroy();
  await rm(dir, { recursive: true, force: true });
});

/** A user that must log in over TLS (REQUIRE SSL), so any login that works proves TLS was used. */
async function createUser(password: string, grant?: { privileges: string; withGrantOption?: boolean }): Promise<string> {
  count += 1;
  const user = `tls_${count}`;
  await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ? REQUIRE SSL', [user, '%', password]);
  if (grant) await server.adminQuery(`GRANT ${grant.privileges} TO ?@?${grant.withGrantOption ? ' WITH GRANT OPTION' : ''}`, [user, '%']);
  return user;
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'mariadb', host: 'localhost', port: server.port, username, password, ...extra });
}

test('without `ssl` the rotation uses verified TLS, and a user that requires TLS is refused plaintext', async () => {
  const initial = randomPassword();
  const user = await createUser(initial);
  expect(await mysqlAccepts(server.port, user, initial)).toBe(false);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-tls', secretFor(user, initial));

  await rotate(store, arn, databaseStrategy('mysql-single-user', { trustedCa: certificates.caPem }), new RecordingLogger());

  const current = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!).password;
  expect(await mysqlAccepts(server.port, user, current, { ca: certificates.caPem })).toBe(true);
  expect(await mysqlAccepts(server.port, user, initial, { ca: certificates.caPem })).toBe(false);
});

test('alternating users over TLS: the clone keeps REQUIRE SSL', async () => {
  const masterPassword = randomPassword();
  const master = await createUser(masterPassword, { privileges: 'ALL PRIVILEGES ON *.*', withGrantOption: true });
  const initial = randomPassword();
  const user = await createUser(initial, { privileges: 'SELECT ON mysql.*' });
  const store = new MemorySecretsStore();
  const masterArn = store.create('mysql-tls-master', JSON.stringify({ username: master, password: masterPassword }));
  const arn = store.create('mysql-tls-app', secretFor(user, initial, { ssl: 'true', masterarn: masterArn }));

  await rotate(store, arn, databaseStrategy('mysql-alternating-users', { trustedCa: certificates.caPem }), new RecordingLogger());

  const current = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!);
  expect(current.username).toBe(`${user}_clone`);
  expect(await mysqlAccepts(server.port, current.username, current.password, { ca: certificates.caPem })).toBe(true);
  expect(await mysqlAccepts(server.port, current.username, current.password)).toBe(false);
});

/** SHOW CREATE USER without the account and its password hash: what the account requires and allows. */
async function accountOptions(user: string): Promise<string> {
  const [row] = await server.adminQuery('SHOW CREATE USER ?@?', [user, '%']);
  return String(Object.values(row)[0]).replace(/^CREATE USER \S+ IDENTIFIED BY PASSWORD '[^']*' /, '');
}

test('the clone keeps what SHOW GRANTS leaves out: REQUIRE SSL, the default role, resource limits and the password policy', async () => {
  count += 1;
  const role = `tls_reader_${count}`;
  await server.adminQuery('CREATE ROLE ?', [role]);
  await server.adminQuery(`GRANT SELECT ON mysql.db TO \`${role}\``);
  const masterPassword = randomPassword();
  const master = await createUser(masterPassword, { privileges: 'ALL PRIVILEGES ON *.*', withGrantOption: true });
  await server.adminQuery(`GRANT \`${role}\` TO ?@? WITH ADMIN OPTION`, [master, '%']);
  const initial = randomPassword();
  const user = await createUser(initial);
  await server.adminQuery('ALTER USER ?@? WITH MAX_QUERIES_PER_HOUR 500 PASSWORD EXPIRE INTERVAL 90 DAY', [user, '%']);
  await server.adminQuery(`GRANT \`${role}\` TO ?@?`, [user, '%']);
  await server.adminQuery(`SET DEFAULT ROLE \`${role}\` FOR ?@?`, [user, '%']);
  const store = new MemorySecretsStore();
  const masterArn = store.create('mysql-tls-master', JSON.stringify({ username: master, password: masterPassword }));
  const arn = store.create('mysql-tls-options', secretFor(user, initial, { masterarn: masterArn }));

  await rotate(store, arn, databaseStrategy('mysql-alternating-users', { trustedCa: certificates.caPem }), new RecordingLogger());

  const clone = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!);
  expect(clone.username).toBe(`${user}_clone`);
  expect(await accountOptions(clone.username)).toBe('REQUIRE SSL WITH MAX_QUERIES_PER_HOUR 500 PASSWORD EXPIRE INTERVAL 90 DAY');
  expect(await accountOptions(clone.username)).toBe(await accountOptions(user));
  expect(await mysqlAccepts(server.port, clone.username, clone.password)).toBe(false);
  const session = await createConnection({
    host: 'localhost', port: server.port, user: clone.username, password: clone.password, ssl: { ca: certificates.caPem, rejectUnauthorized: true },
  });
  try {
    const [rows] = await session.query('SELECT CURRENT_ROLE() AS role');
    expect(rows).toEqual([{ role }]);
  } finally {
    await session.end();
  }
});

// The server sends its CA's certificate along with its own (--ssl-ca), so an untrusted CA shows as a self-signed chain.
test.each([
  ['a certificate from a CA outside Node\'s default store', undefined, 'localhost', /TLS certificate did not verify: self-signed certificate in certificate chain/],
  ['a certificate from another CA', 'other', 'localhost', /TLS certificate did not verify: self-signed certificate in certificate chain/],
  ['an IP address as `host` (the driver would check the certificate against "localhost")', 'right', '127.0.0.1', /`host` is an IP address/],
])('%s fails setSecret, and the password stays', async (_name, trust, host, expected) => {
  const initial = randomPassword();
  const user = await createUser(initial);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-tls-bad', secretFor(user, initial, { host }));
  const trustedCa = trust === 'other' ? otherCa : trust === 'right' ? certificates.caPem : undefined;
  const strategy = databaseStrategy('mysql-single-user', trustedCa === undefined ? {} : { trustedCa });
  const rotation = await beginRotation(store, arn, strategy, new RecordingLogger());

  const error = await rejectionOf(strategy.setSecret(rotation.context));

  expect(error.message).toMatch(/Unable to log into database/);
  expect(error.message).toMatch(expected);
  expect(await mysqlAccepts(server.port, user, initial, { ca: certificates.caPem })).toBe(true);
});

test('`ssl: false` connects without TLS (which a REQUIRE SSL user is refused)', async () => {
  const initial = randomPassword();
  const user = await createUser(initial);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-plain', secretFor(user, initial, { ssl: false }));
  const strategy = databaseStrategy('mysql-single-user', { trustedCa: certificates.caPem });
  const rotation = await beginRotation(store, arn, strategy, new RecordingLogger());

  const error = await rejectionOf(strategy.setSecret(rotation.context));

  expect(error.message).toMatch(/current: Access denied/);
});

test('NODE_EXTRA_CA_CERTS is honoured: the driver keeps Node\'s default store, extended with the extra CA', async () => {
  const password = randomPassword();
  const username = await createUser(password);
  const target = { host: 'localhost', port: server.port, username, password, tls: 'verify-full' as const, connectTimeoutMs: 5000, queryTimeoutMs: 5000 };

  expect(await loginWithExtraCaCerts('mysql', target, certificates.caPem)).toBe('ok');
  expect(await loginWithExtraCaCerts('mysql', target, otherCa)).toMatch(/^tls-verification: /);
});

test('a certificate for another host name fails setSecret', async () => {
  const initial = randomPassword();
  const user = await createUser(initial);
  const store = new MemorySecretsStore();
  const arn = store.create('mysql-tls-name', secretFor(user, initial));
  const strategy = databaseStrategy('mysql-single-user', { trustedCa: certificates.caPem });
  const rotation = await beginRotation(store, arn, strategy, new RecordingLogger());
  // Signed by the trusted CA, but for another name.
  await server.replaceCertificate(await issueServerCertificate(dir, 'mariadb', 'wrong-name', ['db.elsewhere.test']));

  let error: Error;
  try {
    error = await rejectionOf(strategy.setSecret(rotation.context));
  } finally {
    await server.replaceCertificate(certificates);
  }

  expect(error.message).toMatch(/TLS certificate did not verify: Hostname\/IP does not match certificate's altnames/);
  expect(await mysqlAccepts(server.port, user, initial, { ca: certificates.caPem })).toBe(true);
});

test('a login that matched an anonymous account never changes that account (needs a private server)', async () => {
  // A user name with no account of its own logs in as the anonymous account ''@'%' when the password matches.
  await server.adminQuery("CREATE USER ''@'%' IDENTIFIED BY 'anonymous-password'");
  try {
    const store = new MemorySecretsStore();
    const arn = store.create('mysql-anonymous', secretFor('ghost', 'anonymous-password', { ssl: false, host: '127.0.0.1' }));
    const strategy = databaseStrategy('mysql-single-user');
    const rotation = await beginRotation(store, arn, strategy, new RecordingLogger());

    const error = await rejectionOf(strategy.setSecret(rotation.context));

    expect(error.message).toMatch(/logged in as a different MySQL account than the secret's `username`/);
    expect(await mysqlAccepts(server.port, 'anyone', 'anonymous-password')).toBe(true);
  } finally {
    await server.adminQuery("DROP USER ''@'%'");
  }
});
