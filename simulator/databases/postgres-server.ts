import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { findPostgresInstallation, PostgresInstallation } from './installation';
import {
  installCertificate, LocalServer, LocalServerOptions, logTail, MasterUser, removeDirectories, removingOnFailure, serverDirectories,
} from './local-server';
import { freePort } from './ports';

/** The cluster's superuser, which only the admin uses (through the socket). */
// As in RDS, the cluster's own superuser is `rdsadmin`: a master user may be named `postgres` (aws-cdk-lib's default).
const SUPERUSER = 'rdsadmin';

/**
 * Creates (initdb) and starts a private PostgreSQL cluster: scram-sha-256 password checks on 127.0.0.1, trust
 * for the superuser on the private socket. With `tls`, TCP logins must use TLS (as on RDS for PostgreSQL 15 and
 * later, whose `rds.force_ssl` defaults to 1); without it they are plaintext.
 */
export function startPostgresServer(options: LocalServerOptions): Promise<LocalServer> {
  return removingOnFailure(serverDirectories(options), async () => {
    const server = new PostgresServer(await findPostgresInstallation(options.locations), options, await freePort());
    await server.initialize();
    await server.start();
    return server;
  });
}

class PostgresServer implements LocalServer {
  private readonly dirs: string[];
  private readonly socketDir: string;
  private readonly data: string;
  private readonly log: string;
  private running = false;

  constructor(private readonly installation: PostgresInstallation, private readonly options: LocalServerOptions, public readonly port: number) {
    this.dirs = serverDirectories(options);
    this.socketDir = options.socketDir ?? options.dir;
    this.data = join(options.dir, 'data');
    this.log = join(options.dir, 'server.log');
  }

  /** initdb, then our settings and authentication rules. */
  public async initialize(): Promise<void> {
    const { account, initdb } = this.installation;
    const { options } = this;
    await account.own(...this.dirs);
    await account.run(initdb, ['-D', this.data, '-U', SUPERUSER, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-locale', '--encoding=UTF8', '--no-sync'], options.dir);
    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      port: this.port,
      unix_socket_directories: this.socketDir,
      // Small and quick: a throwaway server among others on a laptop. Skipping fsync only matters when the machine
      // crashes; a clean stop keeps every committed row.
      shared_buffers: '16MB',
      max_connections: 50,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      // A failed statement could be CREATE ROLE ... PASSWORD: never copy statement text into the log.
      log_min_error_statement: 'panic',
    };
    const hba = [`local all ${SUPERUSER} trust`];
    if (options.tls) {
      const certificate = await installCertificate(account, options.tls, options.dir);
      Object.assign(settings, { ssl: 'on', ssl_cert_file: certificate.certFile, ssl_key_file: certificate.keyFile });
      hba.push('hostssl all all 127.0.0.1/32 scram-sha-256', 'hostnossl all all 127.0.0.1/32 reject');
    } else {
      hba.push('host all all 127.0.0.1/32 scram-sha-256');
    }
    // Settings appended last win over initdb's; rewritten files keep their owner (the account).
    await appendFile(join(this.data, 'postgresql.conf'), Object.entries(settings).map(([name, value]) => `${name} = ${configValue(value)}\n`).join(''));
    await writeFile(join(this.data, 'pg_hba.conf'), `${hba.join('\n')}\n`);
  }

  public async adminQuery(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]> {
    const client = new Client({ host: this.socketDir, port: this.port, user: SUPERUSER, database: 'postgres' });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  public async start(): Promise<void> {
    if (this.running) return;
    try {
      await this.pgCtl('-l', this.log, 'start');
    } catch (error) {
      throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${await logTail(this.log)}`);
    }
    this.running = true;
  }

  public async stop(): Promise<void> {
    if (!this.running) return;
    await this.pgCtl('-m', 'fast', 'stop');
    this.running = false;
  }

  public async destroy(): Promise<void> {
    // A server that died has nothing left to stop.
    await this.stop().catch(() => undefined);
    await removeDirectories(this.dirs);
  }

  /** pg_ctl waits (-w) until the server accepts connections or has stopped. */
  private pgCtl(...args: string[]): Promise<void> {
    return this.installation.account.run(this.installation.pgCtl, ['-D', this.data, '-w', '-t', '120', ...args], this.options.dir);
  }
}

/**
 * Creates the master role and its database. Like RDS's master (a member of rds_superuser, not a superuser) it may
 * log in, create roles and grant their membership, and create databases; `databaseName` is its own.
 */
export async function createPostgresMaster(server: LocalServer, master: MasterUser): Promise<void> {
  const role = escapeIdentifier(master.masterUsername);
  await server.adminQuery(`CREATE ROLE ${role} LOGIN CREATEROLE CREATEDB PASSWORD ${escapeLiteral(master.masterPassword)}`);
  if (master.databaseName !== undefined) await server.adminQuery(`CREATE DATABASE ${escapeIdentifier(master.databaseName)} OWNER ${role}`);
}

function configValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`;
}
