import * as fc from 'fast-check';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordPolicy } from '../../src/private/contract';

/** Any password policy the constructs accept: lengths up to `maxLength`, `excludeCharacters` drawn from `characters`. */
export function passwordPolicies(
  options: { readonly maxLength?: number; readonly characters?: readonly string[] } = {},
): fc.Arbitrary<PasswordPolicy> {
  const { maxLength = MAX_PASSWORD_LENGTH, characters } = options;
  return fc.record({
    passwordLength: fc.integer({ min: MIN_PASSWORD_LENGTH, max: maxLength }),
    excludeCharacters: characters ? fc.string({ unit: fc.constantFrom(...characters), maxLength: 100 }) : fc.string({ maxLength: 40 }),
    excludeNumbers: fc.boolean(),
    excludePunctuation: fc.boolean(),
    excludeUppercase: fc.boolean(),
    excludeLowercase: fc.boolean(),
    includeSpace: fc.boolean(),
    requireEachIncludedType: fc.boolean(),
  });
}
