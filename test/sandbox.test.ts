import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, aws_ec2 as ec2, aws_iam as iam, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Client, escapeIdentifier } from 'pg';
import { DatabaseTarget, ExistingSecretRotation, RedshiftClusterTarget, RotatingSecret, RotationStrategy } from '../src';
import { redshiftCluster } from './support/redshift-cluster';

/**
 * The sandbox CLI (the bundled one users run) on cloud assemblies, deployed as CloudFormation would: every secret
 * rotated at create, on schedule and at the update; a broken rotation fails the create, which rolls back, and the
 * run names the step; what cannot run here is skipped with the reason.
 */

const CLI = path.join(__dirname, '..', 'assets', 'sandbox', 'cli', 'index.js');

/** Synthesizes an app with asset metadata, as the CDK CLI writes it. */
function assembly(build: (stack: Stack) => void): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-assembly-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  build(new Stack(app, 'App'));
  app.synth();
  return outdir;
}

function runSandbox(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The report's row of one secret (its logical id starts with `name`). */
function row(output: string, name: string): string[] {
  const line = output.split('\n').find((candidate) => candidate.startsWith(`App/${name}`));
  if (line === undefined) throw new Error(`no row for App/${name} in:\n${output}`);
  return line.split(' | ').map((cell) => cell.trim());
}

test('rotates at create and on schedule, and again at an update; every secret proven', () => {
  const created = assembly((stack) => {
    new RotatingSecret(stack, 'Verified');
    new RotatingSecret(stack, 'Unverified', { verifyOnDeploy: false });
  });
  const updated = assembly((stack) => {
    new RotatingSecret(stack, 'Verified', { strategy: RotationStrategy.randomPassword({ passwordLength: 48 }) });
    new RotatingSecret(stack, 'Unverified', { verifyOnDeploy: false });
  });

  const { status, output } = runSandbox('--assembly', created, '--update-assembly', updated);

  // The repository has the IAM evaluator installed: the sandbox enforces IAM, and says so.
  expect(output).toMatch(/^IAM enforcement: on \(@cloud-copilot\/iam-simulate 0\.1\.\d+\)$/m);
  expect(output).toMatch(/^IAM: [1-9]\d* call\(s\) allowed, 0 denied$/m);
  expect(output).toMatch(/^App: create CREATE_COMPLETE, update UPDATE_COMPLETE, delete DELETE_COMPLETE$/m);
  const [, strategy, afterCreate, afterSchedule, afterUpdate, proven] = row(output, 'Verified');
  expect(strategy).toBe('generic');
  expect(afterCreate).toMatch(/AWSPREVIOUS; .*AWSCURRENT; rotations: 1 by RotateSecret/);
  expect(afterSchedule).toMatch(/1 by schedule/);
  // The new password policy changes the fingerprint: the update's check rotates again.
  expect(afterUpdate).toMatch(/rotations: 2 by RotateSecret/);
  expect(proven).toBe('yes');
  expect(row(output, 'Unverified')[5]).toBe('yes');
  expect(output).toMatch(/^2 of 2 rotating secret\(s\) proven$/m);
  expect(output).not.toMatch(/NodeVersionSupportWarning/);
  expect(status).toBe(0);
});

test('a broken rotation fails the create: the stack rolls back, is deleted, and the run names the step', () => {
  // No such user on the local PostgreSQL: every login of setSecret fails, as with wrong credentials in production.
  const dir = assembly((stack) => {
    new RotatingSecret(stack, 'Working');
    new RotatingSecret(stack, 'Broken', {
      strategy: RotationStrategy.postgresSingleUser({
        database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 5432 }), username: `sandbox_nobody_${process.pid}`, ssl: false,
      }),
    });
  });

  const { status, output } = runSandbox('--assembly', dir);

  expect(output).toMatch(/^App: create ROLLBACK_COMPLETE, delete DELETE_COMPLETE$/m);
  expect(output).toMatch(/^FAILED App: create: ROLLBACK_COMPLETE: RotationCheck\S* CREATE_FAILED: .*Rotation of secret "Broken\S*" .* failed in step setSecret/m);
  expect(row(output, 'Working').slice(2)).toEqual(['not created: its stack did not deploy', '', '', 'NO']);
  expect(output).toMatch(/^0 of 2 rotating secret\(s\) proven$/m);
  expect(status).toBe(1);
});

