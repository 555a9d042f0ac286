/**
 * Amazon Redshift (provisioned clusters): the facts the constructs validate against and the rotation function
 * follows. Redshift speaks PostgreSQL's protocol, so its strategies use the PostgreSQL driver; its SQL and its rules
 * for names and passwords differ (Amazon Redshift Database Developer Guide: CREATE USER, Names and identifiers).
 */
import type { EngineFamily, UsernameLimit } from './engines';
import type { PasswordPolicy } from './password-policy';

export const REDSHIFT_FAMILY: EngineFamily = {
  displayName: 'Redshift',
  engine: 'redshift',
  engines: ['redshift'],
  defaultPort: 5439,
  defaultDbname: 'dev',
};

/** Identifiers are 1 to 127 bytes. */
export const REDSHIFT_USERNAME_LIMIT: UsernameLimit = { maxLength: 127, unit: 'bytes', engineName: 'Amazon Redshift' };

/** A clear-text password is 8 to 64 characters. */
export const REDSHIFT_PASSWORD_LENGTH = { min: 8, max: 64 } as const;

/** A clear-text password may use ASCII 33 to 126 except these. */
export const REDSHIFT_PASSWORD_FORBIDDEN = '\'"\\/@';

/**
 * Why the password options cannot always produce a password Redshift accepts as clear text, or undefined when they
 * do: 8 to 64 characters, at least one uppercase letter, one lowercase letter and one digit, ASCII 33 to 126 except
 * `'`, `"`, `\`, `/` and `@`. Messages use the options' names.
 */
export function redshiftPasswordPolicyProblem(policy: PasswordPolicy): string | undefined {
  const { min, max } = REDSHIFT_PASSWORD_LENGTH;
  if (policy.passwordLength < min || policy.passwordLength > max) {
    return `\`passwordLength\` must be from ${min} to ${max} for Amazon Redshift, got ${policy.passwordLength}`;
  }
  const missing = [...REDSHIFT_PASSWORD_FORBIDDEN].filter((c) => !policy.excludeCharacters.includes(c));
  if (missing.length > 0) {
    return `\`excludeCharacters\` must include ${missing.join(' ')} (Amazon Redshift refuses them in passwords), got ${JSON.stringify(policy.excludeCharacters)}`;
  }
  if (policy.includeSpace) return '`includeSpace` must be false for Amazon Redshift (a password is ASCII 33 to 126)';
  const required = [
    ['excludeUppercase', policy.excludeUppercase],
    ['excludeLowercase', policy.excludeLowercase],
    ['excludeNumbers', policy.excludeNumbers],
  ].filter(([, excluded]) => excluded).map(([name]) => `\`${name}\``);
  if (required.length > 0) {
    return `${required.join(', ')} must be false for Amazon Redshift: a password needs an uppercase letter, a lowercase letter and a digit`;
  }
  if (!policy.requireEachIncludedType) {
    return '`requireEachIncludedType` must be true for Amazon Redshift: a password needs an uppercase letter, a lowercase letter and a digit';
  }
  for (const [name, letters] of [['uppercase', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'], ['lowercase', 'abcdefghijklmnopqrstuvwxyz'], ['digit', '0123456789']]) {
    if ([...letters].every((c) => policy.excludeCharacters.includes(c))) {
      return `\`excludeCharacters\` excludes every ${name} character, which an Amazon Redshift password needs`;
    }
  }
  return undefined;
}

/**
 * Why Redshift would not take `password` as this clear-text password, or undefined. Besides the rules above, a value
 * that starts with `md5` or `sha256|` is read as a hash of some other password, not as the password itself. Never
 * quotes the password.
 */
export function redshiftPasswordProblem(password: string): string | undefined {
  const { min, max } = REDSHIFT_PASSWORD_LENGTH;
  if (password.length < min || password.length > max) return `has ${password.length} characters; Amazon Redshift takes ${min} to ${max}`;
  if ([...password].some((c) => c.charCodeAt(0) < 33 || c.charCodeAt(0) > 126 || REDSHIFT_PASSWORD_FORBIDDEN.includes(c))) {
    return `has a character Amazon Redshift refuses (outside ASCII 33 to 126, or one of ${[...REDSHIFT_PASSWORD_FORBIDDEN].join(' ')})`;
  }
  if (!/[A-Z]/.test(password) || !/[a-z]/.test(password) || !/[0-9]/.test(password)) {
    return 'lacks an uppercase letter, a lowercase letter or a digit, which Amazon Redshift requires';
  }
  if (password.startsWith('md5') || password.startsWith('sha256|')) return 'starts like a password hash (md5 or sha256|), which Amazon Redshift would read as one';
  return undefined;
}
