import { escapeIdentifier, escapeLiteral } from 'pg';
import { randomPassword } from './harness';
import type { DatabaseClient } from '../../../../lambda/rotation/database/client';
import type { DatabaseEngine } from '../../../../lambda/rotation/database/engines/engine';
import { MYSQL_ENGINE } from '../../../../lambda/rotation/database/engines/mysql';
import { POSTGRES_ENGINE } from '../../../../lambda/rotation/database/engines/postgres';
import type { CreateUserSpec, DatabaseStrategyName } from '../../../../src/private/contract';
import { Access, mysqlAccess, postgresAccess } from '../../../support/database-access';
import { sharedMariaDb } from '../../../support/mariadb';
import { startPostgres } from '../../../support/postgres';

/**
 * A server for the createUser and probe tests: an `orders` table, a master like an RDS master user (it may create
 * users and grant what the specs name), and specs.
 */
export interface TestServer {
  readonly family: 'postgres' | 'mysql';
  readonly engine: DatabaseEngine<DatabaseClient>;
  /** The privileges a created user needs to read `orders`. */
  readonly spec: CreateUserSpec;
  /** A spec whose first grant works and whose second the master cannot give. */
  readonly halfGrantableSpec: CreateUserSpec;
  /** The master secret's JSON. */
  readonly masterSecretValue: string;
  readonly masterPassword: string;
  /** A database no user but the administrator may use. */
  readonly lockedDatabase: string;
  /** A user name no user has, remembered for clean-up. */
  newUsername(prefix?: string): string;
  /** The JSON of an application secret for `username` (its `masterarn` when given). */
  secretFor(username: string, password: string, masterarn?: string): string;
  /** A user made out of band, with `password` and the spec's privileges. */
  createUserDirectly(username: string, password: string): Promise<void>;
  userExists(username: string): Promise<boolean>;
  /** Checked with the bare driver, independently of the code under test. */
  access(username: string, password: string): Promise<Access>;
  /** What the server stores for the user's password (a salted hash): changes whenever the password is set. */
  storedPassword(username: string): Promise<string>;
  /** MariaDB only: whether the user can read a database whose name the spec's database name matches as a pattern. */
  readsLookAlikeDatabase?(username: string, password: string): Promise<boolean>;
  destroy(): Promise<void>;
}

let count = 0;

