import { beginRotation, errorText, randomPassword, RecordingLogger, rejectionOf, rotate, Rotation } from './harness';
import { MemorySecretsStore } from './memory-store';
import { TEST_SERVERS, useTestServer } from './servers';
import { AlternatingUsersRotation } from '../../../../lambda/rotation/database/alternating-users';
import type { DatabaseClient } from '../../../../lambda/rotation/database/client';
import type { DatabaseEngine } from '../../../../lambda/rotation/database/engines/engine';
import { databaseSettings } from '../../../../lambda/rotation/database/settings';
import { SingleUserRotation } from '../../../../lambda/rotation/database/single-user';
import type { ProtectedService } from '../../../../lambda/rotation/types';
import type { CreateUserSpec, DatabaseStrategyName } from '../../../../src/private/contract';
import { DatabaseCalls, FaultEffect, FaultTiming } from '../../../reliability/support/database-faults';
import { Invocation } from '../../../reliability/support/rotation-function';
import { rotationConfig } from '../../../support/strategies';

/**
 * createUser against real servers that check passwords: a private PostgreSQL cluster and the shared MariaDB. The
 * application user never exists beforehand; the secret holds a password no database has seen, as on a first deploy.
 */

const isAlternating = (strategy: DatabaseStrategyName) => strategy.endsWith('-alternating-users');

/** The strategy class over `engine` (the real one, or one with injected faults), with `createUsers`. */
function strategyOver(
  strategy: DatabaseStrategyName,
  engine: DatabaseEngine<DatabaseClient>,
  createUsers: Record<string, CreateUserSpec>,
): ProtectedService {
  const settings = databaseSettings(rotationConfig(strategy, { connectTimeoutSeconds: 3 }));
  return isAlternating(strategy)
    ? new AlternatingUsersRotation(strategy, engine, settings, createUsers)
    : new SingleUserRotation(strategy, engine, settings, createUsers);
}

function parse(value: string | undefined): { username: string; password: string } {
  return JSON.parse(value!);
}

const masterLogins = (log: RecordingLogger) => log.entries.filter((entry) => entry.fields?.secret === 'master');

