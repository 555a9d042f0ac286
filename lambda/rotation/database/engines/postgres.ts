import { DatabaseQueryError } from '../client';
import type { AlternateUserChange, DatabaseEngine } from './engine';
import { POSTGRES_FAMILY, POSTGRES_USERNAME_LIMIT } from '../../../../src/private/contract';
import { connectPostgres, PostgresClient } from '../pg-client';

/**
 * What CREATE ROLE answers when another invocation created the role first: duplicate_object, or
 * unique_violation when the two transactions overlapped.
 */
const ROLE_ALREADY_EXISTS = new Set(['42710', '23505']);

/**
 * PostgreSQL. ALTER USER and CREATE ROLE take no bind parameters, so names are quoted with the driver's
 * escapeIdentifier and passwords with escapeLiteral.
 */
export const POSTGRES_ENGINE: DatabaseEngine<PostgresClient> = {
  family: POSTGRES_FAMILY,
  connect: connectPostgres,
  probeSql: 'SELECT NOW()',

  usernameLimit: () => POSTGRES_USERNAME_LIMIT,

  async setOwnPassword(client, username, password) {
    await setPassword(client, username, password);
  },

  async setAlternateUserPassword(change) {
    const { master, alternateUsername } = change;
    const existing = await master.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [alternateUsername]);
    if (existing.length > 0) {
      await setPassword(master, alternateUsername, change.password);
      return 'updated';
    }
    try {
      await createAlternateRole(change);
      return 'created';
    } catch (error) {
      // Another invocation created it first, with the same membership: only the password is left to set.
      if (!(error instanceof DatabaseQueryError && ROLE_ALREADY_EXISTS.has(error.code ?? ''))) throw error;
      await setPassword(master, alternateUsername, change.password);
      return 'updated';
    }
  },
};

async function setPassword(client: PostgresClient, username: string, password: string): Promise<void> {
  await client.query(
    `ALTER USER ${client.escapeIdentifier(username)} WITH PASSWORD ${client.escapeLiteral(password)}`,
    undefined,
    { sensitive: [password] },
  );
}

/**
 * Creates the alternate user as a member of the current one, so it holds the same privileges (as AWS's
 * template does), in one transaction: a failed GRANT must not leave a user that logs in without privileges.
 */
async function createAlternateRole({ master, currentUsername, alternateUsername, password }: AlternateUserChange<PostgresClient>): Promise<void> {
  const alternate = master.escapeIdentifier(alternateUsername);
  await master.query('BEGIN');
  try {
    await master.query(`CREATE ROLE ${alternate} WITH LOGIN PASSWORD ${master.escapeLiteral(password)}`, undefined, { sensitive: [password] });
    await master.query(`GRANT ${master.escapeIdentifier(currentUsername)} TO ${alternate}`);
    await master.query('COMMIT');
  } catch (error) {
    await master.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
