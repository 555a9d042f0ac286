import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  RotateSecretCommandInput,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createConnection } from 'mysql2/promise';
import { Client, escapeIdentifier as id, escapeLiteral as literal } from 'pg';
import { SecretsManagerSimulator } from '../../simulator';
import { randomPassword } from '../lambda/rotation/database/harness';
import { mysqlAccepts, postgresAccepts } from '../lambda/rotation/database/logins';
import { pendingIsSettled, stagesOf, versionWith } from '../simulator/support';
import { sharedMariaDb } from '../support/mariadb';
import { PostgresCluster, startPostgres } from '../support/postgres';
import { TEST_OPTION_SET_TAGS, bundleAssetDir, rotationEnvironment } from '../support/strategies';

/**
 * The bundled database rotation function end to end: the simulator's RotateSecret runs it, as Secrets Manager
 * runs the deployed function, against real servers that check passwords (a private PostgreSQL cluster with
 * scram-sha-256, and users of the shared MariaDB). Three rotations per strategy, each judged by logging in with
 * the bare drivers.
 */

const DATABASE_HANDLER = bundleAssetDir('databaseRotation');
const ORDER_ID = 42;

type Strategy = 'postgres-single-user' | 'postgres-alternating-users' | 'mysql-single-user' | 'mysql-alternating-users';

interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** A server the test administers, as the rotation function and the test's own logins see it. */
interface TestDatabase {
  /** The secret's `engine`. */
  readonly engine: string;
  readonly port: number;
  /** The secret's `dbname`: where the `orders` table is. */
  readonly dbname: string;
  /** An application user that may read `orders` (the privilege an alternate user must inherit). */
  createAppUser(credentials: Credentials): Promise<void>;
  /** An administrator like an RDS master user: may create users and pass on the app user's privileges. */
  createMaster(credentials: Credentials): Promise<void>;
  /** True when the server accepts the login, false when it refuses the password (anything else throws). */
  accepts(credentials: Credentials): Promise<boolean>;
  /** The ids in `orders`, read as this user. */
  ordersReadBy(credentials: Credentials): Promise<number[]>;
}

let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
let cluster: PostgresCluster | undefined;
let postgres: TestDatabase;
let mariadb: TestDatabase;
const mariaDbServer = sharedMariaDb();
const mariaDbName = `rt_dbrot_${process.pid}`;
const mariaDbUsers: string[] = [];

function functionArn(strategy: Strategy): string {
  return `arn:aws:lambda:us-east-1:123456789012:function:rotate-${strategy}`;
}

beforeAll(async () => {
  sim = await SecretsManagerSimulator.start();
  client = new SecretsManagerClient(sim.clientConfig());
  for (const strategy of ['postgres-single-user', 'postgres-alternating-users', 'mysql-single-user', 'mysql-alternating-users'] as const) {
    sim.registerFunction(functionArn(strategy), {
      assetDir: DATABASE_HANDLER,
      environment: rotationEnvironment(strategy, { connectTimeoutSeconds: 3 }),
      timeoutSeconds: 30,
    });
  }
  cluster = await startPostgres();
  postgres = await privatePostgres(cluster);
  mariadb = await sharedMariaDbUnderTest();
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await sim?.stop();
  await cluster?.destroy();
  for (const user of mariaDbUsers) {
    await mariaDbServer.adminQuery('DROP USER IF EXISTS ?@?', [user, '%']);
  }
  await mariaDbServer.adminQuery(`DROP DATABASE IF EXISTS \`${mariaDbName}\``);
});

