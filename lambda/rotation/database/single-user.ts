import type { ProbeVerdict, ProtectedService, StepContext } from '../types';
import type { DatabaseClient } from './client';
import { createMissingUser, UserStep } from './create-user';
import { DatabaseEngine, userCreating } from './engines/engine';
import { credentialsOf, describeFailures, LoginAttempt, loginToAccount, tryLogin } from './login';
import { loginAsMaster } from './master';
import { newPassword } from './new-password';
import { probeLogin } from './probe';
import { DatabaseSecret, parseDatabaseSecret, serverMismatch } from './secret';
import type { DatabaseSettings } from './settings';
import { testPendingLogin } from './test-pending';
import { readCurrentValue, readPendingValue, readPreviousValue } from './versions';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, CreateUserSpec, createUserSpecFor, RotationFunctionConfig } from '../../../src/private/contract';

/**
 * Single user: the user changes its own password. setSecret follows AWS's single-user templates:
 * 1. pending must name the same user on the same server as current (checked first, so a pending value for
 *    another server is refused even if it logs in there);
 * 2. if the pending secret already logs in, the password is set: return (safe to retry);
 * 3. log in with current, else with previous (the password may already have moved on once);
 * 4. change the password.
 *
 * With createUser (a spec for this secret in the function's configuration), when no secret logs in because the
 * server has no such user, the administrator named by `masterarn` creates it with the pending password and the
 * spec's privileges. A user that exists is never given a new password by the administrator.
 */
export class SingleUserRotation<C extends DatabaseClient> implements ProtectedService {
  constructor(
    public readonly name: string,
    private readonly engine: DatabaseEngine<C>,
    private readonly settings: DatabaseSettings,
    private readonly createUsers?: RotationFunctionConfig['createUsers'],
  ) {}

  async createPendingValue(readCurrent: () => Promise<string>, context: StepContext): Promise<string> {
    const secret = parseDatabaseSecret(await readCurrent(), this.engine.family, `the ${AWSCURRENT} secret`);
    return JSON.stringify({ ...secret.fields, password: newPassword(this.engine, context) });
  }

  async setSecret(context: StepContext): Promise<void> {
    const logFields = this.logFields(context, 'setSecret');
    const family = this.engine.family;
    const current = parseDatabaseSecret(await readCurrentValue(context), family, `the ${AWSCURRENT} secret`);
    const pending = parseDatabaseSecret(await readPendingValue(context), family, `the ${AWSPENDING} secret`);

    const mismatch = accountMismatch(current, pending);
    if (mismatch) {
      throw new Error(`the ${AWSPENDING} secret's \`${mismatch}\` differs from the ${AWSCURRENT} secret's; a single-user rotation changes one user's password on one server`);
    }

    const spec = createUserSpecFor(this.createUsers, context.secretArn);
    const failures: Array<{ label: string; reason: string }> = [];
    const pendingAttempt: LoginAttempt = { label: 'pending', credentials: credentialsOf(pending) };
    // With createUser, a pending password the server takes counts even if the user may not use the database yet.
    const pendingLogin = spec === undefined
      ? await this.login(pendingAttempt, context, logFields)
      : await loginToAccount(pendingAttempt, this.userStep(context, logFields).login);
    if (pendingLogin.ok) {
      try {
        // Granted again: a crash between creating the user and granting its privileges (MySQL cannot roll DDL back)
        // leaves a user whose pending password works without them.
        if (spec !== undefined) await this.grantSpec(context, current, pendingLogin.client, spec, logFields);
      } finally {
        await pendingLogin.client.end();
      }
      context.log.info('the pending secret already logs in: its password is set', logFields);
      return;
    }
    failures.push({ label: 'pending', reason: pendingLogin.error.message });

    let session: { client: C; label: string } | undefined;
    const currentLogin = await this.login({ label: 'current', credentials: credentialsOf(current) }, context, logFields);
    if (currentLogin.ok) {
      session = { client: currentLogin.client, label: 'current' };
    } else {
      failures.push({ label: 'current', reason: currentLogin.error.message });
      const previous = await this.readPrevious(context, current, pending, logFields);
      if (typeof previous === 'string') {
        failures.push({ label: 'previous', reason: previous });
      } else if (previous) {
        const previousLogin = await this.login({ label: 'previous', credentials: credentialsOf(previous) }, context, logFields);
        if (previousLogin.ok) session = { client: previousLogin.client, label: 'previous' };
        else failures.push({ label: 'previous', reason: previousLogin.error.message });
      }
    }
    if (!session && !currentLogin.ok && currentLogin.error.reason === 'authentication') {
      // Another invocation of this rotation (Secrets Manager retries concurrently) may have set the pending password
      // between this one's pending login (too early) and its current login (too late).
      const again = await this.login(pendingAttempt, context, logFields);
      if (again.ok) {
        await again.client.end();
        context.log.info('the pending secret logs in now: another invocation set its password', logFields);
        return;
      }
    }
    if (!session) {
      const refusal = `Unable to log into database with previous, current, or pending secret (${describeFailures(failures)})`;
      // createUser: a user the server refuses may not exist yet; then the master makes it with the pending password.
      if (spec === undefined || currentLogin.ok || currentLogin.error.reason !== 'authentication') throw new Error(refusal);
      await this.createUser(context, current, pendingAttempt, spec, refusal, logFields);
      return;
    }

    try {
      await this.engine.setOwnPassword(session.client, pending.username, pending.password);
    } finally {
      await session.client.end();
    }
    context.log.info('set the pending password', { ...logFields, username: pending.username, loggedInWith: session.label });
  }

