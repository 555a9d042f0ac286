import { compileFilterPattern } from '../../simulator/logs';

const json = (value: object) => JSON.stringify(value);
const event = json({ level: 'error', message: 'rotation step failed', token: 'abc-123', step: 'setSecret', attempt: 2, nested: { list: [{ id: 'x' }] } });

describe('CloudWatch Logs filter patterns', () => {
  test.each([
    ['', true],
    ['{ $.token = "abc-123" }', true],
    ['{ $.token = "abc-123" && $.step = "setSecret" }', true],
    ['{ $.token = "abc-123" && $.step = "createSecret" }', false],
    ['{ $.step = "createSecret" || $.level = "error" }', true],
    ['{ ($.step = "createSecret" || $.step = "setSecret") && $.attempt >= 2 }', true],
    ['{ $.attempt > 2 }', false],
    ['{ $.attempt = 2 }', true],
    ['{ $.token != "abc-123" }', false],
    ['{ $.message = "rotation step*" }', true],
    ['{ $.level = error }', true],
    ['{ $.nested.list[0].id = "x" }', true],
    ['{ $.missing = "x" }', false],
    ['failed setSecret', true],
    ['"rotation step failed"', true],
    ['failed -setSecret', false],
    ['?createSecret ?setSecret', true],
    ['?createSecret ?finishSecret', false],
  ])('%j matches the event: %s', (pattern, expected) => {
    expect(compileFilterPattern(pattern)(event)).toBe(expected);
  });

  test('a JSON pattern only matches events that are entirely JSON (not console.log lines with the runtime prefix)', () => {
    const matches = compileFilterPattern('{ $.token = "abc-123" }');
    expect(matches(`2030-01-01T00:00:00.000Z\t7d8f0e6a-0000-4000-8000-000000000000\tINFO\t${event}`)).toBe(false);
    expect(matches('not json')).toBe(false);
  });

  test.each(['{ $.token = }', '{ token = "x" }', '{ $.a = "x"', '[ip, user]', '{ $.a = "x" } extra'])('%j is an invalid pattern', (pattern) => {
    expect(() => compileFilterPattern(pattern)).toThrow(/Invalid filter pattern/);
  });
});
