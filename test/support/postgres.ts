import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalServer, ServerCertificate, startPostgresServer } from '../../simulator/databases';

/**
 * A PostgreSQL cluster owned by one test file: its own data directory, port and socket, with password
 * checking (scram-sha-256) on TCP and trust on the socket, which only the admin (`postgres`) uses.
 */
export type PostgresCluster = LocalServer;

/** Options of startPostgres. */
export interface PostgresClusterOptions {
  /** Serve TLS with this certificate; TCP logins without TLS are then refused. @default - plaintext TCP logins */
  readonly tls?: ServerCertificate;
}

/**
 * Creates and starts a private cluster. The shared server on 5432 trusts every local connection, so a test that
 * a wrong password is refused needs this.
 */
export async function startPostgres(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  return startPostgresServer({ dir: await mkdtemp(join(tmpdir(), 'rotation-pg-')), tls: options.tls });
}
