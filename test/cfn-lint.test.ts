import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, aws_ec2 as ec2, aws_iam as iam, aws_kms as kms, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { ExampleStack } from '../examples/example-stack';
import { DatabaseTarget, ExistingSecretRotation, RotatingSecret, RotationStrategy, Schedule } from '../src';
import { pythonTool } from './support/python-tools';

// W3005: aws-cdk-lib always adds a DependsOn that a GetAtt already implies (Function -> Role); harmless.
const IGNORED = ['W3005'];

function lint(app: App): string {
  const outdir = app.synth().directory;
  const templates = fs.readdirSync(outdir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(outdir, f));
  expect(templates.length).toBeGreaterThan(0);
  try {
    return execFileSync(pythonTool('cfn-lint'), ['--ignore-checks', ...IGNORED, '--', ...templates], { encoding: 'utf8' });
  } catch (error: any) {
    throw new Error(`cfn-lint reported:\n${error.stdout}${error.stderr}`);
  }
}

function newApp(): App {
  return new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-')) });
}

describe('cfn-lint', () => {
  test('the example app is clean', () => {
    const app = newApp();
    // Environment-agnostic, as examples/app.ts: a stack with an account and region names its availability zones (W3010).
    new ExampleStack(app, 'Example');
    expect(lint(app)).toBe('');
  });

  test('every option together is clean', () => {
    const app = newApp();
    const stack = new Stack(app, 'Options', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new RotatingSecret(stack, 'Replicated', { replicaRegions: [{ region: 'us-west-2' }], encryptionKey: key, secretName: 'replicated' });
    new RotatingSecret(stack, 'Unverified', { verifyOnDeploy: false, schedule: Schedule.rate(Duration.hours(12)), window: Duration.hours(4) });
    new RotatingSecret(stack, 'Repairing', {
      verification: { repairStalePending: true, timeout: Duration.minutes(20), pollInterval: Duration.seconds(30) },
      strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{"user":"x"}', generateStringKey: 'password', includeSpace: true }),
    });
    expect(lint(app)).toBe('');
  });

  test('database strategies in a VPC, an existing secret and failure alarms are clean', () => {
    const app = newApp();
    // Environment-agnostic, so the VPC's zones are Fn::GetAZs rather than placeholders.
    const stack = new Stack(app, 'Databases');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const instance = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.mysql({ version: rds.MysqlEngineVersion.VER_8_0_40 }), vpc,
    });
    const target = DatabaseTarget.fromInstance(instance);
    new RotatingSecret(stack, 'Single', { strategy: RotationStrategy.mysqlSingleUser({ database: target, username: 'app', vpc }), failureAlarms: true });
    new RotatingSecret(stack, 'Alternating', {
      strategy: RotationStrategy.mysqlAlternatingUsers({ database: target, username: 'report', vpc, masterSecret: instance.secret! }),
      failureAlarms: true,
    });
    new ExistingSecretRotation(stack, 'Existing', { secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'prod/token') });
    expect(lint(app)).toBe('');
  });

  test('IAM user access keys, of a user of the stack and an imported one, with failure alarms, are clean', () => {
    const app = newApp();
    const stack = new Stack(app, 'AccessKeys');
    const user = new iam.User(stack, 'Partner', { path: '/partners/' });
    new RotatingSecret(stack, 'PartnerKey', { strategy: RotationStrategy.iamUserAccessKey({ user }), failureAlarms: true });
    new RotatingSecret(stack, 'LegacyKey', { strategy: RotationStrategy.iamUserAccessKey({ user: iam.User.fromUserName(stack, 'Legacy', 'legacy-sync') }) });
    expect(lint(app)).toBe('');
  });

  test('cfn-lint does catch errors (guards against a silent pass)', () => {
    const app = newApp();
    const stack = new Stack(app, 'Broken');
    new RotatingSecret(stack, 'Secret', { verifyOnDeploy: false });
    stack.node.findAll().forEach((c) => {
      if ((c as any).cfnResourceType === 'AWS::Lambda::Function') (c as any).addPropertyOverride('Runtime', 'nodejs4.3');
    });
    expect(() => lint(app)).toThrow(/cfn-lint reported/);
  });
});
