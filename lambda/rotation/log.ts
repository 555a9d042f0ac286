import type { Logger } from './types';

type Level = 'info' | 'warn' | 'error';

/** Keys every line starts with; caller fields cannot overwrite them. */
const RESERVED_KEYS = new Set(['timestamp', 'level', 'message']);

/** Longest error message a log line or a wrapped error carries. */
const MAX_ERROR_MESSAGE_LENGTH = 1000;

/**
 * A Logger that writes one JSON object per line: `{"timestamp","level","message",...fields}`.
 *
 * Lines go straight to stdout rather than through `console.log`, which in Lambda prefixes each line with
 * a timestamp and request id and so breaks CloudWatch Logs' JSON filter patterns.
 * Callers pass only non-secret fields (secret ARN, token, step, strategy, error message).
 */
export function createJsonLogger(
  write: (line: string) => void = (line) => process.stdout.write(line),
  now: () => Date = () => new Date(),
): Logger {
  const emit = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
    const entry: Record<string, unknown> = { timestamp: now().toISOString(), level, message };
    for (const [key, value] of Object.entries(fields)) {
      if (!RESERVED_KEYS.has(key)) entry[key] = value;
    }
    write(`${serialize(entry)}\n`);
  };
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

/**
 * A message for an unknown thrown value, fit for a log line: the name and message of an Error, bounded in
 * length. Anything else is described by its type only, since its contents are unknown.
 */
export function safeErrorMessage(error: unknown): string {
  if (!(error instanceof Error)) {
    return `non-Error value thrown (${error === null ? 'null' : typeof error})`;
  }
  const text = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return text.length > MAX_ERROR_MESSAGE_LENGTH ? `${text.slice(0, MAX_ERROR_MESSAGE_LENGTH)}...` : text;
}

// A log call must never throw (a BigInt or a cycle in fields): fall back to the fixed keys.
function serialize(entry: Record<string, unknown>): string {
  try {
    return JSON.stringify(entry);
  } catch (error) {
    return JSON.stringify({
      timestamp: entry.timestamp,
      level: entry.level,
      message: entry.message,
      logError: `fields could not be serialized: ${safeErrorMessage(error)}`,
    });
  }
}
