import { ServiceError } from './errors';

/** One CloudWatch Logs event, as FilterLogEvents returns it. Times are epoch milliseconds. */
export interface LogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

/** The FilterLogEvents parameters the simulator supports. */
export interface FilterLogEventsRequest {
  readonly logGroupName?: string;
  readonly logGroupIdentifier?: string;
  readonly logStreamNames?: string[];
  readonly logStreamNamePrefix?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly filterPattern?: string;
  readonly limit?: number;
  readonly nextToken?: string;
}

/** Log groups of the simulated account, holding what functions print (`/aws/lambda/<name>` by default). */
export class LogStore {
  private readonly groups = new Map<string, LogEvent[]>();
  private sequence = 0;

  constructor(private readonly now: () => number) {}

  public createGroup(name: string): void {
    if (!this.groups.has(name)) this.groups.set(name, []);
  }

  /** DeleteLogGroup: the group and its events are gone; a function that writes again creates it anew. */
  public deleteGroup(name: string): void {
    this.groups.delete(name);
  }

  public append(group: string, logStreamName: string, message: string): void {
    this.createGroup(group);
    const now = this.now();
    this.sequence += 1;
    this.groups.get(group)!.push({
      logStreamName,
      timestamp: now,
      message,
      ingestionTime: now,
      eventId: String(this.sequence).padStart(56, '0'),
    });
  }

  /** Every event of a group, in the order written (for tests and the sandbox). */
  public events(group: string): LogEvent[] {
    return [...(this.groups.get(group) ?? [])];
  }

  public filterLogEvents(request: FilterLogEventsRequest) {
    const name = groupName(request);
    const events = this.groups.get(name);
    if (!events) throw new ServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    const limit = request.limit ?? 10_000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new ServiceError('InvalidParameterException', `limit must be between 1 and 10000, got ${limit}`);
    }
    const matches = compileFilterPattern(request.filterPattern ?? '');
    const selected = events
      .filter((event) => request.startTime === undefined || event.timestamp >= request.startTime)
      .filter((event) => request.endTime === undefined || event.timestamp <= request.endTime)
      .filter((event) => !request.logStreamNames || request.logStreamNames.includes(event.logStreamName))
      .filter((event) => !request.logStreamNamePrefix || event.logStreamName.startsWith(request.logStreamNamePrefix))
      .filter((event) => matches(event.message))
      .sort((a, b) => a.timestamp - b.timestamp);
    const offset = request.nextToken === undefined ? 0 : Number(request.nextToken);
    if (!Number.isInteger(offset) || offset < 0) throw new ServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
    const page = selected.slice(offset, offset + limit);
    const streams = [...new Set(events.map((event) => event.logStreamName))];
    return {
      events: page,
      searchedLogStreams: streams.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
      ...(offset + limit < selected.length ? { nextToken: String(offset + limit) } : {}),
    };
  }
}

function groupName(request: FilterLogEventsRequest): string {
  const identifier = request.logGroupName ?? request.logGroupIdentifier;
  if (!identifier) throw new ServiceError('InvalidParameterException', 'logGroupName or logGroupIdentifier is required.');
  // An identifier may be the group's ARN: arn:aws:logs:<region>:<account>:log-group:<name>[:*]
  const arn = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(:\*)?$/.exec(identifier);
  return arn ? arn[1] : identifier;
}

// ---- filter patterns ----

/**
 * Compiles a CloudWatch Logs filter pattern:
 * - empty: every event;
 * - JSON: `{ $.field = "value" }`, `{ $.a.b != 5 }`, joined with `&&` and `||`, with parentheses;
 *   `*` in a value is a wildcard; the whole message must be a JSON object;
 * - terms: `ERROR "exact phrase"` (all must occur), `-term` (must not occur), `?a ?b` (any of them).
 * Other forms (space-delimited `[...]`, regular expressions) answer InvalidParameterException.
 */
export function compileFilterPattern(pattern: string): (message: string) => boolean {
  const text = pattern.trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('[') || text.startsWith('%')) throw invalidPattern(pattern);
  return compileTermPattern(text);
}

