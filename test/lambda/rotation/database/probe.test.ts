import { randomUUID } from 'node:crypto';
import { randomPassword, RecordingLogger } from './harness';
import { MemorySecretsStore } from './memory-store';
import { TEST_SERVERS, useTestServer } from './servers';
import { runProbe } from '../../../../lambda/rotation/probe';
import { freePort } from '../../../../simulator/databases/ports';
import { databaseStrategy } from '../../../support/strategies';

/**
 * The deploy-time check's probe against real servers that check passwords: which versions of a secret the database
 * accepts now, one login each, changing nothing, and never a value in the answer or the log.
 */

describe.each(TEST_SERVERS)('%s', (_name, start, strategies) => {
  const testServer = useTestServer(start);

  test.each(strategies)('%s: each version is accepted, refused or unreachable, and nothing changes', async (strategy) => {
    const server = testServer();
    const username = server.newUsername();
    const password = randomPassword();
    await server.createUserDirectly(username, password);
    const store = new MemorySecretsStore();
    const arn = store.create('app', server.secretFor(username, password));
    const current = store.versionIdWith(arn, 'AWSCURRENT')!;
    const wrongPassword = randomPassword();
    // A pending value whose password the database never received (a rotation that stopped before setSecret).
    const pending = randomUUID();
    store.startRotation(arn, pending);
    await store.putPendingValue(arn, pending, server.secretFor(username, wrongPassword));
    // RotateSecret's placeholder, before createSecret stored a value.
    const placeholder = randomUUID();
    store.startRotation(arn, placeholder);
    const missingUser = store.putCurrent(arn, server.secretFor(server.newUsername('nobody'), password));
    const withChanged = (fields: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(server.secretFor(username, password)), ...fields });
    const closedPort = store.putCurrent(arn, withChanged({ port: await freePort() }));
    const lockedDatabase = store.putCurrent(arn, withChanged({ dbname: server.lockedDatabase }));
    const notJson = store.putCurrent(arn, `{"password": "${password}"`);
    const unknown = randomUUID();
    const stored = await server.storedPassword(username);
    const log = new RecordingLogger();

    const result = await runProbe(
      { ProbeVersions: { SecretId: arn, VersionIds: [current, pending, placeholder, missingUser, closedPort, lockedDatabase, notJson, unknown] } },
      { store, service: databaseStrategy(strategy, { connectTimeoutSeconds: 3 }), log },
    );

    expect(result.outcomes).toEqual({
      [current]: 'accepted',
      [pending]: 'refused',
      [placeholder]: 'refused',
      [missingUser]: 'refused',
      [closedPort]: 'unreachable',
      [lockedDatabase]: 'accepted',
      [notJson]: 'refused',
      [unknown]: 'refused',
    });
    expect(result.reasons).toEqual({
      [pending]: expect.stringMatching(server.family === 'postgres' ? /password authentication failed/ : /Access denied/),
      [placeholder]: 'the version has no value',
      [missingUser]: expect.any(String),
      [closedPort]: expect.stringMatching(/ECONNREFUSED/),
      [lockedDatabase]: expect.stringMatching(/^the server takes the password but refuses the database: /),
      [notJson]: expect.stringMatching(/^the version is not valid JSON/),
      [unknown]: 'the version has no value',
    });
    expect(await server.storedPassword(username)).toBe(stored);
    expect(await server.access(username, password)).toBe('works');
    expect(log.entries).toEqual([{ level: 'info', message: 'probe answered', fields: { secretId: arn, strategy, ...result } }]);
    for (const secret of [password, wrongPassword]) expect(JSON.stringify(result) + log.text()).not.toContain(secret);
  });
});
