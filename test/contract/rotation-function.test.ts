import * as fc from 'fast-check';
import {
  ContractError,
  createUserSpecFor,
  DATABASE_EXCLUDE_CHARACTERS,
  GENERIC_EXCLUDE_CHARACTERS,
  MAX_CONNECT_TIMEOUT_SECONDS,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  QUERY_TIMEOUT_SECONDS,
  RotationFunctionConfig,
  rotationFunctionTimeoutSeconds,
  STRATEGIES,
  StrategyName,
  decodeRotationEnvironment,
  defaultExcludeCharacters,
  encodeRotationEnvironment,
} from '../../src/private/contract';
import { passwordPolicies } from '../support/password-policies';
import { rotationConfig } from '../support/strategies';

const policyArbitrary = passwordPolicies();

const generateStringKey = fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined });
const connectTimeoutSeconds = fc.integer({ min: 1, max: MAX_CONNECT_TIMEOUT_SECONDS });
const configArbitrary = fc.constantFrom(...Object.keys(STRATEGIES) as StrategyName[]).chain((strategy): fc.Arbitrary<RotationFunctionConfig> =>
  strategy === 'generic'
    ? fc.record({ strategy: fc.constant(strategy), passwordPolicy: policyArbitrary, generateStringKey })
    : fc.record({ strategy: fc.constant(strategy), passwordPolicy: policyArbitrary, connectTimeoutSeconds }));

/** Drops keys whose value is undefined: an absent optional field and an undefined one mean the same. */
function defined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

