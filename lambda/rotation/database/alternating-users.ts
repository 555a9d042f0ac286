import type { ProbeVerdict, ProtectedService, StepContext } from '../types';
import { alternateUsername } from './alternate-username';
import type { DatabaseClient } from './client';
import { createMissingUser, UserStep } from './create-user';
import { DatabaseEngine, userCreating } from './engines/engine';
import { credentialsOf, LoginAttempt, loginToAccount, tryLogin } from './login';
import { loginAsMaster } from './master';
import { newPassword } from './new-password';
import { probeLogin } from './probe';
import { parseAlternatingUsersSecret, serverMismatch } from './secret';
import type { DatabaseSettings } from './settings';
import { testPendingLogin } from './test-pending';
import { readCurrentValue, readPendingValue } from './versions';
import { AWSCURRENT, AWSPENDING, CreateUserSpec, createUserSpecFor, RotationFunctionConfig } from '../../../src/private/contract';

/**
 * Alternating users: two users, `name` and `name_clone`, take turns. Each rotation sets a new password on the
 * user that is not current, as the administrator named by `masterarn`, so the current user keeps working
 * while the secret moves. The first rotation creates the clone with the current user's privileges.
 *
 * setSecret follows AWS's multi-user templates:
 * 1. pending must name the alternate of the current user, on the same server (checked first, so a pending
 *    value for another user or server is refused even if it logs in);
 * 2. if the pending secret already logs in, the password is set: return (safe to retry);
 * 3. the current secret must log in: whoever can write AWSPENDING must not be able to make the administrator
 *    act on a user they do not already control (the confused-deputy guard);
 * 4. log in as the administrator and create the alternate user, or set its password.
 *
 * With createUser (a spec for this secret in the function's configuration), a current user that the server refuses
 * and that does not exist is first created by the administrator, with the current password and the spec's
 * privileges; the spec is granted again on every rotation, before the clone copies the current user.
 */
export class AlternatingUsersRotation<C extends DatabaseClient> implements ProtectedService {
  constructor(
    public readonly name: string,
    private readonly engine: DatabaseEngine<C>,
    private readonly settings: DatabaseSettings,
    private readonly createUsers?: RotationFunctionConfig['createUsers'],
  ) {}

  async createPendingValue(readCurrent: () => Promise<string>, context: StepContext): Promise<string> {
    const secret = parseAlternatingUsersSecret(await readCurrent(), this.engine.family, `the ${AWSCURRENT} secret`);
    const username = alternateUsername(secret.username, this.engine.usernameLimit(secret.engine));
    return JSON.stringify({ ...secret.fields, username, password: newPassword(this.engine, context) });
  }

  async setSecret(context: StepContext): Promise<void> {
    const logFields = this.logFields(context, 'setSecret');
    const family = this.engine.family;
    const current = parseAlternatingUsersSecret(await readCurrentValue(context), family, `the ${AWSCURRENT} secret`);
    const pending = parseAlternatingUsersSecret(await readPendingValue(context), family, `the ${AWSPENDING} secret`);

    const expectedUsername = alternateUsername(current.username, this.engine.usernameLimit(current.engine));
    if (pending.username !== expectedUsername) {
      throw new Error(`the ${AWSPENDING} secret's \`username\` is not the alternate of the ${AWSCURRENT} secret's (the same name with "_clone" added or removed)`);
    }
    const mismatch = serverMismatch(current, pending);
    if (mismatch) {
      throw new Error(`the ${AWSPENDING} secret's \`${mismatch}\` differs from the ${AWSCURRENT} secret's; both users must be on one server`);
    }

    const pendingLogin = await this.login({ label: 'pending', credentials: credentialsOf(pending) }, context, logFields);
    if (pendingLogin.ok) {
      await pendingLogin.client.end();
      context.log.info('the pending secret already logs in: its password is set', logFields);
      return;
    }

    const spec = createUserSpecFor(this.createUsers, context.secretArn);
    const sessions: C[] = [];
    try {
      const currentAttempt: LoginAttempt = { label: 'current', credentials: credentialsOf(current) };
      // With createUser, a current password the server takes counts even if the user may not use the database yet.
      const currentLogin = spec === undefined
        ? await this.login(currentAttempt, context, logFields)
        : await loginToAccount(currentAttempt, this.userStep(context, logFields).login);
      let currentUser: { readonly session: C } | { readonly spec: CreateUserSpec; readonly refusal: string };
      if (currentLogin.ok) {
        sessions.push(currentLogin.client);
        currentUser = { session: currentLogin.client };
      } else {
        const refusal = `Unable to log into database with the current secret (${currentLogin.error.message})`;
        // createUser: a current user the server refuses may not exist yet; the master then makes it, below.
        if (spec === undefined || currentLogin.error.reason !== 'authentication') {
          throw new Error(`${refusal}; the current secret must work before the alternate user is changed`);
        }
        currentUser = { spec, refusal };
      }

      const master = await loginAsMaster(this.engine, this.settings, context, current, logFields);
      sessions.push(master);
      let currentClient: C;
      if ('session' in currentUser) {
        currentClient = currentUser.session;
      } else {
        // Made with the current password, then cloned as usual.
        await createMissingUser(this.userStep(context, logFields), master, currentAttempt, currentUser.spec, currentUser.refusal);
        const again = await loginToAccount(currentAttempt, this.userStep(context, logFields).login);
        if (!again.ok) throw new Error(`the user was created, but the current secret still does not log in (${again.error.message})`);
        sessions.push(again.client);
        currentClient = again.client;
      }
      // Granted on every rotation: completes a user whose creation a crash interrupted, before the clone copies it.
      if (spec !== undefined) await userCreating(this.engine).grantSpec(master, currentClient, current.username, spec);
      const outcome = await this.engine.setAlternateUserPassword({
        master,
        current: currentClient,
        currentUsername: current.username,
        alternateUsername: pending.username,
        password: pending.password,
      });
      context.log.info(outcome === 'created' ? 'created the alternate user with the current user\'s privileges' : 'set the alternate user\'s password', {
        ...logFields,
        username: pending.username,
        currentUsername: current.username,
      });
    } finally {
      await Promise.all(sessions.map((session) => session.end()));
    }
  }

  async testSecret(context: StepContext): Promise<void> {
    await testPendingLogin(this.engine, this.settings, context, this.logFields(context, 'testSecret'));
  }

  probe(readValue: () => Promise<string | undefined>): Promise<ProbeVerdict> {
    return probeLogin(this.engine, this.settings, readValue);
  }

  private login(attempt: LoginAttempt, context: StepContext, logFields: Record<string, unknown>) {
    return tryLogin(this.engine.connect, attempt, this.settings, context.log, logFields);
  }

  private userStep(context: StepContext, logFields: Record<string, unknown>): UserStep<C> {
    return { engine: this.engine, login: (attempt) => this.login(attempt, context, logFields), context, logFields };
  }

  private logFields(context: StepContext, step: string): Record<string, unknown> {
    return { step, secretArn: context.secretArn, token: context.token, strategy: this.name };
  }
}
