import { isIP } from 'node:net';
import { ConnectionOptions, createConnection, SslOptions } from 'mysql2/promise';
import { ConnectionTarget, DatabaseClient, LoginError, QueryOptions, Row } from './client';
import { loginErrorFrom, queryErrorFrom } from './driver-errors';

/** A MySQL or MariaDB connection, with the driver's escaping for statements built from server output. */
export interface MySqlClient extends DatabaseClient {
  /** The value as a string literal, escaped by the driver. */
  escape(value: string): string;
  /** The name as a quoted identifier (`name`, backticks doubled), by the driver. */
  escapeId(name: string): string;
}

/**
 * mysql2 sets no TLS server name for an IP address, and Node then checks the certificate against "localhost"
 * instead of the address: any trusted certificate for localhost would pass. So verified TLS needs a DNS name.
 */
const IP_HOST_WITH_TLS =
  '`host` is an IP address, which the MySQL driver cannot check against the server certificate; ' +
  'use the server\'s DNS name (the RDS endpoint) for verified TLS, or set "ssl": false to connect without TLS';

/**
 * Connects with `mysql2`. Rejects with a LoginError. Statements go through `query()`, which escapes `?`
 * values on the client: `execute()` prepares on the server, and the server refuses to prepare ALTER USER.
 */
export async function connectMySql(target: ConnectionTarget): Promise<MySqlClient> {
  if (target.tls === 'verify-full' && isIP(target.host) !== 0) throw new LoginError('tls-verification', IP_HOST_WITH_TLS);
  let connection;
  try {
    connection = await createConnection(connectionOptions(target));
  } catch (error) {
    throw loginErrorFrom(error, target.password);
  }
  // A connection the server drops later emits 'error'; without a listener Node exits.
  connection.on('error', () => undefined);
  const open = connection;
  return {
    async query(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]> {
      try {
        const [rows] = await open.query({ sql, values: params === undefined ? undefined : [...params], timeout: target.queryTimeoutMs });
        return Array.isArray(rows) ? rows as Row[] : [];
      } catch (error) {
        throw queryErrorFrom(error, [...options?.sensitive ?? [], ...stringsOf(params)]);
      }
    },
    async end(): Promise<void> {
      await open.end().catch(() => open.destroy());
    },
    escape: (value) => open.escape(value),
    escapeId: (name) => open.escapeId(name),
  };
}

/** The mysql2 configuration for a target. */
export function connectionOptions(target: ConnectionTarget): ConnectionOptions {
  return {
    host: target.host,
    port: target.port,
    user: target.username,
    password: target.password,
    ...(target.database === undefined ? {} : { database: target.database }),
    connectTimeout: target.connectTimeoutMs,
    multipleStatements: false,
    ...(target.tls === 'disable' ? {} : { ssl: sslOptions(target) }),
  };
}

function sslOptions(target: ConnectionTarget): SslOptions {
  return {
    rejectUnauthorized: true,
    // mysql2 checks the certificate chain only; the host name check must be asked for.
    verifyIdentity: true,
    ...(target.trust.ca === undefined ? {} : { ca: target.trust.ca }),
  };
}

function stringsOf(params: readonly unknown[] | undefined): string[] {
  return (params ?? []).filter((value): value is string => typeof value === 'string');
}
