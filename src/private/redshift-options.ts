import { Token } from 'aws-cdk-lib';
import { DATABASE_EXCLUDE_CHARACTERS, passwordPolicyWithDefaults, redshiftPasswordPolicyProblem } from './contract';
import type { DatabaseRotationOptions } from '../rotation-strategy';
import { PropError } from './errors';

/**
 * What Amazon Redshift's strategies refuse besides the other database strategies' checks: password options that can
 * produce a password Redshift refuses, and user names with uppercase letters (Redshift folds every identifier, quoted
 * or not, to lowercase, so such a user would never be found by its name).
 */
export function validateRedshiftOptions(options: DatabaseRotationOptions): void {
  const { username } = options;
  if (!Token.isUnresolved(username) && username !== username.toLowerCase()) {
    throw new PropError(`\`username\` must be lowercase for Amazon Redshift (it folds user names to lowercase), got "${username}"`);
  }
  if (Token.isUnresolved(options.passwordLength) || Token.isUnresolved(options.excludeCharacters)) return;
  const problem = redshiftPasswordPolicyProblem(passwordPolicyWithDefaults(options, DATABASE_EXCLUDE_CHARACTERS));
  if (problem !== undefined) throw new PropError(problem);
}
