import { chmod, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { CertificateAuthority, LocalDatabase } from '../../../simulator/databases';

/** How a test session connects: verified TLS to `localhost` trusting `ca`, or plaintext to 127.0.0.1. */
export type Transport = { readonly ca: string; readonly host?: string } | 'plaintext';

export interface Login {
  readonly user: string;
  readonly password: string;
  readonly database?: string;
}

/** A connected pg client (the caller ends it); rejects with the driver's error. */
export async function postgresSession(database: LocalDatabase, login: Login, transport: Transport): Promise<Client> {
  const client = new Client({
    host: transport === 'plaintext' ? '127.0.0.1' : transport.host ?? database.host,
    port: database.port,
    user: login.user,
    password: login.password,
    database: login.database ?? 'postgres',
    ssl: transport === 'plaintext' ? false : { ca: transport.ca },
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** A mysql2 connection (the caller ends it); rejects with the driver's error. */
export function mysqlSession(database: LocalDatabase, login: Login, transport: Transport): Promise<Connection> {
  return createConnection({
    host: transport === 'plaintext' ? '127.0.0.1' : transport.host ?? database.host,
    port: database.port,
    user: login.user,
    password: login.password,
    database: login.database,
    connectTimeout: 10_000,
    ...(transport === 'plaintext' ? {} : { ssl: { ca: transport.ca, rejectUnauthorized: true, verifyIdentity: true } }),
  });
}

/** A directory of the test's own, and another CA's certificate (PEM) made in it. */
export async function workDirWithOtherCa(): Promise<{ workDir: string; otherCa: string }> {
  const workDir = await mkdtemp(join(tmpdir(), 'local-databases-test-'));
  // Under root the servers run as the postgres and mysql OS users, who must pass through to their directories.
  await chmod(workDir, 0o711);
  const other = await CertificateAuthority.create(join(workDir, 'other-ca'), 'Some other CA');
  return { workDir, otherCa: await readFile(other.certificateFile, 'utf8') };
}

/** The server directories a host made in `workDir` for `engine`. */
export async function serverDirectories(workDir: string, engine: string): Promise<string[]> {
  return (await readdir(workDir)).filter((name) => name.startsWith(`${engine}-`));
}
