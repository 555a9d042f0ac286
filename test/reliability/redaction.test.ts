import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerSimulator } from '../../simulator';
import { randomPassword } from './support/databases';
import { reportFigures } from './support/figures';
import { LeakAudit } from './support/leaks';
import { valueAt } from './support/secrets';
import { createSecret, DATABASE_ASSET, functionArn, logGroupOf, startSimulator } from './support/simulator';
import { passwordPolicyWithDefaults, rotationFunctionTimeoutSeconds } from '../../src/private/contract';
import { PrivateMariaDbServer, startMariaDb } from '../support/mariadb';
import { rotationEnvironment } from '../support/strategies';

/**
 * Redaction end to end: the shipped database function, the real driver and a real server whose error quotes the
 * statement, password and all. A MariaDB in NO_BACKSLASH_ESCAPES mode reads the driver's `\'` as the end of the
 * string, so a password with a quote makes SET PASSWORD a syntax error whose message quotes the rest of the
 * statement (`... near '<rest of the password>')'`). The rotation must fail, say why, and show no part of the
 * password in any log line or error.
 */

// A private server is started for this file (a process start); nothing here is timed.
jest.setTimeout(300_000);

const FUNCTION = functionArn('redaction-mysql-single-user');
/** Passwords long enough to hold a quote whatever the draw: (93/94)^2048 < 1e-9. */
const PASSWORD_LENGTH = 2048;

let server: PrivateMariaDbServer;
let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;

beforeAll(async () => {
  server = await startMariaDb();
  // A setting of the server's own (this private one), as a DBA may choose it; the driver escapes as if it were off.
  await server.adminQuery("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
  ({ sim, client } = await startSimulator({ maxRotationAttempts: 1 }));
  const passwordPolicy = passwordPolicyWithDefaults({ passwordLength: PASSWORD_LENGTH, excludeCharacters: '' }, '');
  const config = { passwordPolicy, connectTimeoutSeconds: 5 };
  sim.registerFunction(FUNCTION, {
    assetDir: DATABASE_ASSET,
    environment: rotationEnvironment('mysql-single-user', config),
    timeoutSeconds: rotationFunctionTimeoutSeconds('mysql-single-user', config.connectTimeoutSeconds),
  });
});

afterAll(async () => {
  client?.destroy();
  await sim?.stop();
  await server?.destroy();
});

test('a statement the server cannot parse carries the password in the driver\'s error: the rotation fails, and no part of the password reaches the logs', async () => {
  const password = randomPassword().replace(/[^A-Za-z0-9]/g, 'x');
  await server.adminQuery('CREATE USER ?@? IDENTIFIED BY ?', ['app', '%', password]);
  const secretArn = await createSecret(client, 'redaction', JSON.stringify({ engine: 'mariadb', host: '127.0.0.1', port: server.port, username: 'app', password, ssl: false }));

  await client.send(new RotateSecretCommand({ SecretId: secretArn, RotationLambdaARN: FUNCTION }));
  await sim.waitForIdle();

  const failures = sim.events.filter((event) => event.secretArn === secretArn && event.type === 'RotationFailed');
  expect(failures.map(({ step, error }) => ({ step, type: error?.type }))).toEqual([{ step: 'setSecret', type: expect.any(String) }]);
  // The server did refuse the statement as unparseable: the scenario happened, its quote of the statement redacted.
  expect(failures[0].error?.message).toMatch(/error in your SQL syntax.*near \[redacted\]/s);
  const pending = JSON.parse((await valueAt(client, secretArn, 'AWSPENDING'))!).password as string;
  expect(pending).toHaveLength(PASSWORD_LENGTH);
  expect(pending).toContain("'");

  const audit = new LeakAudit();
  await audit.addStoredValues(client, [secretArn]);
  audit.addSimulatorOutput(sim, [logGroupOf(FUNCTION)]);
  const leaks = audit.hits();
  reportFigures('redaction', { secretsAudited: audit.secretCount, textsAudited: audit.textCount, leakHits: leaks.length });
  expect(audit.secretCount).toBe(2);
  expect(leaks).toEqual([]);
});
