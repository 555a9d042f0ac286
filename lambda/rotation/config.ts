import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, validatePasswordPolicy } from './password';
import type { PasswordPolicy } from './types';

/**
 * The rotation function's environment contract, set by the constructs. Names and defaults follow AWS's
 * rotation templates. The Secrets Manager endpoint is not part of it: the AWS SDK reads
 * AWS_ENDPOINT_URL_SECRETS_MANAGER and AWS_ENDPOINT_URL itself.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The strategy used when ROTATION_STRATEGY is unset. */
export const DEFAULT_STRATEGY = 'generic';

/** Default EXCLUDE_CHARACTERS of the generic strategy (AWS's generic template). */
export const GENERIC_EXCLUDE_CHARACTERS = '/@"\'\\';
/** Default EXCLUDE_CHARACTERS of database strategies (AWS's database templates): `:` also breaks connection URLs. */
export const DATABASE_EXCLUDE_CHARACTERS = ':/@"\'\\';

const DEFAULT_PASSWORD_LENGTH = 32;

/** Everything the handler needs from the environment. */
export interface RotationConfig {
  /** ROTATION_STRATEGY: the name of the registered strategy. */
  readonly strategy: string;
  /** How new passwords are generated. */
  readonly passwordPolicy: PasswordPolicy;
}

/** Reads and validates the whole contract; errors name the variable at fault. */
export function readRotationConfig(env: Environment): RotationConfig {
  const strategy = readStrategyName(env);
  return { strategy, passwordPolicy: readPasswordPolicy(env, strategy) };
}

/** ROTATION_STRATEGY, or `generic` when unset. */
export function readStrategyName(env: Environment): string {
  const name = env.ROTATION_STRATEGY;
  if (name === undefined) return DEFAULT_STRATEGY;
  if (name.trim() === '') throw new Error('`ROTATION_STRATEGY` must name a strategy, got an empty string');
  return name;
}

/** The password policy; the EXCLUDE_CHARACTERS default depends on the strategy, as in AWS's templates. */
export function readPasswordPolicy(env: Environment, strategy: string): PasswordPolicy {
  const policy: PasswordPolicy = {
    passwordLength: readPasswordLength(env),
    excludeCharacters: env.EXCLUDE_CHARACTERS ?? defaultExcludeCharacters(strategy),
    excludeNumbers: readBoolean(env, 'EXCLUDE_NUMBERS', false),
    excludePunctuation: readBoolean(env, 'EXCLUDE_PUNCTUATION', false),
    excludeUppercase: readBoolean(env, 'EXCLUDE_UPPERCASE', false),
    excludeLowercase: readBoolean(env, 'EXCLUDE_LOWERCASE', false),
    includeSpace: readBoolean(env, 'INCLUDE_SPACE', false),
    requireEachIncludedType: readBoolean(env, 'REQUIRE_EACH_INCLUDED_TYPE', true),
  };
  // Fail at configuration time, not in the middle of createSecret.
  try {
    validatePasswordPolicy(policy);
  } catch (error) {
    throw new Error(`the password variables (PASSWORD_LENGTH, EXCLUDE_*, INCLUDE_SPACE, REQUIRE_EACH_INCLUDED_TYPE) are inconsistent: ${(error as Error).message}`);
  }
  return policy;
}

/** GENERATE_STRING_KEY: the JSON key whose value the generic strategy replaces; undefined for plain-string secrets. */
export function readGenerateStringKey(env: Environment): string | undefined {
  const key = env.GENERATE_STRING_KEY;
  if (key === '') {
    throw new Error('`GENERATE_STRING_KEY` must name a JSON key, got an empty string (leave it unset for plain-string secrets)');
  }
  return key;
}

/** The EXCLUDE_CHARACTERS default: the generic template's for `generic`, the database templates' otherwise. */
export function defaultExcludeCharacters(strategy: string): string {
  return strategy === DEFAULT_STRATEGY ? GENERIC_EXCLUDE_CHARACTERS : DATABASE_EXCLUDE_CHARACTERS;
}

function readPasswordLength(env: Environment): number {
  const raw = env.PASSWORD_LENGTH;
  if (raw === undefined) return DEFAULT_PASSWORD_LENGTH;
  const length = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(length >= MIN_PASSWORD_LENGTH && length <= MAX_PASSWORD_LENGTH)) {
    throw new Error(`\`PASSWORD_LENGTH\` must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}, got ${JSON.stringify(raw)}`);
  }
  return length;
}

function readBoolean(env: Environment, name: string, defaultValue: boolean): boolean {
  const raw = env[name];
  if (raw === undefined) return defaultValue;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`\`${name}\` must be "true" or "false", got ${JSON.stringify(raw)}`);
}
