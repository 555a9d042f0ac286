import { randomInt } from 'node:crypto';
import { PasswordPolicy, includedClasses, passwordPolicyProblem, requiredClasses } from '../../src/private/contract';

/** Returns an integer in [0, max): the generator's only source of randomness. */
export type RandomInt = (max: number) => number;

const secureRandomInt: RandomInt = (max) => randomInt(max);

/**
 * A password following GetRandomPassword's options, from node:crypto's CSPRNG.
 * With `requireEachIncludedType`, one character of each included class (space excepted) is drawn first;
 * a Fisher-Yates shuffle then puts those anywhere, so no position is predictable.
 */
export function generatePassword(policy: PasswordPolicy, random: RandomInt = secureRandomInt): string {
  const problem = passwordPolicyProblem(policy);
  if (problem !== undefined) throw new Error(problem);
  const classes = includedClasses(policy);
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
