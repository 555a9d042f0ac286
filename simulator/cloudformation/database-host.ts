/**
 * The part of the local database host (simulator/databases) that the RDS handler uses: it starts throwaway
 * PostgreSQL and MariaDB servers that stand in for RDS instances and clusters.
 */

/** Engines served locally; `mysql` (and `mariadb`, `aurora-mysql`) are served by MariaDB. */
export type LocalEngine = 'postgres' | 'mysql';

export interface LocalDatabaseOptions {
  readonly engine: LocalEngine;
  readonly masterUsername: string;
  readonly masterPassword: string;
  /** @default - none */
  readonly databaseName?: string;
  /** @default true */
  readonly tls?: boolean;
}

export interface LocalDatabase {
  readonly engine: LocalEngine;
  readonly host: string;
  readonly port: number;
  destroy(): Promise<void>;
}

export interface DatabaseHost {
  /** Why `engine` cannot be served on this machine, or undefined. */
  unavailableReason(engine: LocalEngine): Promise<string | undefined>;
  start(options: LocalDatabaseOptions): Promise<LocalDatabase>;
}
