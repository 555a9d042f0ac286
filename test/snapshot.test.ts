import { App, Duration, Stack, aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { ExampleStack } from '../examples/example-stack';
import { DatabaseTarget, ExistingSecretRotation, RotatingSecret, RotationStrategy, Schedule } from '../src';
import { stableTemplate } from './support/template';

const env = { account: '111111111111', region: 'eu-west-1' };

test('RotatingSecret with defaults', () => {
  const stack = new Stack(new App(), 'Stack', { env });
  new RotatingSecret(stack, 'Secret');
  expect(stableTemplate(stack)).toMatchSnapshot();
});

test('RotatingSecret without deploy-time verification, JSON template, cron schedule and window', () => {
  const stack = new Stack(new App(), 'Stack', { env });
  new RotatingSecret(stack, 'Secret', {
    verifyOnDeploy: false,
    strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{"username":"app"}', generateStringKey: 'password' }),
    schedule: Schedule.cron({ hour: '2', weekDay: 'SAT' }),
    window: Duration.hours(3),
  });
  expect(stableTemplate(stack)).toMatchSnapshot();
});

test('the example app', () => {
  const stack = new ExampleStack(new App(), 'RotatingSecretsExample', { env });
  expect(stableTemplate(stack)).toMatchSnapshot();
});

test('ExistingSecretRotation of a secret imported by name', () => {
  const stack = new Stack(new App(), 'Stack', { env });
  new ExistingSecretRotation(stack, 'Rotation', { secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'prod/token') });
  expect(stableTemplate(stack)).toMatchSnapshot();
});

test('RotatingSecret with alternating database users in a VPC, and failure alarms', () => {
  const stack = new Stack(new App(), 'Stack', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const master = new secretsmanager.Secret(stack, 'Master');
  new RotatingSecret(stack, 'Secret', {
    strategy: RotationStrategy.postgresAlternatingUsers({ database: DatabaseTarget.fromEndpoint({ host: 'db.internal' }), username: 'app', vpc, masterSecret: master }),
    failureAlarms: true,
  });
  expect(stableTemplate(stack)).toMatchSnapshot();
});

test('ExistingSecretRotation of a Redis ACL user with alternating users in a VPC', () => {
  const stack = new Stack(new App(), 'Stack', { env });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cache = new ec2.SecurityGroup(stack, 'Cache', { vpc });
  new ExistingSecretRotation(stack, 'Rotation', {
    secret: secretsmanager.Secret.fromSecretNameV2(stack, 'Sessions', 'prod/cache/sessions'),
    strategy: RotationStrategy.redisAlternatingUsers({
      database: DatabaseTarget.fromEndpoint({ host: 'cache.internal', connections: cache }),
      username: 'sessions',
      masterSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Admin', 'prod/cache/admin'),
      vpc,
    }),
  });
  expect(stableTemplate(stack)).toMatchSnapshot();
});
