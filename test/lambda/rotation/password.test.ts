import * as fc from 'fast-check';
import { DEFAULT_POLICY } from './support';
import { describePasswordProblem, generatePassword } from '../../../lambda/rotation/password';
import type { PasswordPolicy } from '../../../lambda/rotation/types';
import { PUNCTUATION } from '../../../src/private/contract';
import { passwordPolicies } from '../../support/password-policies';

// The classes written out independently of the module under test.
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const PRINTABLE = `${UPPER}${LOWER}${DIGITS}${PUNCT} `;

function policy(overrides: Partial<PasswordPolicy>): PasswordPolicy {
  return { ...DEFAULT_POLICY, excludeCharacters: '', ...overrides };
}

/** Each class a policy includes, minus excludeCharacters, dropped if that leaves it empty. */
function expectedClasses(p: PasswordPolicy): { chars: string; required: boolean }[] {
  return [
    { chars: UPPER, included: !p.excludeUppercase, required: true },
    { chars: LOWER, included: !p.excludeLowercase, required: true },
    { chars: DIGITS, included: !p.excludeNumbers, required: true },
    { chars: PUNCT, included: !p.excludePunctuation, required: true },
    { chars: ' ', included: p.includeSpace, required: false },
  ]
    .filter((cls) => cls.included)
    .map((cls) => ({ chars: [...cls.chars].filter((c) => !p.excludeCharacters.includes(c)).join(''), required: cls.required }))
    .filter((cls) => cls.chars.length > 0);
}

const policyArbitrary = passwordPolicies({ maxLength: 96, characters: [...PRINTABLE] });

describe('generatePassword properties', () => {
  test('a satisfiable policy gives a password of the right length, from allowed characters, with every required class', () => {
    fc.assert(fc.property(policyArbitrary, (p) => {
      const classes = expectedClasses(p);
      const required = p.requireEachIncludedType ? classes.filter((cls) => cls.required) : [];
      fc.pre(classes.length > 0 && required.length <= p.passwordLength);

      const password = generatePassword(p);

      expect(password).toHaveLength(p.passwordLength);
      const allowed = classes.map((cls) => cls.chars).join('');
      for (const c of password) {
        expect(allowed).toContain(c);
        expect(p.excludeCharacters).not.toContain(c);
      }
      if (!p.includeSpace) expect(password).not.toContain(' ');
      for (const cls of required) {
        expect([...cls.chars].some((c) => password.includes(c))).toBe(true);
      }
      expect(describePasswordProblem(password, p)).toBeUndefined();
    }), { numRuns: 500 });
  });

  test('an unsatisfiable policy is refused, never answered with a short or empty password', () => {
    fc.assert(fc.property(policyArbitrary, (p) => {
      // At 4 characters or more every required type fits: only a policy without characters is unsatisfiable.
      fc.pre(expectedClasses(p).length === 0);
      expect(() => generatePassword(p)).toThrow(/leave no character to choose from/);
    }), { numRuns: 300 });
  });
});

describe('generatePassword', () => {
  test('uses every class with the defaults', () => {
    const password = generatePassword(DEFAULT_POLICY);
    expect(password).toHaveLength(32);
    for (const cls of [UPPER, LOWER, DIGITS]) expect([...cls].some((c) => password.includes(c))).toBe(true);
    expect([...PUNCTUATION].some((c) => password.includes(c))).toBe(true);
    expect(password).not.toMatch(/[/@"'\\]/);
  });

  test('produces different passwords each time', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword(DEFAULT_POLICY)));
    expect(passwords.size).toBe(50);
  });

  test('puts required characters at random positions, not first', () => {
    // Only 'A' and 'b' are left, both required: drawing the required characters first, in class order, would always
    // start the password with 'A'; a shuffle starts it with 'b' half the time.
    const p = policy({
      passwordLength: 4,
      excludeCharacters: UPPER.slice(1) + LOWER.replace('b', ''),
      excludeNumbers: true,
      excludePunctuation: true,
    });
    const firsts = Array.from({ length: 400 }, () => generatePassword(p)[0]);
    expect(firsts.filter((c) => c === 'A').length).toBeGreaterThan(100);
    expect(firsts.filter((c) => c === 'b').length).toBeGreaterThan(100);
  });

  test('draws from the injected random source', () => {
    const zero = () => 0;
    const p = policy({ passwordLength: 5, excludePunctuation: true, excludeUppercase: true, excludeLowercase: true, requireEachIncludedType: false });
    expect(generatePassword(p, zero)).toBe('00000');
  });

  test('space is allowed only with includeSpace', () => {
    const onlySpace = policy({
      passwordLength: 4,
      excludeNumbers: true,
      excludePunctuation: true,
      excludeUppercase: true,
      excludeLowercase: true,
      includeSpace: true,
    });
    expect(generatePassword(onlySpace)).toBe('    ');
  });

  test('space is never required: four required classes fit in four characters even with includeSpace', () => {
    expect(generatePassword(policy({ passwordLength: 4, includeSpace: true }))).toHaveLength(4);
  });

  test.each([0, 3, 4097, 1.5, Number.NaN])('refuses passwordLength %p', (passwordLength) => {
    expect(() => generatePassword(policy({ passwordLength }))).toThrow(`\`passwordLength\` must be a whole number from 4 to 4096, got ${passwordLength}`);
  });

  test('accepts the length bounds 4 and 4096', () => {
    expect(generatePassword(policy({ passwordLength: 4 }))).toHaveLength(4);
    expect(generatePassword(policy({ passwordLength: 4096 }))).toHaveLength(4096);
  });

  test('refuses a policy that excludes every class', () => {
    const p = policy({ excludeNumbers: true, excludePunctuation: true, excludeUppercase: true, excludeLowercase: true });
    expect(() => generatePassword(p)).toThrow(/leave no character to choose from/);
  });

  test('refuses a policy whose excludeCharacters empties every class', () => {
    expect(() => generatePassword(policy({ excludeCharacters: PRINTABLE }))).toThrow(/leave no character to choose from/);
  });

  test('a class emptied by excludeCharacters is no longer required', () => {
    const p = policy({ passwordLength: 4, excludeCharacters: DIGITS });
    const password = generatePassword(p);
    expect(password).toHaveLength(4);
    expect(password).not.toMatch(/[0-9]/);
  });
});

describe('describePasswordProblem', () => {
  const p = policy({ passwordLength: 8, excludeCharacters: '#' });

  test('accepts a password that fits', () => {
    expect(describePasswordProblem('Ab1!Ab1!', p)).toBeUndefined();
  });

  test.each([
    ['too short', 'Ab1!', 'has 4 characters, expected 8'],
    ['an excluded character', 'Ab1!Ab1#', 'contains a character the password policy excludes'],
    ['a space without includeSpace', 'Ab1!Ab1 ', 'contains a character the password policy excludes'],
    ['a missing class', 'Abc!Abc!', 'has no numbers character, which `requireEachIncludedType` requires'],
  ])('reports %s without quoting the password', (_, password, problem) => {
    const description = describePasswordProblem(password, p);
    expect(description).toBe(problem);
    expect(description).not.toContain(password);
  });
});
