import { chmod, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Connection, createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { CertificateAuthority, createLocalDatabaseHost, DatabaseHost, LocalDatabase, LocalEngine } from '../../../simulator/databases';

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

/** A session of either engine, for what holds for both. */
export interface Session {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  end(): Promise<void>;
}

/** Opens a session with the engine's driver; rejects with the driver's error (a refused password, TLS, down). */
export async function openSession(database: LocalDatabase, login: Login, transport: Transport): Promise<Session> {
  if (database.engine === 'postgres') {
    const client = await postgresSession(database, login, transport);
    return { query: async (sql, params) => (await client.query(sql, params)).rows, end: () => client.end() };
  }
  const connection = await mysqlSession(database, login, transport);
  return {
    query: async (sql, params) => (await connection.query(sql, params))[0] as Record<string, unknown>[],
    end: () => connection.end(),
  };
}

/** Runs one statement in a session of its own. */
export async function queryOnce(
  database: LocalDatabase, login: Login, transport: Transport, sql: string, params?: unknown[],
): Promise<Record<string, unknown>[]> {
  const session = await openSession(database, login, transport);
  try {
    return await session.query(sql, params);
  } finally {
    await session.end();
  }
}

/** A directory of the test's own, and another CA's certificate (PEM) made in it. */
export async function workDirWithOtherCa(): Promise<{ workDir: string; otherCa: string }> {
  const workDir = await mkdtemp(join(tmpdir(), 'local-databases-test-'));
  // Under root the servers run as the postgres and mysql OS users, who must pass through to their directories.
  await chmod(workDir, 0o711);
  const other = await CertificateAuthority.create(join(workDir, 'other-ca'), 'Some other CA');
  return { workDir, otherCa: await readFile(other.certificateFile, 'utf8') };
}

/** A database host in a directory of the test's own, one server on it, and what a client trusts. */
export interface HostFixture {
  readonly workDir: string;
  readonly host: DatabaseHost;
  readonly database: LocalDatabase;
  /** Verified TLS trusting the host's CA. */
  readonly tls: { readonly ca: string };
  /** Another CA's certificate (PEM), which the servers' certificates do not verify against. */
  readonly otherCa: string;
  /** Destroys the servers and deletes the directory. */
  remove(): Promise<void>;
}

export async function hostWithServer(engine: LocalEngine, master: Required<Login>): Promise<HostFixture> {
  const { workDir, otherCa } = await workDirWithOtherCa();
  const host = await createLocalDatabaseHost({ workDir });
  const remove = async () => {
    await host.destroyAll();
    await rm(workDir, { recursive: true, force: true });
  };
  try {
    const database = await host.start({ engine, masterUsername: master.user, masterPassword: master.password, databaseName: master.database });
    return { workDir, host, database, tls: { ca: await readFile(host.caBundleFile, 'utf8') }, otherCa, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** The server directories a host made in `workDir` for `engine`. */
export async function serverDirectories(workDir: string, engine: string): Promise<string[]> {
  return (await readdir(workDir)).filter((name) => name.startsWith(`${engine}-`));
}
