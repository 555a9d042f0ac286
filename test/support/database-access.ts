import { createConnection } from 'mysql2/promise';
import { Client } from 'pg';

/** What a login can do: read the application's `orders` table, only log in, or nothing. */
export type Access = 'works' | 'no-privilege' | 'refused';

/**
 * Checks credentials with the bare `pg` driver, independently of the code under test: a refused login is `refused`,
 * any other failure (server down, TLS) is thrown, so a test cannot mistake "unreachable" for "password rejected".
 */
export async function postgresAccess(port: number, username: string, password: string): Promise<Access> {
  const client = new Client({ host: '127.0.0.1', port, user: username, password, database: 'postgres', ssl: false, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    if ((error as { code?: string }).code === '28P01') return 'refused';
    throw error;
  }
  try {
    await client.query('SELECT id FROM orders');
    return 'works';
  } catch (error) {
    if ((error as { code?: string }).code === '42501') return 'no-privilege';
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The same with `mysql2`, reading `database`.orders. */
export async function mysqlAccess(port: number, username: string, password: string, database: string): Promise<Access> {
  let connection;
  try {
    connection = await createConnection({ host: '127.0.0.1', port, user: username, password, connectTimeout: 5000 });
  } catch (error) {
    // MariaDB answers ER_ACCESS_DENIED_NO_PASSWORD_ERROR for a user name it does not know.
    if (['ER_ACCESS_DENIED_ERROR', 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR'].includes((error as { code?: string }).code ?? '')) return 'refused';
    throw error;
  }
  try {
    await connection.query(`SELECT id FROM \`${database}\`.orders`);
    return 'works';
  } catch (error) {
    if (['ER_TABLEACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR'].includes((error as { code?: string }).code ?? '')) return 'no-privilege';
    throw error;
  } finally {
    await connection.end().catch(() => undefined);
  }
}
