import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { FunctionRegistry } from './functions';
import { Caller, IamAuthorizer, invokeRequest } from './iam';

/** `POST /2015-03-31/functions/{FunctionName}/invocations`: Lambda's Invoke, a REST-JSON operation. */
export const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?.*)?$/;

export interface LambdaApiDependencies {
  readonly functions: FunctionRegistry;
  readonly region: string;
  readonly accountId: string;
  readonly iam: IamAuthorizer;
  /** Who calls, from the request's credentials. */
  readonly caller: Caller;
}

/**
 * Lambda's Invoke as the real `@aws-sdk/client-lambda` calls it: `X-Amz-Invocation-Type` RequestResponse (the
 * default: the function's result, or its error with `X-Amz-Function-Error: Unhandled`), Event (202, queued and
 * retried on error) or DryRun (204). An unknown function is a 404 ResourceNotFoundException. The caller needs
 * `lambda:InvokeFunction` (its identity policies, and the function's resource policy); otherwise 403 AccessDeniedException.
 */
export async function handleInvoke(deps: LambdaApiDependencies, request: IncomingMessage, body: string, response: ServerResponse): Promise<string> {
  const name = decodeURIComponent(INVOKE_PATH.exec(request.url ?? '')![1]);
  const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const arn = name.startsWith('arn:') ? name : `arn:aws:lambda:${deps.region}:${deps.accountId}:function:${name}`;
  const denial = deps.iam.deny(deps.caller, [invokeRequest(arn)]);
  if (denial) {
    // AWS's authorization layer answers before Lambda does: `Message`, where Lambda's own errors say `message`.
    send(response, 403, JSON.stringify({ Message: denial.message }), { 'x-amzn-errortype': 'AccessDeniedException' });
    return 'Invoke';
  }
  if (!deps.functions.has(name)) {
    sendError(response, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    return 'Invoke';
  }
  let event: unknown;
  try {
    event = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    sendError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json: Could not parse payload into json');
    return 'Invoke';
  }
  switch (type) {
    case 'Event':
      deps.functions.invokeAsync(name, event);
      send(response, 202, '');
      return 'Invoke';
    case 'DryRun':
      send(response, 204, '');
      return 'Invoke';
    case 'RequestResponse': {
      const result = await deps.functions.invoke(name, event);
      if (result.ok) {
        send(response, 200, JSON.stringify(result.result), { 'x-amz-executed-version': '$LATEST' });
      } else {
        const payload = { errorType: result.errorType, errorMessage: result.errorMessage, ...(result.trace ? { trace: result.trace } : {}) };
        send(response, 200, JSON.stringify(payload), { 'x-amz-executed-version': '$LATEST', 'x-amz-function-error': 'Unhandled' });
      }
      return 'Invoke';
    }
    default:
      sendError(response, 400, 'InvalidParameterValueException', `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`);
      return 'Invoke';
  }
}

function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': randomUUID(), ...headers });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  send(response, status, JSON.stringify({ Type: 'User', message }), { 'x-amzn-errortype': code });
}
