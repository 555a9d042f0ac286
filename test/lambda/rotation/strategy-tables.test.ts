import { DATABASE_STRATEGIES } from '../../../lambda/rotation/database/strategies';
import { GENERIC_STRATEGIES, GenericStrategy } from '../../../lambda/rotation/generic';
import { StrategyTable, createStrategy, readConfiguration } from '../../../lambda/rotation/handler';
import { ContractError, FunctionBundle, STRATEGIES, StrategyName, encodeRotationEnvironment } from '../../../src/private/contract';
import { rotationConfig, testOptionSet } from '../../support/strategies';

const TABLES: Partial<Record<FunctionBundle, StrategyTable>> = {
  genericRotation: GENERIC_STRATEGIES,
  databaseRotation: DATABASE_STRATEGIES,
};

describe('the strategy tables of the rotation bundles', () => {
  test.each(Object.keys(STRATEGIES) as StrategyName[])('%s is implemented by the bundle the contract names, and by no other', (name) => {
    const bundle = STRATEGIES[name].bundle;
    expect(TABLES[bundle]?.[name]).toBeDefined();
    for (const [other, table] of Object.entries(TABLES)) {
      if (other !== bundle) expect(table?.[name]).toBeUndefined();
    }
  });

  test.each(Object.keys(STRATEGIES) as StrategyName[])('%s builds a strategy that reports its name', (name) => {
    const table = TABLES[STRATEGIES[name].bundle]!;
    expect(createStrategy(table, rotationConfig(name)).name).toBe(name);
  });

  test('the generic bundle builds the generic strategy', () => {
    expect(createStrategy(GENERIC_STRATEGIES, rotationConfig('generic'))).toBeInstanceOf(GenericStrategy);
  });

  test('a strategy of another bundle is refused, naming what this one implements', () => {
    expect(() => createStrategy(DATABASE_STRATEGIES, rotationConfig('generic'))).toThrow(ContractError);
    expect(() => createStrategy(GENERIC_STRATEGIES, rotationConfig('mysql-single-user')))
      .toThrow('strategy "mysql-single-user" is not implemented by this rotation function; it implements generic');
  });
});

describe('readConfiguration', () => {
  const environment = (sets: Record<string, Record<string, string>>) => ({
    ...encodeRotationEnvironment(rotationConfig('generic')),
    PASSWORD_OPTION_SETS: JSON.stringify(sets),
  });

  test('reads what the constructs write: every declared set, defaults filled in from the contract', () => {
    const config = readConfiguration(environment({ short: { PASSWORD_LENGTH: '20' }, json: { GENERATE_STRING_KEY: 'password' } }));
    expect(config.optionSets.short.passwordPolicy.passwordLength).toBe(20);
    expect(config.optionSets.json).toEqual(testOptionSet('generic', 'password'));
  });

  test('refuses a set whose options together leave no password to generate, naming the set', () => {
    expect(() => readConfiguration(environment({ a: {}, b: { EXCLUDE_NUMBERS: 'true', EXCLUDE_PUNCTUATION: 'true', EXCLUDE_UPPERCASE: 'true', EXCLUDE_LOWERCASE: 'true' } })))
      .toThrow(/`PASSWORD_OPTION_SETS` set "b" cannot produce a password: .* leave no character to choose from/);
    expect(() => readConfiguration(environment({ a: { PASSWORD_LENGTH: '5', EXCLUDE_CHARACTERS: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' } })))
      .not.toThrow();
  });
});
