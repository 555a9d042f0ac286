// A generic rotating secret: a random password rotated on a cron schedule, verified at deploy time.
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import { RotatingSecret, Schedule } from '../src';
import { assertRotatedOnDeploy } from './support/integ-assertions';

// No creation stack traces: the snapshot would hold the paths of the machine that wrote it.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
const stack = new Stack(app, 'RotatingSecretsIntegGeneric');
const apiKey = new RotatingSecret(stack, 'ApiKey', { schedule: Schedule.cron({ hour: '3', weekDay: 'SUN' }) });

const integ = new IntegTest(app, 'GenericSecret', { testCases: [stack] });
assertRotatedOnDeploy(integ, apiKey.secretArn);
