/**
 * The line the rotation function logs when a step fails, and how the deploy-time check finds it: one JSON
 * object per line, searched by CloudWatch Logs' JSON filter pattern on the rotation's token.
 */

/** The `message` of the failure line. */
export const ROTATION_FAILURE_MESSAGE = 'rotation step failed';

/** The fields of a log line about one rotation step (the failure line adds `error`). Values are identifiers only. */
export interface RotationStepFields {
  /** The step from the event, or null when the event had none. */
  readonly step: string | null;
  readonly secretArn: string | null;
  /** The ClientRequestToken: the new version's id, by which the check finds the line. */
  readonly token: string | null;
  readonly strategy: string | null;
}

/** A failure line as the rotation function writes it (besides `timestamp`). */
export interface RotationFailureRecord extends RotationStepFields {
  readonly level: 'error';
  readonly message: typeof ROTATION_FAILURE_MESSAGE;
  /** The step's error, already free of secret values. */
  readonly error: string;
}

/** The filter pattern that selects the failure lines of one rotation. */
export function rotationFailureFilterPattern(token: string): string {
  return `{ $.token = "${token}" && $.message = "${ROTATION_FAILURE_MESSAGE}" }`;
}

/**
 * The failure record in a log event for `token`, or undefined when the event is not one. A text before the
 * JSON (the prefix Lambda adds to console output) is tolerated; fields that are not strings read as absent.
 */
export function parseRotationFailureRecord(message: string, token: string): Partial<RotationFailureRecord> | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(message.slice(start));
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null) return undefined;
  const fields = entry as Record<string, unknown>;
  if (fields.message !== ROTATION_FAILURE_MESSAGE || fields.token !== token) return undefined;
  const stringField = (name: string) => (typeof fields[name] === 'string' && fields[name] !== '' ? fields[name] as string : undefined);
  return { level: 'error', message: ROTATION_FAILURE_MESSAGE, token, step: stringField('step'), error: stringField('error'), strategy: stringField('strategy'), secretArn: stringField('secretArn') };
}
