import * as mysql from 'mysql2/promise';
import { Client as PgClient } from 'pg';

/**
 * The sandbox plays the database administrator for database secrets on this machine: before the first
 * rotation, the user must exist with the secret's initial password, as it would after `CREATE USER` in a
 * real deployment. Secrets whose host is not local are left to the user.
 */

/** Admin connections: from the environment, else the usual local administrator on the secret's server. */
function postgresAdminUrl(secret: DatabaseSecret): string {
  return process.env.SANDBOX_POSTGRES_ADMIN_URL ?? `postgres://postgres@${secret.host}:${secret.port ?? 5432}/postgres`;
}
function mysqlAdminUrl(secret: DatabaseSecret): string {
  return process.env.SANDBOX_MYSQL_ADMIN_URL ?? `mysql://root@${secret.host}:${secret.port ?? 3306}`;
}
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
  const client = new PgClient({ connectionString: postgresAdminUrl(secret), connectionTimeoutMillis: 3000 });
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
  const connection = await mysql.createConnection({ uri: mysqlAdminUrl(secret), connectTimeout: 3000 });
  try {
    await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [secret.username, '%', secret.password]);
    await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [secret.username, '%', secret.password]);
  } finally {
    await connection.end();
  }
}
