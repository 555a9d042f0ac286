import { createStrategy, strategyNames } from '../../../../lambda/rotation/strategies';
import { GenericStrategy } from '../../../../lambda/rotation/strategies/generic';

describe('strategy registry', () => {
  test('knows the generic strategy', () => {
    expect(strategyNames()).toContain('generic');
    const strategy = createStrategy('generic', {});
    expect(strategy).toBeInstanceOf(GenericStrategy);
    expect(strategy.name).toBe('generic');
  });

  test('every registered name builds a strategy that reports that name', () => {
    for (const name of strategyNames()) {
      expect(createStrategy(name, {}).name).toBe(name);
    }
  });

  test.each(['postgres', 'Generic', 'toString', '__proto__'])('refuses the unknown strategy %p, listing the known ones', (name) => {
    expect(() => createStrategy(name, {})).toThrow(`\`ROTATION_STRATEGY\` ${JSON.stringify(name)} is not a known strategy; expected one of ${strategyNames().join(', ')}`);
  });

  test('passes the environment to the factory', () => {
    expect(() => createStrategy('generic', { PASSWORD_LENGTH: 'long' })).toThrow(/`PASSWORD_LENGTH`/);
  });
});
