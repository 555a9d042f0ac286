import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CertificateAuthority, ServerCertificate } from '../../../../simulator/databases';

/** A throwaway certificate authority and one server certificate it signed. */
export interface TestCertificates extends ServerCertificate {
  /** The CA certificate, PEM: what a client trusts. */
  readonly caPem: string;
}

/**
 * Generates a CA named `name` (in `dir`/`name`) and a server certificate it signs for `dnsNames`
 * (subjectAltName DNS entries only, so connecting by IP address is a host-name mismatch).
 */
export async function createTestCertificates(dir: string, name: string, dnsNames: readonly string[]): Promise<TestCertificates> {
  const ca = await CertificateAuthority.create(join(dir, name), `${name} test CA`);
  const server = await ca.issue('server', dnsNames);
  return { ...server, caPem: await readFile(ca.certificateFile, 'utf8') };
}

/** Another server certificate, `certName`, signed by the CA that createTestCertificates made as `caName`. */
export async function issueServerCertificate(dir: string, caName: string, certName: string, dnsNames: readonly string[]): Promise<ServerCertificate> {
  return CertificateAuthority.open(join(dir, caName)).issue(certName, dnsNames);
}