const invalidPattern = (pattern: string) => new ServiceError('InvalidParameterException', `Invalid filter pattern: ${pattern}`);

function compileTermPattern(text: string): (message: string) => boolean {
  const terms = [...text.matchAll(/([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g)].map((m) => ({
    kind: m[1],
    value: m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3],
  }));
  const anyOf = terms.filter((t) => t.kind === '?').map((t) => t.value);
  const noneOf = terms.filter((t) => t.kind === '-').map((t) => t.value);
  const allOf = terms.filter((t) => t.kind === '').map((t) => t.value);
  return (message) =>
    allOf.every((t) => message.includes(t)) &&
    noneOf.every((t) => !message.includes(t)) &&
    (anyOf.length === 0 || anyOf.some((t) => message.includes(t)));
}

type JsonTest = (doc: unknown) => boolean;

function compileJsonPattern(pattern: string): (message: string) => boolean {
  const tokens = tokenize(pattern);
  let position = 0;
  const peek = () => tokens[position];
  const next = () => tokens[position++];
  const expect = (token: string) => {
    if (next() !== token) throw invalidPattern(pattern);
  };

  const parseOr = (): JsonTest => {
    let left = parseAnd();
    while (peek() === '||') {
      next();
      const right = parseAnd();
      const l = left;
      left = (doc) => l(doc) || right(doc);
    }
    return left;
  };
  const parseAnd = (): JsonTest => {
    let left = parseTerm();
    while (peek() === '&&') {
      next();
      const right = parseTerm();
      const l = left;
      left = (doc) => l(doc) && right(doc);
    }
    return left;
  };
  const parseTerm = (): JsonTest => {
    if (peek() === '(') {
      next();
      const inner = parseOr();
      expect(')');
      return inner;
    }
    const selector = next();
    if (!selector?.startsWith('$.')) throw invalidPattern(pattern);
    const operator = next();
    const value = next();
    if (value === undefined || !['=', '!=', '>', '<', '>=', '<='].includes(operator ?? '')) throw invalidPattern(pattern);
    return comparison(selector, operator!, value);
  };

  expect('{');
  const test = parseOr();
  expect('}');
  if (position !== tokens.length) throw invalidPattern(pattern);
  return (message) => {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return false;
    }
    return typeof doc === 'object' && doc !== null && test(doc);
  };
}

function tokenize(pattern: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|&&|\|\||!=|>=|<=|[{}()=<>]|[^\s{}()=!<>&|"]+)/gy;
  let match: RegExpExecArray | null;
  let end = 0;
  while ((match = re.exec(pattern)) !== null) {
    tokens.push(match[1]);
    end = re.lastIndex;
  }
  if (pattern.slice(end).trim() !== '') throw invalidPattern(pattern);
  return tokens;
}

function comparison(selector: string, operator: string, rawValue: string): JsonTest {
  const path = selector.slice(2).split(/\.|\[(\d+)\]/).filter((part) => part !== undefined && part !== '');
  const quoted = rawValue.startsWith('"');
  const value = quoted ? JSON.parse(rawValue) as string : rawValue;
  const number = !quoted && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value) ? Number(value) : undefined;
  const wildcard = new RegExp(`^${value.split('*').map(escapeRegExp).join('.*')}$`);

  const equals = (actual: unknown): boolean => {
    if (number !== undefined && typeof actual === 'number') return actual === number;
    if (!quoted && ['true', 'false', 'null'].includes(value.toLowerCase())) return String(actual) === value.toLowerCase();
    if (typeof actual === 'string' || typeof actual === 'number') return wildcard.test(String(actual));
    return false;
  };
  return (doc) => {
    let actual: unknown = doc;
    for (const key of path) {
      if (typeof actual !== 'object' || actual === null) return false;
      actual = (actual as Record<string, unknown>)[key];
    }
    if (actual === undefined) return false;
    switch (operator) {
      case '=': return equals(actual);
      case '!=': return !equals(actual);
      default: {
        if (number === undefined || typeof actual !== 'number') return false;
        if (operator === '>') return actual > number;
        if (operator === '<') return actual < number;
        if (operator === '>=') return actual >= number;
        return actual <= number;
      }
    }
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
