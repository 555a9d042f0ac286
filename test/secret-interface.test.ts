import { App, SecretValue, Stack, aws_ec2 as ec2, aws_ecs as ecs, aws_lambda as lambda, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RotatingSecret, RotationStrategy } from '../src';

/**
 * A RotatingSecret goes wherever an ISecret goes. This file is type-checked with the tests, so it compiles only if
 * that holds; the stack then synthesizes and the grants and references are there.
 */
test('grants, values, ECS secrets and RDS credentials take a RotatingSecret', () => {
  const app = new App();
  const stack = new Stack(app, 'Consumer', { env: { account: '111111111111', region: 'eu-west-1' } });
  const apiKey = new RotatingSecret(stack, 'ApiKey', { strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{"user":"svc"}', generateStringKey: 'token' }) });
  const asSecret: secretsmanager.ISecret = apiKey;

  const fn = new lambda.Function(stack, 'Reader', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}') });
  asSecret.grantRead(fn);
  const token: SecretValue = apiKey.secretValueFromJson('token');
  new secretsmanager.CfnSecret(stack, 'Copy', { secretString: token.unsafeUnwrap() });

  const task = new ecs.FargateTaskDefinition(stack, 'Task');
  task.addContainer('App', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/busybox'), secrets: { API_TOKEN: ecs.Secret.fromSecretsManager(apiKey, 'token') } });

  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const master = new RotatingSecret(stack, 'Master', { strategy: RotationStrategy.postgresSingleUser({ username: 'postgres', vpc }) });
  const instance = new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc, credentials: rds.Credentials.fromSecret(master),
  });

  const template = Template.fromStack(stack);
  const apiKeyRef = stack.resolve(apiKey.secretArn);
  const readerPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes('Reader'));
  expect(readerPolicy!.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
    Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: apiKeyRef,
  }));
  template.hasResourceProperties('AWS::ECS::TaskDefinition', {
    ContainerDefinitions: [Match.objectLike({ Secrets: [{ Name: 'API_TOKEN', ValueFrom: { 'Fn::Join': ['', [apiKeyRef, ':token::']] } }] })],
  });
  // The instance takes its master credentials from the rotating secret; its attachment gives the secret its target.
  template.hasResourceProperties('AWS::RDS::DBInstance', {
    MasterUsername: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', stack.resolve(master.secretArn), ':SecretString:username::}}']] },
  });
  template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', { SecretId: stack.resolve(master.secretArn), TargetId: stack.resolve(instance.instanceIdentifier) });
});

test('a secret is attached to one database at most, and a database strategy needs a database', () => {
  const stack = new Stack(new App(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const secret = new RotatingSecret(stack, 'Master', { strategy: RotationStrategy.postgresSingleUser({ username: 'postgres', vpc }) });
  const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 });
  new rds.DatabaseInstance(stack, 'One', { engine, vpc, credentials: rds.Credentials.fromSecret(secret) });
  expect(() => new rds.DatabaseInstance(stack, 'Two', { engine, vpc, credentials: rds.Credentials.fromSecret(secret) })).toThrow(/already attached/);

  const lonely = new Stack(new App(), 'Lonely');
  new RotatingSecret(lonely, 'User', { strategy: RotationStrategy.postgresSingleUser({ username: 'app' }) });
  expect(() => Template.fromStack(lonely)).toThrow(/`database` is required unless the secret is attached to its database/);
});

test('a generic secret cannot be attached, and takes no other rotation schedule', () => {
  const stack = new Stack(new App(), 'Stack');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const generic = new RotatingSecret(stack, 'Generic');
  expect(() => new rds.DatabaseInstance(stack, 'Db', {
    engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }), vpc, credentials: rds.Credentials.fromSecret(generic),
  })).toThrow(/only a database strategy can be attached to a database/);
  expect(() => generic.addRotationSchedule('More', { automaticallyAfter: undefined })).toThrow(/cannot take another rotation schedule/);
});
