/**
 * Deploy-time rotation check, run by a custom-resources Provider: `index.onEvent` starts the first rotation,
 * `index.isComplete` waits for it and checks the staging labels. Both come from this one bundle.
 *
 * The SDK clients take their endpoints from the standard variables (AWS_ENDPOINT_URL_SECRETS_MANAGER,
 * AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), so the bundle also runs against a local simulator. They are made on
 * first use, after the caller has set its environment.
 */
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { VerifyDependencies } from './dependencies';
import type { CustomResourceEvent, IsCompleteEvent, IsCompleteResult, OnEventResult } from './events';
import { handleIsComplete } from './is-complete';
import { handleOnEvent } from './on-event';
import { createRotationLogs } from './rotation-logs';
import { createSecretOperations } from './secret-operations';
import { createJsonLogger } from '../rotation/log';

let dependencies: VerifyDependencies | undefined;

function defaultDependencies(): VerifyDependencies {
  if (!dependencies) {
    const log = createJsonLogger();
    dependencies = {
      secrets: createSecretOperations(new SecretsManagerClient({}), log),
      logs: createRotationLogs(new CloudWatchLogsClient({}), log),
      log,
      now: () => Date.now(),
    };
  }
  return dependencies;
}

export async function onEvent(event: CustomResourceEvent): Promise<OnEventResult> {
  return handleOnEvent(event, defaultDependencies());
}

export async function isComplete(event: IsCompleteEvent): Promise<IsCompleteResult> {
  return handleIsComplete(event, defaultDependencies());
}
