import { createJsonLogger, safeErrorMessage } from '../../../lambda/rotation/log';

const FIXED_TIME = new Date('2026-01-02T03:04:05.678Z');

function capture() {
  const lines: string[] = [];
  const log = createJsonLogger((line) => lines.push(line), () => FIXED_TIME);
  return { lines, log };
}

describe('createJsonLogger', () => {
  test('writes one JSON object per line: timestamp, level, message, then the fields', () => {
    const { lines, log } = capture();
    log.info('rotation step started', { step: 'createSecret', token: 't-1' });
    log.warn('slow', { ms: 12 });
    log.error('rotation step failed', { error: 'boom' });

    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { timestamp: '2026-01-02T03:04:05.678Z', level: 'info', message: 'rotation step started', step: 'createSecret', token: 't-1' },
      { timestamp: '2026-01-02T03:04:05.678Z', level: 'warn', message: 'slow', ms: 12 },
      { timestamp: '2026-01-02T03:04:05.678Z', level: 'error', message: 'rotation step failed', error: 'boom' },
    ]);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(['timestamp', 'level', 'message', 'step', 'token']);
  });

  test('keeps a multi-line message on one line', () => {
    const { lines, log } = capture();
    log.info('first\nsecond');
    expect(lines).toHaveLength(1);
    expect(lines[0].trimEnd()).not.toContain('\n');
    expect(JSON.parse(lines[0]).message).toBe('first\nsecond');
  });

  test('fields cannot overwrite timestamp, level or message', () => {
    const { lines, log } = capture();
    log.error('real message', { level: 'info', message: 'forged', timestamp: 'never' });
    expect(JSON.parse(lines[0])).toEqual({ timestamp: '2026-01-02T03:04:05.678Z', level: 'error', message: 'real message' });
  });

  test('writes only what it is given: no field is added from elsewhere', () => {
    const { lines, log } = capture();
    log.info('done');
    expect(JSON.parse(lines[0])).toEqual({ timestamp: '2026-01-02T03:04:05.678Z', level: 'info', message: 'done' });
  });

  test('never throws on fields it cannot serialize', () => {
    const { lines, log } = capture();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => log.info('odd fields', { big: BigInt(1), cycle })).not.toThrow();
    const entry = JSON.parse(lines[0]);
    expect(entry).toMatchObject({ level: 'info', message: 'odd fields' });
    expect(entry.logError).toMatch(/^fields could not be serialized: TypeError: /);
  });

  test('writes to stdout by default', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      createJsonLogger().info('to stdout', { step: 'setSecret' });
      expect(write).toHaveBeenCalledTimes(1);
      expect(JSON.parse(String(write.mock.calls[0][0]))).toMatchObject({ level: 'info', message: 'to stdout', step: 'setSecret' });
    } finally {
      write.mockRestore();
    }
  });
});

describe('safeErrorMessage', () => {
  test('an Error gives its message, prefixed by its name unless plain Error', () => {
    expect(safeErrorMessage(new Error('plain'))).toBe('plain');
    expect(safeErrorMessage(new TypeError('typed'))).toBe('TypeError: typed');
    const named = new Error('gone');
    named.name = 'ResourceNotFoundException';
    expect(safeErrorMessage(named)).toBe('ResourceNotFoundException: gone');
  });

  test('anything else is described by its type only, never its contents', () => {
    expect(safeErrorMessage('hunter2-thrown-string')).toBe('non-Error value thrown (string)');
    expect(safeErrorMessage({ password: 'hunter2' })).toBe('non-Error value thrown (object)');
    expect(safeErrorMessage(null)).toBe('non-Error value thrown (null)');
    expect(safeErrorMessage(undefined)).toBe('non-Error value thrown (undefined)');
  });

  test('a very long message is cut to 1000 characters', () => {
    const message = safeErrorMessage(new Error('x'.repeat(5000)));
    expect(message).toBe(`${'x'.repeat(1000)}...`);
  });
});
