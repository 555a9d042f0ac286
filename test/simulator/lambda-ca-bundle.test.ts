import * as fs from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { createServer, Server } from 'node:tls';
import { startSimulator } from './support';
import { SecretsManagerSimulator } from '../../simulator';
import { CertificateAuthority } from '../../simulator/databases';

/** Reports the variable and whether a TLS server for `localhost` verifies against Node's trust (plus the extra CAs). */
const HANDLER_SOURCE = `
const tls = require('node:tls');
exports.handler = async (event) => {
  const authorized = await new Promise((resolve) => {
    const socket = tls.connect({ host: 'localhost', port: event.port }, () => { resolve('yes'); socket.end(); });
    socket.on('error', (error) => resolve(error.code));
  });
  return { variable: process.env.NODE_EXTRA_CA_CERTS, authorized };
};
`;

let dir: string;
let assetDir: string;
let caFile: string;
let server: Server;
let port: number;
let simulator: SecretsManagerSimulator | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'simulator-ca-bundle-'));
  assetDir = path.join(dir, 'asset');
  fs.mkdirSync(assetDir);
  await writeFile(path.join(assetDir, 'index.js'), HANDLER_SOURCE);
  const ca = await CertificateAuthority.create(path.join(dir, 'ca'), 'Stand-in for the RDS CAs');
  const certificate = await ca.issue('server', ['localhost']);
  caFile = ca.certificateFile;
  server = createServer({ cert: fs.readFileSync(certificate.certFile), key: fs.readFileSync(certificate.keyFile) }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

async function invokeWith(lambdaCaBundle: string | undefined, environment: Record<string, string>) {
  ({ simulator } = await startSimulator(lambdaCaBundle === undefined ? {} : { lambdaCaBundle }));
  const arn = 'arn:aws:lambda:us-east-1:123456789012:function:ca-bundle';
  simulator.registerFunction(arn, { assetDir, environment, timeoutSeconds: 10 });
  return simulator.invokeFunction(arn, { port });
}

test('a function that trusts Lambda\'s CA bundle gets lambdaCaBundle instead, and verifies the servers it signs', async () => {
  const result = await invokeWith(caFile, { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' });

  expect(result).toEqual({ ok: true, result: { variable: caFile, authorized: 'yes' } });
});

test('a function that names another file keeps it', async () => {
  const result = await invokeWith(caFile, { NODE_EXTRA_CA_CERTS: path.join(dir, 'missing.pem') });

  expect(result).toEqual({ ok: true, result: { variable: path.join(dir, 'missing.pem'), authorized: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
});

test('without lambdaCaBundle the variable is passed on as it is, and the server does not verify', async () => {
  const result = await invokeWith(undefined, { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' });

  expect(result).toEqual({ ok: true, result: { variable: '/var/runtime/ca-cert.pem', authorized: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' } });
});

test('lambdaCaBundle must be a file', async () => {
  await expect(startSimulator({ lambdaCaBundle: path.join(dir, 'nothing.pem') })).rejects.toThrow(/`lambdaCaBundle` must be a file, got .*nothing\.pem/);
});
