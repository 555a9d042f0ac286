import { TlsMode, tlsModeOf } from './tls';
import type { EngineFamily } from '../../../src/private/contract';

/**
 * A database secret, in the JSON shape RDS and AWS's rotation templates use:
 * `{"engine","host","port","username","password","dbname","ssl","masterarn"}`.
 */
export interface DatabaseSecret {
  readonly engine: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly dbname?: string;
  readonly tls: TlsMode;
  /** The ARN of the secret that holds the administrator's credentials (alternating users). */
  readonly masterarn?: string;
  /** Every field of the JSON, unknown ones included, so the pending value keeps them. */
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * The administrator's secret of the alternating-users strategy. RDS-managed master secrets hold only
 * `username` and `password`; the other fields are used when present.
 */
export interface MasterSecret {
  readonly username: string;
  readonly password: string;
  readonly host?: string;
  readonly port?: number;
  readonly engine?: string;
  /** The `ssl` field's mode, when the master secret has one. */
  readonly tls?: TlsMode;
}

/**
 * Parses and validates a database secret. `where` names the secret in errors ("the AWSCURRENT secret").
 * Errors name the field at fault and never quote a value.
 */
export function parseDatabaseSecret(value: string, family: EngineFamily, where: string): DatabaseSecret {
  const fields = parseJsonObject(value, where);
  const engine = requireString(fields, 'engine', where);
  if (!family.engines.includes(engine)) {
    throw new Error(`${where}: \`engine\` must be one of ${family.engines.join(', ')} for a ${family.displayName} rotation strategy`);
  }
  const dbname = optionalString(fields, 'dbname', where) ?? family.defaultDbname;
  return {
    engine,
    host: requireString(fields, 'host', where),
    port: optionalPort(fields, where) ?? family.defaultPort,
    username: requireString(fields, 'username', where),
    password: requireString(fields, 'password', where),
    ...(dbname === undefined ? {} : { dbname }),
    tls: tlsModeOf(fields.ssl, where),
    ...optionalField('masterarn', optionalString(fields, 'masterarn', where)),
    fields,
  };
}

/** Parses a database secret and requires `masterarn`, which the alternating-users strategy needs. */
export function parseAlternatingUsersSecret(value: string, family: EngineFamily, where: string): DatabaseSecret & { readonly masterarn: string } {
  const secret = parseDatabaseSecret(value, family, where);
  if (secret.masterarn === undefined) {
    throw new Error(`${where}: \`masterarn\` is missing; the alternating-users strategy needs the ARN of the secret holding the administrator's credentials`);
  }
  return { ...secret, masterarn: secret.masterarn };
}

/** Parses the administrator's secret; only `username` and `password` are required. */
export function parseMasterSecret(value: string, family: EngineFamily, where: string): MasterSecret {
  const fields = parseJsonObject(value, where);
  const engine = optionalString(fields, 'engine', where);
  if (engine !== undefined && !family.engines.includes(engine)) {
    throw new Error(`${where}: \`engine\` must be one of ${family.engines.join(', ')} for a ${family.displayName} rotation strategy`);
  }
  return {
    username: requireString(fields, 'username', where),
    password: requireString(fields, 'password', where),
    ...optionalField('host', optionalString(fields, 'host', where)),
    ...optionalField('port', optionalPort(fields, where)),
    ...optionalField('engine', engine),
    ...optionalField('tls', fields.ssl === undefined ? undefined : tlsModeOf(fields.ssl, where)),
  };
}

/** `host` or `port` when the two secrets point at different servers; undefined when they agree. */
export function serverMismatch(a: { host: string; port: number }, b: { host: string; port: number }): 'host' | 'port' | undefined {
  if (a.host !== b.host) return 'host';
  if (a.port !== b.port) return 'port';
  return undefined;
}

/**
 * The value parsed as a JSON object. JSON.parse's own message is dropped on purpose: it quotes the text it
 * failed on, which is a secret.
 */
function parseJsonObject(value: string, where: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`${where} is not valid JSON; a database secret is a JSON object with engine, host, username and password`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${where} is not a JSON object; a database secret is a JSON object with engine, host, username and password`);
  }
  return parsed as Record<string, unknown>;
}

function requireString(fields: Record<string, unknown>, key: string, where: string): string {
  if (!Object.hasOwn(fields, key) || fields[key] === undefined || fields[key] === null) {
    throw new Error(`${where}: \`${key}\` is missing`);
  }
  const value = fields[key];
  if (typeof value !== 'string' || value === '') {
    throw new Error(`${where}: \`${key}\` must be a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function optionalString(fields: Record<string, unknown>, key: string, where: string): string | undefined {
  if (!Object.hasOwn(fields, key) || fields[key] === undefined || fields[key] === null) return undefined;
  return requireString(fields, key, where);
}

/** `port` as RDS writes it (a number) or as people often do (a numeric string). */
function optionalPort(fields: Record<string, unknown>, where: string): number | undefined {
  const raw = Object.hasOwn(fields, 'port') ? fields.port : undefined;
  if (raw === undefined || raw === null) return undefined;
  const port = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,5}$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${where}: \`port\` must be a whole number from 1 to 65535, as a number or a numeric string (got ${describe(raw)})`);
  }
  return port;
}

function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The kind of a bad value, never the value: it may be a password. */
function describe(value: unknown): string {
  if (value === '') return 'an empty string';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