describe.each(TEST_SERVERS)('%s', (_name, start, strategies) => {
  const testServer = useTestServer(start);

  /** A secret naming a user that does not exist (with `masterarn`), and the strategy with a spec under `specKey`. */
  function missingUser(strategy: DatabaseStrategyName, options: { spec?: CreateUserSpec; specKey?: (arn: string) => string } = {}) {
    const server = testServer();
    const store = new MemorySecretsStore();
    const masterArn = store.create('master', server.masterSecretValue);
    const username = server.newUsername();
    const initial = randomPassword();
    const arn = store.create('app', server.secretFor(username, initial, masterArn));
    const createUsers = { [(options.specKey ?? ((key) => key))(arn)]: options.spec ?? server.spec };
    return { store, arn, username, initial, createUsers, service: strategyOver(strategy, server.engine, createUsers) };
  }

  test.each(strategies)('%s: the master creates the missing user, which then rotates like any other', async (strategy) => {
    const server = testServer();
    const { store, arn, username, initial, service } = missingUser(strategy);
    const log = new RecordingLogger();

    await rotate(store, arn, service, log);

    const current = parse(store.valueAt(arn, 'AWSCURRENT'));
    expect(await server.access(current.username, current.password)).toBe('works');
    expect(log.entries.some((entry) => entry.message === 'created the user with its privileges' && entry.fields?.username === username)).toBe(true);
    if (isAlternating(strategy)) {
      // The current user was made with the current password, and the clone with its privileges.
      expect(current.username).toBe(`${username}_clone`);
      expect(await server.access(username, initial)).toBe('works');
    } else {
      // Made with the pending password: the first password never reached the database.
      expect(current.username).toBe(username);
      expect(await server.access(username, initial)).toBe('refused');
    }
    if (server.readsLookAlikeDatabase) expect(await server.readsLookAlikeDatabase(current.username, current.password)).toBe(false);

    const laterLog = new RecordingLogger();
    await rotate(store, arn, service, laterLog);
    const later = parse(store.valueAt(arn, 'AWSCURRENT'));
    expect(await server.access(later.username, later.password)).toBe('works');
    // Single user: the user changes its own password from now on; the master was only needed to create it.
    if (!isAlternating(strategy)) expect(masterLogins(laterLog)).toEqual([]);
    for (const secret of [initial, current.password, later.password, server.masterPassword]) {
      expect(log.text() + laterLog.text()).not.toContain(secret);
    }
  });

  test.each(strategies)('%s: a spec keyed by the partial ARN of a secret known by name applies', async (strategy) => {
    const server = testServer();
    const { store, arn, service } = missingUser(strategy, { specKey: (key) => key.replace(/-[A-Za-z0-9]{6}$/, '') });

    await rotate(store, arn, service, new RecordingLogger());

    const current = parse(store.valueAt(arn, 'AWSCURRENT'));
    expect(await server.access(current.username, current.password)).toBe('works');
  });

  test.each(strategies)('%s: a user that exists with another password is never reset, and the error says why', async (strategy) => {
    const server = testServer();
    const { store, arn, username, service } = missingUser(strategy);
    await server.createUserDirectly(username, 'the-real-password-1');
    const rotation = await beginRotation(store, arn, service, new RecordingLogger());

    const error = await rejectionOf(service.setSecret(rotation.context));

    expect(error.message).toMatch(/^Unable to log into database with .*; the user exists, so its password is not reset/);
    expect(await server.access(username, 'the-real-password-1')).toBe('works');
    const pending = parse(store.valueAt(arn, 'AWSPENDING'));
    expect(await server.access(pending.username, pending.password)).toBe('refused');
  });

  test.each(strategies)('%s: without a spec for this secret a missing user fails as before, and the master is not asked', async (strategy) => {
    const server = testServer();
    const { store, arn, username, service } = missingUser(strategy, { specKey: () => 'arn:aws:secretsmanager:us-east-1:123456789012:secret:another-AbCdEf' });
    const log = new RecordingLogger();
    const rotation = await beginRotation(store, arn, service, log);

    const error = await rejectionOf(service.setSecret(rotation.context));

    expect(error.message).toMatch(/^Unable to log into database with (the current secret|previous, current, or pending secret) \(/);
    expect(error.message).not.toMatch(/exists/);
    expect(masterLogins(log)).toEqual([]);
    expect(await server.userExists(username)).toBe(false);
  });

  test.each(strategies)('%s: a privilege the master cannot give leaves no user behind, and a retry with a spec it can give succeeds', async (strategy) => {
    const server = testServer();
    const failing = missingUser(strategy, { spec: server.halfGrantableSpec });
    const rotation = await beginRotation(failing.store, failing.arn, failing.service, new RecordingLogger());

    const error = await rejectionOf(failing.service.setSecret(rotation.context));

    expect(error.message).toMatch(server.family === 'postgres'
      ? /creating the user failed .*role "no_such_role" does not exist/
      : /granting the user's privileges failed at `GRANT DELETE ON .*`, so the user was dropped/);
    expect(await server.userExists(failing.username)).toBe(false);

    const fixed = strategyOver(strategy, server.engine, { [failing.arn]: server.spec });
    await fixed.setSecret(rotation.context);
    await fixed.testSecret(rotation.context);
    const pending = parse(failing.store.valueAt(failing.arn, 'AWSPENDING'));
    expect(await server.access(pending.username, pending.password)).toBe('works');
  });

  test.each(strategies)('%s: two setSecret at once both succeed, leaving one user with its privileges', async (strategy) => {
    const server = testServer();
    const { store, arn, username, initial, service } = missingUser(strategy);
    const rotation = await beginRotation(store, arn, service, new RecordingLogger());

    await Promise.all([service.setSecret(rotation.context), service.setSecret(rotation.context)]);
    await service.testSecret(rotation.context);

    const pending = parse(store.valueAt(arn, 'AWSPENDING'));
    expect(await server.access(pending.username, pending.password)).toBe('works');
    if (isAlternating(strategy)) expect(await server.access(username, initial)).toBe('works');
  });

  test.each(strategies)('%s: a lost connection or a crash at every database call of the creation; the retry completes the user', async (strategy) => {
    const server = testServer();
    const calls = new DatabaseCalls();
    type Fault = { call: number; timing: FaultTiming; effect: FaultEffect };
    const attempt = async (rotation: Rotation, createUsers: Record<string, CreateUserSpec>, fault?: Fault) => {
      const invocation = new Invocation({ Step: 'setSecret', SecretId: rotation.context.secretArn, ClientRequestToken: rotation.token });
      calls.reset(fault);
      const service = strategyOver(strategy, calls.engine(server.engine, invocation), createUsers);
      await Promise.race([service.setSecret(rotation.context), invocation.crashed]);
    };
    const clean = missingUser(strategy);
    await attempt(await beginRotation(clean.store, clean.arn, clean.service, new RecordingLogger()), clean.createUsers);
    const cleanCalls = [...calls.calls];
    expect(cleanCalls.length).toBeGreaterThanOrEqual(6);

    const problems: string[] = [];
    for (const [index, call] of cleanCalls.entries()) {
      for (const timing of call.succeeded ? ['before', 'after'] as const : ['before'] as const) {
        for (const effect of ['connection-lost', 'crash'] as const) {
          const trial = missingUser(strategy);
          const rotation = await beginRotation(trial.store, trial.arn, trial.service, new RecordingLogger());
          await attempt(rotation, trial.createUsers, { call: index + 1, timing, effect }).catch(() => undefined);
          // Secrets Manager's retry: the same steps again, with the same token.
          const retry = await trial.service.setSecret(rotation.context)
            .then(() => trial.service.testSecret(rotation.context))
            .catch((error: Error) => error);
          const pending = parse(trial.store.valueAt(trial.arn, 'AWSPENDING'));
          const access = await server.access(pending.username, pending.password);
          if (retry !== undefined || access !== 'works') {
            problems.push(`${effect} ${timing} call ${index + 1} (${call.description}): retry ${retry ? `failed: ${retry.message}` : 'passed'}, pending ${access}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test(`${strategies[0]}: a secret without \`masterarn\` cannot create its user, and the error names the field`, async () => {
    const server = testServer();
    const store = new MemorySecretsStore();
    const initial = randomPassword();
    const arn = store.create('app', server.secretFor(server.newUsername(), initial));
    const service = strategyOver(strategies[0], server.engine, { [arn]: server.spec });
    const rotation = await beginRotation(store, arn, service, new RecordingLogger());

    const error = await rejectionOf(service.setSecret(rotation.context));

    expect(error.message).toMatch(/`masterarn` is missing; the administrator's credentials are needed to create the user/);
    expect(errorText(error)).not.toContain(initial);
  });
});
