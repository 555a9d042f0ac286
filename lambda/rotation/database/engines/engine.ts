import type { EngineFamily, UsernameLimit } from '../../../../src/private/contract';
import type { Connector, DatabaseClient } from '../client';

/** The password change of the alternating-users strategy, run as the administrator. */
export interface AlternateUserChange<C extends DatabaseClient> {
  /** The administrator's session. */
  readonly master: C;
  /** The session of the current user, who has just proven that the current secret works. */
  readonly current: C;
  readonly currentUsername: string;
  /** The user whose password changes: never the current one. */
  readonly alternateUsername: string;
  readonly password: string;
}

/**
 * What the rotation flows (single-user.ts, alternating-users.ts) need from one database engine: its driver and
 * the few statements that differ between PostgreSQL and MySQL.
 */
export interface DatabaseEngine<C extends DatabaseClient> {
  readonly family: EngineFamily;
  readonly connect: Connector<C>;
  /** A trivial statement that proves a session works (testSecret). */
  readonly probeSql: string;
  /** The user-name limit for a secret's `engine`. */
  usernameLimit(engine: string): UsernameLimit;
  /** Sets the password of the user logged in on `client` (single user). */
  setOwnPassword(client: C, username: string, password: string): Promise<void>;
  /**
   * Creates the alternate user with the current user's privileges, or sets its password if it exists
   * (alternating users). Must leave no half-made user behind when it fails.
   */
  setAlternateUserPassword(change: AlternateUserChange<C>): Promise<'created' | 'updated'>;
}
