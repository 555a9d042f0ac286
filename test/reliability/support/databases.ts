import { randomInt } from 'node:crypto';
import { escapeIdentifier, escapeLiteral } from 'pg';
import { AlternatingUsersRotation } from '../../../lambda/rotation/database/alternating-users';
import type { DatabaseClient } from '../../../lambda/rotation/database/client';
import type { DatabaseEngine } from '../../../lambda/rotation/database/engines/engine';
import { MYSQL_ENGINE } from '../../../lambda/rotation/database/engines/mysql';
import { POSTGRES_ENGINE } from '../../../lambda/rotation/database/engines/postgres';
import { REDIS_ENGINE } from '../../../lambda/rotation/database/engines/redis';
import { databaseSettings } from '../../../lambda/rotation/database/settings';
import { SingleUserRotation } from '../../../lambda/rotation/database/single-user';
import type { ProtectedService } from '../../../lambda/rotation/types';
import { Access, mysqlAccess, postgresAccess } from '../../support/database-access';
import { MariaDbServer, sharedMariaDb } from '../../support/mariadb';
import { PostgresCluster, startPostgres } from '../../support/postgres';
import { deleteRedisUsers, redisAccess, redisAdminCommand, SHARED_REDIS_PORT, uniqueRedisUser } from '../../support/redis';
import { rotationConfig } from '../../support/strategies';

export type DatabaseStrategyName =
  | 'postgres-single-user' | 'postgres-alternating-users' | 'mysql-single-user' | 'mysql-alternating-users'
  | 'redis-single-user' | 'redis-alternating-users';

export type { Access } from '../../support/database-access';

/** A database user the test made, and the JSON secret for it. */
export interface AppUser {
  readonly username: string;
  readonly password: string;
  readonly secretValue: string;
}

/** Letters, digits and the punctuation the database strategies' default policy keeps. */
const PASSWORD_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-.;<=>?[]^_`{|}~';

/** A random 32-character password, as distinctive as a generated one (the leak audit searches for it). */
export function randomPassword(): string {
  return Array.from({ length: 32 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
}

/**
 * A real database server with an application table, an administrator (the master secret's user) and
 * application users made on demand; `destroy` removes everything it made.
 */
export interface DatabaseServer {
  readonly family: 'postgres' | 'mysql' | 'redis';
  readonly engine: DatabaseEngine<DatabaseClient>;
  readonly master: { readonly username: string; readonly password: string };
  /** The master secret's JSON. */
  masterSecretValue(): string;
  /** A new user that may read the application's table; its secret points at `masterarn` when given. */
  createUser(options?: { username?: string; password?: string; masterarn?: string }): Promise<AppUser>;
  /** Checks credentials with the bare driver, independently of the code under test. */
  access(username: string, password: string): Promise<Access>;
  destroy(): Promise<void>;
}

let userCount = 0;
function uniqueName(prefix: string): string {
  userCount += 1;
  return `${prefix}_${process.pid}_${userCount}`;
}

/** A private PostgreSQL cluster (scram-sha-256 over TCP, so a wrong password is refused). */
export async function postgresServer(): Promise<DatabaseServer> {
  const cluster: PostgresCluster = await startPostgres();
  const master = { username: 'rotation_admin', password: randomPassword() };
  // Like an RDS master user: not a superuser, but allowed to create roles and grant membership.
  await cluster.adminQuery(`CREATE ROLE ${escapeIdentifier(master.username)} LOGIN CREATEROLE PASSWORD ${escapeLiteral(master.password)}`);
  await cluster.adminQuery('CREATE TABLE orders (id int)');
  await cluster.adminQuery('INSERT INTO orders VALUES (42)');
  return {
    family: 'postgres',
    engine: POSTGRES_ENGINE as DatabaseEngine<DatabaseClient>,
    master,
    masterSecretValue: () => JSON.stringify(master),
    async createUser(options = {}) {
      const username = options.username ?? uniqueName('app');
      const password = options.password ?? randomPassword();
      await cluster.adminQuery(`CREATE ROLE ${escapeIdentifier(username)} LOGIN PASSWORD ${escapeLiteral(password)}`);
      await cluster.adminQuery(`GRANT SELECT ON orders TO ${escapeIdentifier(username)}`);
      const secret = { engine: 'postgres', host: '127.0.0.1', port: cluster.port, username, password, dbname: 'postgres', ssl: false };
      return { username, password, secretValue: JSON.stringify(options.masterarn ? { ...secret, masterarn: options.masterarn } : secret) };
    },
    access: (username, password) => postgresAccess(cluster.port, username, password),
    destroy: () => cluster.destroy(),
  };
}

/** The shared MariaDB, which checks the passwords of the users a test makes; every user made here is dropped. */
export async function mariaDbServer(): Promise<DatabaseServer> {
  const server: MariaDbServer = sharedMariaDb();
  const database = `rl_db_${process.pid}`;
  const master = { username: `rl_admin_${process.pid}`, password: randomPassword() };
  const users: string[] = [];
  await server.adminQuery(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
  await server.adminQuery(`CREATE TABLE IF NOT EXISTS \`${database}\`.orders (id int)`);
  await server.adminQuery(`INSERT INTO \`${database}\`.orders VALUES (42)`);
  await server.adminQuery('DROP USER IF EXISTS ?@?', [master.username, '%']);
  await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [master.username, '%', master.password]);
  await server.adminQuery('GRANT ALL PRIVILEGES ON *.* TO ?@? WITH GRANT OPTION', [master.username, '%']);
  return {
    family: 'mysql',
    engine: MYSQL_ENGINE as DatabaseEngine<DatabaseClient>,
    master,
    masterSecretValue: () => JSON.stringify({ engine: 'mariadb', host: '127.0.0.1', port: server.port, ...master, ssl: false }),
    async createUser(options = {}) {
      const username = options.username ?? uniqueName('rl');
      const password = options.password ?? randomPassword();
      users.push(username);
      // Left over by an earlier run of this worker process that did not finish, if any.
      await server.adminQuery('DROP USER IF EXISTS ?@?, ?@?', [username, '%', `${username}_clone`, '%']);
      await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', [username, '%', password]);
      await server.adminQuery(`GRANT SELECT ON \`${database}\`.orders TO ?@?`, [username, '%']);
      const secret = { engine: 'mariadb', host: '127.0.0.1', port: server.port, username, password, dbname: database, ssl: false };
      return { username, password, secretValue: JSON.stringify(options.masterarn ? { ...secret, masterarn: options.masterarn } : secret) };
    },
    access: (username, password) => mysqlAccess(server.port, username, password, database),
    async destroy() {
      for (const user of users) {
        await server.adminQuery('DROP USER IF EXISTS ?@?', [user, '%']);
        await server.adminQuery('DROP USER IF EXISTS ?@?', [`${user}_clone`, '%']);
      }
      await server.adminQuery('DROP USER IF EXISTS ?@?', [master.username, '%']);
      await server.adminQuery(`DROP DATABASE IF EXISTS \`${database}\``);
    },
  };
}

