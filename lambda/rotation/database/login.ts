import type { Logger } from '../types';
import { ConnectionTarget, Connector, Credentials, DatabaseClient, LoginError } from './client';
import { redact } from './redact';
import type { DatabaseSecret } from './secret';
import type { DatabaseSettings } from './settings';

export type { Credentials } from './client';

/** A login to try, named by the secret it comes from (`pending`, `current`, `previous`, `master`). */
export interface LoginAttempt {
  readonly label: string;
  readonly credentials: Credentials;
}

/** The outcome of one login: a session, or why there is none. */
export type LoginOutcome<C> = { readonly ok: true; readonly client: C } | { readonly ok: false; readonly error: LoginError };

/** A secret's credentials. */
export function credentialsOf(secret: DatabaseSecret): Credentials {
  return {
    host: secret.host,
    port: secret.port,
    username: secret.username,
    password: secret.password,
    ...(secret.dbname === undefined ? {} : { database: secret.dbname }),
    tls: secret.tls,
  };
}

/** Logs in once; never throws, never logs. */
export async function attemptLogin<C extends DatabaseClient>(
  connect: Connector<C>,
  credentials: Credentials,
  settings: DatabaseSettings,
): Promise<LoginOutcome<C>> {
  const target: ConnectionTarget = {
    ...credentials,
    trust: settings.trust,
    connectTimeoutMs: settings.connectTimeoutMs,
    queryTimeoutMs: settings.queryTimeoutMs,
  };
  try {
    return { ok: true, client: await connect(target) };
  } catch (error) {
    const loginError = error instanceof LoginError
      ? error
      : new LoginError('other', redact(error instanceof Error ? error.message : String(error), [credentials.password]));
    return { ok: false, error: loginError };
  }
}

/** Logs in once; never throws. Logs the outcome, without the password. */
export async function tryLogin<C extends DatabaseClient>(
  connect: Connector<C>,
  attempt: LoginAttempt,
  settings: DatabaseSettings,
  log: Logger,
  logFields: Record<string, unknown>,
): Promise<LoginOutcome<C>> {
  const { username, host, port, tls } = attempt.credentials;
  const where = { ...logFields, secret: attempt.label, username, host, port, tls };
  const outcome = await attemptLogin(connect, attempt.credentials, settings);
  if (outcome.ok) log.info('logged in to the database', where);
  else log.info('could not log in to the database', { ...where, reason: outcome.error.reason, error: outcome.error.message });
  return outcome;
}

/**
 * A session of the account the credentials open, by `login`. When the server took the password but refused the
 * database (a user whose privileges are still to be granted), logs in again without a database: the session is for
 * granting them.
 */
export async function loginToAccount<C extends DatabaseClient>(
  attempt: LoginAttempt,
  login: (attempt: LoginAttempt) => Promise<LoginOutcome<C>>,
): Promise<LoginOutcome<C>> {
  const outcome = await login(attempt);
  if (outcome.ok || outcome.error.reason !== 'database-denied') return outcome;
  const { database: _refused, ...withoutDatabase } = attempt.credentials;
  return login({ label: `${attempt.label} without a database`, credentials: withoutDatabase });
}

/** The failed logins for an error message: `pending: <why>; current: <why>; ...`. */
export function describeFailures(failures: ReadonlyArray<{ readonly label: string; readonly reason: string }>): string {
  return failures.map(({ label, reason }) => `${label}: ${reason}`).join('; ');
}
