/**
 * Merging an entry's connection fields (dbname, ssl, masterarn, host, port, engine) into a database secret's
 * AWSCURRENT value: every other field, the password first, is kept as it is, and so are JSON types (a port stays
 * a number, ssl a boolean, also when the template could only give a string: CloudFormation's Fn::GetAtt of a
 * database port is one). Pure functions over the value; it never leaves this module except in PutSecretValue.
 */

/** What a merge must do to the current value. */
export type MergePlan =
  /** The value already holds every field as the entry has it. */
  | { readonly kind: 'none' }
  /** PutSecretValue `value` as the new AWSCURRENT; `fields` are the ones that changed. */
  | { readonly kind: 'put'; readonly value: string; readonly fields: readonly string[] }
  /** The value cannot take fields; `why` completes "its AWSCURRENT value ..." and holds no part of the value. */
  | { readonly kind: 'refused'; readonly why: string };

export type ConnectionFields = Readonly<Record<string, string | number | boolean>>;

/** Fields a merge must never write: the check keeps the credentials and changes only where they log in. */
const CREDENTIAL_FIELDS = ['username', 'password'];

/** Why the entry's connection fields cannot be merged into any secret, or undefined. */
export function connectionProblem(connection: ConnectionFields): string | undefined {
  const credentials = Object.keys(connection).filter((field) => CREDENTIAL_FIELDS.includes(field));
  return credentials.length > 0 ? `must not set ${credentials.join(' or ')}: a merge keeps the credentials` : undefined;
}

export function planMerge(currentValue: string | undefined, connection: ConnectionFields): MergePlan {
  if (currentValue === undefined) return { kind: 'refused', why: 'is binary, not a JSON object' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(currentValue);
  } catch {
    return { kind: 'refused', why: 'is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'refused', why: 'is not a JSON object' };
  const current = parsed as Record<string, unknown>;
  const wanted = Object.fromEntries(Object.entries(connection).map(([field, value]) => [field, inTypeOf(current[field], value)]));
  const fields = Object.keys(wanted).filter((field) => current[field] !== wanted[field]);
  if (fields.length === 0) return { kind: 'none' };
  return { kind: 'put', value: JSON.stringify({ ...current, ...wanted }), fields };
}

/** `value` in the JSON type the secret already has for the field, when it reads as one. */
function inTypeOf(current: unknown, value: string | number | boolean): string | number | boolean {
  if (typeof current === 'number' && typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (typeof current === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}
