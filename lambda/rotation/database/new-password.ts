import type { StepContext } from '../types';
import type { DatabaseEngine } from './engines/engine';

/**
 * Generations tried before giving up. A policy the engine's rules reject (refused at synth) fails every one; a
 * password that merely looks like a hash (Redshift: a 1 in 85^3 chance for `md5`) is replaced by the next.
 */
const ATTEMPTS = 10;

/** A new password from the secret's policy that the engine takes as it is. */
export function newPassword(engine: Pick<DatabaseEngine<never>, 'passwordProblem' | 'family'>, context: Pick<StepContext, 'generatePassword'>): string {
  let problem: string | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const password = context.generatePassword();
    problem = engine.passwordProblem?.(password);
    if (problem === undefined) return password;
  }
  throw new Error(`the password options make passwords that ${engine.family.displayName} refuses: ${ATTEMPTS} generated passwords in a row each ${problem}`);
}