/** The private cluster: the shared PostgreSQL trusts every local login, so a refused password would prove nothing. */
async function privatePostgres(server: PostgresCluster): Promise<TestDatabase> {
  await server.adminQuery('CREATE TABLE orders (id int)');
  await server.adminQuery(`INSERT INTO orders VALUES (${ORDER_ID})`);
  return {
    engine: 'postgres',
    port: server.port,
    dbname: 'postgres',
    async createAppUser({ username, password }) {
      await server.adminQuery(`CREATE ROLE ${id(username)} LOGIN PASSWORD ${literal(password)}`);
      await server.adminQuery(`GRANT SELECT ON orders TO ${id(username)}`);
    },
    async createMaster({ username, password }) {
      // Not a superuser: CREATEROLE is what the alternating-users strategy needs, as with an RDS master user.
      await server.adminQuery(`CREATE ROLE ${id(username)} LOGIN CREATEROLE PASSWORD ${literal(password)}`);
    },
    accepts: ({ username, password }) => postgresAccepts(server.port, username, password),
    async ordersReadBy({ username, password }) {
      const connection = new Client({ host: '127.0.0.1', port: server.port, user: username, password, database: 'postgres' });
      await connection.connect();
      try {
        return (await connection.query('SELECT id FROM orders ORDER BY id')).rows.map((row) => row.id);
      } finally {
        await connection.end();
      }
    },
  };
}

/** The shared MariaDB checks the passwords of the users a test creates; names carry the pid and are dropped after. */
async function sharedMariaDbUnderTest(): Promise<TestDatabase> {
  const server = mariaDbServer;
  await server.adminQuery(`CREATE DATABASE \`${mariaDbName}\``);
  await server.adminQuery(`CREATE TABLE \`${mariaDbName}\`.orders (id int)`);
  await server.adminQuery(`INSERT INTO \`${mariaDbName}\`.orders VALUES (?)`, [ORDER_ID]);
  const createUser = async ({ username, password }: Credentials) => {
    mariaDbUsers.push(username, `${username}_clone`);
    await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
  };
  return {
    engine: 'mariadb',
    port: server.port,
    dbname: mariaDbName,
    async createAppUser(credentials) {
      await createUser(credentials);
      await server.adminQuery(`GRANT SELECT ON \`${mariaDbName}\`.orders TO ?@?`, [credentials.username, '%']);
    },
    async createMaster(credentials) {
      await createUser(credentials);
      // CREATE USER; global GRANT OPTION, which even the `GRANT USAGE ON *.*` line of SHOW GRANTS needs; a look at
      // mysql.user and at other users' grants; and the app's privilege WITH GRANT OPTION, to copy it.
      await server.adminQuery('GRANT CREATE USER ON *.* TO ?@? WITH GRANT OPTION', [credentials.username, '%']);
      await server.adminQuery('GRANT SELECT ON mysql.* TO ?@?', [credentials.username, '%']);
      await server.adminQuery(`GRANT SELECT ON \`${mariaDbName}\`.* TO ?@? WITH GRANT OPTION`, [credentials.username, '%']);
    },
    accepts: ({ username, password }) => mysqlAccepts(server.port, username, password),
    async ordersReadBy({ username, password }) {
      const connection = await createConnection({ host: '127.0.0.1', port: server.port, user: username, password, database: mariaDbName });
      try {
        const [rows] = await connection.query('SELECT id FROM orders ORDER BY id');
        return (rows as Array<{ id: number }>).map((row) => row.id);
      } finally {
        await connection.end();
      }
    },
  };
}

async function valueAt(secretArn: string, stage: string): Promise<Record<string, unknown>> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: stage }));
  return JSON.parse(SecretString!);
}

function credentialsOf(value: Record<string, unknown>): Credentials {
  return { username: String(value.username), password: String(value.password) };
}

/** What the simulator recorded for one rotation, in order (a failed step shows its step and error message). */
function eventsOf(secretArn: string, token: string) {
  return sim.events
    .filter((event) => event.secretArn === secretArn && event.token === token)
    .map(({ type, step, error }) => ({ type, step, error: error?.message }));
}

/** The function's log text (its own JSON lines and the runtime's), to search for secret values. */
function functionLogText(strategy: Strategy): string {
  return sim.logs.events(`/aws/lambda/rotate-${strategy}`).map((event) => event.message).join('\n');
}

const CASES: ReadonlyArray<{ strategy: Strategy; database: () => TestDatabase; alternating: boolean }> = [
  { strategy: 'postgres-single-user', database: () => postgres, alternating: false },
  { strategy: 'postgres-alternating-users', database: () => postgres, alternating: true },
  { strategy: 'mysql-single-user', database: () => mariadb, alternating: false },
  { strategy: 'mysql-alternating-users', database: () => mariadb, alternating: true },
];

