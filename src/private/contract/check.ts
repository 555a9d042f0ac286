/**
 * The deploy-time check's custom resource: its type, its properties as CloudFormation passes them to the
 * handler, and the defaults the construct leaves out of the template.
 */
import { RecordCodec, bool, decodeRecord, encodeRecord, text, wholeNumber } from './codec';

export const CHECK_RESOURCE_TYPE = 'Custom::RotationCheck';

/** How long the check waits for a rotation: 1 to 55 minutes (CloudFormation waits an hour at most), 10 by default. */
export const CHECK_TIMEOUT_SECONDS = { default: 600, min: 60, max: 3300 } as const;
/** How often the check looks: 5 seconds to 5 minutes, 10 seconds by default. */
export const CHECK_POLL_INTERVAL_SECONDS = { default: 10, min: 5, max: 300 } as const;

/** The check's properties (besides ServiceToken). */
export interface CheckProperties {
  /** ARN of the secret to rotate and check (a partial ARN for a secret imported by name). */
  readonly secretArn: string;
  /** Opaque hash of everything that affects rotation; a change means "rotate again". */
  readonly rotationFingerprint: string;
  /** How long one rotation may take before the deploy fails. */
  readonly timeoutSeconds: number;
  /** Remove an AWSPENDING label left by an unfinished rotation before rotating. */
  readonly repairStalePending: boolean;
  /** Log group of the rotation function, searched for its failure line. */
  readonly rotationLogGroup: string;
}

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** Values written at synth may be CloudFormation tokens: only the handler checks their format. */
const PROPERTIES: RecordCodec<CheckProperties> = {
  secretArn: matching('SecretArn', SECRET_ARN, 'a Secrets Manager secret ARN'),
  rotationFingerprint: text('RotationFingerprint', { nonEmpty: true }),
  timeoutSeconds: wholeNumber('TimeoutSeconds', 1, CHECK_TIMEOUT_SECONDS.max, CHECK_TIMEOUT_SECONDS.default),
  repairStalePending: bool('RepairStalePending', false),
  rotationLogGroup: matching('RotationLogGroup', LOG_GROUP_NAME, 'a CloudWatch Logs log group name'),
};

/** The resource's properties for `props`; defaults are left out (every secret carries these bytes). */
export function encodeCheckProperties(props: CheckProperties): Record<string, string> {
  return encodeRecord(PROPERTIES, props);
}

/** Reads ResourceProperties as CloudFormation delivers them; errors name the property. */
export function decodeCheckProperties(raw: Readonly<Record<string, unknown>> | undefined): CheckProperties {
  return decodeRecord(PROPERTIES, raw ?? {}, 'property');
}

/** Each property's name, for readers of a template or of an event's OldResourceProperties. */
export const CHECK_PROPERTY_NAMES = Object.fromEntries(
  Object.entries(PROPERTIES).map(([key, field]) => [key, field.name]),
) as { readonly [K in keyof CheckProperties]: string };

function matching(name: string, pattern: RegExp, expected: string) {
  const field = text(name, { nonEmpty: true });
  return {
    ...field,
    decode: (raw: string) => {
      if (!pattern.test(field.decode(raw))) throw new Error(`must be ${expected}, got ${JSON.stringify(raw)}`);
      return raw;
    },
  };
}
