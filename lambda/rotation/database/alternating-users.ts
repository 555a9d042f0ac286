import type { ProtectedService, StepContext } from '../types';
import { alternateUsername } from './alternate-username';
import type { DatabaseClient } from './client';
import type { DatabaseEngine } from './engines/engine';
import { Credentials, credentialsOf, LoginAttempt, tryLogin } from './login';
import { DatabaseSecret, MasterSecret, parseAlternatingUsersSecret, parseMasterSecret, serverMismatch } from './secret';
import type { DatabaseSettings } from './settings';
import { testPendingLogin } from './test-pending';
import { readCurrentValue, readPendingValue } from './versions';
import { AWSCURRENT, AWSPENDING } from '../../../src/private/contract';

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
 */
export class AlternatingUsersRotation<C extends DatabaseClient> implements ProtectedService {
  constructor(
    public readonly name: string,
    private readonly engine: DatabaseEngine<C>,
    private readonly settings: DatabaseSettings,
  ) {}

  async createPendingValue(readCurrent: () => Promise<string>, context: StepContext): Promise<string> {
    const secret = parseAlternatingUsersSecret(await readCurrent(), this.engine.family, `the ${AWSCURRENT} secret`);
    const username = alternateUsername(secret.username, this.engine.usernameLimit(secret.engine));
    return JSON.stringify({ ...secret.fields, username, password: context.generatePassword() });
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

    const currentLogin = await this.login({ label: 'current', credentials: credentialsOf(current) }, context, logFields);
    if (!currentLogin.ok) {
      throw new Error(
        `Unable to log into database with the current secret (${currentLogin.error.message}); ` +
        'the current secret must work before the alternate user is changed',
      );
    }
    const currentClient = currentLogin.client;
    try {
      const masterCredentials = await this.readMasterCredentials(context, current);
      const masterLogin = await this.login({ label: 'master', credentials: masterCredentials }, context, logFields);
      if (!masterLogin.ok) {
        throw new Error(`Unable to log into database with the master secret named by \`masterarn\` (${masterLogin.error.message})`);
      }
      try {
        const outcome = await this.engine.setAlternateUserPassword({
          master: masterLogin.client,
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
        await masterLogin.client.end();
      }
    } finally {
      await currentClient.end();
    }
  }

  async testSecret(context: StepContext): Promise<void> {
    await testPendingLogin(this.engine, this.settings, context, this.logFields(context, 'testSecret'));
  }

  /**
   * The administrator's credentials for the current secret's server. An RDS-managed master secret holds only
   * `username` and `password`: the server is the current secret's, and so is the database.
   */
  private async readMasterCredentials(context: StepContext, current: DatabaseSecret & { masterarn: string }): Promise<Credentials> {
    const where = 'the master secret named by `masterarn`';
    const value = await context.store.getValue(current.masterarn, { stage: AWSCURRENT });
    if (value === undefined) throw new Error(`${where} has no ${AWSCURRENT} value`);
    const master: MasterSecret = parseMasterSecret(value, this.engine.family, where);
    if (master.host !== undefined && master.host !== current.host) {
      throw new Error(`${where}: its \`host\` differs from the ${AWSCURRENT} secret's; the administrator must be on the same server`);
    }
    return {
      host: current.host,
      port: master.port ?? current.port,
      username: master.username,
      password: master.password,
      ...(current.dbname === undefined ? {} : { database: current.dbname }),
      tls: master.tls ?? current.tls,
    };
  }

  private login(attempt: LoginAttempt, context: StepContext, logFields: Record<string, unknown>) {
    return tryLogin(this.engine.connect, attempt, this.settings, context.log, logFields);
  }

  private logFields(context: StepContext, step: string): Record<string, unknown> {
    return { step, secretArn: context.secretArn, token: context.token, strategy: this.name };
  }
}
