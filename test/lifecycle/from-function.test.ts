import * as path from 'node:path';
import { Duration, Stack, aws_lambda as lambda } from 'aws-cdk-lib';
import { RotatingSecret, RotationStrategy } from '../../src';
import { LocalCloud } from '../support/cloud';

/**
 * `RotationStrategy.fromFunction` through CloudFormation on the local cloud, IAM enforced: a user's own rotation
 * function (not this library's code, run from its asset as Lambda would) gets the invoke permission, access to the
 * secrets it rotates, the schedule and the deploy-time check; a broken one fails the deploy with what the check
 * could tell from the staging labels and the function's log group, and nothing of the function's own messages.
 */

// The last test waits for the check's shortest time limit (a minute) on purpose.
jest.setTimeout(300_000);

let cloud: LocalCloud;
beforeAll(async () => (cloud = await LocalCloud.start({ databases: false })));
afterAll(() => cloud.stop());

const OWN_FUNCTION = path.join(__dirname, '..', 'fixtures', 'own-rotation-function');

function ownFunction(stack: Stack, breakStep?: string): lambda.Function {
  return new lambda.Function(stack, 'OwnRotation', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(OWN_FUNCTION),
    timeout: Duration.seconds(30),
    environment: breakStep ? { BREAK_STEP: breakStep } : undefined,
  });
}

const versionOf = (labels: Record<string, string[]>, label: string) => Object.keys(labels).find((id) => labels[id].includes(label));

test('a user\'s own function rotates the secret and the check verifies it; the scheduled rotation uses it too', async () => {
  const result = await cloud.deploy('OwnFunction', (stack) => {
    new RotatingSecret(stack, 'WebhookKey', { strategy: RotationStrategy.fromFunction(ownFunction(stack)) });
  });
  expect(result.status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('OwnFunction', 'WebhookKey');
  const labels = await cloud.settledLabels(arn);
  expect(versionOf(labels, 'AWSPREVIOUS')).toBeDefined();
  // The function's own value (24 random bytes, base64url), not the first value's 30 letters and digits.
  expect(await cloud.value(arn)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  const rotations = cloud.sim.events.filter((event) => event.secretArn === arn && event.type === 'RotationSucceeded');
  expect(rotations.map((event) => event.trigger)).toEqual(['RotateSecret', 'configuration-test']);
  expect((await cloud.cfn.delete('OwnFunction')).status).toBe('DELETE_COMPLETE');
});

test('a broken function fails the deploy: the message says what the labels and the log group tell, not the function\'s message', async () => {
  const result = await cloud.deploy('BrokenOwnFunction', (stack) => {
    new RotatingSecret(stack, 'WebhookKey', { strategy: RotationStrategy.fromFunction(ownFunction(stack, 'setSecret')) });
  });
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const reason = cloud.failureReason('BrokenOwnFunction')!;
  expect(reason).toMatch(/by the rotation function arn:aws:lambda:us-east-1:123456789012:function:\S+ failed\./);
  expect(reason).toContain('The function is not this library\'s, so the check cannot read its failure record');
  expect(reason).toContain('has a value but is not AWSCURRENT, so setSecret, testSecret or finishSecret did not complete');
  expect(reason).toMatch(/its log group \/aws\/lambda\/\S+ shows errors: ServiceRefusedError \(their messages are not repeated here/);
  expect(reason).toContain('Which password the service accepts is unknown: the rotation function is not this library\'s');
  expect(reason).not.toContain('the service refused the pending value');
});

test('without its log group the check waits for the time limit, then says which step the labels leave possible', async () => {
  const result = await cloud.deploy('ImportedOwnFunction', (stack) => {
    const fn = ownFunction(stack, 'setSecret');
    // Imported by ARN: the app cannot see where it logs.
    const imported = lambda.Function.fromFunctionArn(stack, 'Imported', fn.functionArn);
    new RotatingSecret(stack, 'WebhookKey', {
      strategy: RotationStrategy.fromFunction(imported),
      verification: { timeout: Duration.minutes(1), pollInterval: Duration.seconds(5) },
    });
  });
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const reason = cloud.failureReason('ImportedOwnFunction')!;
  expect(reason).toContain('did not finish within 60 seconds');
  expect(reason).toContain('has a value but is not AWSCURRENT, so setSecret, testSecret or finishSecret did not complete');
  expect(reason).toContain('The function\'s log group is not known, so the check could not look for its errors (give `logGroup` to `RotationStrategy.fromFunction`)');
});
