// Rotation added to a secret created elsewhere in the app (ExistingSecretRotation), verified at deploy time.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { ExistingSecretRotation, Schedule } from '../src';
import { assertRotatedOnDeploy } from './support/integ-assertions';

// No creation stack traces: the snapshot would hold the paths of the machine that wrote it.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'RotatingSecretsIntegExisting');
const legacyToken = new secretsmanager.Secret(stack, 'LegacyToken');
new ExistingSecretRotation(stack, 'LegacyTokenRotation', {
  secret: legacyToken,
  schedule: Schedule.rate(Duration.days(7)),
});

const integ = new IntegTest(app, 'ExistingSecret', { testCases: [stack] });
assertRotatedOnDeploy(integ, legacyToken.secretArn);
