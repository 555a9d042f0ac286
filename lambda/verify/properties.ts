import { VerificationError } from './errors';

/** The custom resource's properties, parsed from the strings CloudFormation delivers. */
export interface VerifyProperties {
  /** Full ARN of the secret to rotate and check. */
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

/** The construct's default time limit (10 minutes), applied when the property is left out. */
export const DEFAULT_TIMEOUT_SECONDS = 600;

const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;

/** Validates ResourceProperties; the error names the property and shows the bad value (none is secret). */
export function parseProperties(raw: Readonly<Record<string, unknown>> | undefined): VerifyProperties {
  const props = raw ?? {};
  const secretArn = requireString(props, 'SecretArn');
  if (!SECRET_ARN.test(secretArn)) {
    throw invalid('SecretArn', secretArn, 'a full Secrets Manager secret ARN');
  }
  const rotationFingerprint = requireString(props, 'RotationFingerprint');

  // Left out of the template when they have their default value.
  const timeoutText = optionalString(props, 'TimeoutSeconds') ?? String(DEFAULT_TIMEOUT_SECONDS);
  const timeoutSeconds = Number(timeoutText);
  if (!/^\d+$/.test(timeoutText) || timeoutSeconds < 1) {
    throw invalid('TimeoutSeconds', timeoutText, 'a whole number of seconds, at least 1');
  }

  const repairText = optionalString(props, 'RepairStalePending') ?? 'false';
  if (repairText !== 'true' && repairText !== 'false') {
    throw invalid('RepairStalePending', repairText, '"true" or "false"');
  }

  const rotationLogGroup = requireString(props, 'RotationLogGroup');
  if (!LOG_GROUP_NAME.test(rotationLogGroup)) {
    throw invalid('RotationLogGroup', rotationLogGroup, 'a CloudWatch Logs log group name');
  }

  return { secretArn, rotationFingerprint, timeoutSeconds, repairStalePending: repairText === 'true', rotationLogGroup };
}

function optionalString(props: Readonly<Record<string, unknown>>, name: string): string | undefined {
  return props[name] === undefined ? undefined : requireString(props, name);
}

function requireString(props: Readonly<Record<string, unknown>>, name: string): string {
  const value = props[name];
  if (typeof value !== 'string' || value.length === 0) {
    throw new VerificationError(`Property \`${name}\` is required (a non-empty string), got ${describeValue(value)}`);
  }
  return value;
}

function invalid(name: string, value: string, expected: string): VerificationError {
  return new VerificationError(`Property \`${name}\` must be ${expected}, got ${JSON.stringify(value)}`);
}

function describeValue(value: unknown): string {
  return value === undefined ? 'nothing' : typeof value === 'string' ? '""' : `a ${typeof value}`;
}
