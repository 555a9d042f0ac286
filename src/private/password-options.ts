import { Token } from 'aws-cdk-lib';
import { GET_RANDOM_PASSWORD_DEFAULTS, PasswordPolicy, passwordPolicyProblem, passwordPolicyWithDefaults } from './contract';
import type { PasswordOptions } from '../rotation-strategy';

/** The policy of `options`, every default filled in (`excludeCharacters` from the strategy). */
export function resolvePasswordOptions(options: PasswordOptions, defaultExcludeCharacters: string): PasswordPolicy {
  return passwordPolicyWithDefaults(options, defaultExcludeCharacters);
}

/** Refuses options that cannot produce a password; tokens are not judged. */
export function validatePasswordOptions(options: PasswordOptions, defaultExcludeCharacters: string): void {
  if (Token.isUnresolved(options.passwordLength) || Token.isUnresolved(options.excludeCharacters)) return;
  const problem = passwordPolicyProblem(resolvePasswordOptions(options, defaultExcludeCharacters));
  if (problem !== undefined) throw new Error(problem);
}

/**
 * The options CloudFormation's GenerateSecretString needs to generate the same kind of password: only those
 * that differ from GetRandomPassword's defaults (every secret's template stays small).
 */
export function nonDefaultPasswordOptions(policy: PasswordPolicy): Partial<PasswordPolicy> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(policy)) {
    if (value !== GET_RANDOM_PASSWORD_DEFAULTS[name as keyof PasswordPolicy]) result[name] = value;
  }
  return result as Partial<PasswordPolicy>;
}
