import type { DeliveredResponse } from './gateway';
import { functionName } from '../../functions';
import type { SecretsManagerSimulator } from '../../simulator';

/** The environment variables aws-cdk-lib's Provider sets on its framework onEvent function. */
export const USER_ON_EVENT_FUNCTION_ARN = 'USER_ON_EVENT_FUNCTION_ARN';
export const USER_IS_COMPLETE_FUNCTION_ARN = 'USER_IS_COMPLETE_FUNCTION_ARN';
export const WAITER_STATE_MACHINE_ARN = 'WAITER_STATE_MACHINE_ARN';

/** The framework's marker for a Create that failed before a physical id existed; the Delete that follows is ignored. */
export const CREATE_FAILED_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED';

/** The waiter state machine's retry policy: isComplete again every interval, `maxAttempts` times, then time out. */
export interface WaiterPolicy {
  readonly intervalSeconds: number;
  readonly maxAttempts: number;
  readonly backoffRate: number;
}

/** The Provider's defaults: a query interval of 5 seconds and a total timeout of 30 minutes. */
export const DEFAULT_WAITER_POLICY: WaiterPolicy = { intervalSeconds: 5, maxAttempts: 360, backoffRate: 1 };

export interface ProviderFramework {
  readonly onEventArn: string;
  readonly isCompleteArn?: string;
  readonly waiter: WaiterPolicy;
}

/** Reads the waiter's retry policy from the state machine definition the Provider synthesized. */
export function waiterPolicy(definition: unknown): WaiterPolicy {
  const parsed = typeof definition === 'string' ? JSON.parse(definition) : definition;
  const retry = (parsed as any)?.States?.['framework-isComplete-task']?.Retry?.[0];
  if (!retry) return DEFAULT_WAITER_POLICY;
  return {
    intervalSeconds: Number(retry.IntervalSeconds ?? DEFAULT_WAITER_POLICY.intervalSeconds),
    maxAttempts: Number(retry.MaxAttempts ?? DEFAULT_WAITER_POLICY.maxAttempts),
    backoffRate: Number(retry.BackoffRate ?? 1),
  };
}

type FrameworkEvent = Record<string, any>;

/**
 * What aws-cdk-lib's custom-resources Provider framework does with one CloudFormation request (its runtime in
 * `custom-resources/lib/provider-framework/runtime`), without running its own functions: invoke the user onEvent
 * synchronously; default the physical id (Create: the RequestId; Update/Delete: the current one) and refuse a
 * changed one on Delete; then, with an isComplete handler, invoke it at the waiter's interval until it answers
 * `IsComplete: true` (Data merged over onEvent's) or the waiter gives up ("Operation timed out"). A user function's
 * error fails the request with its message and `Logs: /aws/lambda/<name>`, as the framework's Reason does.
 * `isCancelled` stops the polling once CloudFormation stopped waiting.
 */
export async function runProviderFramework(
  sim: SecretsManagerSimulator,
  framework: ProviderFramework,
  event: FrameworkEvent,
  isCancelled: () => boolean,
): Promise<DeliveredResponse> {
  if (event.RequestType === 'Delete' && event.PhysicalResourceId === CREATE_FAILED_PHYSICAL_ID_MARKER) {
    return respond('SUCCESS', event);
  }
  let current: FrameworkEvent = event;
  try {
    const onEventResult = await invokeUser(sim, framework.onEventArn, event);
    const physicalResourceId = onEventResult.PhysicalResourceId || defaultPhysicalResourceId(event);
    if (event.RequestType === 'Delete' && physicalResourceId !== event.PhysicalResourceId) {
      throw new Error(`DELETE: cannot change the physical resource ID from "${event.PhysicalResourceId}" to "${onEventResult.PhysicalResourceId}" during deletion`);
    }
    current = { ...event, ...onEventResult, PhysicalResourceId: physicalResourceId };
    if (!framework.isCompleteArn) return respond('SUCCESS', current, { noEcho: current.NoEcho });

    let delaySeconds = framework.waiter.intervalSeconds;
    for (let attempt = 0; ; attempt++) {
      const result = await invokeUser(sim, framework.isCompleteArn, current);
      if (result.IsComplete) {
        const complete = { ...current, ...result, Data: { ...current.Data, ...result.Data } };
        return respond('SUCCESS', complete, { noEcho: current.NoEcho });
      }
      if (result.Data && Object.keys(result.Data).length > 0) throw new Error('"Data" is not allowed if "IsComplete" is "False"');
      if (attempt >= framework.waiter.maxAttempts) return respond('FAILED', current, { reason: 'Operation timed out' });
      await new Promise((resolve) => setTimeout(resolve, delaySeconds * 1000));
      if (isCancelled()) return respond('FAILED', current, { reason: 'Operation timed out' });
      delaySeconds *= framework.waiter.backoffRate;
    }
  } catch (error) {
    const failed = { ...current };
    if (!failed.PhysicalResourceId && event.RequestType === 'Create') failed.PhysicalResourceId = CREATE_FAILED_PHYSICAL_ID_MARKER;
    const reason = error instanceof UserHandlerError ? error.reason : `Error: ${(error as Error).message}`;
    return respond('FAILED', failed, { reason });
  }
}

function defaultPhysicalResourceId(event: FrameworkEvent): string {
  return event.RequestType === 'Create' ? event.RequestId : event.PhysicalResourceId;
}

/** A user handler's error; the framework's Reason is its message followed by the handler's stack trace. */
class UserHandlerError extends Error {
  constructor(message: string, public readonly reason: string) {
    super(message);
  }
}

/** Invokes a user handler as the framework does (Lambda Invoke, RequestResponse); its error becomes an Error. */
async function invokeUser(sim: SecretsManagerSimulator, arn: string, payload: FrameworkEvent): Promise<FrameworkEvent> {
  const result = await sim.invokeFunction(arn, payload);
  if (!result.ok) {
    const message = [result.errorMessage || 'error', '', `Logs: /aws/lambda/${functionName(arn)}`, ''].join('\n');
    throw new UserHandlerError(message, [message, ...(result.trace ?? []).slice(1)].join('\n'));
  }
  const value = result.result;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object') throw new Error(`return values from user-handlers must be JSON objects. got: "${JSON.stringify(value)}"`);
  return value as FrameworkEvent;
}

/** The body the framework PUTs to the ResponseURL. */
function respond(status: 'SUCCESS' | 'FAILED', event: FrameworkEvent, options: { reason?: string; noEcho?: boolean } = {}): DeliveredResponse {
  const body = JSON.stringify({
    Status: status,
    Reason: options.reason || status,
    StackId: event.StackId,
    RequestId: event.RequestId,
    PhysicalResourceId: event.PhysicalResourceId || 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID',
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: options.noEcho,
    Data: event.Data,
  });
  return { body, bytes: Buffer.byteLength(body) };
}
