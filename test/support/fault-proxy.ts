import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request through the proxy: the Query API action and its parameters (IAM and STS speak the Query protocol). */
export interface ProxiedCall {
  readonly action: string;
  /** Its number among the calls of the same action since the proxy was last armed or cleared. */
  readonly nth: number;
  readonly params: Readonly<Record<string, string>>;
}

/** How a call fails: before it reaches the service, or after the service applied it (the answer is lost). */
export type FaultKind = 'failCall' | 'dropResponse';

/**
 * An HTTP proxy in front of an emulator of a Query-protocol service (IAM, STS): it forwards every request unchanged
 * (the Host header included, so SigV4 signatures still verify) and can make the nth call of an action fail, as a
 * crash of the caller would look: refused before it is applied (`failCall`, a 500 InternalFailure), or applied with
 * its answer lost (`dropResponse`, the connection reset).
 */
export class FaultProxy {
  public static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** Every call since the last `clear`, in order. */
  public readonly calls: ProxiedCall[] = [];
  private fault?: { kind: FaultKind; action: string; nth: number };
  private readonly server: http.Server;

  private constructor(private readonly target: URL) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.forward(request, Buffer.concat(chunks), response));
    });
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Forgets the calls and any fault. */
  public clear(): void {
    this.calls.length = 0;
    this.fault = undefined;
  }

  /** Clears, then makes the `nth` call of `action` fail as `kind`. */
  public arm(kind: FaultKind, action: string, nth: number): void {
    this.clear();
    this.fault = { kind, action, nth };
  }

  public stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private forward(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void {
    const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
    const action = params.Action ?? '';
    const nth = this.calls.filter((call) => call.action === action).length + 1;
    this.calls.push({ action, nth, params });
    const fault = this.fault?.action === action && this.fault.nth === nth ? this.fault.kind : undefined;
    if (fault === 'failCall') {
      response.writeHead(500, { 'content-type': 'text/xml' });
      response.end('<ErrorResponse><Error><Type>Receiver</Type><Code>InternalFailure</Code><Message>injected by the test before the call was applied</Message></Error><RequestId>fault</RequestId></ErrorResponse>');
      return;
    }
    const upstream = http.request({
      host: this.target.hostname,
      port: this.target.port,
      method: request.method,
      path: request.url,
      headers: request.headers,
    }, (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => parts.push(chunk));
      answer.on('end', () => {
        if (fault === 'dropResponse') {
          request.socket.destroy();
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        response.end(Buffer.concat(parts));
      });
    });
    upstream.on('error', (error) => {
      response.writeHead(502);
      response.end(String(error));
    });
    upstream.end(body);
  }
}