describe('the rotation function\'s environment', () => {
  test('round trip: any configuration reads back equal from the environment the constructs write', () => {
    fc.assert(fc.property(configArbitrary, (config) => {
      expect(decodeRotationEnvironment(encodeRotationEnvironment(config))).toEqual(defined(config));
    }), { numRuns: 500 });
  });

  test('every password variable is written, defaults included, so the handler never guesses a default', () => {
    const environment = encodeRotationEnvironment(rotationConfig('generic'));
    expect(environment).toEqual({
      ROTATION_STRATEGY: 'generic',
      PASSWORD_LENGTH: '32',
      EXCLUDE_CHARACTERS: GENERIC_EXCLUDE_CHARACTERS,
      EXCLUDE_NUMBERS: 'false',
      EXCLUDE_PUNCTUATION: 'false',
      EXCLUDE_UPPERCASE: 'false',
      EXCLUDE_LOWERCASE: 'false',
      INCLUDE_SPACE: 'false',
      REQUIRE_EACH_INCLUDED_TYPE: 'true',
    });
  });

  test('database functions load Lambda\'s CA bundle (the RDS certificate authorities) and carry the connect timeout', () => {
    expect(encodeRotationEnvironment(rotationConfig('mysql-single-user', { connectTimeoutSeconds: 9 }))).toMatchObject({
      ROTATION_STRATEGY: 'mysql-single-user',
      CONNECT_TIMEOUT_SECONDS: '9',
      EXCLUDE_CHARACTERS: DATABASE_EXCLUDE_CHARACTERS,
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
  });

  test('the excluded-character default follows AWS\'s templates: `:` too for database strategies', () => {
    expect(defaultExcludeCharacters('generic')).toBe('/@"\'\\');
    expect(defaultExcludeCharacters('postgres-alternating-users')).toBe(':/@"\'\\');
  });

  const valid = encodeRotationEnvironment(rotationConfig('postgres-single-user'));

  test.each([
    ['ROTATION_STRATEGY', 'oracle-single-user', /`ROTATION_STRATEGY` must be one of generic, postgres-single-user, .* got "oracle-single-user"/],
    ['PASSWORD_LENGTH', '3', `\`PASSWORD_LENGTH\` must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}, got "3"`],
    ['PASSWORD_LENGTH', '12.5', /`PASSWORD_LENGTH` must be a whole number .* got "12.5"/],
    ['PASSWORD_LENGTH', ' 32', /`PASSWORD_LENGTH` must be a whole number .* got " 32"/],
    ['EXCLUDE_UPPERCASE', 'TRUE', '`EXCLUDE_UPPERCASE` must be "true" or "false", got "TRUE"'],
    ['INCLUDE_SPACE', '1', '`INCLUDE_SPACE` must be "true" or "false", got "1"'],
    ['CONNECT_TIMEOUT_SECONDS', '1.5', /`CONNECT_TIMEOUT_SECONDS` must be a whole number from 1 to 60, got "1.5"/],
    ['CONNECT_TIMEOUT_SECONDS', '61', /`CONNECT_TIMEOUT_SECONDS` must be a whole number from 1 to 60, got "61"/],
  ])('a malformed %s = %j is refused naming the variable', (name, value, message) => {
    expect(() => decodeRotationEnvironment({ ...valid, [name]: value })).toThrow(message);
    expect(() => decodeRotationEnvironment({ ...valid, [name]: value })).toThrow(ContractError);
  });

  test.each(['ROTATION_STRATEGY', 'PASSWORD_LENGTH', 'EXCLUDE_CHARACTERS', 'REQUIRE_EACH_INCLUDED_TYPE', 'CONNECT_TIMEOUT_SECONDS'])(
    'a missing %s is refused naming the variable (no silent default)', (name) => {
      const { [name]: _removed, ...rest } = valid;
      expect(() => decodeRotationEnvironment(rest)).toThrow(`\`${name}\``);
    });

  test('an empty EXCLUDE_CHARACTERS excludes nothing (it is not "unset")', () => {
    expect(decodeRotationEnvironment({ ...valid, EXCLUDE_CHARACTERS: '' }).passwordPolicy.excludeCharacters).toBe('');
  });

  test('fields of another strategy are refused', () => {
    expect(() => decodeRotationEnvironment({ ...valid, GENERATE_STRING_KEY: 'password' })).toThrow(/`GENERATE_STRING_KEY` is for the generic strategy only/);
    const generic = encodeRotationEnvironment(rotationConfig('generic'));
    expect(() => decodeRotationEnvironment({ ...generic, CONNECT_TIMEOUT_SECONDS: '5' })).toThrow(/`CONNECT_TIMEOUT_SECONDS` is for database strategies only/);
    expect(() => decodeRotationEnvironment({ ...generic, GENERATE_STRING_KEY: '' })).toThrow(/`GENERATE_STRING_KEY` must not be empty/);
  });
});

describe('createUsers', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf';

  test('a spec is found by the secret\'s ARN, or by its partial ARN (a secret known by name)', () => {
    const spec = { memberOf: ['readers'] };
    expect(createUserSpecFor({ [arn]: spec }, arn)).toBe(spec);
    expect(createUserSpecFor({ 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app': spec }, arn)).toBe(spec);
    expect(createUserSpecFor({ 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ap': spec }, arn)).toBeUndefined();
    expect(createUserSpecFor(undefined, arn)).toBeUndefined();
  });

  test('round trip, and a spec of the other engine family is refused naming the variable and the secret', () => {
    const postgres = rotationConfig('postgres-alternating-users', { createUsers: { [arn]: { memberOf: ['readers', 'we"ird role'] } } });
    const mysql = rotationConfig('mysql-single-user', { createUsers: { [arn]: { grants: [{ privileges: ['SELECT', 'INSERT'], on: 'app_db.*' }] } } });
    for (const config of [postgres, mysql]) expect(decodeRotationEnvironment(encodeRotationEnvironment(config))).toEqual(config);

    expect(() => encodeRotationEnvironment({ ...postgres, strategy: 'mysql-alternating-users' }))
      .toThrow(`\`CREATE_USERS\` for ${arn}: \`memberOf\` is for PostgreSQL strategies, not mysql-alternating-users`);
    expect(() => decodeRotationEnvironment({ ...encodeRotationEnvironment(mysql), ROTATION_STRATEGY: 'postgres-single-user' }))
      .toThrow(`\`CREATE_USERS\` for ${arn}: \`grants\` are for MySQL and MariaDB strategies, not postgres-single-user`);
  });
});

describe('rotationFunctionTimeoutSeconds', () => {
  test('a database step has room for its logins, each taking the whole connect timeout, and a statement that times out', () => {
    for (let connect = 1; connect <= MAX_CONNECT_TIMEOUT_SECONDS; connect++) {
      const timeout = rotationFunctionTimeoutSeconds('postgres-single-user', connect);
      expect(Number.isInteger(timeout)).toBe(true);
      expect(timeout).toBeGreaterThan(5 * connect + QUERY_TIMEOUT_SECONDS);
      // Lambda's limit.
      expect(timeout).toBeLessThanOrEqual(900);
      expect(rotationFunctionTimeoutSeconds('mysql-alternating-users', connect)).toBe(timeout);
    }
  });

  test('the generic function keeps its minute', () => {
    expect(rotationFunctionTimeoutSeconds('generic')).toBe(60);
  });
});
