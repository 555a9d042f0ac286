import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MariaDbServer as PrivateServer, queryMariaDb, ServerCertificate, startMariaDbServer } from '../../simulator/databases';

/** A MariaDB (or MySQL) server a test can administer. */
export interface MariaDbServer {
  readonly port: number;
  /** Runs one statement as root; `?` values are escaped by mysql2. */
  adminQuery(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
}

/** A private server, removed by destroy(). */
export type PrivateMariaDbServer = PrivateServer;

/**
 * The shared server on 127.0.0.1:3306 (root without a password). It checks the passwords of the users a test
 * creates; tests give their users unique names and drop them.
 */
export function sharedMariaDb(): MariaDbServer {
  const port = Number(process.env.MARIADB_PORT ?? 3306);
  return { port, adminQuery: (sql, params) => queryMariaDb({ host: '127.0.0.1', port, user: 'root' }, sql, params) };
}

/** Options of startMariaDb. */
export interface MariaDbOptions {
  /** Serve TLS with this certificate (plaintext stays allowed). */
  readonly tls?: ServerCertificate;
}

/**
 * A private mariadbd owned by one test file: own data directory, port and socket, root on the socket only.
 * Needed for TLS, which the shared server does not offer.
 */
export async function startMariaDb(options: MariaDbOptions = {}): Promise<PrivateMariaDbServer> {
  return startMariaDbServer({ dir: await mkdtemp(join(tmpdir(), 'rotation-mariadb-')), tls: options.tls });
}
