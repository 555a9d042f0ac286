import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';
import { REDSHIFT_FAMILY } from '../src/private/contract';

/**
 * Whether a database takes a secret's credentials: the sandbox's own login, with the drivers and not through the
 * rotation function, so it checks the rotation independently. TLS is verified against `ca` (the local database
 * host's authority) unless the secret says `"ssl": false`. Errors never carry the password.
 */
export async function databaseAccepts(secretValue: string, ca: string): Promise<'accepted' | 'refused' | string> {
  let secret: Record<string, unknown>;
  try {
    secret = JSON.parse(secretValue);
  } catch {
    return 'the value is not JSON';
  }
  const { engine, host, port, username, password, dbname } = secret as Record<string, string | number | undefined>;
  const ssl = secret.ssl === false || secret.ssl === 'false' ? undefined : { ca };
  const target = { host: String(host), port: Number(port), user: String(username), password: String(password) };
  try {
    // Amazon Redshift speaks PostgreSQL's protocol; its default database is `dev`.
    const redshift = REDSHIFT_FAMILY.engines.includes(String(engine));
    if (String(engine).includes('postgres') || redshift) {
      const database = String(dbname ?? (redshift ? REDSHIFT_FAMILY.defaultDbname : 'postgres'));
      const client = new Client({ ...target, database, ssl, connectionTimeoutMillis: 10_000 });
      await client.connect();
      await client.end();
    } else {
      const database = dbname !== undefined ? { database: String(dbname) } : {};
      const connection = await createConnection({ ...target, ...database, ssl, connectTimeout: 10_000 });
      await connection.end();
    }
    return 'accepted';
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 28P01: PostgreSQL's invalid_password; 28000: no such role; ER_ACCESS_DENIED_ERROR: MySQL and MariaDB.
    if (code === '28P01' || code === '28000' || code === 'ER_ACCESS_DENIED_ERROR') return 'refused';
    return `login failed: ${code ?? 'error'}`;
  }
}
