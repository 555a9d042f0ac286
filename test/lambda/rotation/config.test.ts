import { readGenerateStringKey, readPasswordPolicy, readRotationConfig } from '../../../lambda/rotation/config';

describe('readRotationConfig', () => {
  test('defaults: the generic strategy and the generic template\'s password policy', () => {
    expect(readRotationConfig({})).toEqual({
      strategy: 'generic',
      passwordPolicy: {
        passwordLength: 32,
        excludeCharacters: '/@"\'\\',
        excludeNumbers: false,
        excludePunctuation: false,
        excludeUppercase: false,
        excludeLowercase: false,
        includeSpace: false,
        requireEachIncludedType: true,
      },
    });
  });

  test('database strategies also exclude `:` by default, as AWS\'s database templates do', () => {
    expect(readRotationConfig({ ROTATION_STRATEGY: 'postgres-single-user' }).passwordPolicy.excludeCharacters).toBe(':/@"\'\\');
    expect(readRotationConfig({ ROTATION_STRATEGY: 'mysql-alternating-users' }).passwordPolicy.excludeCharacters).toBe(':/@"\'\\');
  });

  test('reads every variable the constructs set', () => {
    const config = readRotationConfig({
      ROTATION_STRATEGY: 'generic',
      PASSWORD_LENGTH: '20',
      EXCLUDE_CHARACTERS: 'xyz',
      EXCLUDE_NUMBERS: 'true',
      EXCLUDE_PUNCTUATION: 'true',
      EXCLUDE_UPPERCASE: 'false',
      EXCLUDE_LOWERCASE: 'false',
      INCLUDE_SPACE: 'true',
      REQUIRE_EACH_INCLUDED_TYPE: 'false',
    });
    expect(config).toEqual({
      strategy: 'generic',
      passwordPolicy: {
        passwordLength: 20,
        excludeCharacters: 'xyz',
        excludeNumbers: true,
        excludePunctuation: true,
        excludeUppercase: false,
        excludeLowercase: false,
        includeSpace: true,
        requireEachIncludedType: false,
      },
    });
  });

  test('an empty EXCLUDE_CHARACTERS excludes nothing (it is not "unset")', () => {
    expect(readRotationConfig({ EXCLUDE_CHARACTERS: '' }).passwordPolicy.excludeCharacters).toBe('');
  });

  test.each([
    'EXCLUDE_NUMBERS', 'EXCLUDE_PUNCTUATION', 'EXCLUDE_UPPERCASE', 'EXCLUDE_LOWERCASE', 'INCLUDE_SPACE', 'REQUIRE_EACH_INCLUDED_TYPE',
  ])('%s accepts only "true" and "false"', (name) => {
    for (const bad of ['TRUE', '1', 'yes', '']) {
      expect(() => readRotationConfig({ [name]: bad })).toThrow(`\`${name}\` must be "true" or "false", got ${JSON.stringify(bad)}`);
    }
  });

  test.each(['0', '4097', '12.5', '-3', 'abc', '', ' 32'])('PASSWORD_LENGTH %p is refused with the variable\'s name', (bad) => {
    expect(() => readRotationConfig({ PASSWORD_LENGTH: bad })).toThrow(`\`PASSWORD_LENGTH\` must be a whole number from 1 to 4096, got ${JSON.stringify(bad)}`);
  });

  test('PASSWORD_LENGTH accepts 1 and 4096', () => {
    expect(readRotationConfig({ PASSWORD_LENGTH: '1', REQUIRE_EACH_INCLUDED_TYPE: 'false' }).passwordPolicy.passwordLength).toBe(1);
    expect(readRotationConfig({ PASSWORD_LENGTH: '4096' }).passwordPolicy.passwordLength).toBe(4096);
  });

  test('refuses variables that together leave no password to generate', () => {
    expect(() => readRotationConfig({ PASSWORD_LENGTH: '3' })).toThrow(
      /password variables .* are inconsistent: `passwordLength` 3 is smaller than the 4 character types/,
    );
    expect(() => readRotationConfig({ EXCLUDE_NUMBERS: 'true', EXCLUDE_PUNCTUATION: 'true', EXCLUDE_UPPERCASE: 'true', EXCLUDE_LOWERCASE: 'true' }))
      .toThrow(/are inconsistent: the password policy excludes every character/);
  });

  test('an empty ROTATION_STRATEGY is refused', () => {
    expect(() => readRotationConfig({ ROTATION_STRATEGY: '' })).toThrow('`ROTATION_STRATEGY` must name a strategy, got an empty string');
  });
});

describe('readPasswordPolicy', () => {
  test('takes the EXCLUDE_CHARACTERS default from the strategy', () => {
    expect(readPasswordPolicy({}, 'generic').excludeCharacters).toBe('/@"\'\\');
    expect(readPasswordPolicy({}, 'postgres-alternating-users').excludeCharacters).toBe(':/@"\'\\');
  });
});

describe('readGenerateStringKey', () => {
  test('unset is plain-string mode; set is the JSON key', () => {
    expect(readGenerateStringKey({})).toBeUndefined();
    expect(readGenerateStringKey({ GENERATE_STRING_KEY: 'password' })).toBe('password');
  });

  test('an empty key is refused', () => {
    expect(() => readGenerateStringKey({ GENERATE_STRING_KEY: '' })).toThrow(/`GENERATE_STRING_KEY` must name a JSON key, got an empty string/);
  });
});
