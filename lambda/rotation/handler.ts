import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createJsonLogger, safeErrorMessage } from './log';
import { runProbe } from './probe';
import { ProtocolDependencies, runRotationStep } from './protocol';
import { SdkSecretsStore } from './secrets-store';
import type { ProtectedService } from './types';
import {
  ContractError,
  ProbeRequest,
  ProbeResult,
  ROTATION_FAILURE_MESSAGE,
  RotationFunctionConfig,
  RotationStepFields,
  StrategyName,
  decodeRotationEnvironment,
  isProbeRequest,
  selectOptionSet,
  strategyOfEnvironment,
} from '../../src/private/contract';

/** Builds a strategy from the function's configuration. */
export type StrategyFactory = (config: RotationFunctionConfig) => ProtectedService;

/** The strategies one bundle of the rotation function implements, by name. */
export type StrategyTable = Readonly<Partial<Record<StrategyName, StrategyFactory>>>;

// Created once per execution environment and reused by every invocation it serves. Region, credentials
// and endpoint (AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL) come from the environment.
// Exported for handlers of the same function's other requests (the access keys' custom resource).
export const store = new SdkSecretsStore(new SecretsManagerClient({}));
export const log = createJsonLogger();

/** The log line of a probe that could not be answered. */
const PROBE_FAILURE_MESSAGE = 'probe failed';

/**
 * The rotation function for the strategies of `table`: Secrets Manager invokes it once per step, and the
 * deploy-time check invokes it directly with a probe (answered with a ProbeResult). Configuration is read on each
 * invocation so a bad environment fails the step with a logged reason instead of the whole function's init.
 */
export function createRotationHandler(table: StrategyTable): (event: unknown) => Promise<ProbeResult | void> {
  return (event) => (isProbeRequest(event) ? answerProbe(table, event) : runStep(table, event));
}

function answerProbe(table: StrategyTable, request: ProbeRequest): Promise<ProbeResult> {
  // What the environment names, valid or not: a bad configuration's line still says which it was.
  return answerProbeWith(request, strategyOfEnvironment(process.env) ?? null, () => createStrategy(table, readConfiguration(process.env)));
}

function runStep(table: StrategyTable, event: unknown): Promise<void> {
  return runStepWith(event, strategyOfEnvironment(process.env) ?? null, () => {
    const config = readConfiguration(process.env);
    return { service: createStrategy(table, config), optionsFor: (secret) => selectOptionSet(config, secret) };
  });
}

/**
 * Answers the check's probe with the service `prepare` makes (against the function's Secrets Manager client); a
 * failure is logged, without a value, and rethrown.
 */
export async function answerProbeWith(request: ProbeRequest, strategy: string | null, prepare: () => ProtectedService): Promise<ProbeResult> {
  const fields = { secretId: stringField(request.ProbeVersions, 'SecretId'), strategy };
  try {
    return await runProbe(request, { store, service: prepare(), log });
  } catch (error) {
    log.error(PROBE_FAILURE_MESSAGE, { ...fields, error: safeErrorMessage(error) });
    throw error;
  }
}

/**
 * Runs one step with the service and option sets `prepare` makes, logging its start and end, and on failure the
 * record the deploy-time check finds by token (src/private/contract/failure-log.ts).
 */
export async function runStepWith(
  event: unknown,
  strategy: string | null,
  prepare: () => Pick<ProtocolDependencies, 'service' | 'optionsFor'>,
): Promise<void> {
  const fields: { -readonly [K in keyof RotationStepFields]: RotationStepFields[K] } = {
    step: stringField(event, 'Step'),
    secretArn: stringField(event, 'SecretId'),
    token: stringField(event, 'ClientRequestToken'),
    strategy,
  };
  try {
    const { service, optionsFor } = prepare();
    log.info('rotation step started', fields);
    await runRotationStep(event, { store, service, optionsFor, log });
    log.info('rotation step finished', fields);
  } catch (error) {
    log.error(ROTATION_FAILURE_MESSAGE, { ...fields, error: safeErrorMessage(error) });
    throw error;
  }
}

/** The function's configuration; every option set it declares can produce passwords (checked when it is read). */
export function readConfiguration(env: Readonly<Record<string, string | undefined>>): RotationFunctionConfig {
  return decodeRotationEnvironment(env);
}

/** The strategy `config` names, if this bundle implements it. */
export function createStrategy(table: StrategyTable, config: RotationFunctionConfig): ProtectedService {
  const factory = table[config.strategy];
  if (factory === undefined) {
    throw new ContractError(`strategy ${JSON.stringify(config.strategy)} is not implemented by this rotation function; it implements ${Object.keys(table).join(', ')}`);
  }
  return factory(config);
}

// Identifiers from the event for log lines: null when absent (so every line has every field), bounded so
// a malformed event cannot flood the log.
function stringField(event: unknown, name: string): string | null {
  if (typeof event !== 'object' || event === null) return null;
  const value = (event as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.slice(0, 2048) : null;
}
