import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from './certificate-authority';
import { BinaryLocations, EngineUnavailableError, findMariaDbInstallation, findPostgresInstallation } from './installation';
import { LocalServer, LocalServerOptions, MasterUser } from './local-server';
import { createMariaDbMaster, startMariaDbServer } from './mariadb-server';
import { createPostgresMaster, startPostgresServer } from './postgres-server';
import type { DatabaseHost, LocalDatabase, LocalDatabaseHostOptions, LocalDatabaseOptions, LocalEngine } from './types';

/** What the host does per engine. */
interface EngineSupport {
  readonly findInstallation: (locations?: BinaryLocations) => Promise<unknown>;
  readonly startServer: (options: LocalServerOptions) => Promise<LocalServer>;
  readonly createMaster: (server: LocalServer, master: MasterUser) => Promise<void>;
}

const ENGINES: Record<LocalEngine, EngineSupport> = {
  postgres: { findInstallation: findPostgresInstallation, startServer: startPostgresServer, createMaster: createPostgresMaster },
  mysql: { findInstallation: findMariaDbInstallation, startServer: startMariaDbServer, createMaster: createMariaDbMaster },
};

/**
 * Starts throwaway PostgreSQL and MariaDB servers from this machine's server binaries: the local stand-in for
 * RDS instances. Everything lives in `workDir` (one directory per server and one for the CA); Unix sockets live
 * in short directories under the OS temporary directory. Runs as any user; under root the servers run as the
 * `postgres` and `mysql` OS users, which then need to pass through `workDir`.
 */
export async function createLocalDatabaseHost(options: LocalDatabaseHostOptions = {}): Promise<DatabaseHost> {
  let workDir = options.workDir;
  if (workDir === undefined) {
    workDir = await mkdtemp(join(tmpdir(), 'local-databases-'));
    // The servers' OS users (under root) must pass through to their own directories.
    await chmod(workDir, 0o711);
  } else {
    await mkdir(workDir, { recursive: true });
  }
  const ca = await CertificateAuthority.create(await mkdtemp(join(workDir, 'ca-')), 'Local database host CA');
  return new LocalDatabaseHost(workDir, ca, options.binaryLocations);
}

class LocalDatabaseHost implements DatabaseHost {
  public readonly caBundleFile: string;
  private readonly databases = new Set<LocalDatabase>();
  private started = 0;

  constructor(private readonly workDir: string, private readonly ca: CertificateAuthority, private readonly locations?: BinaryLocations) {
    this.caBundleFile = ca.certificateFile;
  }

  public async unavailableReason(engine: LocalEngine): Promise<string | undefined> {
    try {
      await engineSupport(engine).findInstallation(this.locations);
      return undefined;
    } catch (error) {
      if (error instanceof EngineUnavailableError) return error.message;
      throw error;
    }
  }

  public async start(options: LocalDatabaseOptions): Promise<LocalDatabase> {
    const support = engineSupport(options.engine);
    validate(options);
    this.started += 1;
    const tls = (options.tls ?? true) ? await this.ca.issue(`server-${this.started}`, ['localhost']) : undefined;
    const dir = await mkdtemp(join(this.workDir, `${options.engine}-`));
    const socketDir = await mkdtemp(join(tmpdir(), 'ldb-'));
    const server = await support.startServer({ dir, socketDir, tls, locations: this.locations });
    try {
      await support.createMaster(server, options);
    } catch (error) {
      await server.destroy();
      throw error;
    }
    const database: LocalDatabase = {
      engine: options.engine,
      host: 'localhost',
      port: server.port,
      adminQuery: (sql, params) => server.adminQuery(sql, params),
      stop: () => server.stop(),
      start: () => server.start(),
      destroy: async () => {
        this.databases.delete(database);
        await server.destroy();
      },
    };
    this.databases.add(database);
    return database;
  }

  public async destroyAll(): Promise<void> {
    await Promise.all([...this.databases].map((database) => database.destroy()));
  }
}

function engineSupport(engine: LocalEngine): EngineSupport {
  if (!Object.prototype.hasOwnProperty.call(ENGINES, engine)) throw new Error(`\`engine\` must be 'postgres' or 'mysql', got ${JSON.stringify(engine)}`);
  return ENGINES[engine];
}

function validate(options: LocalDatabaseOptions): void {
  if (typeof options.masterUsername !== 'string' || options.masterUsername === '') {
    throw new Error(`\`masterUsername\` must be a non-empty string, got ${JSON.stringify(options.masterUsername)}`);
  }
  // The password itself never appears in a message.
  if (typeof options.masterPassword !== 'string' || options.masterPassword === '') throw new Error('`masterPassword` must be a non-empty string');
  if (options.databaseName === '') throw new Error('`databaseName` must not be empty, got ""');
}
