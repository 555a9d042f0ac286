/**
 * The deploy-time check: one custom resource per stack with an entry per rotated secret, answered by the check
 * function through CloudFormation's raw custom-resource protocol. Its properties as CloudFormation passes them (every
 * scalar a string), the defaults the construct leaves out of the template, and the tags the check reads and writes.
 */
import { ContractError, FieldCodec, RecordCodec, bool, decodeRecord, encodeRecord, jsonObjectVariable, oneOf, text, wholeNumber } from './codec';

export const CHECK_RESOURCE_TYPE = 'Custom::RotationCheck';

/** How long the check waits for one secret's rotation: 1 to 55 minutes (CloudFormation waits an hour at most), 10 by default. */
export const CHECK_TIMEOUT_SECONDS = { default: 600, min: 60, max: 3300 } as const;
/** How often the check looks: 5 seconds to 5 minutes, 10 seconds by default. */
export const CHECK_POLL_INTERVAL_SECONDS = { default: 10, min: 5, max: 300 } as const;
/** CloudFormation's limit on how long it waits for a custom resource (its `ServiceTimeout`). */
export const MAX_SERVICE_TIMEOUT_SECONDS = 3600;

/** The tag on every secret the constructs rotate: the stack's id. The check's permissions are scoped by it. */
export const STACK_TAG = 'cdk-rotating-secrets:stack';
/** The tag the check writes after a verified rotation: the fingerprint it verified. */
export const VERIFIED_TAG = 'cdk-rotating-secrets:verified';

/**
 * Whose rotation function it is: `library` (one this library ships: it logs a failure record per failed step and
 * answers the check's probe) or `foreign` (any other: the user's own, or one from the Serverless Application
 * Repository), which the check never probes and whose log group, if known, it reads only for the runtime's error lines.
 */
export type RotationFunctionKind = 'library' | 'foreign';
export const ROTATION_FUNCTION_KINDS: readonly RotationFunctionKind[] = ['library', 'foreign'];

/** A rotation function the stack's secrets use. */
export interface CheckedFunction {
  readonly arn: string;
  /** Its log group; a foreign function's may be unknown. */
  readonly logGroup?: string;
  /** Its timeout: how long one step may run. */
  readonly timeoutSeconds: number;
  readonly kind: RotationFunctionKind;
}

/** One secret the check settles, configures, rotates and verifies. */
export interface CheckedSecret {
  /** ARN of the secret (a partial ARN for a secret imported by name). */
  readonly secretArn: string;
  /** Opaque hash of everything that affects rotation; a change means "rotate again". */
  readonly fingerprint: string;
  /** Index of its rotation function in the resource's functions. */
  readonly functionIndex: number;
  /** The rotation rules RotateSecret configures: `rate(...)` or `cron(...)`, and the window (`3h`). */
  readonly scheduleExpression: string;
  readonly duration?: string;
  /** How long the rotation may take before the deploy fails. */
  readonly timeoutSeconds: number;
  /** How often the check looks at the rotation. */
  readonly pollSeconds: number;
  /** Settle a stale AWSPENDING left by a rotation this check did not start. */
  readonly repairStalePending: boolean;
  /** Rotate and verify; false only merges the connection fields (the rotation schedule then rotates). */
  readonly verify: boolean;
  /** Fields merged into the secret's JSON value, keeping every other field and the password (database secrets). */
  readonly connection?: Readonly<Record<string, string | number | boolean>>;
}

/** The resource's properties (besides ServiceToken and ServiceTimeout). */
export interface CheckProperties {
  readonly functions: readonly CheckedFunction[];
  readonly secrets: readonly CheckedSecret[];
}

