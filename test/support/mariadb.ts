import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConnectionOptions, createConnection } from 'mysql2/promise';
import { freePort, ServerCertificate } from './postgres';

const run = promisify(execFile);

/** A MariaDB (or MySQL) server a test can administer. */
export interface MariaDbServer {
  readonly port: number;
  /** Runs one statement as root; `?` values are escaped by mysql2. */
  adminQuery(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** A private server, removed by destroy(). */
export interface PrivateMariaDbServer extends MariaDbServer {
  /** Serves another certificate from now on (FLUSH SSL); only for a server started with `tls`. */
  replaceCertificate(certificate: ServerCertificate): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * The shared server on 127.0.0.1:3306 (root without a password). It checks the passwords of the users a test
 * creates; tests give their users unique names and drop them.
 */
export function sharedMariaDb(): MariaDbServer {
  const port = Number(process.env.MARIADB_PORT ?? 3306);
  return { port, adminQuery: (sql, params) => adminQuery({ host: '127.0.0.1', port, user: 'root' }, sql, params) };
}

/** Options of startMariaDb. */
export interface MariaDbOptions {
  /** Serve TLS with this certificate (plaintext stays allowed). */
  readonly tls?: ServerCertificate;
}

/**
 * A private mariadbd owned by one test file: own data directory (mariadb-install-db), port and socket,
 * run as the mysql OS user. Needed for TLS, which the shared server does not offer.
 */
export async function startMariaDb(options: MariaDbOptions = {}): Promise<PrivateMariaDbServer> {
  const dir = await mkdtemp(join(tmpdir(), 'rotation-mariadb-'));
  const [uid, gid] = await mysqlIds();
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const socket = join(dir, 'mysqld.sock');
  const port = await freePort();
  await run('mariadb-install-db', ['--no-defaults', '--user=mysql', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db']);

  const args = [
    '--no-defaults', '--user=mysql', `--datadir=${data}`, `--socket=${socket}`, `--pid-file=${join(dir, 'mysqld.pid')}`,
    `--port=${port}`, '--bind-address=127.0.0.1', '--skip-name-resolve', '--skip-log-bin', '--innodb-buffer-pool-size=16M',
  ];
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  const installCertificate = async (certificate: ServerCertificate) => {
    await copyFile(certificate.certFile, certFile);
    await copyFile(certificate.keyFile, keyFile);
    await chmod(keyFile, 0o600);
    for (const file of [certFile, keyFile]) await chown(file, uid, gid);
  };
  if (options.tls) {
    await installCertificate(options.tls);
    args.push(`--ssl-cert=${certFile}`, `--ssl-key=${keyFile}`);
  }
  const server = spawn('/usr/sbin/mariadbd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  server.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  const admin: ConnectionOptions = { socketPath: socket, user: 'root' };
  try {
    await waitUntilReady(server, admin, () => log);
  } catch (error) {
    await stopProcess(server);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // The root accounts made by mariadb-install-db are for the socket; TCP logins in tests use their own users.
  return {
    port,
    adminQuery: (sql, params) => adminQuery(admin, sql, params),
    async replaceCertificate(certificate) {
      await installCertificate(certificate);
      await adminQuery(admin, 'FLUSH SSL');
    },
    async destroy() {
      await stopProcess(server);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(options: ConnectionOptions, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  const connection = await createConnection(options);
  try {
    const [rows] = await connection.query(sql, params);
    return Array.isArray(rows) ? rows as Record<string, unknown>[] : [];
  } finally {
    await connection.end();
  }
}

async function waitUntilReady(server: ChildProcess, admin: ConnectionOptions, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`mariadbd exited with code ${server.exitCode}:\n${log()}`);
    try {
      await adminQuery(admin, 'SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`mariadbd did not accept connections within 30 s (${(error as Error).message}):\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function mysqlIds(): Promise<[number, number]> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', 'mysql']), run('id', ['-g', 'mysql'])]);
  return [Number(uid.trim()), Number(gid.trim())];
}
