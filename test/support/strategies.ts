import { DATABASE_STRATEGIES } from '../../lambda/rotation/database/strategies';
import { GenericStrategy } from '../../lambda/rotation/generic';
import type { ProtectedService } from '../../lambda/rotation/types';
import {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DatabaseStrategyName,
  RotationFunctionConfig,
  StrategyName,
  defaultExcludeCharacters,
  encodeRotationEnvironment,
  passwordPolicyWithDefaults,
} from '../../src/private/contract';

/** A rotation function's configuration as the constructs write it by default, with `overrides`. */
export function rotationConfig(strategy: StrategyName, overrides: Partial<RotationFunctionConfig> = {}): RotationFunctionConfig {
  return {
    strategy,
    passwordPolicy: passwordPolicyWithDefaults({}, defaultExcludeCharacters(strategy)),
    ...(strategy === 'generic' ? {} : { connectTimeoutSeconds: DEFAULT_CONNECT_TIMEOUT_SECONDS }),
    ...overrides,
  };
}

/** A database strategy of the shipped table, configured as the constructs would (connect timeout, created users, trusted CA). */
export function databaseStrategy(
  strategy: DatabaseStrategyName,
  options: Pick<RotationFunctionConfig, 'connectTimeoutSeconds' | 'createUsers'> & { readonly trustedCa?: string } = {},
): ProtectedService {
  const { trustedCa, ...overrides } = options;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return DATABASE_STRATEGIES[strategy](rotationConfig(strategy, defined), trustedCa === undefined ? {} : { trustedCa });
}

/** The generic strategy, as the generic rotation function builds it. */
export function genericStrategy(generateStringKey?: string): GenericStrategy {
  return new GenericStrategy({ generateStringKey });
}

/** The environment the constructs write for `strategy` (defaults, with `overrides`). */
export function rotationEnvironment(strategy: StrategyName, overrides: Partial<RotationFunctionConfig> = {}): Record<string, string> {
  return encodeRotationEnvironment(rotationConfig(strategy, overrides));
}

export { bundleAssetDir } from '../../src/private/rotation-function';
