import { CreateUserSpec, createUserSpecProblem, EngineFamily, UsernameLimit } from '../../../../src/private/contract';
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

/** A user the master creates because the database has none of that name (createUser). */
export interface NewUser {
  readonly username: string;
  readonly password: string;
  readonly spec: CreateUserSpec;
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
  /**
   * Why the engine would not take a generated password as it is (Redshift reads some as hashes), or undefined; never
   * quotes the password. Engines without rules of their own take any password the policy makes.
   */
  readonly passwordProblem?: (password: string) => string | undefined;
  /** The user-name limit for a secret's `engine`. */
  usernameLimit(engine: string): UsernameLimit;
  /** Sets the password of the user logged in on `client` (single user). */
  setOwnPassword(client: C, username: string, password: string): Promise<void>;
  /**
   * Creates the alternate user with the current user's privileges, or sets its password if it exists
   * (alternating users). Must leave no half-made user behind when it fails.
   */
  setAlternateUserPassword(change: AlternateUserChange<C>): Promise<'created' | 'updated'>;
  /** Whether the database has a user of this name (MySQL: on any host), as the administrator sees it. createUser only. */
  userExists?(master: C, username: string): Promise<boolean>;
  /**
   * Creates the user with its password and the spec's privileges; `existed` when another invocation created it
   * first. A failed statement leaves no user behind; a crash may leave one without all its privileges where DDL is
   * not transactional (MySQL), and `grantSpec` on the next attempt completes it. createUser only.
   */
  createUser?(master: C, user: NewUser): Promise<'created' | 'existed'>;
  /** Gives the user logged in on `session` the spec's privileges; granting what it already has changes nothing. createUser only. */
  grantSpec?(master: C, session: C, username: string, spec: CreateUserSpec): Promise<void>;
}

/** An engine whose strategies create users (createUser): PostgreSQL and MySQL. */
export type UserCreatingEngine<C extends DatabaseClient> = DatabaseEngine<C> & Required<Pick<DatabaseEngine<C>, 'userExists' | 'createUser' | 'grantSpec'>>;

/** `engine`, which must create users: the contract gives a create-user spec only to strategies whose engine does. */
export function userCreating<C extends DatabaseClient>(engine: DatabaseEngine<C>): UserCreatingEngine<C> {
  const { userExists, createUser, grantSpec } = engine;
  if (userExists === undefined || createUser === undefined || grantSpec === undefined) {
    throw new Error(`the ${engine.family.displayName} strategies do not create users, but a create-user spec names this secret`);
  }
  return { ...engine, userExists, createUser, grantSpec };
}

/** The spec was checked when the configuration was read; engines check it again where it becomes SQL. */
export function checkCreateUserSpec(spec: CreateUserSpec): void {
  const problem = createUserSpecProblem(spec);
  if (problem !== undefined) throw new Error(`the create-user spec is invalid: ${problem}`);
}
