import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { createLocalDatabaseHost, DatabaseHost, LocalDatabase } from '../../simulator/databases';

/** A login of the scenarios' PostgreSQL server. */
export interface DatabaseLogin {
  readonly username: string;
  readonly password: string;
}

/** The scenarios' PostgreSQL server: a master user (as RDS's) and an application user the master created. */
export interface ScenarioDatabase {
  readonly host: string;
  readonly port: number;
  readonly databaseName: string;
  readonly master: DatabaseLogin;
  readonly app: DatabaseLogin;
}

/** What a scenario's stack and preparation may use besides the simulator. */
export interface ScenarioContext {
  /** A port on 127.0.0.1 where nothing listens. */
  readonly closedPort: number;
  /** The PostgreSQL server, for a scenario with `database: 'postgres'`. */
  readonly postgres?: ScenarioDatabase;
}

const DATABASE_NAME = 'orders';
const APP_USER = 'orders_app';

/**
 * What every run of a report or a test file shares: a closed port, a PostgreSQL server of the local database host
 * started on first need (plaintext: the scenarios are about IAM, not TLS), and temporary directories. `stop()`
 * destroys the server and removes the directories. Runs may leave the application user's `_clone` behind:
 * alternating users then only set its password again.
 */
export class ScenarioEnvironment {
  private port?: Promise<number>;
  private host?: DatabaseHost;
  private postgres?: Promise<ScenarioDatabase>;
  private readonly directories: string[] = [];

  public async context(needs: { readonly database?: 'postgres' }): Promise<ScenarioContext> {
    this.port ??= closedPort();
    const closed = await this.port;
    if (needs.database !== 'postgres') return { closedPort: closed };
    this.postgres ??= this.startPostgres();
    return { closedPort: closed, postgres: await this.postgres };
  }

  /** A new temporary directory, removed by `stop()`. */
  public async temporaryDirectory(prefix: string): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), prefix));
    this.directories.push(directory);
    return directory;
  }

  public async stop(): Promise<void> {
    await this.host?.destroyAll();
    await Promise.all(this.directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
  }

  private async startPostgres(): Promise<ScenarioDatabase> {
    const workDir = await this.temporaryDirectory('least-privilege-databases-');
    // Under root the servers run as their own OS users, which must pass through the directory.
    await chmod(workDir, 0o711);
    this.host = await createLocalDatabaseHost({ workDir });
    const unavailable = await this.host.unavailableReason('postgres');
    if (unavailable) throw new Error(`the scenarios need a local PostgreSQL server: ${unavailable}`);
    const master = { username: 'rds_master', password: randomPassword() };
    const server = await this.host.start({
      engine: 'postgres', masterUsername: master.username, masterPassword: master.password, databaseName: DATABASE_NAME, tls: false,
    });
    const app = { username: APP_USER, password: randomPassword() };
    await createUserAsMaster(server, master, app);
    return { host: server.host, port: server.port, databaseName: DATABASE_NAME, master, app };
  }
}

/** The application user, created by the master as an RDS administrator would (so the master may grant its role). */
async function createUserAsMaster(server: LocalDatabase, master: DatabaseLogin, user: DatabaseLogin): Promise<void> {
  const client = new Client({ host: server.host, port: server.port, user: master.username, password: master.password, database: DATABASE_NAME });
  await client.connect();
  try {
    await client.query(`CREATE ROLE ${escapeIdentifier(user.username)} LOGIN PASSWORD ${escapeLiteral(user.password)}`);
  } finally {
    await client.end();
  }
}

function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** A port on 127.0.0.1 that nothing listens on (taken from the OS, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}
