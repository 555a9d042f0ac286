import type { ProbeVerdict } from '../types';
import type { DatabaseClient } from './client';
import type { DatabaseEngine } from './engines/engine';
import { attemptLogin, credentialsOf } from './login';
import { DatabaseSecret, parseDatabaseSecret } from './secret';
import type { DatabaseSettings } from './settings';

/**
 * The probe of every database strategy: one login with the version's credentials, with the configured connect
 * timeout. `refused` only when the server refused the user name or password, `accepted` when it took the password
 * (even if it refused the database); any other failure (network, TLS, a missing database) is `unreachable`, since the
 * server did not say whether it takes these credentials.
 */
export async function probeLogin<C extends DatabaseClient>(
  engine: DatabaseEngine<C>,
  settings: DatabaseSettings,
  readValue: () => Promise<string | undefined>,
): Promise<ProbeVerdict> {
  const value = await readValue();
  if (value === undefined) return { outcome: 'refused', reason: 'the version has no value' };
  let secret: DatabaseSecret;
  try {
    secret = parseDatabaseSecret(value, engine.family, 'the version');
  } catch (error) {
    return { outcome: 'refused', reason: (error as Error).message };
  }
  const login = await attemptLogin(engine.connect, credentialsOf(secret), settings);
  if (login.ok) {
    await login.client.end();
    return { outcome: 'accepted' };
  }
  switch (login.error.reason) {
    case 'authentication':
      return { outcome: 'refused', reason: login.error.message };
    case 'database-denied':
      // The password is live on the server: removing its version would lose it.
      return { outcome: 'accepted', reason: `the server takes the password but refuses the database: ${login.error.message}` };
    default:
      return { outcome: 'unreachable', reason: login.error.message };
  }
}
