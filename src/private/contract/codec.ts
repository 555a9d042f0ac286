/**
 * Typed records that cross a bundle boundary as strings: a rotation function's environment variables and a
 * custom resource's CloudFormation properties. One table per record maps every field to its wire name and
 * format, so a field added to the record type without its encoding does not compile.
 */

/** How one field is written and read. `decode` throws an Error whose message says what was expected. */
export interface FieldCodec<T> {
  /** The environment variable or property name. */
  readonly name: string;
  /** Left out of the encoding when the value equals it; taken when the field is absent. */
  readonly defaultValue?: T;
  encode(value: T): string;
  decode(raw: string): T;
}

/** A codec for every field of `T`, optional fields included. */
export type RecordCodec<T> = { readonly [K in keyof T]-?: FieldCodec<Exclude<T[K], undefined>> };

/** What the record is called in errors: `variable` for environment variables, `property` for resource properties. */
export type FieldKind = 'variable' | 'property';

/** The record as strings; fields with their default value or no value are left out. */
export function encodeRecord<T extends object>(codec: RecordCodec<T>, value: T): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const key of Object.keys(codec) as Array<keyof T & string>) {
    const field = codec[key] as FieldCodec<unknown>;
    const fieldValue = value[key];
    if (fieldValue === undefined || (field.defaultValue !== undefined && sameValue(fieldValue, field.defaultValue))) continue;
    encoded[field.name] = field.encode(fieldValue);
  }
  return encoded;
}

/**
 * Reads the record back. A field that is absent takes its default; absent without a default, it is undefined
 * when `optional` lists it and an error otherwise. Errors name the variable or property.
 */
export function decodeRecord<T extends object>(
  codec: RecordCodec<T>,
  raw: Readonly<Record<string, unknown>>,
  kind: FieldKind,
  optional: ReadonlyArray<keyof T> = [],
): T {
  const decoded: Record<string, unknown> = {};
  for (const key of Object.keys(codec) as Array<keyof T & string>) {
    const field = codec[key] as FieldCodec<unknown>;
    const value = raw[field.name];
    if (value === undefined) {
      if (field.defaultValue !== undefined) decoded[key] = field.defaultValue;
      else if (!optional.includes(key)) throw new ContractError(`${label(kind, field.name)} is required, but is not set`);
      continue;
    }
    if (typeof value !== 'string') {
      throw new ContractError(`${label(kind, field.name)} must be a string, got ${value === null ? 'null' : typeof value}`);
    }
    try {
      decoded[key] = field.decode(value);
    } catch (error) {
      throw new ContractError(`${label(kind, field.name)} ${(error as Error).message}`);
    }
  }
  return decoded as T;
}

/** A value that does not follow the contract: a construct and its handler are out of step, or the value was edited. */
export class ContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContractError';
  }
}

function label(kind: FieldKind, name: string): string {
  return kind === 'variable' ? `\`${name}\`` : `Property \`${name}\``;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Field formats ---------------------------------------------------------------------------------------------

/** Any string, as it is. `nonEmpty` refuses the empty string. */
export function text(name: string, options: { readonly nonEmpty?: boolean; readonly defaultValue?: string } = {}): FieldCodec<string> {
  return {
    name,
    defaultValue: options.defaultValue,
    encode: (value) => value,
    decode: (raw) => {
      if (options.nonEmpty && raw.length === 0) throw new Error('must not be empty');
      return raw;
    },
  };
}

/** `true` or `false`. */
export function bool(name: string, defaultValue?: boolean): FieldCodec<boolean> {
  return {
    name,
    defaultValue,
    encode: (value) => String(value),
    decode: (raw) => {
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw new Error(`must be "true" or "false", got ${JSON.stringify(raw)}`);
    },
  };
}

/** A whole number from `min` to `max`, in decimal digits. */
export function wholeNumber(name: string, min: number, max: number, defaultValue?: number): FieldCodec<number> {
  return {
    name,
    defaultValue,
    encode: (value) => String(value),
    decode: (raw) => {
      const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
      if (!(value >= min && value <= max)) throw new Error(`must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
      return value;
    },
  };
}

/** One of `values`. */
export function oneOf<T extends string>(name: string, values: readonly T[], defaultValue?: T): FieldCodec<T> {
  return {
    name,
    defaultValue,
    encode: (value) => value,
    decode: (raw) => {
      if (!(values as readonly string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
      return raw as T;
    },
  };
}

/** A variable holding a JSON object, written as JSON text; `check` throws what is wrong with its entries. */
export function jsonObjectVariable<T extends object>(name: string, check: (parsed: Record<string, unknown>) => void): FieldCodec<Readonly<T>> {
  return {
    name,
    encode: (value) => JSON.stringify(value),
    decode: (raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new Error('must be a JSON object');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('must be a JSON object');
      check(parsed as Record<string, unknown>);
      return parsed as T;
    },
  };
}
