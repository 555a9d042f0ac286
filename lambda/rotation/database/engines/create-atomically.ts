import { DatabaseQueryError } from '../client';
import type { PostgresClient } from '../pg-client';

/**
 * What creating a user or role answers when another invocation created it first: duplicate_object, or
 * unique_violation when the two transactions overlapped.
 */
const ALREADY_EXISTS = new Set(['42710', '23505']);

/**
 * Runs `create` (a user and its memberships) in one transaction of PostgreSQL or Redshift: a failed membership must not
 * leave a user that logs in without it. False when another invocation created it first (its transaction, with the
 * same memberships, has committed by then).
 */
export async function createAtomically(client: PostgresClient, create: () => Promise<void>): Promise<boolean> {
  await client.query('BEGIN');
  try {
    await create();
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof DatabaseQueryError && ALREADY_EXISTS.has(error.code ?? '')) return false;
    throw error;
  }
}
