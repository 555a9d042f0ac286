import * as fc from 'fast-check';
import {
  ContractError,
  createUserSpecFor,
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
  passwordPolicyProblem,
} from '../../src/private/contract';
import { passwordPolicies } from '../support/password-policies';
import { TEST_OPTION_SET, rotationConfig, testOptionSet } from '../support/strategies';

// The function refuses a set that cannot produce a password (tested beside the handler), so the round trip takes those that can.
const policyArbitrary = passwordPolicies().filter((policy) => passwordPolicyProblem(policy) === undefined);

const generateStringKey = fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined });
const connectTimeoutSeconds = fc.integer({ min: 1, max: MAX_CONNECT_TIMEOUT_SECONDS });
const setIds = fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,16}$/), { minLength: 1, maxLength: 5 });
const secretArn = fc.stringMatching(/^[A-Za-z0-9/_+=.@-]{1,40}$/).map((name) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`);
const strategies = fc.constantFrom(...Object.keys(STRATEGIES) as StrategyName[]);
const configArbitrary = strategies.chain((strategy) => setIds.chain((ids): fc.Arbitrary<RotationFunctionConfig> => {
  const set = strategy === 'generic' ? fc.record({ passwordPolicy: policyArbitrary, generateStringKey }) : fc.record({ passwordPolicy: policyArbitrary });
  const optionSets = fc.tuple(...ids.map(() => set)).map((sets) => Object.fromEntries(ids.map((id, i) => [id, sets[i]])));
  const optionSetBySecret = fc.option(fc.dictionary(secretArn, fc.constantFrom(...ids), { maxKeys: 3 }), { nil: undefined });
  return strategy === 'generic'
    ? fc.record({ strategy: fc.constant(strategy), optionSets, optionSetBySecret }, { requiredKeys: ['strategy', 'optionSets'] })
    : fc.record({ strategy: fc.constant(strategy), optionSets, optionSetBySecret, connectTimeoutSeconds }, { requiredKeys: ['strategy', 'optionSets', 'connectTimeoutSeconds'] });
}));

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

  test('an option set leaves out what equals the contract\'s defaults; the function reads them back from the same contract', () => {
    const environment = encodeRotationEnvironment(rotationConfig('generic', { passwordPolicy: { ...testOptionSet('generic').passwordPolicy, passwordLength: 40 } }));
    expect(environment).toEqual({ ROTATION_STRATEGY: 'generic', PASSWORD_OPTION_SETS: JSON.stringify({ [TEST_OPTION_SET]: { PASSWORD_LENGTH: '40' } }) });
    expect(decodeRotationEnvironment(environment).optionSets[TEST_OPTION_SET].passwordPolicy).toEqual({
      passwordLength: 40,
      excludeCharacters: GENERIC_EXCLUDE_CHARACTERS,
      excludeNumbers: false,
      excludePunctuation: false,
      excludeUppercase: false,
      excludeLowercase: false,
      includeSpace: false,
      requireEachIncludedType: true,
    });
  });

  test('database functions load Lambda\'s CA bundle (the RDS certificate authorities) and carry the connect timeout', () => {
    expect(encodeRotationEnvironment(rotationConfig('mysql-single-user', { connectTimeoutSeconds: 9 }))).toMatchObject({
      ROTATION_STRATEGY: 'mysql-single-user',
      CONNECT_TIMEOUT_SECONDS: '9',
      NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
    });
  });

  test('the excluded-character default follows AWS\'s templates: `:` too for database strategies', () => {
    expect(defaultExcludeCharacters('generic')).toBe('/@"\'\\');
    expect(defaultExcludeCharacters('postgres-alternating-users')).toBe(':/@"\'\\');
  });

  const valid = encodeRotationEnvironment(rotationConfig('postgres-single-user'));
  const withSet = (set: Record<string, unknown>) => ({ ...valid, PASSWORD_OPTION_SETS: JSON.stringify({ a: set }) });

  test.each([
    ['ROTATION_STRATEGY', 'oracle-single-user', /`ROTATION_STRATEGY` must be one of generic, postgres-single-user, .* got "oracle-single-user"/],
    ['CONNECT_TIMEOUT_SECONDS', '1.5', /`CONNECT_TIMEOUT_SECONDS` must be a whole number from 1 to 60, got "1.5"/],
    ['CONNECT_TIMEOUT_SECONDS', '61', /`CONNECT_TIMEOUT_SECONDS` must be a whole number from 1 to 60, got "61"/],
    ['PASSWORD_OPTION_SETS', '[]', '`PASSWORD_OPTION_SETS` must be a JSON object of option sets'],
    ['PASSWORD_OPTION_SETS', '{"Bad Id":{}}', '`PASSWORD_OPTION_SETS` has a set id "Bad Id", which is not 1 to 16 lower-case letters and digits'],
    ['OPTION_SET_BY_SECRET', '{"arn":1}', '`OPTION_SET_BY_SECRET` must be a JSON object of secret ARNs to set ids'],
  ])('a malformed %s = %j is refused naming the variable', (name, value, message) => {
    expect(() => decodeRotationEnvironment({ ...valid, [name]: value })).toThrow(message);
    expect(() => decodeRotationEnvironment({ ...valid, [name]: value })).toThrow(ContractError);
  });

  test.each([
    [{ PASSWORD_LENGTH: '3' }, `\`PASSWORD_OPTION_SETS\` set "a": \`PASSWORD_LENGTH\` must be a whole number from ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH}, got "3"`],
    [{ PASSWORD_LENGTH: '12.5' }, /set "a": `PASSWORD_LENGTH` must be a whole number .* got "12.5"/],
    [{ PASSWORD_LENGTH: 32 }, /set "a": `PASSWORD_LENGTH` must be a string, got number/],
    [{ EXCLUDE_UPPERCASE: 'TRUE' }, 'set "a": `EXCLUDE_UPPERCASE` must be "true" or "false", got "TRUE"'],
    [{ INCLUDE_SPACE: '1' }, 'set "a": `INCLUDE_SPACE` must be "true" or "false", got "1"'],
    [{ PASSWORD_LENGHT: '40' }, 'set "a" has unknown fields "PASSWORD_LENGHT"'],
    [{ GENERATE_STRING_KEY: 'password' }, 'set "a": `GENERATE_STRING_KEY` is for the generic strategy only, not postgres-single-user'],
  ])('a malformed option set %j is refused naming the set and the field', (set, message) => {
    expect(() => decodeRotationEnvironment(withSet(set))).toThrow(message);
  });

  test.each(['ROTATION_STRATEGY', 'PASSWORD_OPTION_SETS', 'CONNECT_TIMEOUT_SECONDS'])(
    'a missing %s is refused naming the variable (no silent default)', (name) => {
      const { [name]: _removed, ...rest } = valid;
      expect(() => decodeRotationEnvironment(rest)).toThrow(`\`${name}\``);
    });

  test('an empty EXCLUDE_CHARACTERS excludes nothing (it is not "unset")', () => {
    expect(decodeRotationEnvironment(withSet({ EXCLUDE_CHARACTERS: '' })).optionSets.a.passwordPolicy.excludeCharacters).toBe('');
  });

  test('fields of another strategy are refused', () => {
    const generic = encodeRotationEnvironment(rotationConfig('generic'));
    expect(() => decodeRotationEnvironment({ ...generic, CONNECT_TIMEOUT_SECONDS: '5' })).toThrow(/`CONNECT_TIMEOUT_SECONDS` is for database strategies only/);
    expect(() => decodeRotationEnvironment({ ...generic, PASSWORD_OPTION_SETS: '{"a":{"GENERATE_STRING_KEY":""}}' })).toThrow(/`GENERATE_STRING_KEY` must not be empty/);
  });

  test('a secret named by ARN must select a declared set', () => {
    expect(() => encodeRotationEnvironment(rotationConfig('generic', { optionSetBySecret: { 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x': 'other' } })))
      .toThrow('`OPTION_SET_BY_SECRET` for arn:aws:secretsmanager:us-east-1:123456789012:secret:x names the set "other", which `PASSWORD_OPTION_SETS` does not declare');
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
    // Redshift users join groups (`memberOf`), as PostgreSQL users join roles.
    const redshift = { ...postgres, strategy: 'redshift-alternating-users' as const };
    expect(decodeRotationEnvironment(encodeRotationEnvironment(redshift))).toEqual(redshift);
    expect(() => encodeRotationEnvironment({ ...mysql, strategy: 'redshift-single-user' }))
      .toThrow(`\`CREATE_USERS\` for ${arn}: \`grants\` are for MySQL and MariaDB strategies, not redshift-single-user`);
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
