import type { TlsMode, TlsTrust } from './tls';

/**
 * The database drivers live behind these interfaces (db/pg-client.ts, db/mysql-client.ts), so the rotation
 * logic can be read, and tested, without them.
 */

/** What a login needs from a secret: where and as whom. */
export interface Credentials {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** The database to connect to; undefined connects to none (MySQL). */
  readonly database?: string;
  readonly tls: TlsMode;
}

/** Credentials plus how to connect: trusted authorities and time limits. */
export interface ConnectionTarget extends Credentials {
  readonly trust: TlsTrust;
  readonly connectTimeoutMs: number;
  /** How long one statement may run; a lock held elsewhere must not eat the function's whole timeout. */
  readonly queryTimeoutMs: number;
}

/** A row as the drivers return it: column name to value. */
export type Row = Readonly<Record<string, unknown>>;

/** Options of one query. */
export interface QueryOptions {
  /**
   * Values the statement carries that must never appear in an error (the new password). A failing query's
   * message is stripped of them; the statement itself is never part of an error.
   */
  readonly sensitive?: readonly string[];
}

/** One open connection. */
export interface DatabaseClient {
  /** Runs one statement; `params` are bound or escaped by the driver. Rejects with a DatabaseQueryError. */
  query(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<Row[]>;
  /** Closes the connection; never rejects. */
  end(): Promise<void>;
}

/** Opens a connection, or rejects with a LoginError. */
export type Connector<C extends DatabaseClient> = (target: ConnectionTarget) => Promise<C>;

/** Why a login failed, in terms an operator can act on. */
export type LoginFailureReason =
  | 'authentication' // the server refused the user name or password
  | 'database-denied' // the server took the password, but the user may not use the database
  | 'tls-not-supported' // TLS was required and the server does not offer it
  | 'tls-verification' // the certificate did not verify (unknown CA, wrong host name, expired)
  | 'unreachable' // refused, timed out, or the host name does not resolve
  | 'other';

/** A failed login. The message is the driver's, stripped of the password. */
export class LoginError extends Error {
  constructor(public readonly reason: LoginFailureReason, message: string) {
    super(message);
    this.name = 'LoginError';
  }
}

/**
 * A failed statement. The message is the driver's, stripped of sensitive values; `code` is the SQLSTATE
 * (PostgreSQL) or the error code name (MySQL). The driver's error is deliberately not kept as `cause`:
 * mysql2's errors carry the statement, password included.
 */
export class DatabaseQueryError extends Error {
  constructor(message: string, public readonly code: string | undefined) {
    super(code === undefined ? message : `${message} (${code})`);
    this.name = 'DatabaseQueryError';
  }
}
