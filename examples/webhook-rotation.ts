// The custom rotation of the example's webhook signing secret: the receiver of our webhooks keeps the keys it accepts
// signatures with. setSecret registers the new key there; testSecret has the receiver verify a signature made with it.
// In your app, import from 'cdk-rotating-secrets/runtime'.
import { createHmac } from 'node:crypto';
import { rotationHandler } from '../runtime';

const receiver = process.env.WEBHOOK_RECEIVER_URL;

export const handler = rotationHandler({
  name: 'webhook-receiver',

  async setSecret({ pending }, { token }) {
    // Idempotent: the receiver keys the new key by the rotation's version id.
    const response = await fetch(`${receiver}/signing-keys/${token}`, { method: 'PUT', body: pending });
    if (!response.ok) throw new Error(`the webhook receiver refused the new signing key: HTTP ${response.status}`);
  },

  async testSecret({ pending }) {
    const body = JSON.stringify({ event: 'rotation-test' });
    const signature = createHmac('sha256', pending).update(body).digest('hex');
    const response = await fetch(`${receiver}/verify`, { method: 'POST', body, headers: { 'x-signature': signature } });
    if (response.status !== 200) throw new Error(`the webhook receiver rejected a signature made with the new key: HTTP ${response.status}`);
  },
});
