import { Token } from 'aws-cdk-lib';
import { PasswordPolicy, passwordPolicyProblem, passwordPolicyWithDefaults } from './contract';
import type { PasswordOptions } from '../rotation-strategy';
import { PropError } from './errors';

/** The policy of `options`, every default filled in (`excludeCharacters` from the strategy). */
export function resolvePasswordOptions(options: PasswordOptions, defaultExcludeCharacters: string): PasswordPolicy {
  return passwordPolicyWithDefaults(options, defaultExcludeCharacters);
}

/** Refuses options that cannot produce a password; tokens are not judged. */
export function validatePasswordOptions(options: PasswordOptions, defaultExcludeCharacters: string): void {
  if (Token.isUnresolved(options.passwordLength) || Token.isUnresolved(options.excludeCharacters)) return;
  const problem = passwordPolicyProblem(resolvePasswordOptions(options, defaultExcludeCharacters));
  if (problem !== undefined) throw new PropError(problem);
}
