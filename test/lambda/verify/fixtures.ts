import { CheckedFunction, CheckedSecret, encodeCheckProperties } from '../../../src/private/contract';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/app/5f0e8a40-0000-11ef-9c1e-0a1b2c3d4e5f`;
export const LOGICAL_ID = 'RotationCheck';
/** The check function itself: the context's invokedFunctionArn and its log group. */
export const CHECK_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-rotation-check`;
export const CHECK_LOG_GROUP = '/aws/lambda/app-rotation-check';
/** The stack's rotation function. */
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:app-rotation-function`;
export const LOG_GROUP = '/aws/lambda/app-rotation-function';
export const FUNCTION_TIMEOUT_SECONDS = 60;

export function secretArn(name: string): string {
  return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
}

export const ROTATION_FUNCTION: CheckedFunction = { arn: FUNCTION_ARN, logGroup: LOG_GROUP, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS, kind: 'library' };

/** An entry with the construct's defaults, for `overrides`. */
export function entry(arn: string, overrides: Partial<CheckedSecret> = {}): CheckedSecret {
  return {
    secretArn: arn,
    fingerprint: 'fingerprint-1',
    functionIndex: 0,
    scheduleExpression: 'rate(30 days)',
    duration: '3h',
    timeoutSeconds: 600,
    pollSeconds: 10,
    repairStalePending: false,
    verify: true,
    ...overrides,
  };
}

/** ResourceProperties as CloudFormation delivers them: the construct's encoding, with ServiceToken and ServiceTimeout. */
export function properties(secrets: readonly CheckedSecret[], functions: readonly CheckedFunction[] = [ROTATION_FUNCTION]): Record<string, unknown> {
  return { ServiceToken: CHECK_ARN, ServiceTimeout: '900', ...encodeCheckProperties({ functions, secrets }) };
}

export interface RequestOptions {
  readonly requestId?: string;
  readonly physicalResourceId?: string;
  readonly oldProperties?: Record<string, unknown>;
}

/** A CloudFormation request to the check, answered at `responseUrl`. */
export function request(
  requestType: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown>,
  responseUrl: string,
  options: RequestOptions = {},
): Record<string, unknown> {
  return {
    RequestType: requestType,
    ServiceToken: CHECK_ARN,
    ResponseURL: responseUrl,
    StackId: STACK_ID,
    RequestId: options.requestId ?? `request-${requestType.toLowerCase()}-1`,
    LogicalResourceId: LOGICAL_ID,
    ResourceType: 'Custom::RotationCheck',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: options.physicalResourceId ?? 'RotationCheck-existing' }),
    ResourceProperties: props,
    ...(requestType === 'Update' ? { OldResourceProperties: options.oldProperties ?? props } : {}),
  };
}

/** The rotation function's failure line for one step, as the contract defines it. */
export function failureLine(token: string, step: string, error: string, arn = secretArn('app/database')): string {
  return JSON.stringify({
    timestamp: '2030-01-01T10:00:00.000Z',
    level: 'error',
    message: 'rotation step failed',
    step,
    secretArn: arn,
    token,
    strategy: 'postgres-single-user',
    error,
  });
}
