/**
 * How rotated passwords are generated: GetRandomPassword's options and semantics, shared by the constructs
 * (which validate and write them) and the rotation function (which reads them and generates passwords).
 */

/** Password options with every value given. */
export interface PasswordPolicy {
  readonly passwordLength: number;
  readonly excludeCharacters: string;
  readonly excludeNumbers: boolean;
  readonly excludePunctuation: boolean;
  readonly excludeUppercase: boolean;
  readonly excludeLowercase: boolean;
  readonly includeSpace: boolean;
  readonly requireEachIncludedType: boolean;
}

/** The limits this library allows for `passwordLength`: GetRandomPassword's maximum; 4 fits one character of every type. */
export const MIN_PASSWORD_LENGTH = 4;
export const MAX_PASSWORD_LENGTH = 4096;

/** GetRandomPassword's punctuation set. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** AWS's generic rotation template excludes these by default: they break URLs, shells and connection strings. */
export const GENERIC_EXCLUDE_CHARACTERS = '/@"\'\\';
/** AWS's database templates also exclude `:`, which breaks connection URLs. */
export const DATABASE_EXCLUDE_CHARACTERS = ':/@"\'\\';

/** The defaults of every option but `excludeCharacters`, which depends on the strategy. */
export const POLICY_DEFAULTS = {
  passwordLength: 32,
  excludeNumbers: false,
  excludePunctuation: false,
  excludeUppercase: false,
  excludeLowercase: false,
  includeSpace: false,
  requireEachIncludedType: true,
} as const;

/** The policy for the given options, defaults filled in; `excludeCharacters` defaults to `defaultExcludeCharacters`. */
export function passwordPolicyWithDefaults(options: Partial<PasswordPolicy>, defaultExcludeCharacters: string): PasswordPolicy {
  const policy: PasswordPolicy = { ...POLICY_DEFAULTS, excludeCharacters: defaultExcludeCharacters };
  // Only the policy's own keys: `options` may be a larger object (a strategy's options) that holds them.
  const given = Object.fromEntries((Object.keys(policy) as Array<keyof PasswordPolicy>)
    .filter((key) => options[key] !== undefined)
    .map((key) => [key, options[key]]));
  return { ...policy, ...given };
}

/** A character class and whether `requireEachIncludedType` asks for one of its characters. */
export interface CharacterClass {
  readonly name: string;
  readonly characters: string;
  readonly requirable: boolean;
}

/**
 * The character classes a policy includes, each stripped of `excludeCharacters`. A class left empty by
 * `excludeCharacters` counts as excluded. Space is a class of its own that is never required.
 */
export function includedClasses(policy: PasswordPolicy): CharacterClass[] {
  const candidates: Array<CharacterClass & { readonly excluded: boolean }> = [
    { name: 'uppercase', characters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', requirable: true, excluded: policy.excludeUppercase },
    { name: 'lowercase', characters: 'abcdefghijklmnopqrstuvwxyz', requirable: true, excluded: policy.excludeLowercase },
    { name: 'numbers', characters: '0123456789', requirable: true, excluded: policy.excludeNumbers },
    { name: 'punctuation', characters: PUNCTUATION, requirable: true, excluded: policy.excludePunctuation },
    { name: 'space', characters: ' ', requirable: false, excluded: !policy.includeSpace },
  ];
  return candidates
    .filter((candidate) => !candidate.excluded)
    .map(({ name, characters, requirable }) => ({
      name,
      requirable,
      characters: [...characters].filter((c) => !policy.excludeCharacters.includes(c)).join(''),
    }))
    .filter((cls) => cls.characters.length > 0);
}

/** The classes a password must draw at least one character from. */
export function requiredClasses(policy: PasswordPolicy, classes: readonly CharacterClass[] = includedClasses(policy)): CharacterClass[] {
  return policy.requireEachIncludedType ? classes.filter((cls) => cls.requirable) : [];
}

/**
 * Why the policy cannot produce a password, in the options' own names, or undefined when it can. The
 * construct reports it at synth, the rotation function before it generates anything.
 */
export function passwordPolicyProblem(policy: PasswordPolicy): string | undefined {
  const length = policy.passwordLength;
  if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    return `\`passwordLength\` must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}, got ${length}`;
  }
  const classes = includedClasses(policy);
  if (classes.length === 0) {
    return '`excludeNumbers`, `excludePunctuation`, `excludeUppercase`, `excludeLowercase`, `includeSpace` and `excludeCharacters` '
      + 'leave no character to choose from: a password needs at least one character class';
  }
  // With at least 4 characters, each of the 4 requirable classes always fits.
  return undefined;
}
