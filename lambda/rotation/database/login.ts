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

/** Logs in once; never throws. Logs the outcome, without the password. */
export async function tryLogin<C extends DatabaseClient>(
  connect: Connector<C>,
  attempt: LoginAttempt,
  settings: DatabaseSettings,
  log: Logger,
  logFields: Record<string, unknown>,
): Promise<LoginOutcome<C>> {
  const { credentials } = attempt;
  const target: ConnectionTarget = {
    ...credentials,
    trust: settings.trust,
    connectTimeoutMs: settings.connectTimeoutMs,
    queryTimeoutMs: settings.queryTimeoutMs,
  };
  const { username, host, port, tls } = credentials;
  const where = { ...logFields, secret: attempt.label, username, host, port, tls };
  try {
    const client = await connect(target);
    log.info('logged in to the database', where);
    return { ok: true, client };
  } catch (error) {
    const loginError = error instanceof LoginError
      ? error
      : new LoginError('other', redact(error instanceof Error ? error.message : String(error), [credentials.password]));
    log.info('could not log in to the database', { ...where, reason: loginError.reason, error: loginError.message });
    return { ok: false, error: loginError };
  }
}

/** The failed logins for an error message: `pending: <why>; current: <why>; ...`. */
export function describeFailures(failures: ReadonlyArray<{ readonly label: string; readonly reason: string }>): string {
  return failures.map(({ label, reason }) => `${label}: ${reason}`).join('; ');
}
