// The master user of a new RDS for PostgreSQL instance, rotated by a function in the instance's VPC and verified at
// deploy time: the instance takes its credentials from the rotating secret (which it attaches itself to), so the
// first deploy needs no user created beforehand.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';
import { RotatingSecret, RotationStrategy } from '../src';
import { assertRotatedOnDeploy } from './support/integ-assertions';

// No creation stack traces: the snapshot would hold the paths of the machine that wrote it.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'RotatingSecretsIntegDatabase');
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const master = new RotatingSecret(stack, 'Master', {
  strategy: RotationStrategy.postgresSingleUser({ username: 'postgres', vpc }),
});
new rds.DatabaseInstance(stack, 'Database', {
  engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
  instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
  vpc,
  credentials: rds.Credentials.fromSecret(master),
  removalPolicy: RemovalPolicy.DESTROY,
  deletionProtection: false,
});

const integ = new IntegTest(app, 'DatabaseSecret', { testCases: [stack] });
assertRotatedOnDeploy(integ, master.secretArn);
