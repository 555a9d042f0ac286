import type { StepContext } from '../types';
import type { DatabaseClient } from './client';
import { DatabaseEngine, userCreating } from './engines/engine';
import { LoginAttempt, LoginOutcome, loginToAccount } from './login';
import type { CreateUserSpec } from '../../../src/private/contract';

/** What the createUser steps work with. */
export interface UserStep<C extends DatabaseClient> {
  readonly engine: DatabaseEngine<C>;
  readonly context: StepContext;
  readonly logFields: Record<string, unknown>;
  /** One login, logged. */
  login(attempt: LoginAttempt): Promise<LoginOutcome<C>>;
}

/**
 * createUser: when the database has no user of the name the attempt's credentials hold, the master creates it with
 * their password and the spec's privileges. When it has one, the password must open it: then another invocation has just created
 * it, and its privileges are granted again in case that invocation died before it had. Otherwise the password is
 * wrong, and that stays the failure `refusal` describes: the password of a user that exists is never reset.
 */
export async function createMissingUser<C extends DatabaseClient>(
  step: UserStep<C>,
  master: C,
  attempt: LoginAttempt,
  spec: CreateUserSpec,
  refusal: string,
): Promise<void> {
  const { context, logFields } = step;
  const engine = userCreating(step.engine);
  const { username, password } = attempt.credentials;
  if (!await engine.userExists(master, username)) {
    const outcome = await engine.createUser(master, { username, password, spec });
    const message = outcome === 'created' ? 'created the user with its privileges' : 'another invocation created the user first';
    context.log.info(message, { ...logFields, username });
    return;
  }
  const session = await loginToAccount(attempt, step.login);
  if (!session.ok) throw new Error(`${refusal}; the user exists, so its password is not reset (createUser only creates a user that does not exist)`);
  try {
    await engine.grantSpec(master, session.client, username, spec);
  } finally {
    await session.client.end();
  }
  context.log.info('another invocation created the user first; its privileges are granted again', { ...logFields, username });
}
