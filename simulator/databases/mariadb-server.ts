import { ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConnectionOptions, createConnection } from 'mysql2/promise';
import type { ServerCertificate } from './certificate-authority';
import { findMariaDbInstallation, MariaDbInstallation } from './installation';
import {
  installCertificate, LocalServer, LocalServerOptions, logTail, MasterUser, removeDirectories, removingOnFailure, serverDirectories,
} from './local-server';
import { freePort } from './ports';

/** How long a starting mariadbd may take to answer on its socket (it usually takes about a second). */
const READY_DEADLINE_MS = 120_000;

/** Small: a throwaway server among others on a laptop (about 50 MB resident instead of about 90). */
const MEMORY_SETTINGS = ['--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M', '--innodb-log-buffer-size=2M', '--key-buffer-size=1M',
  '--aria-pagecache-buffer-size=1M', '--max-connections=50', '--table-open-cache=200', '--table-definition-cache=400'];

/** A MariaDB server whose certificate can be replaced while it runs. */
export interface MariaDbServer extends LocalServer {
  /** Serves another certificate from now on (FLUSH SSL); only for a server started with `tls`. */
  replaceCertificate(certificate: ServerCertificate): Promise<void>;
}

/**
 * Creates (mariadb-install-db) and starts a private mariadbd on 127.0.0.1, the local stand-in for RDS for MySQL
 * and MariaDB. `root` logs in through the private socket only, without a password. With `tls` the server offers
 * TLS and still accepts plaintext, as RDS does by default (`require_secure_transport` off); a user made with
 * `REQUIRE SSL` must use TLS.
 */
export function startMariaDbServer(options: LocalServerOptions): Promise<MariaDbServer> {
  return removingOnFailure(serverDirectories(options), async () => {
    const server = new MariaDbProcess(await findMariaDbInstallation(options.locations), options, await freePort());
    await server.initialize();
    try {
      await server.start();
      await server.dropNetworkRoot();
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  });
}

class MariaDbProcess implements MariaDbServer {
  private readonly dirs: string[];
  private readonly data: string;
  /**
   * Its own temporary directory: a starting MariaDB deletes every `#sql*` file in its tmpdir as a leftover, which in
   * a shared /tmp are the temporary tables of other servers starting at the same time.
   */
  private readonly tmp: string;
  private readonly admin: ConnectionOptions;
  private readonly log: string;
  private readonly args: string[];
  private process?: ChildProcess;

  constructor(private readonly installation: MariaDbInstallation, private readonly options: LocalServerOptions, public readonly port: number) {
    this.dirs = serverDirectories(options);
    this.data = join(options.dir, 'data');
    this.tmp = join(options.dir, 'tmp');
    this.admin = { socketPath: join(options.socketDir ?? options.dir, 'mysqld.sock'), user: 'root' };
    this.log = join(options.dir, 'server.log');
    this.args = ['--no-defaults', `--datadir=${this.data}`, `--socket=${this.admin.socketPath}`, `--pid-file=${join(options.dir, 'mariadbd.pid')}`,
      `--log-error=${this.log}`, `--tmpdir=${this.tmp}`, `--port=${port}`, '--bind-address=127.0.0.1', '--skip-name-resolve', ...MEMORY_SETTINGS];
  }

  /** mariadb-install-db, and the TLS settings. */
  public async initialize(): Promise<void> {
    const { account, installDb } = this.installation;
    await mkdir(this.tmp);
    await account.own(...this.dirs, this.tmp);
    await account.run(installDb, ['--no-defaults', `--datadir=${this.data}`, `--tmpdir=${this.tmp}`, '--auth-root-authentication-method=normal', '--skip-test-db', ...MEMORY_SETTINGS], this.options.dir);
    if (this.options.tls) {
      const certificate = await installCertificate(account, this.options.tls, this.options.dir);
      this.args.push(`--ssl-cert=${certificate.certFile}`, `--ssl-key=${certificate.keyFile}`, `--ssl-ca=${certificate.caFile}`);
    } else {
      // MariaDB 11.4 and later would otherwise serve TLS with a self-signed certificate of their own.
      this.args.push('--skip-ssl');
    }
  }

  /**
   * mariadb-install-db also makes passwordless root accounts for 127.0.0.1, ::1 and the host name, and may make
   * anonymous ones: drop them, so that root stays on the socket and every TCP login checks a password.
   */
  public async dropNetworkRoot(): Promise<void> {
    const accounts = await this.adminQuery("SELECT User AS user, Host AS host FROM mysql.user WHERE (User = 'root' AND Host <> 'localhost') OR User = ''");
    for (const { user, host } of accounts) await this.adminQuery('DROP USER ?@?', [user, host]);
  }

  public adminQuery(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    return queryMariaDb(this.admin, sql, params);
  }

  public async start(): Promise<void> {
    if (this.process) return;
    const started = this.installation.account.spawn(this.installation.mariadbd, this.args, this.options.dir);
    this.process = started;
    try {
      await this.waitUntilReady(started);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** SIGTERM is mariadbd's clean shutdown; resolves when the process has exited. */
  public async stop(): Promise<void> {
    const running = this.process;
    this.process = undefined;
    // Exited already, or never started (spawn failed).
    if (!running || running.exitCode !== null || running.signalCode !== null || running.pid === undefined) return;
    await new Promise((resolve) => {
      running.once('exit', resolve);
      running.kill('SIGTERM');
    });
  }

  public async replaceCertificate(certificate: ServerCertificate): Promise<void> {
    await installCertificate(this.installation.account, certificate, this.options.dir);
    await this.adminQuery('FLUSH SSL');
  }

  public async destroy(): Promise<void> {
    await this.stop();
    await removeDirectories(this.dirs);
  }

  /** Polls the socket until the server answers; fails when the process ends first or the deadline passes. */
  private async waitUntilReady(server: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_DEADLINE_MS;
    let ended: string | undefined;
    server.once('exit', (code, signal) => { ended = code !== null ? `exit code ${code}` : `signal ${signal}`; });
    server.once('error', (error) => { ended = error.message; });
    for (;;) {
      if (ended !== undefined) throw new Error(`mariadbd ended (${ended}) before it answered:\n${await logTail(this.log)}`);
      try {
        await this.adminQuery('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`mariadbd did not answer within ${READY_DEADLINE_MS / 1000} s (${(error as Error).message}):\n${await logTail(this.log)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }
}

/**
 * Creates the master user for any host, with every privilege and the grant option: what RDS's master has
 * where it counts here (creating users and granting them what it holds).
 */
export async function createMariaDbMaster(server: LocalServer, master: MasterUser): Promise<void> {
  try {
    await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [master.masterUsername, '%', master.masterPassword]);
  } catch (error) {
    // mysql2's error carries the statement (`sql`), password included: keep only the server's message.
    throw new Error(`CREATE USER for the master failed: ${(error as Error).message}`);
  }
  await server.adminQuery('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master.masterUsername, '%']);
  if (master.databaseName !== undefined) await server.adminQuery('CREATE DATABASE ??', [master.databaseName]);
}

/** Runs one statement on a connection of its own; `?` values are escaped by mysql2. */
export async function queryMariaDb(options: ConnectionOptions, sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
  const connection = await createConnection(options);
  try {
    const [rows] = await connection.query(sql, params);
    return Array.isArray(rows) ? rows as Record<string, unknown>[] : [];
  } finally {
    await connection.end();
  }
}
