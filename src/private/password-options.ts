import { Token } from 'aws-cdk-lib';
import type { PasswordOptions } from '../rotation-strategy';

/** AWS's rotation templates exclude these by default: they break URLs, shells and connection strings. */
export const DEFAULT_EXCLUDE_CHARACTERS = '/@"\'\\';
/** The database templates also exclude `:`, which breaks connection URLs. */
export const DATABASE_EXCLUDE_CHARACTERS = ':/@"\'\\';

const CHARACTER_CLASSES = {
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
};

/** Password options with every default filled in. */
export type ResolvedPasswordOptions = { readonly [K in keyof PasswordOptions]-?: NonNullable<PasswordOptions[K]> };

export function resolvePasswordOptions(options: PasswordOptions, defaultExcludeCharacters = DEFAULT_EXCLUDE_CHARACTERS): ResolvedPasswordOptions {
  return {
    passwordLength: options.passwordLength ?? 32,
    excludeCharacters: options.excludeCharacters ?? defaultExcludeCharacters,
    excludeNumbers: options.excludeNumbers ?? false,
    excludePunctuation: options.excludePunctuation ?? false,
    excludeUppercase: options.excludeUppercase ?? false,
    excludeLowercase: options.excludeLowercase ?? false,
    includeSpace: options.includeSpace ?? false,
    requireEachIncludedType: options.requireEachIncludedType ?? true,
  };
}

/** The rotation function's environment contract for password generation (names as AWS's templates). */
export function passwordEnvironment(options: ResolvedPasswordOptions): { [name: string]: string } {
  return {
    PASSWORD_LENGTH: String(options.passwordLength),
    EXCLUDE_CHARACTERS: options.excludeCharacters,
    EXCLUDE_NUMBERS: String(options.excludeNumbers),
    EXCLUDE_PUNCTUATION: String(options.excludePunctuation),
    EXCLUDE_UPPERCASE: String(options.excludeUppercase),
    EXCLUDE_LOWERCASE: String(options.excludeLowercase),
    INCLUDE_SPACE: String(options.includeSpace),
    REQUIRE_EACH_INCLUDED_TYPE: String(options.requireEachIncludedType),
  };
}

export function validatePasswordOptions(options: PasswordOptions): void {
  const length = options.passwordLength;
  if (length !== undefined && !Token.isUnresolved(length) && (!Number.isInteger(length) || length < 4 || length > 4096)) {
    throw new Error(`\`passwordLength\` must be a whole number from 4 to 4096, got ${length}`);
  }
  const exclude = options.excludeCharacters;
  if (exclude !== undefined && Token.isUnresolved(exclude)) return;
  const resolved = resolvePasswordOptions(options);
  const included = [
    !resolved.excludeUppercase && CHARACTER_CLASSES.uppercase,
    !resolved.excludeLowercase && CHARACTER_CLASSES.lowercase,
    !resolved.excludeNumbers && CHARACTER_CLASSES.numbers,
    !resolved.excludePunctuation && CHARACTER_CLASSES.punctuation,
  ].filter((set): set is string => typeof set === 'string')
    .map((set) => [...set].filter((c) => !resolved.excludeCharacters.includes(c)).join(''))
    .filter((set) => set.length > 0);
  if (included.length === 0 && !(resolved.includeSpace && !resolved.excludeCharacters.includes(' '))) {
    throw new Error('`excludeNumbers`, `excludePunctuation`, `excludeUppercase`, `excludeLowercase` and `excludeCharacters` exclude every character: a password needs at least one character class');
  }
}

const CLOUDFORMATION_DEFAULTS: ResolvedPasswordOptions = {
  passwordLength: 32,
  excludeCharacters: '',
  excludeNumbers: false,
  excludePunctuation: false,
  excludeUppercase: false,
  excludeLowercase: false,
  includeSpace: false,
  requireEachIncludedType: true,
};

/**
 * The options CloudFormation's GenerateSecretString needs to generate the same kind of password: only those
 * that differ from its defaults (every secret's template stays small).
 */
export function nonDefaultPasswordOptions(options: ResolvedPasswordOptions): Partial<ResolvedPasswordOptions> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value !== CLOUDFORMATION_DEFAULTS[name as keyof ResolvedPasswordOptions]) result[name] = value;
  }
  return result as Partial<ResolvedPasswordOptions>;
}