  async testSecret(context: StepContext): Promise<void> {
    await testPendingLogin(this.engine, this.settings, context, this.logFields(context, 'testSecret'));
  }

  probe(readValue: () => Promise<string | undefined>): Promise<ProbeVerdict> {
    return probeLogin(this.engine, this.settings, readValue);
  }

  private async createUser(
    context: StepContext,
    current: DatabaseSecret,
    pending: LoginAttempt,
    spec: CreateUserSpec,
    refusal: string,
    logFields: Record<string, unknown>,
  ): Promise<void> {
    const step = this.userStep(context, logFields);
    await this.asMaster(context, current, logFields, (master) => createMissingUser(step, master, pending, spec, refusal));
  }

  private async grantSpec(
    context: StepContext,
    current: DatabaseSecret,
    session: C,
    spec: CreateUserSpec,
    logFields: Record<string, unknown>,
  ): Promise<void> {
    await this.asMaster(context, current, logFields, (master) => userCreating(this.engine).grantSpec(master, session, current.username, spec));
  }

  /** Runs `work` in a session of the administrator named by the secret's `masterarn`. */
  private async asMaster(
    context: StepContext,
    current: DatabaseSecret,
    logFields: Record<string, unknown>,
    work: (master: C) => Promise<void>,
  ): Promise<void> {
    const master = await loginAsMaster(this.engine, this.settings, context, current, logFields);
    try {
      await work(master);
    } finally {
      await master.end();
    }
  }

  /**
   * AWSPREVIOUS with current's `ssl` (as the templates do), undefined when there is none, or why it cannot be
   * used. It must name the same user on the same server as pending.
   */
  private async readPrevious(
    context: StepContext,
    current: DatabaseSecret,
    pending: DatabaseSecret,
    logFields: Record<string, unknown>,
  ): Promise<DatabaseSecret | string | undefined> {
    const value = await readPreviousValue(context);
    if (value === undefined) return undefined;
    let previous: DatabaseSecret;
    try {
      previous = parseDatabaseSecret(value, this.engine.family, `the ${AWSPREVIOUS} secret`);
    } catch (error) {
      context.log.warn(`ignoring the ${AWSPREVIOUS} secret`, { ...logFields, error: (error as Error).message });
      return (error as Error).message;
    }
    const mismatch = accountMismatch(previous, pending);
    if (mismatch) return `not used: its \`${mismatch}\` differs from the ${AWSPENDING} secret's`;
    return { ...previous, tls: current.tls };
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

/** The first of username, host, port on which the two secrets differ. */
function accountMismatch(a: DatabaseSecret, b: DatabaseSecret): 'username' | 'host' | 'port' | undefined {
  if (a.username !== b.username) return 'username';
  return serverMismatch(a, b);
}
