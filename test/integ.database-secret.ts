// A database user's secret on a new RDS for PostgreSQL instance, rotated by a function in the instance's VPC and
// verified at deploy time. Alternating users with the instance's master secret: the first rotation creates
// postgres_clone, so the test needs no user created beforehand (an app would rotate its own user).
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { DatabaseTarget, RotatingSecret, RotationStrategy } from '../src';
import { assertRotatedOnDeploy } from './support/integ-assertions';

const app = new App();
const stack = new Stack(app, 'RotatingSecretsIntegDatabase');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const instance = new rds.DatabaseInstance(stack, 'Database', {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
  vpc,
  credentials: rds.Credentials.fromGeneratedSecret('postgres'),
  removalPolicy: RemovalPolicy.DESTROY,
  deletionProtection: false,
});
const databaseUser = new RotatingSecret(stack, 'DatabaseUser', {
  strategy: RotationStrategy.postgresAlternatingUsers({
    database: DatabaseTarget.fromInstance(instance),
    username: 'postgres',
    masterSecret: instance.secret!,
    vpc,
  }),
});

const integ = new IntegTest(app, 'DatabaseSecret', { testCases: [stack] });
assertRotatedOnDeploy(integ, databaseUser, databaseUser.secret.secretArn);
