import { App, Duration, Stack } from 'aws-cdk-lib';
import { ExampleStack } from '../examples/example-stack';
import { RotatingSecret, RotationStrategy, Schedule } from '../src';
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
