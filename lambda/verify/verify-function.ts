/**
 * The deploy-time rotation check: one function answering the stack's `Custom::RotationCheck` resource through
 * CloudFormation's raw custom-resource protocol (no provider framework), continuing itself asynchronously when a
 * wait outlasts one invocation.
 *
 * The SDK clients take their endpoints from the standard variables (AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), so the bundle also runs against a local simulator.
 * They are made on first use, after the caller has set its environment.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { handleCheckEvent } from './check-request';
import type { CheckDependencies } from './dependencies';
import { createResponder } from './response';
import { createRotationFunctions } from './rotation-functions';
import { createRotationLogs } from './rotation-logs';
import { createSecretOperations } from './secret-operations';
import { InvocationContext, systemClock } from './time-budget';
import { createJsonLogger } from '../rotation/log';

let defaults: CheckDependencies | undefined;

function defaultDependencies(): CheckDependencies {
  if (!defaults) {
    const log = createJsonLogger();
    defaults = {
      secrets: createSecretOperations(new SecretsManagerClient({}), log),
      logs: createRotationLogs(new CloudWatchLogsClient({}), log),
      functions: createRotationFunctions(new LambdaClient({})),
      respond: createResponder(systemClock, log),
      log,
      clock: systemClock,
    };
  }
  return defaults;
}

/** The handler, with some dependencies replaced (tests replace the clock, which the responder's retries follow). */
export function createHandler(overrides: Partial<CheckDependencies> = {}): (event: unknown, context: InvocationContext) => Promise<void> {
  return (event, context) => {
    const base = defaultDependencies();
    const clock = overrides.clock ?? base.clock;
    return handleCheckEvent(event, context, { ...base, respond: createResponder(clock, base.log), ...overrides });
  };
}

export const handler = createHandler();