test.each(CASES)('$strategy: three rotations through RotateSecret, each judged by real logins', async ({ strategy, database, alternating }) => {
  const db = database();
  const prefix = `dr_${strategy.replace(/-/g, '_').replace('alternating_users', 'alt')}_${process.pid}`;
  const initial: Credentials = { username: prefix, password: randomPassword() };
  await db.createAppUser(initial);
  const fields: Record<string, unknown> = { engine: db.engine, host: '127.0.0.1', port: db.port, dbname: db.dbname, ssl: false };
  const master: Credentials = { username: `${prefix}_admin`, password: randomPassword() };
  if (alternating) {
    await db.createMaster(master);
    const { ARN } = await client.send(new CreateSecretCommand({
      Name: `database-rotation/${strategy}/master-${randomUUID()}`,
      SecretString: JSON.stringify({ ...fields, ...master }),
    }));
    fields.masterarn = ARN;
  }
  const { ARN: secretArn } = await client.send(new CreateSecretCommand({
    Name: `database-rotation/${strategy}/${randomUUID()}`,
    SecretString: JSON.stringify({ ...fields, ...initial }),
    Tags: TEST_OPTION_SET_TAGS,
  }));
  // Guards the meaning of every "rejected" below: the server refuses a wrong password, and accepts the right one.
  expect(await db.accepts({ ...initial, password: randomPassword() })).toBe(false);
  expect(await db.accepts(initial)).toBe(true);

  const values: Credentials[] = [initial];
  for (let round = 1; round <= 3; round++) {
    const currentBefore = versionWith(await stagesOf(client, secretArn!), 'AWSCURRENT');
    // The first call configures rotation (and rotates at once, RotateImmediately's default); later ones rotate.
    const request: RotateSecretCommandInput = round === 1
      ? { SecretId: secretArn, RotationLambdaARN: functionArn(strategy), RotationRules: { ScheduleExpression: 'rate(30 days)' } }
      : { SecretId: secretArn };
    const { VersionId: token } = await client.send(new RotateSecretCommand(request));
    await sim.waitForIdle();

    // One attempt, no failure and no retry.
    expect(eventsOf(secretArn!, token!)).toEqual([{ type: 'RotationStarted' }, { type: 'RotationSucceeded' }]);
    const stages = await stagesOf(client, secretArn!);
    expect(stages[token!]).toEqual(['AWSCURRENT']);
    expect(stages[currentBefore!]).toEqual(['AWSPREVIOUS']);
    expect(pendingIsSettled(stages)).toBe(true);

    const currentValue = await valueAt(secretArn!, 'AWSCURRENT');
    const current = credentialsOf(currentValue);
    const previous = values[round - 1];
    expect(credentialsOf(await valueAt(secretArn!, 'AWSPREVIOUS'))).toEqual(previous);
    // Only the user and password change; engine, host, port, dbname, ssl and masterarn are carried over.
    expect(currentValue).toEqual({ ...fields, username: current.username, password: current.password });
    expect(current.password).not.toBe(previous.password);
    values.push(current);

    expect(await db.accepts(current)).toBe(true);
    expect(await db.ordersReadBy(current)).toEqual([ORDER_ID]);
    if (alternating) {
      // The users take turns; the first rotation made the clone with the app user's privileges.
      expect(current.username).toBe(round % 2 === 1 ? `${initial.username}_clone` : initial.username);
      // The user AWSPREVIOUS names was not touched: it keeps working until its own turn comes.
      expect(await db.accepts(previous)).toBe(true);
    } else {
      expect(current.username).toBe(initial.username);
      expect(await db.accepts(previous)).toBe(false);
    }
    if (round >= 2) {
      const twoAgo = values[round - 2];
      expect(twoAgo.username).toBe(current.username);
      expect(await db.accepts(twoAgo)).toBe(false);
    }
  }

  const logs = functionLogText(strategy);
  expect(logs).toContain('finishSecret');
  for (const { password } of [...values, master]) expect(logs).not.toContain(password);
});
