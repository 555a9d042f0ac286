import { randomInt } from 'node:crypto';
import type { PasswordPolicy } from './types';

/** GetRandomPassword's limits on `PasswordLength`. */
export const MIN_PASSWORD_LENGTH = 1;
export const MAX_PASSWORD_LENGTH = 4096;

/** GetRandomPassword's punctuation set. */
export const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/** A character class and whether `requireEachIncludedType` asks for one of its characters. */
interface CharacterClass {
  readonly name: string;
  readonly characters: string;
  readonly requirable: boolean;
}

/** Returns an integer in [0, max): the generator's only source of randomness. */
export type RandomInt = (max: number) => number;

const secureRandomInt: RandomInt = (max) => randomInt(max);

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

/** Throws unless `policy` can produce a password; returns the classes to draw from. */
export function validatePasswordPolicy(policy: PasswordPolicy): CharacterClass[] {
  const length = policy.passwordLength;
  if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new Error(`\`passwordLength\` must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}, got ${length}`);
  }
  const classes = includedClasses(policy);
  if (classes.length === 0) {
    throw new Error('the password policy excludes every character: `excludeNumbers`, `excludePunctuation`, `excludeUppercase`, `excludeLowercase`, `includeSpace` and `excludeCharacters` leave no character to choose from');
  }
  const required = requiredClasses(policy, classes);
  if (required.length > length) {
    throw new Error(`\`passwordLength\` ${length} is smaller than the ${required.length} character types \`requireEachIncludedType\` requires (${required.map((c) => c.name).join(', ')})`);
  }
  return classes;
}

/**
 * A password following GetRandomPassword's options, from node:crypto's CSPRNG.
 * With `requireEachIncludedType`, one character of each included class (space excepted) is drawn first;
 * a Fisher-Yates shuffle then puts those anywhere, so no position is predictable.
 */
export function generatePassword(policy: PasswordPolicy, random: RandomInt = secureRandomInt): string {
  const classes = validatePasswordPolicy(policy);
  const pool = [...new Set(classes.flatMap((cls) => [...cls.characters]))];
  const chars = requiredClasses(policy, classes).map((cls) => cls.characters[random(cls.characters.length)]);
  while (chars.length < policy.passwordLength) {
    chars.push(pool[random(pool.length)]);
  }
  for (let i = chars.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars.join('');
}

/**
 * What is wrong with `password` under `policy`, or undefined if nothing is: its length, an excluded
 * character, a missing required class. The description never quotes the password or any of its characters.
 */
export function describePasswordProblem(password: string, policy: PasswordPolicy): string | undefined {
  const length = [...password].length;
  if (length !== policy.passwordLength) {
    return `has ${length} characters, expected ${policy.passwordLength}`;
  }
  const classes = includedClasses(policy);
  const allowed = new Set(classes.flatMap((cls) => [...cls.characters]));
  if ([...password].some((c) => !allowed.has(c))) {
    return 'contains a character the password policy excludes';
  }
  const missing = requiredClasses(policy, classes).filter((cls) => ![...cls.characters].some((c) => password.includes(c)));
  if (missing.length > 0) {
    return `has no ${missing.map((c) => c.name).join(', ')} character, which \`requireEachIncludedType\` requires`;
  }
  return undefined;
}

function requiredClasses(policy: PasswordPolicy, classes: CharacterClass[]): CharacterClass[] {
  return policy.requireEachIncludedType ? classes.filter((cls) => cls.requirable) : [];
}