test('a database secret whose server is not reachable is skipped with the reason; the rest still rotate', () => {
  // Nothing listens on 127.0.0.1:1, as on a laptop without the team's database.
  const dir = assembly((stack) => {
    new RotatingSecret(stack, 'ApiKey');
    new RotatingSecret(stack, 'Unreachable', {
      strategy: RotationStrategy.mysqlSingleUser({ database: DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 1 }), username: 'nobody', ssl: false }),
    });
  });

  const { status, output } = runSandbox('--assembly', dir);

  expect(output).toMatch(/^skipping the rotation of App\/Unreachable\S*: no mysql server is reachable on 127\.0\.0\.1:1$/m);
  expect(row(output, 'Unreachable').slice(2)).toEqual(['skipped: no mysql server is reachable on 127.0.0.1:1', '', '', 'skipped']);
  expect(row(output, 'ApiKey')[5]).toBe('yes');
  expect(output).toMatch(/^1 of 1 rotating secret\(s\) proven; 1 skipped$/m);
  expect(status).toBe(0);
});

test('the master user of an RDS instance in the app rotates on a local server: the database takes only AWSCURRENT', () => {
  const dir = assembly((stack) => {
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const master = new RotatingSecret(stack, 'Master', { strategy: RotationStrategy.postgresSingleUser({ username: 'app_admin', vpc }) });
    new rds.DatabaseInstance(stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
      vpc,
      credentials: rds.Credentials.fromSecret(master),
    });
  });

  const { status, output } = runSandbox('--assembly', dir);

  const [, strategy, afterCreate, afterSchedule, , proven] = row(output, 'Master');
  expect(strategy).toBe('postgres-single-user');
  expect(afterCreate).toMatch(/AWSCURRENT accepted, AWSPREVIOUS refused$/);
  expect(afterSchedule).toMatch(/1 by schedule; AWSCURRENT accepted, AWSPREVIOUS refused$/);
  expect(proven).toBe('yes');
  expect(status).toBe(0);
});

test('Redshift strategies rotate users of the local PostgreSQL through the check, IAM enforced', async () => {
  // The local PostgreSQL speaks Redshift's protocol and shares the statements the strategies send to create a user
  // and change passwords; its `postgres` user comes in from 127.0.0.1 whatever the password, so it stands in for the
  // cluster's admin. The users get names of their own and are dropped afterwards.
  const single = `sandbox_rs_${process.pid}`;
  const alternating = `sandbox_rs_etl_${process.pid}`;
  const dir = assembly((stack) => {
    const admin = new secretsmanager.Secret(stack, 'LocalAdmin', { generateSecretString: { secretStringTemplate: '{"username":"postgres"}', generateStringKey: 'password' } });
    const database = DatabaseTarget.fromEndpoint({ host: '127.0.0.1', port: 5432 });
    const common = { database, dbname: 'postgres', ssl: false, masterSecret: admin, createUser: {} };
    new RotatingSecret(stack, 'RedshiftSingle', { strategy: RotationStrategy.redshiftSingleUser({ ...common, username: single }) });
    new RotatingSecret(stack, 'RedshiftAlternating', { strategy: RotationStrategy.redshiftAlternatingUsers({ ...common, username: alternating }) });
  });

  try {
    const { status, output } = runSandbox('--assembly', dir);

    expect(output).toMatch(/^IAM: [1-9]\d* call\(s\) allowed, 0 denied$/m);
    const [, singleStrategy, singleCreated, singleScheduled, , singleProven] = row(output, 'RedshiftSingle');
    expect(singleStrategy).toBe('redshift-single-user');
    expect(singleCreated).toMatch(/AWSCURRENT accepted, AWSPREVIOUS refused$/);
    expect(singleScheduled).toMatch(/1 by schedule; AWSCURRENT accepted, AWSPREVIOUS refused$/);
    expect(singleProven).toBe('yes');
    const [, alternatingStrategy, alternatingCreated, alternatingScheduled, , alternatingProven] = row(output, 'RedshiftAlternating');
    expect(alternatingStrategy).toBe('redshift-alternating-users');
    expect(alternatingCreated).toMatch(/AWSCURRENT accepted, AWSPREVIOUS accepted$/);
    expect(alternatingScheduled).toMatch(/1 by schedule; AWSCURRENT accepted, AWSPREVIOUS accepted$/);
    expect(alternatingProven).toBe('yes');
    expect(output).toMatch(/^2 of 2 rotating secret\(s\) proven$/m);
    expect(status).toBe(0);
  } finally {
    const client = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
    await client.connect();
    for (const user of [single, alternating, `${alternating}_clone`]) await client.query(`DROP USER IF EXISTS ${escapeIdentifier(user)}`);
    await client.end();
  }
});

test('a Redshift cluster in the app cannot run locally: its secret is skipped with the reason', () => {
  const dir = assembly((stack) => {
    const admin = new RotatingSecret(stack, 'WarehouseAdmin', { strategy: RotationStrategy.redshiftSingleUser({ username: 'admin' }) });
    const cluster = redshiftCluster(stack, 'Warehouse', admin);
    admin.attach(RedshiftClusterTarget.fromCfnCluster(cluster));
  });

  const { status, output } = runSandbox('--assembly', dir);

  expect(row(output, 'WarehouseAdmin').slice(2)).toEqual([
    'skipped: its database Warehouse cannot run here: the local cloud runs no Amazon Redshift cluster', '', '', 'skipped',
  ]);
  expect(output).toMatch(/^App: create CREATE_COMPLETE, delete DELETE_COMPLETE$/m);
  expect(status).toBe(0);
});

