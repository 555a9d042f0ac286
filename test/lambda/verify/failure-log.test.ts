import { failureLine } from './fixtures';
import { functionErrorSummary, parseFailureLine, runtimeFailureText } from '../../../lambda/verify/failure-log';
import { rotationFailureFilterPattern } from '../../../src/private/contract';

const TOKEN = 'tttttttt-tttt-4ttt-8ttt-tttttttttttt';

describe('failure lines of the rotation function', () => {
  test('the filter pattern selects error lines of one token', () => {
    expect(rotationFailureFilterPattern(TOKEN)).toBe(`{ $.token = "${TOKEN}" && $.message = "rotation step failed" }`);
  });

  test('reads the step and the error of a contract line', () => {
    expect(parseFailureLine(failureLine(TOKEN, 'finishSecret', 'access denied'), TOKEN, 42)).toEqual({
      step: 'finishSecret',
      error: 'access denied',
      timestamp: 42,
    });
  });

  test('reads a line behind a text prefix', () => {
    const line = `2026-11-25T10:00:00.000Z\trequest\tERROR\t${failureLine(TOKEN, 'setSecret', 'refused')}`;
    expect(parseFailureLine(line, TOKEN)?.step).toBe('setSecret');
  });

  test('ignores lines that are not this token\'s failures', () => {
    expect(parseFailureLine(failureLine('another-token-0000-0000-000000000000', 'setSecret', 'x'), TOKEN)).toBeUndefined();
    expect(parseFailureLine(JSON.stringify({ level: 'info', token: TOKEN, step: 'setSecret' }), TOKEN)).toBeUndefined();
    expect(parseFailureLine('START RequestId: abc Version: $LATEST', TOKEN)).toBeUndefined();
    expect(parseFailureLine('{ not json', TOKEN)).toBeUndefined();
    expect(parseFailureLine('null', TOKEN)).toBeUndefined();
  });

  test('fills in missing fields and bounds a long, multi-line error', () => {
    expect(parseFailureLine(JSON.stringify({ level: 'error', message: 'rotation step failed', token: TOKEN }), TOKEN)).toEqual({
      step: 'an unnamed step',
      error: 'no error message was logged',
      timestamp: undefined,
    });
    const long = parseFailureLine(failureLine(TOKEN, 'setSecret', `first line\nsecond line ${'x'.repeat(1000)}`), TOKEN)!;
    expect(long.error.startsWith('first line second line')).toBe(true);
    expect(long.error).not.toContain('\n');
    expect(long.error.length).toBeLessThanOrEqual(403);
  });

  test('runtime failure lines lose the Lambda prefix', () => {
    expect(runtimeFailureText('2026-11-25T10:00:30.000Z 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0 Task timed out after 30.03 seconds'))
      .toBe('Task timed out after 30.03 seconds');
  });
});

describe('error lines of a rotation function that is not this library\'s', () => {
  const VALUE = 'hunter2-hunter2';
  test.each([
    ['Node.js, text', `2026-12-02T10:00:00.000Z\treq\tERROR\tInvoke Error \t{"errorType":"ServiceRefusedError","errorMessage":"refused ${VALUE}","stack":["ServiceRefusedError: refused ${VALUE}"]}`, 'ServiceRefusedError'],
    ['Node.js, JSON', `{"timestamp":"2026-12-02T10:00:00.000Z","level":"ERROR","requestId":"req","message":{"errorType":"TypeError","errorMessage":"${VALUE}"}}`, 'TypeError'],
    ['Python, unhandled', `[ERROR] KeyError: '${VALUE}'\nTraceback (most recent call last):`, 'KeyError'],
    ['Python, logger.error', `[ERROR]\t2026-12-02T10:00:00.000Z\treq\tsetSecret: Unable to log into database with ${VALUE}`, 'an error line (its text is not shown)'],
    ['a timeout', '2026-12-02T10:00:00.000Z req Task timed out after 3.00 seconds', 'Task timed out after 3.00 seconds'],
  ])('%s: only the error type shows, never the message', (_name, line, summary) => {
    expect(functionErrorSummary(line)).toBe(summary);
    expect(functionErrorSummary(line)).not.toContain(VALUE);
  });
});
