import { encodeCommand, RespError, RespProtocolError, RespReader } from '../../../../lambda/rotation/database/resp';

describe('encodeCommand', () => {
  test('an array of bulk strings, lengths in bytes: a password needs no escaping', () => {
    expect(encodeCommand(['AUTH', 'app', 'p ä\r\n"\'']).toString('utf8')).toBe('*3\r\n$4\r\nAUTH\r\n$3\r\napp\r\n$8\r\np ä\r\n"\'\r\n');
  });
});

describe('RespReader', () => {
  /** Every reply type of RESP2, nested as ACL GETUSER answers. */
  const wire = '+OK\r\n-WRONGPASS invalid username-password pair\r\n:42\r\n$5\r\nh\r\nlo\r\n$-1\r\n*-1\r\n*2\r\n$5\r\nflags\r\n*2\r\n$2\r\non\r\n$0\r\n\r\n';

  function expectReplies(replies: unknown[]) {
    expect(replies).toHaveLength(7);
    expect(replies.slice(0, 1)).toEqual(['OK']);
    expect(replies[1]).toBeInstanceOf(RespError);
    expect(replies[1]).toMatchObject({ code: 'WRONGPASS', message: 'WRONGPASS invalid username-password pair' });
    expect(replies.slice(2)).toEqual([42, 'h\r\nlo', null, null, ['flags', ['on', '']]]);
  }

  test('reads every reply type from one chunk', () => {
    expectReplies(new RespReader().push(Buffer.from(wire)));
  });

  test('reads the same replies whatever the chunks: byte by byte, and split inside a multi-byte character', () => {
    const reader = new RespReader();
    const replies = [...Buffer.from(wire)].flatMap((byte) => reader.push(Buffer.from([byte])));
    expectReplies(replies);
    const split = new RespReader();
    const bytes = Buffer.from('$2\r\nä\r\n');
    expect([...split.push(bytes.subarray(0, 5)), ...split.push(bytes.subarray(5))]).toEqual(['ä']);
  });

  test('an incomplete reply waits for the rest', () => {
    const reader = new RespReader();
    expect(reader.push(Buffer.from('*2\r\n$2\r\non\r\n'))).toEqual([]);
    expect(reader.push(Buffer.from(':1\r\n'))).toEqual([['on', 1]]);
  });

  test.each([
    ['an unknown type', '?x\r\n', /is not a RESP2 type/],
    ['a length that is not a number', '$x\r\n', /bulk string length "x" is not a whole number/],
    ['a length past the limit', '*999999999\r\n', /the array length 999999999 is outside/],
  ])('%s is a protocol error', (_name, bytes, message) => {
    expect(() => new RespReader().push(Buffer.from(bytes))).toThrow(RespProtocolError);
    expect(() => new RespReader().push(Buffer.from(bytes))).toThrow(message);
  });
});
