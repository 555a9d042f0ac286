import { execFile } from 'node:child_process';
import { generateKeyPair, randomBytes, randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const generateKeyPairAsync = promisify(generateKeyPair);

/** Throwaway certificates live two days: long enough for a test run or a sandbox session. */
const VALIDITY_DAYS = '2';

/** TLS files for a server, PEM: its certificate and key, and the CA certificate that signed it. */
export interface ServerCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/**
 * A certificate authority made with the openssl CLI (Node.js can make keys but not sign certificates). Keys are
 * ECDSA P-256, which every client and server here accepts and which is generated instantly.
 */
export class CertificateAuthority {
  /** Creates `dir` (private) and a CA in it whose subject is `/CN=<commonName>`. */
  public static async create(dir: string, commonName: string): Promise<CertificateAuthority> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const ca = new CertificateAuthority(dir);
    await writeKey(ca.keyFile);
    await writeFile(ca.configFile, opensslConfig(commonName));
    await openssl(['req', '-new', '-x509', '-config', ca.configFile, '-extensions', 'ca', '-key', ca.keyFile,
      '-days', VALIDITY_DAYS, '-set_serial', randomSerial(), '-out', ca.certificateFile]);
    return ca;
  }

  /** The CA that create() made in `dir` earlier. */
  public static open(dir: string): CertificateAuthority {
    return new CertificateAuthority(dir);
  }

  /** The CA certificate, PEM: what clients trust. */
  public readonly certificateFile: string;
  private readonly keyFile: string;
  private readonly configFile: string;

  private constructor(private readonly dir: string) {
    this.certificateFile = join(dir, 'ca.crt');
    this.keyFile = join(dir, 'ca.key');
    this.configFile = join(dir, 'openssl.cnf');
  }

  /** A server certificate for `dnsNames` (subjectAltName DNS entries only), written as `<name>.crt` and `<name>.key`. */
  public async issue(name: string, dnsNames: readonly string[]): Promise<ServerCertificate> {
    const file = (extension: string) => join(this.dir, `${name}.${extension}`);
    await writeKey(file('key'));
    await writeFile(file('ext'), serverExtensions(dnsNames));
    await openssl(['req', '-new', '-config', this.configFile, '-subj', `/CN=${dnsNames[0]}`, '-key', file('key'), '-out', file('csr')]);
    await openssl(['x509', '-req', '-in', file('csr'), '-CA', this.certificateFile, '-CAkey', this.keyFile, '-set_serial', randomSerial(),
      '-days', VALIDITY_DAYS, '-extfile', file('ext'), '-extensions', 'server', '-out', file('crt')]);
    return { certFile: file('crt'), keyFile: file('key'), caFile: this.certificateFile };
  }
}

async function writeKey(file: string): Promise<void> {
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
  await writeFile(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
}

function opensslConfig(commonName: string): string {
  return [
    '[req]', 'distinguished_name = dn', 'prompt = no',
    '[dn]', `CN = ${commonName}`,
    '[ca]', 'basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign', 'subjectKeyIdentifier = hash',
    '',
  ].join('\n');
}

function serverExtensions(dnsNames: readonly string[]): string {
  return [
    '[server]', 'basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'extendedKeyUsage = serverAuth',
    `subjectAltName = ${dnsNames.map((dns) => `DNS:${dns}`).join(', ')}`, 'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
}

/** A random positive 127-bit serial number (a leading hex digit below 8): certificates of one CA must not share one. */
function randomSerial(): string {
  return `0x${randomInt(8).toString(16)}${randomBytes(16).toString('hex').slice(1)}`;
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args);
  } catch (error) {
    const { code, stderr } = error as { code?: number | string; stderr?: string };
    if (code === 'ENOENT') throw new Error('the openssl command is needed to make TLS certificates: install `openssl`');
    throw new Error(`openssl ${args[0]} failed: ${stderr?.trim()}`);
  }
}
