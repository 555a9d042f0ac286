import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError } from './errors';
import { FaultHooks } from './faults';
import { Caller, logGroupRequest, RequestEnvironment, secretsManagerRequests } from './iam';
import { INVOKE_PATH, handleInvoke } from './lambda-api';
import { FilterLogEventsRequest, LogStore } from './logs';
import { OperationContext, SECRETS_MANAGER_OPERATIONS } from './operations';

/** One API call the simulator received. */
export interface ApiCall {
  /** Position in the simulator's call log, from 1. */
  readonly sequence: number;
  /** Simulated time, epoch milliseconds. */
  readonly time: number;
  readonly operation: string;
  /** The secret the call named, when it names one that exists (or, for CreateSecret, the one it created). */
  readonly secretArn?: string;
}

/** Every API call, for the per-secret counts the sandbox prints and benchmarks compare. */
export class ApiCallLog {
  public readonly calls: ApiCall[] = [];

  public record(call: Omit<ApiCall, 'sequence'>): void {
    this.calls.push({ sequence: this.calls.length + 1, ...call });
  }
}

export interface HttpDependencies {
  readonly context: OperationContext;
  readonly logs: LogStore;
  readonly faults: FaultHooks;
  readonly calls: ApiCallLog;
  readonly region: string;
  readonly accountId: string;
  readonly requestEnvironment: RequestEnvironment;
}

const SECRETS_MANAGER_PREFIX = 'secretsmanager.';
const LOGS_PREFIX = 'Logs_20140328.';

type Handler = (input: Record<string, unknown>) => object;

/**
 * The JSON 1.1 protocol: `POST /` with `X-Amz-Target: <prefix>.<Operation>`; answers are JSON, errors
 * `{"__type": code, "Message": ...}`. Signatures are not checked.
 */
export function createRequestListener(deps: HttpDependencies) {
  return (request: IncomingMessage, response: ServerResponse) => {
    handle(deps, request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, new ServiceError('InternalServiceError', describe(error), 500));
    });
  };
}

async function handle(deps: HttpDependencies, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const caller = deps.context.iam.principals.fromAuthorization(request.headers.authorization);
  if (request.method === 'POST' && INVOKE_PATH.test(request.url ?? '')) {
    const lambda = { functions: deps.context.functions, region: deps.region, accountId: deps.accountId, iam: deps.context.iam, caller };
    const operation = await handleInvoke(lambda, request, body, response);
    deps.calls.record({ time: deps.context.clock.now(), operation });
    return;
  }
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.slice(target.indexOf('.') + 1);
  const handler = findHandler(deps, target);
  const faults = deps.faults.take(operation);
  if (faults.delayMs) await sleep(faults.delayMs);

  let input: Record<string, unknown> = {};
  let secretArn: string | undefined;
  let outcome: { result: object } | { error: ServiceError };
  try {
    input = parseBody(body);
    secretArn = typeof input.SecretId === 'string' ? deps.context.store.find(input.SecretId)?.arn : undefined;
    if (request.method !== 'POST' || !handler) {
      throw new ServiceError('UnknownOperationException', `The operation ${target || '(none)'} is not supported by the Secrets Manager simulator.`);
    }
    authorize(deps, caller, target, input);
    if (faults.error) {
      throw new ServiceError(faults.error.code, faults.error.message, faults.error.status ?? (faults.error.code === 'InternalServiceError' ? 500 : 400));
    }
    const result = handler(input);
    if (operation === 'CreateSecret' && 'ARN' in result) secretArn = String(result.ARN);
    outcome = { result };
  } catch (error) {
    outcome = { error: error instanceof ServiceError ? error : new ServiceError('InternalServiceError', describe(error), 500) };
  }
  deps.calls.record({ time: deps.context.clock.now(), operation: operation || '(none)', ...(secretArn ? { secretArn } : {}) });

  if (faults.dropResponse) {
    request.socket.destroy();
    return;
  }
  if ('error' in outcome) sendError(response, outcome.error);
  else send(response, 200, outcome.result);
}

/** IAM: the caller must be allowed every authorization the call needs (AccessDeniedException otherwise). */
function authorize(deps: HttpDependencies, caller: Caller, target: string, input: Record<string, unknown>): void {
  const requests = target.startsWith(SECRETS_MANAGER_PREFIX)
    ? secretsManagerRequests(deps.requestEnvironment, target.slice(SECRETS_MANAGER_PREFIX.length), input)
    : [logGroupRequest(deps.requestEnvironment, 'logs:FilterLogEvents', String(input.logGroupName ?? input.logGroupIdentifier ?? ''))];
  const denial = deps.context.iam.deny(caller, requests);
  if (denial) throw new ServiceError('AccessDeniedException', denial.message);
}

function findHandler(deps: HttpDependencies, target: string): Handler | undefined {
  if (target.startsWith(SECRETS_MANAGER_PREFIX)) {
    const operation = SECRETS_MANAGER_OPERATIONS[target.slice(SECRETS_MANAGER_PREFIX.length)];
    return operation && ((input) => operation(deps.context, input));
  }
  if (target === `${LOGS_PREFIX}FilterLogEvents`) {
    return (input) => deps.logs.filterLogEvents(input as FilterLogEventsRequest);
  }
  return undefined;
}

function parseBody(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: ServiceError): void {
  send(response, error.status, { __type: error.code, Message: error.message }, { 'x-amzn-errortype': error.code });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
