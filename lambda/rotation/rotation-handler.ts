import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readRotationConfig, readStrategyName } from './config';
import { createJsonLogger, safeErrorMessage } from './log';
import { runRotationStep } from './protocol';
import { SdkSecretsStore } from './secrets-store';
import { createStrategy, StrategyRegistry } from './strategies';

// Created once per execution environment and reused by every invocation it serves. Region, credentials
// and endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL) come from the environment.
const store = new SdkSecretsStore(new SecretsManagerClient({}));
const log = createJsonLogger();

/**
 * The rotation function Secrets Manager invokes, once per step, for the strategies of `registry`.
 * Configuration is read on each invocation so a bad environment fails the step with a logged reason
 * instead of the whole function's init.
 */
export function createRotationHandler(registry: StrategyRegistry): (event: unknown) => Promise<void> {
  return async (event) => {
    const fields = {
      step: stringField(event, 'Step'),
      secretArn: stringField(event, 'SecretId'),
      token: stringField(event, 'ClientRequestToken'),
      strategy: null as string | null,
    };
    try {
      fields.strategy = readStrategyName(process.env);
      const config = readRotationConfig(process.env);
      const service = createStrategy(registry, config.strategy, process.env);
      log.info('rotation step started', fields);
      await runRotationStep(event, { store, service, passwords: config.passwordPolicy, log });
      log.info('rotation step finished', fields);
    } catch (error) {
      // The deploy-time verifier finds this exact line by token: keep its message and field names.
      log.error('rotation step failed', { ...fields, error: safeErrorMessage(error) });
      throw error;
    }
  };
}

// Identifiers from the event for log lines: null when absent (so every line has every field), bounded so
// a malformed event cannot flood the log.
function stringField(event: unknown, name: string): string | null {
  if (typeof event !== 'object' || event === null) return null;
  const value = (event as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.slice(0, 2048) : null;
}
