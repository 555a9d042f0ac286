/**
 * RESP2, the protocol Redis and Valkey speak: commands go out as arrays of bulk strings (binary safe, so a password
 * needs no escaping), replies come back as simple strings, errors, integers, bulk strings or arrays of these.
 */

/** A reply. `null` is the null bulk string or array (`ACL GETUSER` of a user that does not exist). */
export type RespValue = string | number | null | RespError | RespValue[];

/** An error reply (`-WRONGPASS ...`); `code` is its first word, as Redis's clients name it. */
export class RespError extends Error {
  public readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
    this.code = message.split(' ', 1)[0];
  }
}

/** A command as the server reads it: `*<n>\r\n` then `$<bytes>\r\n<arg>\r\n` per argument. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.from(arg, 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** The replies' bytes do not follow RESP2: the connection cannot be trusted any further. */
export class RespProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespProtocolError';
  }
}

/** The largest bulk string or array a reply may announce: a rotation reads short replies only. */
const MAX_LENGTH = 16 * 1024 * 1024;

/**
 * Reads replies from a byte stream that arrives in chunks of any size: `push` each chunk, and every reply it
 * completes is returned, in order.
 */
export class RespReader {
  private buffer: Buffer = Buffer.alloc(0);

  public push(chunk: Buffer): RespValue[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: RespValue[] = [];
    for (;;) {
      const parsed = this.parse(0);
      if (parsed === undefined) break;
      replies.push(parsed.value);
      this.buffer = this.buffer.subarray(parsed.next);
    }
    return replies;
  }

  /** The reply starting at `offset`, and where the next one starts; undefined while it is incomplete. */
  private parse(offset: number): { value: RespValue; next: number } | undefined {
    const lineEnd = this.buffer.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const type = String.fromCharCode(this.buffer[offset]);
    const line = this.buffer.toString('utf8', offset + 1, lineEnd);
    const afterLine = lineEnd + 2;
    switch (type) {
      case '+':
        return { value: line, next: afterLine };
      case '-':
        return { value: new RespError(line), next: afterLine };
      case ':':
        return { value: wholeNumber(line, 'integer'), next: afterLine };
      case '$': {
        const length = wholeNumber(line, 'bulk string length');
        if (length === -1) return { value: null, next: afterLine };
        checkLength(length, 'bulk string');
        if (this.buffer.length < afterLine + length + 2) return undefined;
        return { value: this.buffer.toString('utf8', afterLine, afterLine + length), next: afterLine + length + 2 };
      }
      case '*': {
        const count = wholeNumber(line, 'array length');
        if (count === -1) return { value: null, next: afterLine };
        checkLength(count, 'array');
        const items: RespValue[] = [];
        let next = afterLine;
        for (let i = 0; i < count; i++) {
          const item = this.parse(next);
          if (item === undefined) return undefined;
          items.push(item.value);
          next = item.next;
        }
        return { value: items, next };
      }
      default:
        throw new RespProtocolError(`a reply starts with ${JSON.stringify(type)}, which is not a RESP2 type`);
    }
  }
}

function wholeNumber(text: string, what: string): number {
  if (!/^-?\d{1,16}$/.test(text)) throw new RespProtocolError(`the ${what} ${JSON.stringify(text.slice(0, 20))} is not a whole number`);
  return Number(text);
}

function checkLength(length: number, what: string): void {
  if (length < 0 || length > MAX_LENGTH) throw new RespProtocolError(`the ${what} length ${length} is outside 0 to ${MAX_LENGTH}`);
}
