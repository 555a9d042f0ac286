import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

/** Log in over verified TLS to `localhost`, trusting `ca`. */
export interface TlsCheck {
  readonly ca: string;
}

/**
 * Checks a login with the bare drivers, independently of the code under test. True when the server accepts the
 * credentials, false when it refuses them; any other failure (server down, TLS) is thrown, so a test cannot
 * mistake "unreachable" for "password rejected".
 */
export async function postgresAccepts(port: number, username: string, password: string, tls?: TlsCheck): Promise<boolean> {
  const client = new Client({
    host: tls ? 'localhost' : '127.0.0.1',
    port,
    user: username,
    password,
    database: 'postgres',
    ssl: tls ? { ca: tls.ca } : false,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same for MySQL/MariaDB (ER_ACCESS_DENIED_ERROR means refused). */
export async function mysqlAccepts(port: number, username: string, password: string, tls?: TlsCheck): Promise<boolean> {
  let connection;
  try {
    connection = await createConnection({
      host: tls ? 'localhost' : '127.0.0.1',
      port,
      user: username,
      password,
      connectTimeout: 5000,
      ...(tls ? { ssl: { ca: tls.ca, rejectUnauthorized: true, verifyIdentity: true } } : {}),
    });
    await connection.query('SELECT 1');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'ER_ACCESS_DENIED_ERROR') return false;
    throw error;
  } finally {
    await connection?.end().catch(() => undefined);
  }
}
