import { createStrategy } from '../../../../lambda/rotation/strategies';
import { DATABASE_STRATEGIES } from '../../../../lambda/rotation/strategies/database-registry';
import { GenericStrategy } from '../../../../lambda/rotation/strategies/generic';
import { GENERIC_STRATEGIES } from '../../../../lambda/rotation/strategies/generic-registry';

describe('strategy registries', () => {
  test('the generic function knows the generic strategy', () => {
    const strategy = createStrategy(GENERIC_STRATEGIES, 'generic', {});
    expect(strategy).toBeInstanceOf(GenericStrategy);
    expect(strategy.name).toBe('generic');
  });

  test.each([GENERIC_STRATEGIES, DATABASE_STRATEGIES])('every registered name builds a strategy that reports that name', (registry) => {
    for (const name of Object.keys(registry)) {
      expect(createStrategy(registry, name, {}).name).toBe(name);
    }
  });

  test('the database function carries the four database strategies and not the generic one', () => {
    expect(Object.keys(DATABASE_STRATEGIES).sort()).toEqual(['mysql-alternating-users', 'mysql-single-user', 'postgres-alternating-users', 'postgres-single-user']);
    expect(() => createStrategy(DATABASE_STRATEGIES, 'generic', {})).toThrow(/is not a strategy of this rotation function/);
  });

  test.each(['postgres', 'Generic', 'toString', '__proto__'])('refuses the unknown strategy %p, listing the known ones', (name) => {
    expect(() => createStrategy(GENERIC_STRATEGIES, name, {})).toThrow(`\`ROTATION_STRATEGY\` ${JSON.stringify(name)} is not a strategy of this rotation function; expected one of generic`);
  });

  test('passes the environment to the factory', () => {
    expect(() => createStrategy(GENERIC_STRATEGIES, 'generic', { PASSWORD_LENGTH: 'long' })).toThrow(/`PASSWORD_LENGTH`/);
  });
});
