import * as mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';

/**
 * The sandbox plays the database administrator for database secrets on this machine: before the first
 * rotation, the user must exist with the secret's initial password, as it would after `CREATE USER` in a
 * real deployment. Secrets whose host is not local are left to the user.
 */

/** Admin connections, from the environment or the usual local defaults. */
const POSTGRES_ADMIN_URL = process.env.SANDBOX_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_ADMIN_URL = process.env.SANDBOX_MYSQL_ADMIN_URL ?? 'mysql://root@127.0.0.1:3306';
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

interface DatabaseSecret {
  readonly engine: string;
  readonly host: string;
  readonly port?: number;
  readonly username: string;
  readonly password: string;
}

/** Why a database secret cannot be rotated here, or undefined when its user is ready. */
export async function provisionDatabaseUser(secretString: string): Promise<string | undefined> {
  const secret = JSON.parse(secretString) as DatabaseSecret;
  if (!LOCAL_HOSTS.has(secret.host)) {
    return `its database (${secret.host}) is not on this machine`;
  }
  try {
    if (/postgres/.test(secret.engine)) {
      await provisionPostgres(secret);
    } else {
      await provisionMysql(secret);
    }
    return undefined;
  } catch (error) {
    return `no ${secret.engine} server is reachable on ${secret.host}:${secret.port ?? ''} (${error instanceof Error ? error.message : String(error)})`;
  }
}

async function provisionPostgres(secret: DatabaseSecret): Promise<void> {
  const client = new PgClient({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const user = client.escapeIdentifier(secret.username);
    const password = client.escapeLiteral(secret.password);
    const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [secret.username]);
    await client.query(exists.rowCount ? `ALTER ROLE ${user} WITH LOGIN PASSWORD ${password}` : `CREATE ROLE ${user} WITH LOGIN PASSWORD ${password}`);
  } finally {
    await client.end();
  }
}

async function provisionMysql(secret: DatabaseSecret): Promise<void> {
  const connection = await mysql.createConnection({ uri: MYSQL_ADMIN_URL, connectTimeout: 3000 });
  try {
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [secret.username, '%', secret.password]);
    await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [secret.username, '%', secret.password]);
  } finally {
    await connection.end();
  }
}
