import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** CloudFormation refuses custom-resource responses longer than this many bytes. */
export const MAX_RESPONSE_BYTES = 4096;

/** A response body as a function PUT it to its ResponseURL. */
export interface DeliveredResponse {
  readonly body: string;
  readonly bytes: number;
}

interface Waiter {
  readonly resolve: (response: DeliveredResponse) => void;
}

/**
 * The ResponseURLs of custom-resource requests: an HTTP server on 127.0.0.1 (CloudFormation's are pre-signed S3
 * URLs) that takes each request's one PUT. A PUT to an unknown or already answered URL is refused with 403, as
 * S3 refuses an expired signature.
 */
export class CustomResourceGateway {
  public static async start(): Promise<CustomResourceGateway> {
    const gateway = new CustomResourceGateway();
    await new Promise<void>((resolve, reject) => {
      gateway.server.once('error', reject);
      gateway.server.listen(0, '127.0.0.1', () => resolve());
    });
    return gateway;
  }

  private readonly waiting = new Map<string, Waiter>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => this.onRequest(request, response));
  }

  /**
   * A new ResponseURL and the response that arrives at it. `cancel` stops waiting (the URL is refused from then on).
   */
  public expect(): { url: string; response: Promise<DeliveredResponse>; cancel: () => void } {
    const key = randomUUID();
    const port = (this.server.address() as AddressInfo).port;
    const response = new Promise<DeliveredResponse>((resolve) => this.waiting.set(key, { resolve }));
    return {
      url: `http://127.0.0.1:${port}/cloudformation-custom-resource-response/${key}?X-Amz-Signature=${randomUUID().replace(/-/g, '')}`,
      response,
      cancel: () => this.waiting.delete(key),
    };
  }

  public async stop(): Promise<void> {
    this.waiting.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const key = /^\/cloudformation-custom-resource-response\/([^/?]+)/.exec(request.url ?? '')?.[1];
      const waiter = key === undefined ? undefined : this.waiting.get(key);
      if (request.method !== 'PUT' || !waiter) {
        response.writeHead(403, { 'content-type': 'application/xml' });
        response.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
        return;
      }
      this.waiting.delete(key!);
      const body = Buffer.concat(chunks);
      response.writeHead(200, { 'content-length': 0 });
      response.end();
      waiter.resolve({ body: body.toString('utf8'), bytes: body.length });
    });
  }
}
