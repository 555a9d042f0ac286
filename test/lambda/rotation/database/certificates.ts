import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ServerCertificate } from '../../../support/postgres';

const run = promisify(execFile);

/** A throwaway certificate authority and one server certificate it signed. */
export interface TestCertificates extends ServerCertificate {
  /** The CA certificate, PEM: what a client trusts. */
  readonly caPem: string;
}

/**
 * Generates, with openssl, a CA named `name` and a server certificate it signs for `dnsNames`
 * (subjectAltName DNS entries only, so connecting by IP address is a host-name mismatch). Files go to `dir`.
 */
export async function createTestCertificates(dir: string, name: string, dnsNames: readonly string[]): Promise<TestCertificates> {
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} test CA`,
    '-keyout', join(dir, `${name}-ca.key`), '-out', join(dir, `${name}-ca.crt`)]);
  const server = await issueServerCertificate(dir, name, `${name}-server`, dnsNames);
  return { ...server, caPem: await readFile(join(dir, `${name}-ca.crt`), 'utf8') };
}

/** Another server certificate, `certName`, signed by the CA that createTestCertificates made as `caName`. */
export async function issueServerCertificate(dir: string, caName: string, certName: string, dnsNames: readonly string[]): Promise<ServerCertificate> {
  const file = (suffix: string) => join(dir, `${certName}.${suffix}`);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${dnsNames[0]}`, '-keyout', file('key'), '-out', file('csr')]);
  await writeFile(file('ext'), `subjectAltName=${dnsNames.map((dns) => `DNS:${dns}`).join(',')}\n`);
  await run('openssl', ['x509', '-req', '-in', file('csr'), '-CA', join(dir, `${caName}-ca.crt`), '-CAkey', join(dir, `${caName}-ca.key`),
    '-CAcreateserial', '-days', '2', '-extfile', file('ext'), '-out', file('crt')]);
  return { certFile: file('crt'), keyFile: file('key') };
}
