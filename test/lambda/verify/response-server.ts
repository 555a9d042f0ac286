import { createServer, IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A local HTTP server standing in for CloudFormation's pre-signed ResponseURL: it records every request. */
export interface ResponseServer {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** The status to answer each next request with (default 200 once the list is used up). */
  readonly statuses: number[];
  close(): Promise<void>;
}

export async function startResponseServer(): Promise<ResponseServer> {
  const received: ReceivedRequest[] = [];
  const statuses: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cloudformation-response?X-Amz-Signature=abc`,
    received,
    statuses,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