/** A private PostgreSQL cluster: scram-sha-256 over TCP, so a missing user and a wrong password are both refused. */
export async function testPostgres(): Promise<TestServer> {
  const cluster = await startPostgres();
  const master = { username: 'rotation_admin', password: randomPassword() };
  await cluster.adminQuery('CREATE TABLE orders (id int)');
  await cluster.adminQuery('INSERT INTO orders VALUES (42)');
  await cluster.adminQuery('CREATE ROLE readers NOLOGIN');
  await cluster.adminQuery('GRANT SELECT ON orders TO readers');
  await cluster.adminQuery(`CREATE ROLE ${escapeIdentifier(master.username)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(master.password)}`);
  // PostgreSQL 16 and later require ADMIN OPTION to grant a role.
  await cluster.adminQuery(`GRANT readers TO ${escapeIdentifier(master.username)} WITH ADMIN OPTION`);
  await cluster.adminQuery('CREATE DATABASE locked');
  await cluster.adminQuery('REVOKE CONNECT ON DATABASE locked FROM PUBLIC');
  return {
    family: 'postgres',
    engine: POSTGRES_ENGINE as DatabaseEngine<DatabaseClient>,
    spec: { memberOf: ['readers'] },
    halfGrantableSpec: { memberOf: ['readers', 'no_such_role'] },
    masterSecretValue: JSON.stringify(master),
    masterPassword: master.password,
    newUsername: (prefix = 'app') => `${prefix}_${process.pid}_${++count}`,
    secretFor: (username, password, masterarn) => JSON.stringify({
      engine: 'postgres', host: '127.0.0.1', port: cluster.port, username, password, dbname: 'postgres', ssl: false, ...(masterarn ? { masterarn } : {}),
    }),
    async createUserDirectly(username, password) {
      await cluster.adminQuery(`CREATE ROLE ${escapeIdentifier(username)} LOGIN PASSWORD ${escapeLiteral(password)} IN ROLE readers`);
    },
    userExists: async (username) => (await cluster.adminQuery('SELECT 1 FROM pg_roles WHERE rolname = $1', [username])).length > 0,
    lockedDatabase: 'locked',
    storedPassword: async (username) => String((await cluster.adminQuery('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [username]))[0]?.rolpassword),
    access: (username, password) => postgresAccess(cluster.port, username, password),
    destroy: () => cluster.destroy(),
  };
}

/**
 * The shared MariaDB; every user and database made here is dropped by destroy(). The spec's database name has
 * underscores, which a database-level GRANT reads as wildcards unless they are escaped; a look-alike database
 * that the unescaped pattern would match checks that they are (and is the database no user may use).
 */
export async function testMariaDb(): Promise<TestServer> {
  const server = sharedMariaDb();
  const database = `rt_cu_${process.pid}`;
  const lookAlike = `rtXcuX${process.pid}`;
  // In a database-level GRANT `_` is a wildcard: escaped, the grants made here name this database only.
  const grantable = database.replace(/_/g, '\\_');
  const master = { username: `rt_cu_admin_${process.pid}`, password: randomPassword() };
  const users: string[] = [master.username];
  for (const name of [database, lookAlike]) {
    await server.adminQuery(`CREATE DATABASE IF NOT EXISTS \`${name}\``);
    await server.adminQuery(`CREATE TABLE IF NOT EXISTS \`${name}\`.orders (id int)`);
    await server.adminQuery(`INSERT INTO \`${name}\`.orders VALUES (42)`);
  }
  await server.adminQuery('DROP USER IF EXISTS ?@?', [master.username, '%']);
  await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [master.username, '%', master.password]);
  // CREATE USER and global GRANT OPTION (SHOW GRANTS' USAGE line of a clone needs it), a look at mysql.user and at
  // other users' grants, and SELECT on the app's database to pass on; not DELETE.
  await server.adminQuery('GRANT CREATE USER ON *.* TO ?@? WITH GRANT OPTION', [master.username, '%']);
  await server.adminQuery('GRANT SELECT ON mysql.* TO ?@?', [master.username, '%']);
  await server.adminQuery(`GRANT SELECT ON \`${grantable}\`.* TO ?@? WITH GRANT OPTION`, [master.username, '%']);
  return {
    family: 'mysql',
    engine: MYSQL_ENGINE as DatabaseEngine<DatabaseClient>,
    spec: { grants: [{ privileges: ['SELECT'], on: `${database}.*` }] },
    halfGrantableSpec: { grants: [{ privileges: ['SELECT'], on: `${database}.*` }, { privileges: ['DELETE'], on: `${database}.orders` }] },
    masterSecretValue: JSON.stringify({ username: master.username, password: master.password }),
    masterPassword: master.password,
    newUsername(prefix = 'rt_cu') {
      const username = `${prefix}_${process.pid}_${++count}`;
      users.push(username, `${username}_clone`);
      return username;
    },
    secretFor: (username, password, masterarn) => JSON.stringify({
      engine: 'mariadb', host: '127.0.0.1', port: server.port, username, password, dbname: database, ssl: false, ...(masterarn ? { masterarn } : {}),
    }),
    async createUserDirectly(username, password) {
      await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
      await server.adminQuery(`GRANT SELECT ON \`${grantable}\`.* TO ?@?`, [username, '%']);
    },
    userExists: async (username) => (await server.adminQuery('SELECT 1 FROM mysql.user WHERE User = ?', [username])).length > 0,
    lockedDatabase: lookAlike,
    storedPassword: async (username) => String((await server.adminQuery('SELECT authentication_string FROM mysql.user WHERE User = ?', [username]))[0]?.authentication_string),
    access: (username, password) => mysqlAccess(server.port, username, password, database),
    readsLookAlikeDatabase: async (username, password) => (await mysqlAccess(server.port, username, password, lookAlike)) === 'works',
    async destroy() {
      for (const user of users) await server.adminQuery('DROP USER IF EXISTS ?@?', [user, '%']);
      for (const name of [database, lookAlike]) await server.adminQuery(`DROP DATABASE IF EXISTS \`${name}\``);
    },
  };
}

/** Both engines, by name, with their strategies: for `describe.each`. */
export const TEST_SERVERS: ReadonlyArray<[string, () => Promise<TestServer>, readonly DatabaseStrategyName[]]> = [
  ['PostgreSQL', testPostgres, ['postgres-single-user', 'postgres-alternating-users']],
  ['MariaDB', testMariaDb, ['mysql-single-user', 'mysql-alternating-users']],
];

/** Starts the server before the tests of the enclosing `describe` and removes it after them. */
export function useTestServer(start: () => Promise<TestServer>): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await start();
  }, 60_000);
  afterAll(async () => {
    await server?.destroy();
  });
  return () => server!;
}
