import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '../../../simulator/databases';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ca-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function certificate(file: string): Promise<X509Certificate> {
  return new X509Certificate(await readFile(file));
}

test('the CA is a CA for two days, and its key is private', async () => {
  const ca = await CertificateAuthority.create(join(dir, 'one'), 'Test CA');
  const cert = await certificate(ca.certificateFile);

  expect(cert.ca).toBe(true);
  expect(cert.subject).toBe('CN=Test CA');
  expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(2 * 86_400_000);
  expect(((await stat(join(dir, 'one', 'ca.key'))).mode % 0o1000).toString(8)).toBe('600');
});

test('a server certificate names only its DNS names and is signed by the CA', async () => {
  const ca = await CertificateAuthority.create(join(dir, 'two'), 'Test CA');
  const other = await CertificateAuthority.create(join(dir, 'three'), 'Other CA');
  const issued = await ca.issue('server', ['localhost']);
  const cert = await certificate(issued.certFile);

  expect(issued.caFile).toBe(ca.certificateFile);
  expect(cert.ca).toBe(false);
  expect(cert.subjectAltName).toBe('DNS:localhost');
  expect(cert.checkHost('localhost')).toBe('localhost');
  expect(cert.checkHost('db.example.com')).toBeUndefined();
  expect(cert.checkIP('127.0.0.1')).toBeUndefined();
  expect(cert.verify((await certificate(ca.certificateFile)).publicKey)).toBe(true);
  expect(cert.verify((await certificate(other.certificateFile)).publicKey)).toBe(false);
  expect(cert.checkPrivateKey(createPrivateKey(await readFile(issued.keyFile)))).toBe(true);
});

test('each certificate gets its own serial number', async () => {
  const ca = await CertificateAuthority.create(join(dir, 'four'), 'Test CA');
  const [a, b] = await Promise.all([ca.issue('a', ['localhost']), ca.issue('b', ['localhost'])]);

  expect((await certificate(a.certFile)).serialNumber).not.toBe((await certificate(b.certFile)).serialNumber);
});
