import { isIP } from 'node:net';
import { Client, ClientConfig } from 'pg';
import type { ConnectionTarget, DatabaseClient, QueryOptions, Row } from './client';
import { loginErrorFrom, queryErrorFrom } from './driver-errors';

/** A PostgreSQL connection, with the driver's quoting for statements that take no parameters (ALTER USER). */
export interface PostgresClient extends DatabaseClient {
  /** The name as a quoted identifier ("name", quotes doubled). */
  escapeIdentifier(name: string): string;
  /** The text as a string literal, backslashes and quotes escaped. */
  escapeLiteral(text: string): string;
}

/** Connects with `pg`. Rejects with a LoginError. */
export async function connectPostgres(target: ConnectionTarget): Promise<PostgresClient> {
  const client = new Client(clientConfig(target));
  // A connection the server drops later (e.g. a restart) emits 'error'; without a listener Node exits.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw loginErrorFrom(error, target.password);
  }
  return {
    async query(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]> {
      try {
        const result = await client.query(sql, params === undefined ? undefined : [...params]);
        return result.rows;
      } catch (error) {
        throw queryErrorFrom(error, [...options?.sensitive ?? [], ...stringsOf(params)]);
      }
    },
    async end(): Promise<void> {
      await client.end().catch(() => undefined);
    },
    escapeIdentifier: (name) => client.escapeIdentifier(name),
    escapeLiteral: (text) => client.escapeLiteral(text),
  };
}

/** The pg configuration: every field explicit, so PG* environment variables never change the target. */
export function clientConfig(target: ConnectionTarget): ClientConfig {
  return {
    host: target.host,
    port: target.port,
    user: target.username,
    password: target.password,
    database: target.database ?? 'postgres',
    connectionTimeoutMillis: target.connectTimeoutMs,
    query_timeout: target.queryTimeoutMs,
    application_name: 'secrets-manager-rotation',
    ssl: target.tls === 'disable' ? false : {
      rejectUnauthorized: true,
      // SNI and the host-name check use the DNS name; for an IP address tls checks the IP against the certificate.
      ...(isIP(target.host) === 0 ? { servername: target.host } : {}),
      ...(target.trust.ca === undefined ? {} : { ca: target.trust.ca }),
    },
  };
}

function stringsOf(params: readonly unknown[] | undefined): string[] {
  return (params ?? []).filter((value): value is string => typeof value === 'string');
}
