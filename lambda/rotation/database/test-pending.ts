import type { StepContext } from '../types';
import type { DatabaseClient } from './client';
import type { DatabaseEngine } from './engines/engine';
import { credentialsOf, tryLogin } from './login';
import { parseDatabaseSecret } from './secret';
import type { DatabaseSettings } from './settings';
import { readPendingValue } from './versions';
import { AWSPENDING } from '../../../src/private/contract';

/**
 * testSecret of every database strategy: log in with the pending secret and run a trivial statement.
 * Failure is an exception, which is how Secrets Manager reads it.
 */
export async function testPendingLogin<C extends DatabaseClient>(
  engine: DatabaseEngine<C>,
  settings: DatabaseSettings,
  context: StepContext,
  logFields: Record<string, unknown>,
): Promise<void> {
  const pending = parseDatabaseSecret(await readPendingValue(context), engine.family, `the ${AWSPENDING} secret`);
  const login = await tryLogin(engine.connect, { label: 'pending', credentials: credentialsOf(pending) }, settings, context.log, logFields);
  if (!login.ok) throw new Error(`Unable to log into database with the pending secret (${login.error.message})`);
  try {
    await login.client.query(engine.probeSql);
  } finally {
    await login.client.end();
  }
  context.log.info('the pending secret logs in and runs a query', { ...logFields, username: pending.username });
}