test('an existing secret\'s rotation, a HostedRotation and an application user of an instance (fromInstance): the run completes', () => {
  const dir = assembly((stack) => {
    const existing = new secretsmanager.Secret(stack, 'Existing');
    new ExistingSecretRotation(stack, 'ExistingRotation', { secret: existing });
    const hosted = new secretsmanager.Secret(stack, 'Hosted');
    hosted.addRotationSchedule('Rotation', { hostedRotation: secretsmanager.HostedRotation.mysqlSingleUser() });
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const instance = new rds.DatabaseInstance(stack, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
      vpc,
      databaseName: 'app',
    });
    new RotatingSecret(stack, 'AppUser', {
      strategy: RotationStrategy.postgresAlternatingUsers({
        database: DatabaseTarget.fromInstance(instance),
        username: 'app_user',
        dbname: 'app',
        masterSecret: instance.secret!,
        createUser: {},
        vpc,
      }),
    });
  });

  const { status, output } = runSandbox('--assembly', dir);

  expect(output).toMatch(/^App: create CREATE_COMPLETE, delete DELETE_COMPLETE$/m);
  expect(row(output, 'Existing')[5]).toBe('yes');
  expect(row(output, 'Hosted')[2]).toMatch(/^skipped: hosted rotation/);
  const [, strategy, afterCreate, , , proven] = row(output, 'AppUser');
  expect(strategy).toBe('postgres-alternating-users');
  expect(afterCreate).toMatch(/AWSCURRENT accepted, AWSPREVIOUS accepted$/);
  expect(proven).toBe('yes');
  expect(output).toMatch(/^2 of 2 rotating secret\(s\) proven; 1 skipped$/m);
  expect(status).toBe(0);
});

describe('IAM', () => {
  // The rotation function's role denied the write of the new version: only IAM can make this rotation fail.
  const dir = () => assembly((stack) => {
    new RotatingSecret(stack, 'Denied');
    const role = stack.node.findAll().find((c): c is iam.Role => c instanceof iam.Role && c.node.path.includes('/GenericRotation/'));
    role!.addToPrincipalPolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['secretsmanager:PutSecretValue'], resources: ['*'] }));
  });

  test('enforced, a rotation its function\'s role does not permit fails the create, as in AWS', () => {
    const { status, output } = runSandbox('--assembly', dir(), '--iam', 'enforce');

    expect(output).toMatch(/^IAM enforcement: on \(@cloud-copilot\/iam-simulate 0\.1\.\d+\)$/m);
    expect(output).toMatch(/^FAILED App: create: ROLLBACK_COMPLETE: RotationCheck\S* CREATE_FAILED: .*Rotation of secret "Denied\S*" .* failed in step createSecret/m);
    expect(output).toMatch(/^IAM: \d+ call\(s\) allowed, [1-9]\d* denied: secretsmanager:PutSecretValue to arn:aws:sts::\d+:assumed-role\/App-GenericRotationRole\S*$/m);
    expect(status).toBe(1);
  });

  test('switched off (--iam off), the same rotation succeeds: every call is served', () => {
    const { status, output } = runSandbox('--assembly', dir(), '--iam', 'off');

    expect(output).toMatch(/^IAM enforcement: off$/m);
    expect(row(output, 'Denied')[5]).toBe('yes');
    expect(status).toBe(0);
  });

  test('an unknown mode is a usage error', () => {
    const { status, output } = runSandbox('--assembly', dir(), '--iam', 'strict');

    expect(output).toMatch(/^sandbox: --iam takes one of auto, enforce, off, got "strict"$/m);
    expect(status).toBe(2);
  });
});

test('bad arguments: one clear line, the usage, and exit code 2', () => {
  const { status, output } = runSandbox('--app', 'npx ts-node app.ts', '--assembly', 'cdk.out');

  expect(output).toMatch(/^sandbox: give exactly one of --app and --assembly$/m);
  expect(output).toMatch(/^Usage: rotating-secrets-sandbox/m);
  expect(status).toBe(2);
});

test('--context needs --app, and takes key=value', () => {
  const withoutApp = runSandbox('--assembly', 'cdk.out', '--context', 'example:webhookReceiverUrl=http://127.0.0.1:1');
  expect(withoutApp.output).toMatch(/^sandbox: --context needs --app \(it synthesizes the app\)$/m);
  expect(withoutApp.status).toBe(2);
  const malformed = runSandbox('--app', 'npx ts-node app.ts', '--context', 'no-equals-sign');
  expect(malformed.output).toMatch(/^sandbox: --context takes key=value, got "no-equals-sign"$/m);
  expect(malformed.status).toBe(2);
});
