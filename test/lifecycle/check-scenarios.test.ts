import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { Duration, Stack, aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { databaseAccepts } from '../../sandbox/logins';
import { ExistingSecretRotation, RotatingSecret, RotationStrategy, Schedule, VerificationOptions } from '../../src';
import { LocalCloud } from '../support/cloud';

/**
 * The deploy-time check through CloudFormation's lifecycle on the local cloud, on the worst days: failed creates and
 * updates, their rollbacks, rotations that overlap a deploy. Each scenario runs on a generic secret and on a
 * single-user PostgreSQL secret whose database (a password-checking server) is an RDS instance of the same stack.
 * Only what CloudFormation, Secrets Manager or an operator does happens here; the test looks at the state through
 * the AWS SDK and the database itself.
 */

jest.setTimeout(600_000);

let cloud: LocalCloud;
beforeAll(async () => (cloud = await LocalCloud.start()));
afterAll(() => cloud.stop());

interface AppOptions {
  /** A configuration the rotation function cannot rotate with. */
  readonly broken?: boolean;
  /** A password option: changing it makes the check rotate again. */
  readonly passwordLength?: number;
  readonly verification?: VerificationOptions;
  readonly schedule?: Schedule;
}

interface Flavour {
  readonly name: string;
  /** The logical id prefix of the rotated secret. */
  readonly secret: string;
  build(stack: Stack, options: AppOptions): void;
  /** What the protected service says of a version's value: undefined when there is no service (generic). */
  service(value: string): Promise<string | undefined>;
}

/**
 * Generic: a plain secret of the app rotated by ExistingSecretRotation. Broken: a JSON strategy for a value that is
 * not JSON (createSecret cannot replace a field of it), a mistake only the rotation can find.
 */
const GENERIC: Flavour = {
  name: 'generic',
  secret: 'Token',
  build(stack, { broken, passwordLength = 32, verification, schedule }) {
    const secret = new secretsmanager.Secret(stack, 'Token', { generateSecretString: { excludePunctuation: true } });
    const strategy = broken
      ? RotationStrategy.randomPassword({ passwordLength, secretStringTemplate: '{"client":"billing"}', generateStringKey: 'password' })
      : RotationStrategy.randomPassword({ passwordLength, excludePunctuation: true });
    new ExistingSecretRotation(stack, 'TokenRotation', { secret, strategy, verification, schedule });
  },
  service: async () => undefined,
};

/**
 * PostgreSQL, single user: the master secret of an RDS instance of the stack. Broken: a dbname that does not exist,
 * which setSecret does not need (it logs in with the previous version) and testSecret does.
 */
const POSTGRES: Flavour = {
  name: 'postgres single user',
  secret: 'Master',
  build(stack, { broken, passwordLength = 32, verification, schedule }) {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const strategy = RotationStrategy.postgresSingleUser({ username: 'orders_admin', vpc, dbname: broken ? 'no_such_database' : 'orders', passwordLength });
    const master = new RotatingSecret(stack, 'Master', { strategy, verification, schedule });
    new rds.DatabaseInstance(stack, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      databaseName: 'orders',
      credentials: rds.Credentials.fromSecret(master),
    });
  },
  service: (value) => databaseAccepts(value, cloud.ca),
};

const FLAVOURS = [GENERIC, POSTGRES].map((flavour) => [flavour.name, flavour] as const);

const versionOf = (labels: Record<string, string[]>, label: string) => Object.keys(labels).find((id) => labels[id].includes(label));

function stackName(scenario: string, flavour: Flavour): string {
  return `${scenario}-${flavour.name}`.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase());
}

async function valueOfVersion(arn: string, versionId: string): Promise<string> {
  return (await cloud.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }))).SecretString!;
}

/** A rotation function of the stack by logical id prefix: its ARN. */
function functionArn(stack: string, prefix: string): string {
  return cloud.physicalId(stack, prefix, 'AWS::Lambda::Function');
}

describe.each(FLAVOURS)('%s', (_name, flavour) => {
  test('finding 6: an update with a broken function fails and rolls back to UPDATE_ROLLBACK_COMPLETE, every login working and rotation still configured', async () => {
    const name = stackName('FailedUpdate', flavour);
    const app = (options: AppOptions) => cloud.deploy(name, (stack) => flavour.build(stack, options));
    expect((await app({})).status).toBe('CREATE_COMPLETE');
    const arn = cloud.physicalId(name, flavour.secret);
    const before = await cloud.settledLabels(arn);

    const update = await app({ broken: true, passwordLength: 40 });

    console.log(cloud.cfn.events(name).map((e) => `${e.logicalResourceId} ${e.resourceStatus} ${e.resourceStatusReason ?? ''}`).join('\n'));
    const checkLog = cloud.physicalId(name, 'RotationCheckLogs', 'AWS::Logs::LogGroup');
    console.log(cloud.sim.logs.events(checkLog).map((e) => e.message).filter((m) => !/^(START|END|REPORT)/.test(m)).join('\n'));
    console.log(JSON.stringify(cloud.sim.events.filter((e) => e.secretArn === arn)));
    expect(update.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const reason = cloud.failureReason(name)!;
    expect(reason).toMatch(/failed in step (createSecret|testSecret)/);
    const after = await cloud.settledLabels(arn);
    const current = await cloud.value(arn);
    expect(await flavour.service(current)).toBe(flavour === GENERIC ? undefined : 'accepted');
    if (flavour === GENERIC) expect(current).toMatch(/^[A-Za-z0-9]+$/);
    const described = await cloud.client.send(new DescribeSecretCommand({ SecretId: arn }));
    console.log(JSON.stringify({ reason, before, after, events: cloud.cfn.events(name).map((e) => `${e.logicalResourceId} ${e.resourceStatus} ${e.resourceStatusReason ?? ''}`) }, null, 1));
    expect(described.RotationLambdaARN).toBe(described.RotationLambdaARN && functionArn(name, flavour === GENERIC ? 'GenericRotation' : 'PostgresSingleUserRotation'));
    expect((await cloud.cfn.delete(name)).status).toBe('DELETE_COMPLETE');
  });
});

void valueOfVersion; void Duration; void versionOf;
