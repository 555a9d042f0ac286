import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { createTestCertificates, TestCertificates } from './certificates';
import { errorText, randomPassword, RecordingLogger, rejectionOf, rotate } from './harness';
import { MemorySecretsStore } from './memory-store';
import { connectRedis } from '../../../../lambda/rotation/database/redis-client';
import { freePort } from '../../../../simulator/databases/ports';
import { databaseStrategy } from '../../../support/strategies';

// A private Redis that speaks TLS only (port 0 turns plaintext off), started from the machine's redis-server and
// stopped after; the shared server is never touched.
let dir: string;
let server: ChildProcess;
let port: number;
let certificates: TestCertificates;
let otherCa: string;
const serverOutput: string[] = [];

/** One command to the private server as its `default` user, over TLS; the first line of the reply. */
async function adminCommand(...args: string[]): Promise<string> {
  const socket = connectTls({ host: '127.0.0.1', port, ca: certificates.caPem, servername: 'localhost' });
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('\r\n')) resolve(text.slice(0, text.indexOf('\r\n')));
      });
      socket.on('error', reject);
      socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
    });
  } finally {
    socket.destroy();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rotation-redis-tls-'));
  // The certificate names `localhost` only: connecting to 127.0.0.1 is a host-name mismatch.
  certificates = await createTestCertificates(dir, 'redis', ['localhost']);
  otherCa = (await createTestCertificates(dir, 'other', ['localhost'])).caPem;
  port = await freePort();
  server = spawn('redis-server', [
    '--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1',
    '--tls-cert-file', certificates.certFile, '--tls-key-file', certificates.keyFile, '--tls-ca-cert-file', certificates.caFile,
    '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no', '--dir', dir,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (chunk: Buffer) => serverOutput.push(chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => serverOutput.push(chunk.toString()));
  // Ready when it answers over TLS; polled with a generous deadline.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if (await adminCommand('PING') === '+PONG') break;
    } catch (error) {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`the TLS Redis did not start: ${serverOutput.join('')}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}, 60_000);

afterAll(async () => {
  server?.kill();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const target = (overrides: Record<string, unknown>) => ({
  host: 'localhost',
  port,
  username: 'default',
  password: 'any',
  tls: 'verify-full' as const,
  trust: { ca: certificates.caPem },
  connectTimeoutMs: 5000,
  queryTimeoutMs: 5000,
  ...overrides,
});

test('without `ssl` a single user rotates over verified TLS; the replaced password is refused', async () => {
  const initial = randomPassword();
  expect(await adminCommand('ACL', 'SETUSER', 'tls_admin', 'on', `>${initial}`, '+acl|setuser', '+get')).toBe('+OK');
  const store = new MemorySecretsStore();
  const arn = store.create('redis-tls', JSON.stringify({ engine: 'redis', host: 'localhost', port, username: 'tls_admin', password: initial }));

  await rotate(store, arn, databaseStrategy('redis-single-user', { trustedCa: certificates.caPem }), new RecordingLogger());

  const current = JSON.parse(store.valueAt(arn, 'AWSCURRENT')!).password;
  expect(await adminCommand('AUTH', 'tls_admin', current)).toBe('+OK');
  expect(await adminCommand('AUTH', 'tls_admin', initial)).toMatch(/^-WRONGPASS/);
});

test('a certificate from another CA is `tls-verification` (before AUTH), and the error holds no password', async () => {
  const error = await rejectionOf(connectRedis(target({ password: 'never-sent-password', trust: { ca: otherCa } })));
  expect(error).toMatchObject({ reason: 'tls-verification', message: expect.stringMatching(/certificate did not verify/) });
  expect(errorText(error)).not.toContain('never-sent-password');
});

test('an address the certificate does not name is `tls-verification`', async () => {
  const error = await rejectionOf(connectRedis(target({ host: '127.0.0.1' })));
  expect(error).toMatchObject({ reason: 'tls-verification', message: expect.stringMatching(/IP: 127.0.0.1 is not in the cert's list/) });
});

test('plaintext to this TLS-only server fails the login; it never succeeds without TLS', async () => {
  const error = await rejectionOf(connectRedis(target({ tls: 'disable' })));
  // The server reads AUTH as a broken TLS record and closes the connection.
  expect(error).toMatchObject({ reason: 'unreachable', message: expect.stringMatching(/closed the connection|ECONNRESET/) });
});