/**
 * The shared Redis 7, with ACL users this server makes and deletes: an administrator allowed ACL GETUSER and SETUSER,
 * and application users that may read `app:*` keys (single-user ones may also run ACL SETUSER, to change their own
 * password). Checked with raw bytes, not the code under test.
 */
export async function redisServer(): Promise<DatabaseServer> {
  const master = { username: uniqueRedisUser('rl_admin'), password: randomPassword() };
  const users: string[] = [master.username];
  await redisAdminCommand('ACL', 'SETUSER', master.username, 'reset', 'on', `>${master.password}`, '+acl|setuser', '+acl|getuser');
  return {
    family: 'redis',
    engine: REDIS_ENGINE as DatabaseEngine<DatabaseClient>,
    master,
    masterSecretValue: () => JSON.stringify(master),
    async createUser(options = {}) {
      const username = options.username ?? uniqueRedisUser('rl');
      const password = options.password ?? randomPassword();
      users.push(username);
      const selfManaging = options.masterarn === undefined ? ['+acl|setuser'] : [];
      await redisAdminCommand('ACL', 'SETUSER', username, 'reset', 'on', `>${password}`, '~app:*', '+get', ...selfManaging);
      const secret = { engine: 'redis', host: '127.0.0.1', port: SHARED_REDIS_PORT, username, password, ssl: false };
      return { username, password, secretValue: JSON.stringify(options.masterarn ? { ...secret, masterarn: options.masterarn } : secret) };
    },
    access: (username, password) => redisAccess(username, password),
    destroy: () => deleteRedisUsers(users),
  };
}

export function isAlternating(strategy: DatabaseStrategyName): boolean {
  return strategy.endsWith('-alternating-users');
}

/** The real strategy class for `strategy`, over `engine` (the real one, or one with a faulty connector). */
export function databaseStrategy(strategy: DatabaseStrategyName, engine: DatabaseEngine<DatabaseClient>): ProtectedService {
  const settings = databaseSettings(rotationConfig(strategy, { connectTimeoutSeconds: 3 }));
  return isAlternating(strategy)
    ? new AlternatingUsersRotation(strategy, engine, settings)
    : new SingleUserRotation(strategy, engine, settings);
}
