import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { CreateSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { escapeIdentifier as id, escapeLiteral as literal } from 'pg';
import { SecretsManagerSimulator } from '../../simulator';
import { createLocalDatabaseHost, DatabaseHost, LocalDatabase, LocalEngine } from '../../simulator/databases';
import { randomPassword } from '../lambda/rotation/database/harness';
import { Login, openSession, queryOnce, workDirWithOtherCa } from '../simulator/databases/support';
import { TEST_OPTION_SET_TAGS, bundleAssetDir, rotationEnvironment } from '../support/strategies';

/**
 * The bundled database rotation function against the local database host, as against RDS: TLS on (the default),
 * the server's certificate verified through NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem, which the simulator maps
 * to the host's CA; the master user made by the host is the one the alternating-users strategy uses.
 */

const DATABASE_HANDLER = bundleAssetDir('databaseRotation');
const DATABASE_NAME = 'orders';

let workDir: string;
let host: DatabaseHost;
let sim: SecretsManagerSimulator;
let client: SecretsManagerClient;
let ca: string;
const servers = new Map<LocalEngine, LocalDatabase>();
const master = { user: 'rds_master', password: randomPassword() };

beforeAll(async () => {
  ({ workDir } = await workDirWithOtherCa());
  host = await createLocalDatabaseHost({ workDir });
  ca = await readFile(host.caBundleFile, 'utf8');
  for (const engine of ['postgres', 'mysql'] as const) {
    servers.set(engine, await host.start({ engine, masterUsername: master.user, masterPassword: master.password, databaseName: DATABASE_NAME }));
  }
  sim = await SecretsManagerSimulator.start({ lambdaCaBundle: host.caBundleFile });
  client = new SecretsManagerClient(sim.clientConfig());
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await sim?.stop();
  await host?.destroyAll();
  await rm(workDir, { recursive: true, force: true });
});

/** Creates an application user as the master, over TLS, as an administrator of an RDS instance would. */
async function createAppUser(engine: LocalEngine, login: Login): Promise<void> {
  const session = await openSession(servers.get(engine)!, { ...master, database: DATABASE_NAME }, { ca });
  try {
    if (engine === 'postgres') {
      await session.query(`CREATE ROLE ${id(login.user)} LOGIN PASSWORD ${literal(login.password)}`);
    } else {
      await session.query('CREATE USER ?@? IDENTIFIED BY ?', [login.user, '%', login.password]);
      await session.query(`GRANT SELECT ON ${DATABASE_NAME}.* TO ?@?`, [login.user, '%']);
    }
  } finally {
    await session.end();
  }
}

/** Logs in over verified TLS; a refused password rejects with the driver's code. */
async function logIn(engine: LocalEngine, login: Login): Promise<void> {
  await queryOnce(servers.get(engine)!, { ...login, database: DATABASE_NAME }, { ca }, 'SELECT 1');
}

async function currentLogin(secretArn: string): Promise<Login> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn, VersionStage: 'AWSCURRENT' }));
  const value = JSON.parse(SecretString!);
  return { user: value.username, password: value.password };
}

test.each([
  ['postgres', 'postgres-single-user'],
  ['postgres', 'postgres-alternating-users'],
  ['mysql', 'mysql-single-user'],
  ['mysql', 'mysql-alternating-users'],
] as const)('%s: %s rotates over verified TLS with the host\'s master', async (engine, strategy) => {
  const functionArn = `arn:aws:lambda:us-east-1:123456789012:function:rotate-${strategy}`;
  sim.registerFunction(functionArn, {
    assetDir: DATABASE_HANDLER,
    // The database function's environment as the constructs write it (NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem among it).
    environment: rotationEnvironment(strategy),
    timeoutSeconds: 30,
  });
  const database = servers.get(engine)!;
  const initial = { user: `app_${strategy.replace('alternating-users', 'alt').replace(/-/g, '_')}`, password: randomPassword() };
  await createAppUser(engine, initial);
  const fields = { engine: engine === 'postgres' ? 'postgres' : 'mysql', host: database.host, port: database.port, dbname: DATABASE_NAME };
  const masterSecret = await client.send(new CreateSecretCommand({
    Name: `local-host/${strategy}/master-${randomUUID()}`,
    SecretString: JSON.stringify({ ...fields, username: master.user, password: master.password }),
  }));
  const { ARN } = await client.send(new CreateSecretCommand({
    Name: `local-host/${strategy}/app-${randomUUID()}`,
    SecretString: JSON.stringify({ ...fields, username: initial.user, password: initial.password, masterarn: masterSecret.ARN }),
    Tags: TEST_OPTION_SET_TAGS,
  }));

  await client.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: functionArn }));
  await sim.waitForIdle();

  expect(sim.events.filter((event) => event.secretArn === ARN).map((event) => [event.type, event.error?.message])).toEqual([['RotationStarted', undefined], ['RotationSucceeded', undefined]]);
  const current = await currentLogin(ARN!);
  expect(current).not.toEqual(initial);
  await expect(logIn(engine, current)).resolves.toBeUndefined();
  if (strategy.endsWith('single-user')) {
    await expect(logIn(engine, initial)).rejects.toMatchObject({ code: engine === 'postgres' ? '28P01' : 'ER_ACCESS_DENIED_ERROR' });
  }
});
