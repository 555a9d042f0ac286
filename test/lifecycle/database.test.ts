import { Stack, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { databaseAccepts } from '../../sandbox/logins';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../../src';
import { LocalCloud } from '../support/cloud';

/**
 * Database secrets through CloudFormation's lifecycle on the local cloud, against real PostgreSQL and MariaDB servers
 * standing in for RDS: no user is created by hand and nothing waits where CloudFormation would not. The first deploy
 * of a new database with its rotating secret passes; updates of connection settings and password options never
 * change the password except through a verified rotation.
 */

jest.setTimeout(300_000);

let cloud: LocalCloud;
beforeAll(async () => (cloud = await LocalCloud.start()));
afterAll(() => cloud.stop());

const versionOf = (labels: Record<string, string[]>, label: string) => Object.keys(labels).find((id) => labels[id].includes(label));

/** What the database says of the secret's AWSCURRENT and AWSPREVIOUS credentials. */
async function logins(arn: string): Promise<{ current: string; previous?: string }> {
  const labels = await cloud.settledLabels(arn);
  const current = await databaseAccepts(await cloud.value(arn), cloud.ca);
  const previous = versionOf(labels, 'AWSPREVIOUS') === undefined ? undefined : await databaseAccepts(await cloud.value(arn, 'AWSPREVIOUS'), cloud.ca);
  return { current, previous };
}

function postgresInstance(stack: Stack, vpc: ec2.IVpc, credentials: rds.Credentials): rds.DatabaseInstance {
  return new rds.DatabaseInstance(stack, 'Orders', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
    vpc,
    databaseName: 'orders',
    credentials,
  });
}

test('a new PostgreSQL instance whose master secret rotates: the first deploy passes; updates keep the password unless a verified rotation changes it', async () => {
  const app = (options: { dbname?: string; passwordLength?: number }) => cloud.deploy('OrdersMaster', (stack) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const master = new RotatingSecret(stack, 'Master', { strategy: RotationStrategy.postgresSingleUser({ username: 'orders_admin', vpc, ...options }) });
    postgresInstance(stack, vpc, rds.Credentials.fromSecret(master));
  });

  expect((await app({})).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('OrdersMaster', 'Master');
  // The instance was created with the generated password; the check's rotation replaced it at the database.
  expect(await logins(arn)).toEqual({ current: 'accepted', previous: 'refused' });
  expect(JSON.parse(await cloud.value(arn))).toMatchObject({ engine: 'postgres', host: 'localhost', username: 'orders_admin' });

  for (const [change, options] of [['dbname', { dbname: 'orders' }], ['password options', { dbname: 'orders', passwordLength: 40 }]] as const) {
    const before = versionOf(await cloud.settledLabels(arn), 'AWSCURRENT');
    expect(`${change}: ${(await app(options)).status}`).toBe(`${change}: UPDATE_COMPLETE`);
    const rotations = cloud.sim.events.filter((e) => e.secretArn === arn && e.type === 'RotationSucceeded' && e.trigger === 'RotateSecret');
    // The change re-ran the check, which merged the fields (same password) and then rotated and verified.
    expect(rotations.length).toBeGreaterThanOrEqual(2);
    expect(versionOf(await cloud.settledLabels(arn), 'AWSCURRENT')).not.toBe(before);
    expect(await logins(arn)).toEqual({ current: 'accepted', previous: 'refused' });
  }
  expect(JSON.parse(await cloud.value(arn))).toMatchObject({ dbname: 'orders' });
  expect((await cloud.value(arn)).length).toBeGreaterThan(0);

  expect((await cloud.cfn.delete('OrdersMaster')).status).toBe('DELETE_COMPLETE');
});

test.each([
  ['postgres', 'single user'],
  ['postgres', 'alternating users'],
  ['mysql', 'single user'],
  ['mysql', 'alternating users'],
] as const)('%s, %s: an application user is created by the first rotation (createUser) and then rotates', async (engine, users) => {
  const stackName = `App${engine}${users.replace(' ', '')}`.replace(/[^A-Za-z0-9]/g, '');
  const deploy = await cloud.deploy(stackName, (stack) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const database = engine === 'postgres'
      ? postgresInstance(stack, vpc, rds.Credentials.fromGeneratedSecret('orders_admin'))
      : new rds.DatabaseCluster(stack, 'Inventory', {
        engine: rds.DatabaseClusterEngine.auroraMysql({ version: rds.AuroraMysqlEngineVersion.VER_3_08_0 }),
        writer: rds.ClusterInstance.provisioned('Writer'),
        vpc,
        defaultDatabaseName: 'inventory',
        credentials: rds.Credentials.fromGeneratedSecret('admin'),
      });
    const target = database instanceof rds.DatabaseInstance
      ? DatabaseTarget.fromInstance(database)
      : DatabaseTarget.fromCluster(database as rds.DatabaseCluster);
    const common = {
      database: target,
      username: 'app_user',
      dbname: engine === 'postgres' ? 'orders' : 'inventory',
      masterSecret: database.secret!,
      vpc,
      createUser: engine === 'postgres' ? { memberOf: [] } : { grants: [{ privileges: ['SELECT', 'INSERT'], on: 'inventory.*' }] },
    };
    const strategy = engine === 'postgres'
      ? (users === 'single user' ? RotationStrategy.postgresSingleUser(common) : RotationStrategy.postgresAlternatingUsers(common))
      : (users === 'single user' ? RotationStrategy.mysqlSingleUser(common) : RotationStrategy.mysqlAlternatingUsers(common));
    new RotatingSecret(stack, 'AppUser', { strategy });
  });

  expect(`${deploy.status}: ${cloud.failureReason(stackName) ?? ''}`).toBe('CREATE_COMPLETE: ');
  const arn = cloud.physicalId(stackName, 'AppUser');
  const { current, previous } = await logins(arn);
  expect(current).toBe('accepted');
  // Single user: the initial password was never the user's (the user was created with the pending one).
  if (users === 'single user') expect(previous).toBe('refused');
  expect((await cloud.cfn.delete(stackName)).status).toBe('DELETE_COMPLETE');
});
