import { CLONE_SUFFIX, UsernameLimit } from '../../../src/private/contract';

/**
 * The other user of the pair: `name` becomes `name_clone` and `name_clone` becomes `name`.
 * Throws when the result would be longer than the engine allows.
 */
export function alternateUsername(username: string, limit: UsernameLimit): string {
  const alternate = username.endsWith(CLONE_SUFFIX) && username.length > CLONE_SUFFIX.length
    ? username.slice(0, -CLONE_SUFFIX.length)
    : username + CLONE_SUFFIX;
  const length = limit.unit === 'bytes' ? Buffer.byteLength(alternate, 'utf8') : [...alternate].length;
  if (length > limit.maxLength) {
    throw new Error(
      `\`username\` is too long to alternate: with "${CLONE_SUFFIX}" appended it has ${length} ${limit.unit}, ` +
      `and ${limit.engineName} allows at most ${limit.maxLength}`,
    );
  }
  return alternate;
}
