import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import type { SecretsManagerSimulator } from '../../../simulator';

/** Lambda's Invoke as the real `@aws-sdk/client-lambda` calls it: `POST /2015-03-31/functions/{FunctionName}/invocations`. */
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations/;

export interface LambdaInvokeStandIn {
  /** For AWS_ENDPOINT_URL_LAMBDA. */
  readonly endpoint: string;
  /** Resolves when every asynchronous invocation has returned. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Lambda's Invoke API in front of the simulator's registered functions, for functions that invoke others (the
 * check invokes rotation functions and itself): RequestResponse answers the function's result, or its error with
 * `X-Amz-Function-Error: Unhandled`; Event answers 202 and runs the function afterwards. A stand-in until the
 * simulator serves Lambda's Invoke itself; it does not retry failed asynchronous invocations.
 */
export async function startLambdaInvokeStandIn(sim: SecretsManagerSimulator): Promise<LambdaInvokeStandIn> {
  const running = new Set<Promise<unknown>>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const match = INVOKE_PATH.exec(request.url ?? '');
      if (request.method !== 'POST' || !match) {
        response.writeHead(404, { 'x-amzn-errortype': 'UnknownOperationException' }).end('{}');
        return;
      }
      const functionName = decodeURIComponent(match[1]);
      const body = Buffer.concat(chunks).toString('utf8');
      const event = body === '' ? {} : JSON.parse(body);
      const invocation = sim.invokeFunction(functionName, event);
      if (request.headers['x-amz-invocation-type'] === 'Event') {
        running.add(invocation);
        void invocation.finally(() => running.delete(invocation));
        response.writeHead(202).end();
        return;
      }
      void invocation.then((result) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
        if (!result.ok) headers['x-amz-function-error'] = 'Unhandled';
        const payload = result.ok ? result.result ?? null : { errorType: result.errorType, errorMessage: result.errorMessage };
        response.writeHead(200, headers).end(JSON.stringify(payload));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
