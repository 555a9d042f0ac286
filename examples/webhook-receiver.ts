import { createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for a service that receives our webhooks: it keeps the signing keys it accepts (PUT
 * /signing-keys/<id>, the key as the body) and verifies a body's HMAC-SHA256 signature against them (POST /verify,
 * header x-signature). `refuseNewKeys` makes it answer 503 to new keys, as a service that is down would.
 */
export class WebhookReceiver {
  public static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  public refuseNewKeys = false;
  private readonly keys = new Map<string, string>();
  private readonly server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const [, resource, id] = (request.url ?? '').split('/');
      if (request.method === 'PUT' && resource === 'signing-keys' && id) {
        if (this.refuseNewKeys) return this.answer(response, 503);
        this.keys.set(id, body);
        return this.answer(response, 204);
      }
      if (request.method === 'POST' && resource === 'verify') return this.answer(response, this.verifies(body, String(request.headers['x-signature'] ?? '')) ? 200 : 401);
      return this.answer(response, 404);
    });
  });

  private constructor() {}

  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Whether the receiver accepts signatures made with `key`. */
  public accepts(key: string): boolean {
    return [...this.keys.values()].includes(key);
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private verifies(body: string, signature: string): boolean {
    return [...this.keys.values()].some((key) => {
      const expected = Buffer.from(createHmac('sha256', key).update(body).digest('hex'));
      const given = Buffer.from(signature);
      return expected.length === given.length && timingSafeEqual(expected, given);
    });
  }

  private answer(response: http.ServerResponse, status: number): void {
    response.writeHead(status).end();
  }
}
