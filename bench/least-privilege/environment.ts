import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { createLocalDatabaseHost, DatabaseHost, LocalDatabase, LocalEngine, queryMariaDb } from '../../simulator/databases';

/** A login of a scenario database server. */
export interface DatabaseLogin {
  readonly username: string;
  readonly password: string;
}

/** A scenario database server: a master user (as RDS's) and an application user the master manages. */
export interface ScenarioDatabase {
  readonly engine: LocalEngine;
  readonly host: string;
  readonly port: number;
  readonly databaseName: string;
  readonly master: DatabaseLogin;
  readonly app: DatabaseLogin;
  /**
   * Gives the application user its known password again (creating it the first time), as its master: a run that
   * rotated it must not leave the next run's secret stale. The `_clone` of alternating users may stay: rotation
   * then only sets its password again.
   */
  resetApp(): Promise<void>;
  /** Drops a user, if it exists, as its master: a scenario whose first rotation creates it starts without it. */
  dropUser(username: string): Promise<void>;
}

/** What a scenario's stack and preparation may use besides the simulator. */
export interface ScenarioContext {
  /** A port on 127.0.0.1 where nothing listens. */
  readonly closedPort: number;
  /** The database server, for a scenario with `database`. */
  readonly database?: ScenarioDatabase;
}

const DATABASE_NAME = 'orders';
const APP_USER = 'orders_app';

/**
 * What every run of a report or a test file shares: a closed port, one database server per engine from the local
 * database host, started on first need (plaintext: the scenarios are about IAM, not TLS), and temporary
 * directories. `stop()` destroys the servers and removes the directories.
 */
export class ScenarioEnvironment {
  private port?: Promise<number>;
  private host?: Promise<DatabaseHost>;
  private readonly databases = new Map<LocalEngine, Promise<ScenarioDatabase>>();
  private readonly directories: string[] = [];

  public async context(needs: { readonly database?: LocalEngine }): Promise<ScenarioContext> {
    this.port ??= closedPort();
    const closed = await this.port;
    if (needs.database === undefined) return { closedPort: closed };
    if (!this.databases.has(needs.database)) this.databases.set(needs.database, this.startDatabase(needs.database));
    return { closedPort: closed, database: await this.databases.get(needs.database)! };
  }

  /** A new temporary directory, removed by `stop()`. */
  public async temporaryDirectory(prefix: string): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), prefix));
    this.directories.push(directory);
    return directory;
  }

  public async stop(): Promise<void> {
    await (await this.host)?.destroyAll();
    await Promise.all(this.directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
  }

  private async startDatabase(engine: LocalEngine): Promise<ScenarioDatabase> {
    this.host ??= this.createHost();
    const host = await this.host;
    const unavailable = await host.unavailableReason(engine);
    if (unavailable) throw new Error(`the scenarios need a local ${engine} server: ${unavailable}`);
    const master = { username: 'rds_master', password: randomPassword() };
    const server = await host.start({
      engine, masterUsername: master.username, masterPassword: master.password, databaseName: DATABASE_NAME, tls: false,
    });
    const app = { username: APP_USER, password: randomPassword() };
    const database = { engine, host: server.host, port: server.port, databaseName: DATABASE_NAME, master, app };
    return {
      ...database,
      resetApp: () => setPasswordAsMaster(server, master, app),
      dropUser: (username) => dropUserAsMaster(server, master, username),
    };
  }

  private async createHost(): Promise<DatabaseHost> {
    const workDir = await this.temporaryDirectory('least-privilege-databases-');
    // Under root the servers run as their own OS users, which must pass through the directory.
    await chmod(workDir, 0o711);
    return createLocalDatabaseHost({ workDir });
  }
}

/** Creates `user` with its password, or sets the password again, as the master (who may then grant its role). */
async function setPasswordAsMaster(server: LocalDatabase, master: DatabaseLogin, user: DatabaseLogin): Promise<void> {
  const login = masterLogin(server, master);
  if (server.engine === 'mysql') {
    await queryMariaDb(login, 'CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [user.username, '%', user.password]);
    await queryMariaDb(login, 'ALTER USER ?@? IDENTIFIED BY ?', [user.username, '%', user.password]);
    await queryMariaDb(login, `GRANT SELECT ON \`${DATABASE_NAME}\`.* TO ?@?`, [user.username, '%']);
    return;
  }
  await asPostgresMaster(login, async (client) => {
    const role = escapeIdentifier(user.username);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [user.username]);
    await client.query(`${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN PASSWORD ${escapeLiteral(user.password)}`);
  });
}

async function dropUserAsMaster(server: LocalDatabase, master: DatabaseLogin, username: string): Promise<void> {
  const login = masterLogin(server, master);
  if (server.engine === 'mysql') {
    await queryMariaDb(login, 'DROP USER IF EXISTS ?@?', [username, '%']);
    return;
  }
  await asPostgresMaster(login, (client) => client.query(`DROP ROLE IF EXISTS ${escapeIdentifier(username)}`));
}

function masterLogin(server: LocalDatabase, master: DatabaseLogin) {
  return { host: server.host, port: server.port, user: master.username, password: master.password, database: DATABASE_NAME };
}

async function asPostgresMaster(login: ReturnType<typeof masterLogin>, session: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client(login);
  await client.connect();
  try {
    await session(client);
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
