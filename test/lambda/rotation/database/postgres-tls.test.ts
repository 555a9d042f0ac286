import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { createTestCertificates, TestCertificates } from './certificates';
import { loginWithExtraCaCerts } from './extra-ca';
import { beginRotation, randomPassword, RecordingLogger, rejectionOf, rotate } from './harness';
import { postgresAccepts } from './logins';
import { MemorySecretsStore } from './memory-store';
import { startPostgres, PostgresCluster } from '../../../support/postgres';
import { databaseStrategy } from '../../../support/strategies';

let dir: string;
let cluster: PostgresCluster;
let certificates: TestCertificates;
let otherCa: string;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotation-pg-tls-'));
  // The server certificate names `localhost` only: connecting to 127.0.0.1 is a host-name mismatch.
  certificates = await createTestCertificates(dir, 'pg', ['localhost']);
  otherCa = (await createTestCertificates(dir, 'other', ['localhost'])).caPem;
  // With TLS, every TCP login without TLS is refused, so any login that works proves TLS was used.
  cluster = await startPostgres({ tls: certificates });
}, 60_000);

afterAll(async () => {
  await cluster?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function createUser(password: string): Promise<string> {
  count += 1;
  const username = `tls_${count}`;
  await cluster.adminQuery(`CREATE ROLE ${escapeIdentifier(username)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(password)}`);
  return username;
}

function secretFor(username: string, password: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ engine: 'postgres', host: 'localhost', port: cluster.port, username, password, ...extra });
}

test('without `ssl` the rotation uses verified TLS, and plaintext is refused by this server', async () => {
  const initial = randomPassword();
  const username = await createUser(initial);
  await expect(postgresAccepts(cluster.port, username, initial)).rejects.toThrow(/pg_hba.conf rejects connection .* no encryption/);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-tls', secretFor(username, initial));

  await rotate(store, arn, databaseStrategy('postgres-single-user', { trustedCa: certificates.caPem }), new RecordingLogger());

  const current = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!).password;
  expect(await postgresAccepts(cluster.port, username, current, { ca: certificates.caPem })).toBe(true);
  expect(await postgresAccepts(cluster.port, username, initial, { ca: certificates.caPem })).toBe(false);
});

test('alternating users over TLS, the master secret without `ssl` following the current secret', async () => {
  const masterPassword = randomPassword();
  const master = await createUser(masterPassword);
  const initial = randomPassword();
  const username = await createUser(initial);
  const store = new MemorySecretsStore();
  const masterArn = store.create('pg-tls-master', JSON.stringify({ username: master, password: masterPassword }));
  const arn = store.create('pg-tls-app', secretFor(username, initial, { ssl: true, masterarn: masterArn }));

  await rotate(store, arn, databaseStrategy('postgres-alternating-users', { trustedCa: certificates.caPem }), new RecordingLogger());

  const current = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!);
  expect(current.username).toBe(`${username}_clone`);
  expect(await postgresAccepts(cluster.port, current.username, current.password, { ca: certificates.caPem })).toBe(true);
});

test.each([
  ['a certificate from a CA outside Node\'s default store', undefined, 'localhost', /TLS certificate did not verify: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE/],
  ['a certificate from another CA', 'other', 'localhost', /TLS certificate did not verify: .*UNABLE_TO_VERIFY_LEAF_SIGNATURE/],
  ['a certificate for another host name', 'right', '127.0.0.1', /TLS certificate did not verify: Hostname\/IP does not match certificate's altnames.*ERR_TLS_CERT_ALTNAME_INVALID/],
])('%s fails setSecret, and the password stays', async (_name, trust, host, expected) => {
  const initial = randomPassword();
  const username = await createUser(initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-tls-bad', secretFor(username, initial, { host }));
  const trustedCa = trust === 'other' ? otherCa : trust === 'right' ? certificates.caPem : undefined;
  const strategy = databaseStrategy('postgres-single-user', trustedCa === undefined ? {} : { trustedCa });
  const rotation = await beginRotation(store, arn, strategy, new RecordingLogger());

  const error = await rejectionOf(strategy.setSecret(rotation.context));

  expect(error.message).toMatch(/Unable to log into database/);
  expect(error.message).toMatch(expected);
  expect(await postgresAccepts(cluster.port, username, initial, { ca: certificates.caPem })).toBe(true);
});

test('`ssl: false` connects without TLS (which this server refuses)', async () => {
  const initial = randomPassword();
  const username = await createUser(initial);
  const store = new MemorySecretsStore();
  const arn = store.create('pg-plain', secretFor(username, initial, { ssl: 'false' }));
  const strategy = databaseStrategy('postgres-single-user', { trustedCa: certificates.caPem });
  const rotation = await beginRotation(store, arn, strategy, new RecordingLogger());

  const error = await rejectionOf(strategy.setSecret(rotation.context));

  expect(error.message).toMatch(/pg_hba.conf rejects connection .* no encryption/);
});

test('NODE_EXTRA_CA_CERTS is honoured: the driver keeps Node\'s default store, extended with the extra CA', async () => {
  const password = randomPassword();
  const username = await createUser(password);
  const target = { host: 'localhost', port: cluster.port, username, password, database: 'postgres', tls: 'verify-full' as const, connectTimeoutMs: 5000, queryTimeoutMs: 5000 };

  expect(await loginWithExtraCaCerts('postgres', target, certificates.caPem)).toBe('ok');
  expect(await loginWithExtraCaCerts('postgres', target, otherCa)).toMatch(/^tls-verification: /);
  expect(await loginWithExtraCaCerts('postgres', { ...target, host: '127.0.0.1' }, certificates.caPem)).toMatch(/^tls-verification: .*altnames/);
});
