import { DATABASE_STRATEGIES } from '../../lambda/rotation/database/strategies';
import { GenericStrategy } from '../../lambda/rotation/generic';
import type { ProtectedService } from '../../lambda/rotation/types';
import {
  DEFAULT_CONNECT_TIMEOUT_SECONDS,
  DatabaseStrategyName,
  OPTION_SET_TAG,
  PasswordOptionSet,
  PasswordPolicy,
  RotationFunctionConfig,
  StrategyName,
  defaultExcludeCharacters,
  encodeRotationEnvironment,
  passwordPolicyWithDefaults,
} from '../../src/private/contract';

/** The option set the tests' rotation functions declare, and the tags that select it on a secret. */
export const TEST_OPTION_SET = 'test';
export const TEST_OPTION_SET_TAGS = [{ Key: OPTION_SET_TAG, Value: TEST_OPTION_SET }];

/** What a test may set: the function's settings, and the options of its one option set. */
export type TestRotationOverrides = Partial<Omit<RotationFunctionConfig, 'strategy' | 'optionSets'>> & {
  readonly passwordPolicy?: PasswordPolicy;
  readonly generateStringKey?: string;
};

/** The default option set of `strategy`, with a JSON key when given. */
export function testOptionSet(strategy: StrategyName, generateStringKey?: string): PasswordOptionSet {
  const passwordPolicy = passwordPolicyWithDefaults({}, defaultExcludeCharacters(strategy));
  return generateStringKey === undefined ? { passwordPolicy } : { passwordPolicy, generateStringKey };
}

/**
 * A rotation function's configuration as the constructs write it by default, with `overrides`: one option set,
 * `TEST_OPTION_SET`, which secrets tagged with `TEST_OPTION_SET_TAGS` select.
 */
export function rotationConfig(strategy: StrategyName, overrides: TestRotationOverrides = {}): RotationFunctionConfig {
  const { passwordPolicy, generateStringKey, ...settings } = overrides;
  const set = testOptionSet(strategy, generateStringKey);
  return {
    strategy,
    optionSets: { [TEST_OPTION_SET]: passwordPolicy === undefined ? set : { ...set, passwordPolicy } },
    ...(strategy === 'generic' ? {} : { connectTimeoutSeconds: DEFAULT_CONNECT_TIMEOUT_SECONDS }),
    ...settings,
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
export function genericStrategy(): GenericStrategy {
  return new GenericStrategy();
}

/** The environment the constructs write for `strategy` (defaults, with `overrides`). */
export function rotationEnvironment(strategy: StrategyName, overrides: TestRotationOverrides = {}): Record<string, string> {
  return encodeRotationEnvironment(rotationConfig(strategy, overrides));
}

export { bundleAssetDir } from '../../src/private/rotation-function';
