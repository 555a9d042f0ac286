import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { Duration, Stack, aws_ec2 as ec2, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { LocalCloud } from './cloud';
import { databaseAccepts } from '../../sandbox/logins';
import { DatabaseTarget, ExistingSecretRotation, RotationStrategy, VerificationOptions } from '../../src';

/**
 * The apps of the deploy-time check's scenarios: a secret of the stack and, when `rotate`, this library's rotation of
 * it (ExistingSecretRotation, so a deploy can add rotation to a secret that already exists). Each comes in two
 * flavours: a generic secret, and the single-user master secret of a PostgreSQL instance of the same stack, served by
 * a local password-checking server.
 */
export interface AppOptions {
  readonly rotate?: boolean;
  /** A configuration the rotation function cannot rotate with, a mistake only a rotation finds. */
  readonly broken?: boolean;
  /** A password option: changing it makes the check rotate again. @default 32 */
  readonly passwordLength?: number;
  readonly verification?: VerificationOptions;
  /** PostgreSQL only. */
  readonly connectTimeout?: Duration;
}

/** What the protected service says of one version's value. */
export type Login = 'accepted' | 'refused' | string;

export interface Flavour {
  readonly name: string;
  /** The step the broken configuration fails in. */
  readonly brokenStep: 'createSecret' | 'testSecret';
  /** Whether a failed rotation can leave the service with the pending password alone (single user, after setSecret). */
  readonly singleUser: boolean;
  /** The rotated secret's ARN in stack `name`. */
  secretArn(cloud: LocalCloud, name: string): string;
  build(stack: Stack, options: AppOptions): void;
  /** What the service says of `value`; undefined when the secret protects no service (generic). */
  login(cloud: LocalCloud, value: string): Promise<Login | undefined>;
}

/** Generic. Broken: a JSON strategy for a value that is not JSON, so createSecret cannot replace a field of it. */
export const GENERIC: Flavour = {
  name: 'generic',
  brokenStep: 'createSecret',
  singleUser: false,
  secretArn: (cloud, name) => cloud.physicalId(name, 'Token'),
  build(stack, { rotate, broken, passwordLength = 32, verification }) {
    const secret = new secretsmanager.Secret(stack, 'Token', { generateSecretString: { excludePunctuation: true } });
    if (!rotate) return;
    const strategy = broken
      ? RotationStrategy.randomPassword({ passwordLength, secretStringTemplate: '{"client":"billing"}', generateStringKey: 'password' })
      : RotationStrategy.randomPassword({ passwordLength, excludePunctuation: true });
    new ExistingSecretRotation(stack, 'TokenRotation', { secret, strategy, verification });
  },
  login: async () => undefined,
};

/**
 * PostgreSQL, single user: the instance's generated master secret. Broken: a database name that does not exist,
 * which setSecret does not need (it changes the password without one) and testSecret does.
 */
export const POSTGRES: Flavour = {
  name: 'postgres single user',
  brokenStep: 'testSecret',
  singleUser: true,
  // A generated RDS secret's logical id starts with the stack's name.
  secretArn: (cloud, name) => cloud.physicalId(name, `${name}OrdersSecret`),
  build(stack, { rotate, broken, passwordLength = 32, verification, connectTimeout }) {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const instance = new rds.DatabaseInstance(stack, 'Orders', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      databaseName: 'orders',
      credentials: rds.Credentials.fromGeneratedSecret('orders_admin'),
    });
    if (!rotate) return;
    const strategy = RotationStrategy.postgresSingleUser({
      database: DatabaseTarget.fromInstance(instance),
      username: 'orders_admin',
      dbname: broken ? 'no_such_database' : 'orders',
      vpc,
      passwordLength,
      connectTimeout,
    });
    new ExistingSecretRotation(stack, 'OrdersRotation', { secret: instance.secret!, strategy, verification });
  },
  // Whether the server takes the user's password, on the database its clients use (a broken version names another).
  login: (cloud, value) => databaseAccepts(JSON.stringify({ ...JSON.parse(value), dbname: 'orders' }), cloud.ca),
};

/** Deploys `flavour`'s app with the given options as stack `name` (create, or update when it exists). */
export function deployer(cloud: LocalCloud, name: string, flavour: Flavour) {
  return (options: AppOptions) => cloud.deploy(name, (stack) => flavour.build(stack, options));
}

export const FLAVOURS = [GENERIC, POSTGRES].map((flavour) => [flavour.name, flavour] as const);

export const versionOf = (labels: Record<string, string[]>, label: string) => Object.keys(labels).find((id) => labels[id].includes(label));

/** A stack name per scenario and flavour: `FailedUpdate` + `postgres single user` -> `FailedUpdatePostgresSingleUser`. */
export function stackName(scenario: string, flavour: Flavour): string {
  return `${scenario}-${flavour.name}`.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase());
}

/** What the service says of each labelled version's value, by label (generic: no entries). */
export async function loginsByLabel(cloud: LocalCloud, flavour: Flavour, arn: string): Promise<Record<string, Login>> {
  const labels = await cloud.labels(arn);
  const result: Record<string, Login> = {};
  for (const label of ['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS']) {
    if (versionOf(labels, label) === undefined) continue;
    const login = await flavour.login(cloud, await cloud.value(arn, label));
    if (login !== undefined) result[label] = login;
  }
  return result;
}

/** The labels whose passwords the service accepts (generic: none, there is no service). */
export async function acceptedLabels(cloud: LocalCloud, flavour: Flavour, arn: string): Promise<string[]> {
  const logins = await loginsByLabel(cloud, flavour, arn);
  return Object.keys(logins).filter((label) => logins[label] === 'accepted');
}

/** Whether rotation is configured with the stack's rotation function. */
export async function rotationFunctionOf(cloud: LocalCloud, arn: string): Promise<string | undefined> {
  const described = await cloud.client.send(new DescribeSecretCommand({ SecretId: arn }));
  return described.RotationEnabled ? described.RotationLambdaARN : undefined;
}

/** Polls `condition` until it holds; fails with `what` after a generous deadline (a loaded machine is slow). */
export async function until(what: string, condition: () => Promise<boolean> | boolean, deadlineMs = 180_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`waited ${deadlineMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The stack's statuses, in order: no scenario may pass through UPDATE_ROLLBACK_FAILED or ROLLBACK_FAILED. */
export function stackStatuses(cloud: LocalCloud, name: string): string[] {
  return cloud.cfn.events(name).filter((event) => event.logicalResourceId === name).map((event) => event.resourceStatus);
}

/** Why the stack's last failed operation failed: its latest failed resource's reason. */
export function lastFailureReason(cloud: LocalCloud, name: string): string {
  const failed = cloud.cfn.events(name).filter((event) => event.logicalResourceId !== name && event.resourceStatus.endsWith('_FAILED'));
  if (failed.length === 0) throw new Error(`no resource of ${name} failed`);
  return failed[failed.length - 1].resourceStatusReason ?? '';
}

/** The deploy-time check's log group in a stack. */
export function checkLogGroup(cloud: LocalCloud, name: string): string {
  return cloud.physicalId(name, 'RotationCheckLogs', 'AWS::Logs::LogGroup');
}
