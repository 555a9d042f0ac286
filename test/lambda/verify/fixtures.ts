import type { CustomResourceEvent, IsCompleteEvent, OnEventResult } from '../../../lambda/verify/events';

export const ACCOUNT = '123456789012';
export const SECRET_NAME = 'app/database';
export const SECRET_ARN = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:${SECRET_NAME}-AbCdEf`;
export const STACK_ID = `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/app/5f0e8a40-0000-11ef-9c1e-0a1b2c3d4e5f`;
export const LOG_GROUP = '/aws/lambda/app-rotation-function';

// Version ids as Secrets Manager shows them (UUIDs).
export const CURRENT_VERSION = '11111111-1111-4111-8111-111111111111';
export const PREVIOUS_VERSION = '22222222-2222-4222-8222-222222222222';
export const STALE_VERSION = '33333333-3333-4333-8333-333333333333';

export function properties(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ServiceToken: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:provider-onevent`,
    SecretArn: SECRET_ARN,
    RotationFingerprint: 'fingerprint-1',
    TimeoutSeconds: '600',
    RepairStalePending: 'false',
    RotationLogGroup: LOG_GROUP,
    ...overrides,
  };
}

export function createEvent(overrides: Record<string, string> = {}, requestId = 'request-create-1'): CustomResourceEvent {
  return {
    RequestType: 'Create',
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: 'DatabaseSecretRotationCheck',
    ResourceProperties: properties(overrides),
  };
}

export function updateEvent(
  overrides: Record<string, string>,
  oldOverrides: Record<string, string> = {},
  requestId = 'request-update-1',
): CustomResourceEvent {
  return {
    RequestType: 'Update',
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: 'DatabaseSecretRotationCheck',
    PhysicalResourceId: SECRET_ARN,
    ResourceProperties: properties(overrides),
    OldResourceProperties: properties(oldOverrides),
  };
}

export function deleteEvent(): CustomResourceEvent {
  return {
    RequestType: 'Delete',
    StackId: STACK_ID,
    RequestId: 'request-delete-1',
    LogicalResourceId: 'DatabaseSecretRotationCheck',
    PhysicalResourceId: SECRET_ARN,
    ResourceProperties: properties(),
  };
}

/** What the provider framework passes to isComplete: the request merged with onEvent's answer. */
export function isCompleteEventFor(event: CustomResourceEvent, result: OnEventResult): IsCompleteEvent {
  return { ...event, ...result, PhysicalResourceId: result.PhysicalResourceId ?? event.PhysicalResourceId };
}

export function describeOutput(versionIdsToStages: Record<string, string[]>) {
  return { ARN: SECRET_ARN, Name: SECRET_NAME, RotationEnabled: true, VersionIdsToStages: versionIdsToStages };
}

/** The rotation function's failure line for one step, as the contract defines it. */
export function failureLine(token: string, step: string, error: string): string {
  return JSON.stringify({
    timestamp: '2026-11-25T10:00:00.000Z',
    level: 'error',
    message: 'rotation step failed',
    step,
    secretArn: SECRET_ARN,
    token,
    strategy: 'postgres-single-user',
    error,
  });
}

/** Runs `fn` and returns what it threw (failing the test when it does not throw). */
export async function thrownBy(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}
