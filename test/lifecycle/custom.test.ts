import * as path from 'node:path';
import { WebhookReceiver } from '../../examples/webhook-receiver';
import { RotatingSecret, RotationStrategy } from '../../src';
import { LocalCloud } from '../support/cloud';

/**
 * `RotationStrategy.custom` through CloudFormation on the local cloud, IAM enforced: the example's webhook rotation
 * (its setSecret and testSecret only), bundled with this library's engine by NodejsFunction's esbuild, rotates a
 * signing key at a local webhook receiver; a receiver that refuses new keys fails the deploy naming the step.
 */

jest.setTimeout(300_000);

let cloud: LocalCloud;
let receiver: WebhookReceiver;
beforeAll(async () => {
  cloud = await LocalCloud.start({ databases: false });
  receiver = await WebhookReceiver.start();
});
afterAll(async () => {
  await cloud.stop();
  await receiver.stop();
});

const ENTRY = path.join(__dirname, '..', '..', 'examples', 'webhook-rotation.ts');

const webhookApp = (stackName: string) => cloud.deploy(stackName, (stack) => {
  new RotatingSecret(stack, 'WebhookSigningKey', {
    strategy: RotationStrategy.custom({ entry: ENTRY, environment: { WEBHOOK_RECEIVER_URL: receiver.url } }),
  });
});

test('the custom rotation sets the new key at the receiver and tests it there; the check verifies the rotation', async () => {
  receiver.refuseNewKeys = false;
  expect((await webhookApp('CustomWebhook')).status).toBe('CREATE_COMPLETE');
  const arn = cloud.physicalId('CustomWebhook', 'WebhookSigningKey');
  const labels = await cloud.settledLabels(arn);
  expect(Object.values(labels).some((stages) => stages.includes('AWSPREVIOUS'))).toBe(true);
  const current = await cloud.value(arn);
  // The engine generated the new value (its default: 32 characters), and the receiver took it.
  expect(current).toHaveLength(32);
  expect(receiver.accepts(current)).toBe(true);
  expect(receiver.accepts(await cloud.value(arn, 'AWSPREVIOUS'))).toBe(false);
  expect((await cloud.cfn.delete('CustomWebhook')).status).toBe('DELETE_COMPLETE');
});

test('a receiver that refuses the new key fails the deploy in step setSecret, with the custom code\'s error and what the service accepts', async () => {
  receiver.refuseNewKeys = true;
  expect((await webhookApp('RefusedWebhook')).status).toBe('ROLLBACK_COMPLETE');
  const reason = cloud.failureReason('RefusedWebhook')!;
  expect(reason).toMatch(/failed in step setSecret: .*: the webhook receiver refused the new signing key: HTTP 503\./);
  // The check asked the custom testSecret about each labelled value: the receiver knows neither key.
  expect(reason).toContain('The service refuses every labelled password of the secret.');
});
