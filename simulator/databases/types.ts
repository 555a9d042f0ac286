import type { BinaryLocations } from './installation';

/** Engines served locally; `mysql` (and `mariadb`, `aurora-mysql`) are served by MariaDB here. */
export type LocalEngine = 'postgres' | 'mysql';

export interface LocalDatabaseOptions {
  readonly engine: LocalEngine;
  /** The master user, created with `masterPassword`, able to create users and grant what it has (as RDS's master). */
  readonly masterUsername: string;
  readonly masterPassword: string;
  /** A database created at start (RDS `DBName`). @default - none (PostgreSQL has `postgres`) */
  readonly databaseName?: string;
  /** Serve TLS with a certificate for `localhost` signed by the host's CA. @default true */
  readonly tls?: boolean;
}

export interface LocalDatabase {
  readonly engine: LocalEngine;
  /** Always 'localhost' (the certificate's name); the server listens on 127.0.0.1 only. */
  readonly host: string;
  readonly port: number;
  /** Runs one statement as the server's own superuser (through its socket), not as the master user. */
  adminQuery(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export interface DatabaseHost {
  /** PEM file of the CA that signs every server certificate: the simulator maps Lambda's CA bundle to it. */
  readonly caBundleFile: string;
  /** Why `engine` cannot be served on this machine (e.g. no server binaries, with what to install), or undefined. */
  unavailableReason(engine: LocalEngine): Promise<string | undefined>;
  start(options: LocalDatabaseOptions): Promise<LocalDatabase>;
  /** Destroys every server this host started (idempotent). */
  destroyAll(): Promise<void>;
}

export interface LocalDatabaseHostOptions {
  /** Where the host makes its directory (servers' data, the CA). @default - the OS temporary directory */
  readonly workDir?: string;
  /** Where to look for the server binaries. @default - the usual places (see `BinaryLocations`) */
  readonly binaryLocations?: BinaryLocations;
}