const FUNCTION_FIELDS: RecordCodec<CheckedFunction> = {
  arn: matching('FunctionArn', /^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/, 'a Lambda function ARN'),
  logGroup: matching('LogGroupName', /^[.\-_/#A-Za-z0-9]{1,512}$/, 'a CloudWatch Logs log group name'),
  timeoutSeconds: wholeNumber('TimeoutSeconds', 1, 900),
  kind: oneOf('FunctionKind', ROTATION_FUNCTION_KINDS, 'library'),
};

const SECRET_FIELDS: RecordCodec<CheckedSecret> = {
  secretArn: matching('SecretArn', /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN'),
  fingerprint: text('Fingerprint', { nonEmpty: true }),
  functionIndex: wholeNumber('FunctionIndex', 0, 999),
  scheduleExpression: matching('ScheduleRule', /^(rate|cron)\(.+\)$/, 'a rate(...) or cron(...) expression'),
  duration: matching('WindowDuration', /^\d{1,2}h$/, 'a window in hours like "3h"'),
  timeoutSeconds: wholeNumber('TimeoutSeconds', 1, CHECK_TIMEOUT_SECONDS.max, CHECK_TIMEOUT_SECONDS.default),
  pollSeconds: wholeNumber('PollSeconds', 1, CHECK_POLL_INTERVAL_SECONDS.max, CHECK_POLL_INTERVAL_SECONDS.default),
  repairStalePending: bool('RepairStalePending', false),
  verify: bool('VerifyRotation', true),
  connection: jsonObject('ConnectionFields'),
};

/** The property names of the resource. */
export const CHECK_PROPERTY_NAMES = { functions: 'RotationFunctions', secrets: 'RotatedSecrets', serviceTimeout: 'ServiceTimeout' } as const;

/**
 * The resource's properties for `props`: every entry's defaults left out (every secret carries these bytes).
 * `toJson` writes the connection fields; the construct passes the stack's, which keeps tokens (a port from
 * `Fn::GetAtt`) as what they resolve to.
 */
export function encodeCheckProperties(
  props: CheckProperties,
  toJson: (value: unknown) => string = (value) => JSON.stringify(value),
): Record<string, Array<Record<string, string>>> {
  const secretFields: RecordCodec<CheckedSecret> = { ...SECRET_FIELDS, connection: { ...SECRET_FIELDS.connection, encode: toJson } };
  return {
    [CHECK_PROPERTY_NAMES.functions]: props.functions.map((fn) => encodeRecord(FUNCTION_FIELDS, fn)),
    [CHECK_PROPERTY_NAMES.secrets]: props.secrets.map((secret) => encodeRecord(secretFields, secret)),
  };
}

/** Reads ResourceProperties as CloudFormation delivers them; errors name the entry and the property. */
export function decodeCheckProperties(raw: Readonly<Record<string, unknown>> | undefined): CheckProperties {
  const props = raw ?? {};
  const functions = list(props, CHECK_PROPERTY_NAMES.functions).map((item, index) =>
    withPlace(`${CHECK_PROPERTY_NAMES.functions}[${index}]`, () => decodeFunction(item)));
  const secrets = list(props, CHECK_PROPERTY_NAMES.secrets).map((item, index) =>
    withPlace(`${CHECK_PROPERTY_NAMES.secrets}[${index}]`, () => decodeRecord(SECRET_FIELDS, item, 'property', ['duration', 'connection'])));
  for (const [index, secret] of secrets.entries()) {
    if (secret.functionIndex >= functions.length) {
      throw new ContractError(`${CHECK_PROPERTY_NAMES.secrets}[${index}]: Property \`${SECRET_FIELDS.functionIndex.name}\` must name one of the ${functions.length} functions, got ${secret.functionIndex}`);
    }
  }
  return { functions, secrets };
}

/** The secret's property names, for readers of a template (the sandbox). */
export const CHECKED_SECRET_PROPERTY_NAMES = Object.fromEntries(
  Object.entries(SECRET_FIELDS).map(([key, field]) => [key, (field as FieldCodec<unknown>).name]),
) as { readonly [K in keyof CheckedSecret]-?: string };

/** A function entry; only a foreign function may leave out its log group (this library's always have one). */
function decodeFunction(item: Readonly<Record<string, unknown>>): CheckedFunction {
  const fn = decodeRecord(FUNCTION_FIELDS, item, 'property', ['logGroup']);
  if (fn.kind === 'library' && fn.logGroup === undefined) {
    throw new ContractError(`Property \`${FUNCTION_FIELDS.logGroup.name}\` is required for a library rotation function, but is not set`);
  }
  return fn;
}

function list(props: Readonly<Record<string, unknown>>, name: string): Array<Readonly<Record<string, unknown>>> {
  const value = props[name];
  if (!Array.isArray(value)) throw new ContractError(`Property \`${name}\` must be a list, got ${value === undefined ? 'nothing' : typeof value}`);
  return value.map((item, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new ContractError(`${name}[${index}] must be an object, got ${item === null ? 'null' : typeof item}`);
    }
    return item as Readonly<Record<string, unknown>>;
  });
}

function withPlace<T>(place: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof ContractError) throw new ContractError(`${place}: ${error.message}`);
    throw error;
  }
}

function matching(name: string, pattern: RegExp, expected: string): FieldCodec<string> {
  const field = text(name, { nonEmpty: true });
  return {
    ...field,
    decode: (raw) => {
      if (!pattern.test(field.decode(raw))) throw new Error(`must be ${expected}, got ${JSON.stringify(raw)}`);
      return raw;
    },
  };
}

/** A JSON object of strings, numbers and booleans, written as JSON text (CloudFormation would turn its numbers into strings). */
function jsonObject(name: string): FieldCodec<Readonly<Record<string, string | number | boolean>>> {
  return jsonObjectVariable(name, (parsed) => {
    if (Object.values(parsed).some((value) => !['string', 'number', 'boolean'].includes(typeof value))) {
      throw new Error('must be a JSON object of strings, numbers and booleans');
    }
  });
}
